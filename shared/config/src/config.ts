import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StrategyParams } from '@arb/core/params';
import { parse as parseDotenv } from 'dotenv';
import { type ConfigIssue, ConfigError } from './config-error';
import { CONFIG_KEYS, type ConfigKey, type KeySpec, type KeyValue } from './config-keys';
import { SIM_CREDENTIALS } from './sim-credentials';

export { ConfigError, type ConfigIssue } from './config-error';

export type Mode = 'sim' | 'paper' | 'live';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export type AsterAuth =
  | { kind: 'v3'; user: string; signer: string; signerPrivateKey: string }
  | { kind: 'hmac'; apiKey: string; apiSecret: string };

export interface Endpoint {
  restUrl: string;
  wsUrl: string;
}

export interface AsterVenueConfig extends Endpoint {
  auth: AsterAuth;
  recvWindowMs: number;
}

export interface BackpackVenueConfig extends Endpoint {
  apiKey: string;
  secret: string;
  windowMs: number;
  /** REST client used for orders and account reads. */
  restClient: 'direct' | 'ccxt';
}

export interface AppConfig {
  mode: Mode;
  /** LIVE_TRADING_CONFIRM=yes was given (required in live). */
  liveConfirmed: boolean;
  logLevel: LogLevel;
  pair: string;
  redis: { url: string; namespace: string };
  /** Each service's /healthz + /metrics server (HEALTH_HOST, HEALTH_PORT; 0 = any free port). */
  health: { host: string; port: number };
  strategy: StrategyParams;
  /** TRADE_INTERVAL: the strategy's timer for time-based decisions when no tick arrives. */
  checkIntervalMs: number;
  leverage: number;
  statusIntervalMs: number;
  /** STRATEGY_LEASE_MS: the strategy's leader lease time (a standby takes over within about this). */
  strategyLeaseMs: number;
  /** OPEN_COOLDOWN_AFTER_FAILURE_MS: no new open for this long after a hedge ended failed. */
  openCooldownAfterFailureMs: number;
  /** IANA zone of the trading day (daily stats). */
  tradingTimeZone: string;
  /** Reference price of the start-up break-even check (ECONOMICS_REF_PRICE). */
  economicsRefPrice: number;
  allowUnprofitable: boolean;
  /** Market data (and, except in paper, orders) per venue, with the account's credentials. */
  venues: { aster: AsterVenueConfig; backpack: BackpackVenueConfig };
  /** Where orders go: the venues themselves, or the simulator in paper mode. */
  orderVenues: { aster: Endpoint; backpack: Endpoint };
  sim: {
    host: string;
    asterPort: number;
    backpackPort: number;
    adminPort: number;
    seed: number;
    scenarioPath: string | undefined;
    /** The admin API (scenarios, faults) runs in sim mode only. */
    adminEnabled: boolean;
  };
  feeds: {
    asterStallMs: number;
    backpackStallMs: number;
    asterReconnectBaseMs: number;
    backpackReconnectBaseMs: number;
    reconnectMaxMs: number;
    backpackHeartbeatMs: number;
    /** Book levels per side on each quote (FEED_DEPTH_LEVELS); 0 = top of book only. */
    depthLevels: number;
    recordStream: boolean;
    streamMaxLen: number;
  };
  orders: { requestTimeoutMs: number; unknownResolveTimeoutMs: number };
  risk: {
    reconcileIntervalMs: number;
    driftTolerance: number;
    flattenOnDrift: boolean;
    /** USD; 0 = off. */
    dailyLossLimit: number;
    cleanupPolicy: 'unwind' | 'complete';
    /** A hedge naked (net exposure) longer than this raises a critical alert. */
    nakedAlertMs: number;
    /** A leg pending this long is looked up at its venue; not found there this long after: rejected. */
    stuckLegMs: number;
  };
  dashboard: {
    port: number;
    user: string;
    password: string;
    /**
     * True when no DASHBOARD_PASSWORD was set and a random one was generated for this start. Each process
     * generates its own: a launcher that starts the dashboard should print its value and pass it on as
     * DASHBOARD_PASSWORD in the dashboard's environment.
     */
    passwordGenerated: boolean;
  };
}

