import { isValidTimeZone } from '@arb/core/daily-stats';
import { z } from 'zod';

/**
 * Every environment key the product reads, in one place: its schema, default, meaning and whether it is a
 * secret. `loadConfig` parses through these; `.env.example` and the README configuration table are
 * generated from them (see env-docs.ts), so the three never drift apart.
 */

export type KeySection =
  | 'general'
  | 'strategy'
  | 'aster'
  | 'backpack'
  | 'sim'
  | 'feeds'
  | 'orders'
  | 'risk'
  | 'dashboard';

export interface KeySpec<T> {
  section: KeySection;
  /** Parses the raw (trimmed, non-empty) string. */
  schema: z.ZodType<T>;
  /** Raw default, parsed through `schema` when the key is unset. Absent: optional or mode-dependent. */
  default?: string;
  /** Human text for the default when it is not a plain value (mode-dependent, generated...). */
  defaultDoc?: string;
  /** One line: what the key means. */
  meaning: string;
  /** The expected form, shown in errors. */
  expected: string;
  /** Never echoed in errors or logs. */
  secret?: boolean;
  /** Services that consume the key ('all': every service, through the shared lifecycle). */
  usedBy: readonly string[];
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function decimal(opts: { min?: number; max?: number; gt?: number; int?: boolean } = {}): z.ZodType<number> {
  let n = z.number();
  if (opts.int) n = n.int({ error: 'must be a whole number' });
  if (opts.gt !== undefined) n = n.gt(opts.gt, { error: `must be greater than ${opts.gt}` });
  if (opts.min !== undefined) n = n.min(opts.min, { error: `must be at least ${opts.min}` });
  if (opts.max !== undefined) n = n.max(opts.max, { error: `must be at most ${opts.max}` });
  return z
    .string()
    .regex(DECIMAL, { error: 'is not a number' })
    .transform((s) => Number(s))
    .pipe(n);
}

const ms = (min = 0, max = 86_400_000) => decimal({ int: true, min, max });
const port = () => decimal({ int: true, min: 1, max: 65535 });

const bool = z
  .string()
  .toLowerCase()
  .refine((s) => ['true', 'false', '1', '0', 'yes', 'no'].includes(s), { error: 'is not a boolean' })
  .transform((s) => s === 'true' || s === '1' || s === 'yes');

const url = (protocols: string[]) =>
  z.string().refine(
    (s) => {
      try {
        return protocols.includes(new URL(s).protocol);
      } catch {
        return false;
      }
    },
    { error: `is not a ${protocols.map((p) => p.replace(':', '')).join('/')} URL` },
  );

const timeZone = z
  .string()
  .refine(isValidTimeZone, { error: 'is not an IANA time zone known to this runtime' });

const hexAddress = z.string().regex(/^0x[0-9a-fA-F]{40}$/, { error: 'is not a 0x-prefixed 20-byte address' });
const hexKey = z.string().regex(/^0x[0-9a-fA-F]{64}$/, { error: 'is not a 0x-prefixed 32-byte hex key' });
const base64Key32 = z
  .string()
  .refine((s) => /^[A-Za-z0-9+/]+={0,2}$/.test(s) && Buffer.from(s, 'base64').length === 32, {
    error: 'is not a base64-encoded 32-byte key',
  });
const token = z.string().regex(/^\S+$/, { error: 'contains whitespace' });

export const CONFIG_KEYS = {
  // ---- general
  MODE: {
    section: 'general',
    usedBy: ['all'],
    schema: z.enum(['sim', 'paper', 'live'], { error: 'is not a known mode' }),
    default: 'sim',
    meaning: 'sim: local venue simulators; paper: real market data, simulated fills; live: real orders',
    expected: 'sim | paper | live',
  },
  LIVE_TRADING_CONFIRM: {
    section: 'general',
    usedBy: ['all'],
    schema: z.string(),
    defaultDoc: '(unset)',
    meaning: 'must be "yes" to start in live mode (explicit opt-in to real orders)',
    expected: 'yes',
  },
  LOG_LEVEL: {
    section: 'general',
    usedBy: ['all'],
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'is not a log level',
    }),
    default: 'info',
    meaning: 'pino log level of every service',
    expected: 'fatal | error | warn | info | debug | trace | silent',
  },
  PAIR: {
    section: 'general',
    usedBy: ['all'],
    schema: z.string().regex(/^[A-Z0-9]{2,10}$/, { error: 'is not an upper-case base asset' }),
    default: 'BTC',
    meaning: 'base asset traded on both venues (BTC: Aster BTCUSDT, Backpack BTC_USDC_PERP)',
    expected: 'upper-case base asset, e.g. BTC',
  },
  REDIS_URL: {
    section: 'general',
    usedBy: ['all'],
    schema: url(['redis:', 'rediss:']),
    default: 'redis://127.0.0.1:6379',
    meaning: 'Redis for quotes, queues, hedge state and ledger (use noeviction + AOF)',
    expected: 'redis://[user:password@]host:port[/db]',
  },
  ARB_NAMESPACE: {
    section: 'general',
    usedBy: ['all'],
    schema: z.string().regex(/^[A-Za-z0-9_-]{1,48}$/, { error: 'has characters other than A-Z a-z 0-9 _ -' }),
    default: 'arb',
    meaning: 'prefix of every Redis key, channel and queue (isolates deployments and tests)',
    expected: '1-48 characters of A-Z a-z 0-9 _ -',
  },
  HEALTH_HOST: {
    section: 'general',
    usedBy: ['all'],
    schema: z.string().regex(/^[A-Za-z0-9.:-]+$/, { error: 'is not a host name or address' }),
    default: '127.0.0.1',
    meaning: "address of each service's /healthz and /metrics server",
    expected: 'host name or IP address',
  },
  HEALTH_PORT: {
    section: 'general',
    usedBy: ['all'],
    schema: decimal({ int: true, min: 0, max: 65535 }),
    default: '0',
    meaning:
      "port of each service's /healthz and /metrics server (0: any free port; PM2/compose set one per service)",
    expected: 'a port 0..65535',
  },
  // ---- strategy
  TRADE_AMOUNT: {
    section: 'strategy',
    usedBy: ['strategy'],
    schema: decimal({ gt: 0, max: 100 }),
    default: '0.02',
    meaning: 'size of each leg, in base asset (BTC)',
    expected: 'a number > 0',
  },
  ARB_THRESHOLD: {
    section: 'strategy',
    usedBy: ['strategy'],
    schema: decimal({ gt: 0 }),
    default: '120',
    meaning: 'open a hedge when the executable spread reaches this (USD per BTC)',
    expected: 'a number > 0 (USD)',
  },
  CLOSE_DIFF: {
    section: 'strategy',
    usedBy: ['strategy'],
    schema: decimal(),
    default: '80',
    meaning: 'close the hedge when the executable spread to unwind falls below this (USD per BTC)',
    expected: 'a number below ARB_THRESHOLD (USD)',
  },
  MAX_ADD_POSITIONS: {
    section: 'strategy',
    usedBy: ['strategy', 'risk'],
    schema: decimal({ int: true }).refine((n) => n === 1, {
      error: 'must be 1: adding to a hedge would break the one-live-hedge invariant',
    }),
    default: '1',
    meaning: 'hedges open at once; only 1 is valid (no adding)',
    expected: '1',
  },
  FORCE_CLOSE_TIME: {
    section: 'strategy',
    usedBy: ['strategy', 'risk'],
    schema: ms(1000, 7 * 86_400_000),
    default: '1800000',
    meaning: 'force-close a hedge older than this (ms)',
    expected: 'milliseconds, 1000..604800000',
  },
  PRICE_VALIDITY_MS: {
    section: 'strategy',
    usedBy: ['strategy'],
    schema: ms(1, 60_000),
    default: '500',
    meaning: 'never trade on a quote older than this (freshness limit, ms)',
    expected: 'milliseconds, 1..60000',
  },
  MAX_QUOTE_SKEW_MS: {
    section: 'strategy',
    usedBy: ['strategy'],
    schema: ms(0, 60_000),
    default: '250',
    meaning: "never trade when the two venues' quotes are further apart in time than this (ms)",
    expected: 'milliseconds, 0..60000',
  },
  MIN_TRADE_INTERVAL: {
    section: 'strategy',
    usedBy: ['strategy'],
    schema: ms(0, 3_600_000),
    default: '100',
    meaning: 'minimum time between two strategy actions (ms)',
    expected: 'milliseconds, 0..3600000',
  },
  ASTER_TAKER_FEE: {
    section: 'strategy',
    usedBy: ['strategy', 'risk', 'dashboard'],
    schema: decimal({ min: 0, max: 0.01 }),
    default: '0.00035',
    meaning: 'AsterDex taker fee rate (0.00035 = 0.035%)',
    expected: 'a rate between 0 and 0.01',
  },
  ASTER_MAKER_FEE: {
    section: 'strategy',
    usedBy: ['strategy', 'risk'],
    schema: decimal({ min: -0.01, max: 0.01 }),
    default: '0.0001',
    meaning: 'AsterDex maker fee rate (negative = rebate)',
    expected: 'a rate between -0.01 and 0.01',
  },
  BACKPACK_TAKER_FEE: {
    section: 'strategy',
    usedBy: ['strategy', 'risk', 'dashboard'],
    schema: decimal({ min: 0, max: 0.01 }),
    default: '0.0005',
    meaning: 'Backpack taker fee rate (0.0005 = 0.05%)',
    expected: 'a rate between 0 and 0.01',
  },
  BACKPACK_MAKER_FEE: {
    section: 'strategy',
    usedBy: ['strategy', 'risk'],
    schema: decimal({ min: -0.01, max: 0.01 }),
    default: '0.0002',
    meaning: 'Backpack maker fee rate (negative = rebate)',
    expected: 'a rate between -0.01 and 0.01',
  },
  TRADE_INTERVAL: {
    section: 'strategy',
    usedBy: ['strategy'],
    schema: ms(1, 60_000),
    default: '50',
    meaning: 'strategy timer for time-based decisions (forced close, staleness) when no tick arrives (ms)',
    expected: 'milliseconds, 1..60000',
  },
  LEVERAGE: {
    section: 'strategy',
    usedBy: ['order-aster', 'order-backpack'],
    schema: decimal({ int: true, min: 1, max: 125 }),
    default: '5',
    meaning: 'leverage set on both venues at start',
    expected: 'a whole number 1..125',
  },
  STATUS_INTERVAL_MS: {
    section: 'strategy',
    usedBy: ['strategy'],
    schema: ms(100, 3_600_000),
    default: '3000',
    meaning: 'period of the price/spread status line (ms)',
    expected: 'milliseconds, 100..3600000',
  },
  STRATEGY_LEASE_MS: {
    section: 'strategy',
    usedBy: ['strategy'],
    schema: ms(300, 60_000),
    default: '3000',
    meaning: 'strategy leader lease time: a standby replaces a dead leader within about this (ms)',
    expected: 'milliseconds, 300..60000',
  },
  OPEN_COOLDOWN_AFTER_FAILURE_MS: {
    section: 'strategy',
    usedBy: ['strategy'],
    schema: ms(0, 600_000),
    default: '5000',
    meaning: 'no new open for this long after a hedge failed (one-sided or rejected open); 0 = none (ms)',
    expected: 'milliseconds, 0..600000',
  },
  TRADING_TZ: {
    section: 'strategy',
    usedBy: ['risk', 'dashboard'],
    schema: timeZone,
    default: 'UTC',
    meaning: 'time zone of the trading day for daily stats',
    expected: 'an IANA time zone, e.g. UTC or Asia/Shanghai',
  },
  ECONOMICS_REF_PRICE: {
    section: 'strategy',
    usedBy: ['strategy', 'launcher'],
    schema: decimal({ gt: 0 }),
    default: '100000',
    meaning: 'reference price for the start-up fee break-even check (USD)',
    expected: 'a number > 0 (USD)',
  },
  ALLOW_UNPROFITABLE: {
    section: 'strategy',
    usedBy: ['strategy', 'launcher'],
    schema: bool,
    default: 'false',
    meaning: 'start in live mode even when the thresholds cannot cover the round-trip fees',
    expected: 'true | false',
  },
  // ---- aster
  ASTER_AUTH: {
    section: 'aster',
    usedBy: ['order-aster', 'risk'],
    schema: z.enum(['auto', 'v3', 'hmac'], { error: 'is not an Aster auth scheme' }),
    default: 'auto',
    meaning: 'Aster auth scheme; auto = whichever complete key set is configured (sim default: V3)',
    expected: 'auto | v3 | hmac',
  },
  ASTER_USER: {
    section: 'aster',
    usedBy: ['order-aster', 'risk'],
    schema: hexAddress,
    defaultDoc: '(unset; sim: simulator account)',
    meaning: 'Aster V3: main wallet address',
    expected: '0x + 40 hex digits',
  },
  ASTER_SIGNER: {
    section: 'aster',
    usedBy: ['order-aster', 'risk'],
    schema: hexAddress,
    defaultDoc: '(unset; sim: simulator account)',
    meaning: 'Aster V3: API wallet (signer) address',
    expected: '0x + 40 hex digits',
  },
  ASTER_SIGNER_PRIVATE_KEY: {
    section: 'aster',
    usedBy: ['order-aster', 'risk'],
    schema: hexKey,
    defaultDoc: '(unset; sim: simulator account)',
    meaning: 'Aster V3: API wallet private key (EIP-712 signing). Secret',
    expected: '0x + 64 hex digits',
    secret: true,
  },
  ASTER_API_KEY: {
    section: 'aster',
    usedBy: ['order-aster', 'risk'],
    schema: token,
    defaultDoc: '(unset)',
    meaning: 'Aster legacy V1 HMAC API key. Secret',
    expected: 'the API key, no spaces',
    secret: true,
  },
  ASTER_API_SECRET: {
    section: 'aster',
    usedBy: ['order-aster', 'risk'],
    schema: token,
    defaultDoc: '(unset)',
    meaning: 'Aster legacy V1 HMAC secret. Secret',
    expected: 'the API secret, no spaces',
    secret: true,
  },
  ASTER_REST_URL: {
    section: 'aster',
    usedBy: ['feed-aster', 'order-aster', 'risk'],
    schema: url(['http:', 'https:']),
    defaultDoc: 'sim: http://SIM_HOST:SIM_ASTER_PORT; paper/live: https://fapi.asterdex.com',
    meaning: 'Aster REST base URL (market data; also orders except in paper)',
    expected: 'http(s) URL',
  },
  ASTER_WS_URL: {
    section: 'aster',
    usedBy: ['feed-aster'],
    schema: url(['ws:', 'wss:']),
    defaultDoc: 'sim: ws://SIM_HOST:SIM_ASTER_PORT; paper/live: wss://fstream.asterdex.com',
    meaning: 'Aster WebSocket base URL (market data)',
    expected: 'ws(s) URL',
  },
  ASTER_RECV_WINDOW_MS: {
    section: 'aster',
    usedBy: ['order-aster', 'risk'],
    schema: ms(1, 60_000),
    default: '5000',
    meaning: 'Aster signed-request validity window (recvWindow, ms)',
    expected: 'milliseconds, 1..60000',
  },
  // ---- backpack
  BACKPACK_API_KEY: {
    section: 'backpack',
    usedBy: ['order-backpack', 'risk'],
    schema: base64Key32,
    defaultDoc: '(unset; sim: simulator account)',
    meaning: 'Backpack API key (base64 ED25519 public key). Secret',
    expected: 'base64 of 32 bytes',
    secret: true,
  },
  BACKPACK_SECRET_KEY: {
    section: 'backpack',
    usedBy: ['order-backpack', 'risk'],
    schema: base64Key32,
    defaultDoc: '(unset; sim: simulator account)',
    meaning: 'Backpack API secret (base64 ED25519 seed). Secret',
    expected: 'base64 of 32 bytes',
    secret: true,
  },
  BACKPACK_REST_URL: {
    section: 'backpack',
    usedBy: ['feed-backpack', 'order-backpack', 'risk'],
    schema: url(['http:', 'https:']),
    defaultDoc: 'sim: http://SIM_HOST:SIM_BACKPACK_PORT; paper/live: https://api.backpack.exchange',
    meaning: 'Backpack REST base URL (market data; also orders except in paper)',
    expected: 'http(s) URL',
  },
  BACKPACK_WS_URL: {
    section: 'backpack',
    usedBy: ['feed-backpack'],
    schema: url(['ws:', 'wss:']),
    defaultDoc: 'sim: ws://SIM_HOST:SIM_BACKPACK_PORT; paper/live: wss://ws.backpack.exchange',
    meaning: 'Backpack WebSocket URL (market data)',
    expected: 'ws(s) URL',
  },
  BACKPACK_WINDOW_MS: {
    section: 'backpack',
    usedBy: ['order-backpack', 'risk'],
    schema: ms(1, 60_000),
    default: '5000',
    meaning: 'Backpack signed-request validity window (X-Window, ms)',
    expected: 'milliseconds, 1..60000',
  },
  BACKPACK_REST_CLIENT: {
    section: 'backpack',
    usedBy: ['order-backpack', 'risk'],
    schema: z.enum(['direct', 'ccxt'], { error: 'is not a Backpack REST client' }),
    default: 'direct',
    meaning:
      "Backpack REST client for orders and account reads: direct (node:crypto ED25519 + fetch) or ccxt (CCXT's backpack class, loaded only when chosen)",
    expected: 'direct | ccxt',
  },
  // ---- sim
  SIM_HOST: {
    section: 'sim',
    usedBy: ['sim', 'feeds', 'order workers', 'risk'],
    schema: z.string().regex(/^[A-Za-z0-9.:-]+$/, { error: 'is not a host name or address' }),
    default: '127.0.0.1',
    meaning: 'host the venue simulators listen on and are reached at',
    expected: 'host name or IP address',
  },
  SIM_ASTER_PORT: {
    section: 'sim',
    usedBy: ['sim', 'feeds', 'order workers', 'risk'],
    schema: port(),
    default: '7101',
    meaning: 'port of the AsterDex simulator (REST + WS)',
    expected: 'a port 1..65535',
  },
  SIM_BACKPACK_PORT: {
    section: 'sim',
    usedBy: ['sim', 'feeds', 'order workers', 'risk'],
    schema: port(),
    default: '7102',
    meaning: 'port of the Backpack simulator (REST + WS)',
    expected: 'a port 1..65535',
  },
  SIM_ADMIN_PORT: {
    section: 'sim',
    usedBy: ['sim', 'dashboard'],
    schema: port(),
    default: '7100',
    meaning: 'port of the simulator admin API (scenarios, faults; sim mode only)',
    expected: 'a port 1..65535',
  },
  SIM_SEED: {
    section: 'sim',
    usedBy: ['sim'],
    schema: decimal({ int: true, min: 0, max: 2 ** 32 - 1 }),
    default: '42',
    meaning: "seed of the simulator's market model (same seed, same market)",
    expected: 'a whole number 0..4294967295',
  },
  SIM_SCENARIO: {
    section: 'sim',
    usedBy: ['sim'],
    schema: z.string(),
    defaultDoc: '(unset: default random walk)',
    meaning: 'path of a market scenario file for the simulator',
    expected: 'a file path',
  },
  // ---- feeds
  ASTER_STALL_MS: {
    section: 'feeds',
    usedBy: ['feed-aster'],
    schema: ms(100, 600_000),
    default: '5000',
    meaning: 'Aster feed is unhealthy (and reconnects) after this long without a message (ms)',
    expected: 'milliseconds, 100..600000',
  },
  BACKPACK_STALL_MS: {
    section: 'feeds',
    usedBy: ['feed-backpack'],
    schema: ms(100, 600_000),
    default: '5000',
    meaning: 'Backpack feed is unhealthy (and reconnects) after this long without a message (ms)',
    expected: 'milliseconds, 100..600000',
  },
  ASTER_RECONNECT_BASE_MS: {
    section: 'feeds',
    usedBy: ['feed-aster'],
    schema: ms(10, 600_000),
    default: '2000',
    meaning: 'first Aster WS reconnect delay; doubles up to RECONNECT_MAX_MS (ms)',
    expected: 'milliseconds, 10..600000',
  },
  BACKPACK_RECONNECT_BASE_MS: {
    section: 'feeds',
    usedBy: ['feed-backpack'],
    schema: ms(10, 600_000),
    default: '5000',
    meaning: 'first Backpack WS reconnect delay; doubles up to RECONNECT_MAX_MS (ms)',
    expected: 'milliseconds, 10..600000',
  },
  RECONNECT_MAX_MS: {
    section: 'feeds',
    usedBy: ['feed-aster', 'feed-backpack'],
    schema: ms(10, 3_600_000),
    default: '30000',
    meaning: 'longest WS reconnect delay (ms)',
    expected: 'milliseconds, 10..3600000',
  },
  BACKPACK_HEARTBEAT_MS: {
    section: 'feeds',
    usedBy: ['feed-backpack'],
    schema: ms(1000, 600_000),
    default: '30000',
    meaning: 'Backpack WS ping period (ms)',
    expected: 'milliseconds, 1000..600000',
  },
  FEED_DEPTH_LEVELS: {
    section: 'feeds',
    usedBy: ['feed-aster', 'feed-backpack'],
    schema: decimal({ int: true, min: 0, max: 50 }),
    default: '10',
    meaning:
      'order-book levels per side carried on each quote for VWAP over the trade size (0: top of book only)',
    expected: 'a whole number 0..50',
  },
  RECORD_QUOTES: {
    section: 'feeds',
    usedBy: ['feed-aster', 'feed-backpack'],
    schema: bool,
    default: 'false',
    meaning: 'also append every quote to a capped Redis stream (for replay)',
    expected: 'true | false',
  },
  QUOTE_STREAM_MAXLEN: {
    section: 'feeds',
    usedBy: ['feed-aster', 'feed-backpack'],
    schema: decimal({ int: true, min: 100, max: 10_000_000 }),
    default: '100000',
    meaning: 'approximate cap of each recorded quote stream (entries)',
    expected: 'a whole number 100..10000000',
  },
  // ---- orders
  ORDER_TIMEOUT_MS: {
    section: 'orders',
    usedBy: ['order-aster', 'order-backpack'],
    schema: ms(100, 60_000),
    default: '2000',
    meaning: 'order request timeout; a timed-out order is unknown, not failed (ms)',
    expected: 'milliseconds, 100..60000',
  },
  UNKNOWN_RESOLVE_TIMEOUT_MS: {
    section: 'orders',
    usedBy: ['order-aster', 'order-backpack'],
    schema: ms(1000, 3_600_000),
    default: '30000',
    meaning: 'how long an order worker keeps probing an unknown order at the venue (ms)',
    expected: 'milliseconds, 1000..3600000',
  },
  // ---- risk
  RECONCILE_INTERVAL_MS: {
    section: 'risk',
    usedBy: ['risk'],
    schema: ms(500, 3_600_000),
    default: '5000',
    meaning: 'period of position reconciliation with both venues (ms)',
    expected: 'milliseconds, 500..3600000',
  },
  DRIFT_TOLERANCE: {
    section: 'risk',
    usedBy: ['risk'],
    schema: decimal({ min: 0 }),
    default: '0.001',
    meaning: 'net position across venues above this pauses opens and alerts (base asset)',
    expected: 'a number >= 0 (BTC)',
  },
  FLATTEN_ON_DRIFT: {
    section: 'risk',
    usedBy: ['risk'],
    schema: bool,
    default: 'false',
    meaning: 'also flatten the drift automatically (otherwise pause and alert only)',
    expected: 'true | false',
  },
  DAILY_LOSS_LIMIT: {
    section: 'risk',
    usedBy: ['risk'],
    schema: decimal({ min: 0 }),
    default: '0',
    meaning: 'pause opens when the trading day realized loss reaches this (USD; 0 = off)',
    expected: 'a number >= 0 (USD)',
  },
  CLEANUP_POLICY: {
    section: 'risk',
    usedBy: ['risk'],
    schema: z.enum(['unwind', 'complete'], { error: 'is not a cleanup policy' }),
    default: 'unwind',
    meaning: 'one-sided hedge: unwind the filled leg, or complete the missing one when cheaper and safe',
    expected: 'unwind | complete',
  },
  NAKED_ALERT_MS: {
    section: 'risk',
    usedBy: ['risk'],
    schema: ms(100, 3_600_000),
    default: '5000',
    meaning: 'a hedge with net exposure (naked) longer than this raises a critical naked_leg alert (ms)',
    expected: 'milliseconds, 100..3600000',
  },
  STUCK_LEG_MS: {
    section: 'risk',
    usedBy: ['risk'],
    schema: ms(1000, 3_600_000),
    default: '30000',
    meaning:
      'a leg pending this long is looked up at its venue; one not found there this long after is rejected (ms)',
    expected: 'milliseconds, 1000..3600000',
  },
  // ---- dashboard
  DASHBOARD_PORT: {
    section: 'dashboard',
    usedBy: ['dashboard', 'launcher'],
    schema: port(),
    default: '8080',
    meaning: 'port of the dashboard (status page, Bull Board, metrics)',
    expected: 'a port 1..65535',
  },
  DASHBOARD_USER: {
    section: 'dashboard',
    usedBy: ['dashboard'],
    schema: z.string().regex(/^[^:\s]{1,64}$/, { error: 'is empty, too long or contains ":" or spaces' }),
    default: 'admin',
    meaning: 'dashboard basic-auth user',
    expected: '1-64 characters without ":" or spaces',
  },
  DASHBOARD_PASSWORD: {
    section: 'dashboard',
    usedBy: ['dashboard', 'launcher'],
    schema: z.string().min(8, { error: 'is shorter than 8 characters' }),
    defaultDoc: '(sim/paper: random per start, printed by the launcher; live: required)',
    meaning: 'dashboard basic-auth password. Secret',
    expected: 'at least 8 characters',
    secret: true,
  },
} as const satisfies Record<string, KeySpec<unknown>>;

export type ConfigKey = keyof typeof CONFIG_KEYS;

/** The parsed value type of a key. */
export type KeyValue<K extends ConfigKey> = z.output<(typeof CONFIG_KEYS)[K]['schema']>;

export const SECRET_KEYS: readonly ConfigKey[] = (Object.keys(CONFIG_KEYS) as ConfigKey[]).filter(
  (k) => (CONFIG_KEYS[k] as KeySpec<unknown>).secret === true,
);