export interface LoadConfigOptions {
  /**
   * A .env file merged under `env` (real environment wins). Default: the repo root's `.env` when `env` is
   * omitted or is process.env; none for any other `env` (tests). `false` disables it.
   */
  dotenvPath?: string | false;
}

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Reads, validates and deep-freezes the configuration. Throws one ConfigError listing every problem. */
export function loadConfig(env?: NodeJS.ProcessEnv, opts: LoadConfigOptions = {}): AppConfig {
  const source = env ?? process.env;
  const dotenvPath = opts.dotenvPath ?? (source === process.env ? resolve(REPO_ROOT, '.env') : false);
  const merged: Record<string, string | undefined> = { ...readDotenv(dotenvPath), ...source };
  const reader = new EnvReader(merged);
  const config = build(reader);
  if (reader.issues.length > 0 || config === undefined) throw new ConfigError(reader.issues);
  return deepFreeze(config);
}

function readDotenv(path: string | false): Record<string, string> {
  if (path === false || !existsSync(path)) return {};
  return parseDotenv(readFileSync(path));
}

class EnvReader {
  readonly issues: ConfigIssue[] = [];
  constructor(private readonly env: Record<string, string | undefined>) {}

  /** The raw trimmed value, or undefined when unset or empty. */
  raw(key: ConfigKey): string | undefined {
    const v = this.env[key]?.trim();
    return v === undefined || v === '' ? undefined : v;
  }

  isSet(key: ConfigKey): boolean {
    return this.raw(key) !== undefined;
  }

  /** The parsed value, its default when unset, or undefined (with an issue recorded when invalid). */
  get<K extends ConfigKey>(key: K): KeyValue<K> | undefined {
    const spec = CONFIG_KEYS[key] as unknown as KeySpec<KeyValue<K>>;
    const raw = this.raw(key) ?? spec.default;
    if (raw === undefined) return undefined;
    const parsed = spec.schema.safeParse(raw);
    if (parsed.success) return parsed.data;
    const why = parsed.error.issues[0]?.message ?? 'is invalid';
    const problem = spec.secret ? `value (not shown) ${why}` : `"${clip(raw)}" ${why}`;
    this.issues.push({ key, problem, expected: spec.expected });
    return undefined;
  }

  /** Like get, but a missing default is a bug in CONFIG_KEYS: every caller of need has a default. */
  need<K extends ConfigKey>(key: K): KeyValue<K> {
    return this.get(key) as KeyValue<K>;
  }

  issue(key: string, problem: string, expected: string): void {
    this.issues.push({ key, problem, expected });
  }
}

/** A non-secret value as echoed in an error: a URL's password masked, long values cut. */
function clip(s: string): string {
  const masked = s.replace(/(\/\/[^:/\s@]*:)[^@\s/]*@/g, '$1***@');
  return masked.length > 60 ? `${masked.slice(0, 57)}...` : masked;
}

function build(r: EnvReader): AppConfig | undefined {
  const mode = r.get('MODE') ?? 'sim';
  const liveConfirmed = r.raw('LIVE_TRADING_CONFIRM') === 'yes';
  if (mode === 'live' && !liveConfirmed) {
    r.issue('LIVE_TRADING_CONFIRM', 'live mode needs an explicit opt-in', 'yes');
  }

  const sim = {
    host: r.need('SIM_HOST'),
    asterPort: r.need('SIM_ASTER_PORT'),
    backpackPort: r.need('SIM_BACKPACK_PORT'),
    adminPort: r.need('SIM_ADMIN_PORT'),
    seed: r.need('SIM_SEED'),
    scenarioPath: r.get('SIM_SCENARIO'),
    adminEnabled: mode === 'sim',
  };
  const ports = [
    ['SIM_ASTER_PORT', sim.asterPort],
    ['SIM_BACKPACK_PORT', sim.backpackPort],
    ['SIM_ADMIN_PORT', sim.adminPort],
  ] as const;
  for (let i = 0; i < ports.length; i++) {
    for (let j = i + 1; j < ports.length; j++) {
      const a = ports[i]!;
      const b = ports[j]!;
      if (a[1] !== undefined && a[1] === b[1]) {
        r.issue(`${a[0]} + ${b[0]}`, `both are ${a[1]}`, 'distinct ports');
      }
    }
  }

  const host = sim.host ?? '127.0.0.1';
  const simAster: Endpoint = {
    restUrl: `http://${host}:${sim.asterPort}`,
    wsUrl: `ws://${host}:${sim.asterPort}`,
  };
  const simBackpack: Endpoint = {
    restUrl: `http://${host}:${sim.backpackPort}`,
    wsUrl: `ws://${host}:${sim.backpackPort}`,
  };
  const realAster: Endpoint = { restUrl: 'https://fapi.asterdex.com', wsUrl: 'wss://fstream.asterdex.com' };
  const realBackpack: Endpoint = {
    restUrl: 'https://api.backpack.exchange',
    wsUrl: 'wss://ws.backpack.exchange',
  };
  const defAster = mode === 'sim' ? simAster : realAster;
  const defBackpack = mode === 'sim' ? simBackpack : realBackpack;
  const asterMarket: Endpoint = {
    restUrl: r.get('ASTER_REST_URL') ?? defAster.restUrl,
    wsUrl: r.get('ASTER_WS_URL') ?? defAster.wsUrl,
  };
  const backpackMarket: Endpoint = {
    restUrl: r.get('BACKPACK_REST_URL') ?? defBackpack.restUrl,
    wsUrl: r.get('BACKPACK_WS_URL') ?? defBackpack.wsUrl,
  };

  const asterAuth = resolveAsterAuth(r, mode);
  const backpackKeys = resolveBackpackKeys(r, mode);
  if (mode === 'live') rejectSimKeys(r, asterAuth, backpackKeys);

  const openThreshold = r.need('ARB_THRESHOLD');
  const closeThreshold = r.need('CLOSE_DIFF');
  if (openThreshold !== undefined && closeThreshold !== undefined && closeThreshold >= openThreshold) {
    r.issue(
      'CLOSE_DIFF + ARB_THRESHOLD',
      `close threshold ${closeThreshold} is not below open threshold ${openThreshold}`,
      'CLOSE_DIFF < ARB_THRESHOLD',
    );
  }
  const strategy: StrategyParams = {
    tradeQty: r.need('TRADE_AMOUNT'),
    openThreshold,
    closeThreshold,
    maxOpenHedges: r.need('MAX_ADD_POSITIONS'),
    forceCloseMs: r.need('FORCE_CLOSE_TIME'),
    maxQuoteAgeMs: r.need('PRICE_VALIDITY_MS'),
    maxQuoteSkewMs: r.need('MAX_QUOTE_SKEW_MS'),
    minTradeIntervalMs: r.need('MIN_TRADE_INTERVAL'),
    fees: {
      aster: { taker: r.need('ASTER_TAKER_FEE'), maker: r.need('ASTER_MAKER_FEE') },
      backpack: { taker: r.need('BACKPACK_TAKER_FEE'), maker: r.need('BACKPACK_MAKER_FEE') },
    },
  };

  const feeds = {
    asterStallMs: r.need('ASTER_STALL_MS'),
    backpackStallMs: r.need('BACKPACK_STALL_MS'),
    asterReconnectBaseMs: r.need('ASTER_RECONNECT_BASE_MS'),
    backpackReconnectBaseMs: r.need('BACKPACK_RECONNECT_BASE_MS'),
    reconnectMaxMs: r.need('RECONNECT_MAX_MS'),
    backpackHeartbeatMs: r.need('BACKPACK_HEARTBEAT_MS'),
    depthLevels: r.need('FEED_DEPTH_LEVELS'),
    recordStream: r.need('RECORD_QUOTES'),
    streamMaxLen: r.need('QUOTE_STREAM_MAXLEN'),
  };
  for (const k of ['ASTER_RECONNECT_BASE_MS', 'BACKPACK_RECONNECT_BASE_MS'] as const) {
    const base = k === 'ASTER_RECONNECT_BASE_MS' ? feeds.asterReconnectBaseMs : feeds.backpackReconnectBaseMs;
    if (base !== undefined && feeds.reconnectMaxMs !== undefined && base > feeds.reconnectMaxMs) {
      r.issue(
        `${k} + RECONNECT_MAX_MS`,
        `base delay ${base} exceeds the maximum ${feeds.reconnectMaxMs}`,
        `${k} <= RECONNECT_MAX_MS`,
      );
    }
  }

  const password = r.get('DASHBOARD_PASSWORD');
  if (mode === 'live' && password === undefined && !r.isSet('DASHBOARD_PASSWORD')) {
    r.issue('DASHBOARD_PASSWORD', 'is required in live mode (no default there)', 'at least 8 characters');
  }
  const dashboard = {
    port: r.need('DASHBOARD_PORT'),
    user: r.need('DASHBOARD_USER'),
    password: password ?? randomBytes(18).toString('base64url'),
    passwordGenerated: !r.isSet('DASHBOARD_PASSWORD'),
  };

  const config: AppConfig = {
    mode,
    liveConfirmed,
    logLevel: r.need('LOG_LEVEL'),
    pair: r.need('PAIR'),
    redis: { url: r.need('REDIS_URL'), namespace: r.need('ARB_NAMESPACE') },
    health: { host: r.need('HEALTH_HOST'), port: r.need('HEALTH_PORT') },
    strategy,
    checkIntervalMs: r.need('TRADE_INTERVAL'),
    leverage: r.need('LEVERAGE'),
    statusIntervalMs: r.need('STATUS_INTERVAL_MS'),
    strategyLeaseMs: r.need('STRATEGY_LEASE_MS'),
    openCooldownAfterFailureMs: r.need('OPEN_COOLDOWN_AFTER_FAILURE_MS'),
    tradingTimeZone: r.need('TRADING_TZ'),
    economicsRefPrice: r.need('ECONOMICS_REF_PRICE'),
    allowUnprofitable: r.need('ALLOW_UNPROFITABLE'),
    venues: {
      aster: { ...asterMarket, auth: asterAuth as AsterAuth, recvWindowMs: r.need('ASTER_RECV_WINDOW_MS') },
      backpack: {
        ...backpackMarket,
        apiKey: backpackKeys?.apiKey ?? '',
        secret: backpackKeys?.secret ?? '',
        windowMs: r.need('BACKPACK_WINDOW_MS'),
        restClient: r.need('BACKPACK_REST_CLIENT'),
      },
    },
    orderVenues:
      mode === 'paper'
        ? { aster: simAster, backpack: simBackpack }
        : { aster: { ...asterMarket }, backpack: { ...backpackMarket } },
    sim: { ...sim, host },
    feeds,
    orders: {
      requestTimeoutMs: r.need('ORDER_TIMEOUT_MS'),
      unknownResolveTimeoutMs: r.need('UNKNOWN_RESOLVE_TIMEOUT_MS'),
    },
    risk: {
      reconcileIntervalMs: r.need('RECONCILE_INTERVAL_MS'),
      driftTolerance: r.need('DRIFT_TOLERANCE'),
      flattenOnDrift: r.need('FLATTEN_ON_DRIFT'),
      dailyLossLimit: r.need('DAILY_LOSS_LIMIT'),
      cleanupPolicy: r.need('CLEANUP_POLICY'),
      nakedAlertMs: r.need('NAKED_ALERT_MS'),
      stuckLegMs: r.need('STUCK_LEG_MS'),
    },
    dashboard,
  };
  return r.issues.length === 0 && asterAuth !== undefined && backpackKeys !== undefined ? config : undefined;
}

const V3_KEYS = ['ASTER_USER', 'ASTER_SIGNER', 'ASTER_SIGNER_PRIVATE_KEY'] as const;
const HMAC_KEYS = ['ASTER_API_KEY', 'ASTER_API_SECRET'] as const;

/**
 * auto: whichever complete key set is configured; both is ambiguous (set ASTER_AUTH). None: the
 * simulator's well-known account in sim and paper (orders go to the simulator there), an error in live.
 */
function resolveAsterAuth(r: EnvReader, mode: Mode): AsterAuth | undefined {
  const choice = r.get('ASTER_AUTH') ?? 'auto';
  const v3Set = V3_KEYS.filter((k) => r.isSet(k));
  const hmacSet = HMAC_KEYS.filter((k) => r.isSet(k));
  let ok = true;
  for (const [set, all] of [
    [v3Set, V3_KEYS],
    [hmacSet, HMAC_KEYS],
  ] as const) {
    if (set.length > 0 && set.length < all.length) {
      const missing = all.filter((k) => !(set as readonly string[]).includes(k));
      r.issue(
        missing.join(' + '),
        `missing: ${all.join(', ')} must be set together`,
        'all keys of the set, or none',
      );
      ok = false;
    }
  }
  const v3 = v3Set.length === V3_KEYS.length;
  const hmac = hmacSet.length === HMAC_KEYS.length;
  let kind: 'v3' | 'hmac' | undefined;
  if (choice === 'v3' || choice === 'hmac') kind = choice;
  else if (v3 && hmac) {
    r.issue(
      'ASTER_AUTH',
      'is auto but both V3 and HMAC keys are configured',
      'v3 or hmac, or only one key set',
    );
    ok = false;
  } else kind = v3 ? 'v3' : hmac ? 'hmac' : undefined;

  const configured = kind === 'v3' ? v3 : kind === 'hmac' ? hmac : false;
  if (!configured) {
    if (mode === 'live' && ok) {
      const keys = kind === 'hmac' ? HMAC_KEYS : kind === 'v3' ? V3_KEYS : [...V3_KEYS, ...HMAC_KEYS];
      r.issue(
        kind === undefined ? 'ASTER_USER + ASTER_SIGNER + ASTER_SIGNER_PRIVATE_KEY' : keys.join(' + '),
        'Aster keys are required in live mode',
        kind === undefined ? 'a V3 key set, or ASTER_API_KEY + ASTER_API_SECRET' : 'all keys of the set',
      );
      return undefined;
    }
    if (!ok || mode === 'live') return undefined;
    if (v3Set.length > 0 || hmacSet.length > 0) {
      // A complete set of the other kind was configured but ASTER_AUTH names this one.
      r.issue('ASTER_AUTH', `is ${kind} but its keys are not configured`, 'the scheme whose keys are set');
      return undefined;
    }
    return kind === 'hmac'
      ? {
          kind: 'hmac',
          apiKey: SIM_CREDENTIALS.asterHmac.apiKey,
          apiSecret: SIM_CREDENTIALS.asterHmac.secret,
        }
      : { kind: 'v3', ...SIM_CREDENTIALS.asterV3 };
  }
  if (kind === 'v3') {
    const user = r.get('ASTER_USER');
    const signer = r.get('ASTER_SIGNER');
    const signerPrivateKey = r.get('ASTER_SIGNER_PRIVATE_KEY');
    if (user === undefined || signer === undefined || signerPrivateKey === undefined) return undefined;
    return { kind: 'v3', user, signer, signerPrivateKey };
  }
  const apiKey = r.get('ASTER_API_KEY');
  const apiSecret = r.get('ASTER_API_SECRET');
  if (apiKey === undefined || apiSecret === undefined) return undefined;
  return { kind: 'hmac', apiKey, apiSecret };
}

/** The simulator's well-known keys are public: configured in live mode they are a mistake. */
function rejectSimKeys(
  r: EnvReader,
  aster: AsterAuth | undefined,
  backpack: { apiKey: string } | undefined,
): void {
  const sim = SIM_CREDENTIALS;
  if (
    (aster?.kind === 'v3' &&
      aster.signerPrivateKey.toLowerCase() === sim.asterV3.signerPrivateKey.toLowerCase()) ||
    (aster?.kind === 'hmac' && aster.apiKey === sim.asterHmac.apiKey)
  ) {
    r.issue(
      aster.kind === 'v3' ? 'ASTER_SIGNER_PRIVATE_KEY' : 'ASTER_API_KEY',
      "is the simulator's public key",
      'real Aster keys in live mode',
    );
  }
  if (backpack?.apiKey === sim.backpack.apiKey) {
    r.issue('BACKPACK_API_KEY', "is the simulator's public key", 'real Backpack keys in live mode');
  }
}

function resolveBackpackKeys(r: EnvReader, mode: Mode): { apiKey: string; secret: string } | undefined {
  const hasKey = r.isSet('BACKPACK_API_KEY');
  const hasSecret = r.isSet('BACKPACK_SECRET_KEY');
  if (hasKey !== hasSecret) {
    r.issue(
      hasKey ? 'BACKPACK_SECRET_KEY' : 'BACKPACK_API_KEY',
      'missing: BACKPACK_API_KEY and BACKPACK_SECRET_KEY must be set together',
      'both keys, or none',
    );
    return undefined;
  }
  if (!hasKey) {
    if (mode === 'live') {
      r.issue(
        'BACKPACK_API_KEY + BACKPACK_SECRET_KEY',
        'Backpack keys are required in live mode',
        'both keys',
      );
      return undefined;
    }
    return { apiKey: SIM_CREDENTIALS.backpack.apiKey, secret: SIM_CREDENTIALS.backpack.secret };
  }
  const apiKey = r.get('BACKPACK_API_KEY');
  const secret = r.get('BACKPACK_SECRET_KEY');
  if (apiKey === undefined || secret === undefined) return undefined;
  return { apiKey, secret };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
