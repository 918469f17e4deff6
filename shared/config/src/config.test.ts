import { describe, expect, it } from 'vitest';
import { type AppConfig, ConfigError, loadConfig } from './config';
import { CONFIG_KEYS } from './config-keys';
import { SIM_CREDENTIALS } from './sim-credentials';

const V3 = {
  ASTER_USER: '0x1111111111111111111111111111111111111111',
  ASTER_SIGNER: '0x2222222222222222222222222222222222222222',
  ASTER_SIGNER_PRIVATE_KEY: `0x${'ab'.repeat(32)}`,
};
const HMAC = { ASTER_API_KEY: 'hmac-key-0123456789', ASTER_API_SECRET: 'hmac-secret-S3CR3T-0123456789' };
const BP = {
  BACKPACK_API_KEY: Buffer.alloc(32, 7).toString('base64'),
  BACKPACK_SECRET_KEY: Buffer.alloc(32, 9).toString('base64'),
};
const LIVE = {
  MODE: 'live',
  LIVE_TRADING_CONFIRM: 'yes',
  DASHBOARD_PASSWORD: 'dash-pass-S3CR3T',
  ALLOW_UNPROFITABLE: 'true',
  ...V3,
  ...BP,
};

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('has the original bot defaults in sim mode with no keys', () => {
    const c = loadConfig({});
    expect(c.mode).toBe('sim');
    expect(c.liveConfirmed).toBe(false);
    expect(c.pair).toBe('BTC');
    expect(c.redis).toEqual({ url: 'redis://127.0.0.1:6379', namespace: 'arb' });
    expect(c.strategy).toEqual({
      tradeQty: 0.02,
      openThreshold: 120,
      closeThreshold: 80,
      maxOpenHedges: 1,
      forceCloseMs: 1_800_000,
      maxQuoteAgeMs: 500,
      maxQuoteSkewMs: 250,
      minTradeIntervalMs: 100,
      fees: { aster: { taker: 0.00035, maker: 0.0001 }, backpack: { taker: 0.0005, maker: 0.0002 } },
    });
    expect(c.health).toEqual({ host: '127.0.0.1', port: 0 });
    expect(c.checkIntervalMs).toBe(50);
    expect(c.leverage).toBe(5);
    expect(c.statusIntervalMs).toBe(3000);
    expect(c.tradingTimeZone).toBe('UTC');
    expect(c.venues.aster.restUrl).toBe('http://127.0.0.1:7101');
    expect(c.venues.aster.wsUrl).toBe('ws://127.0.0.1:7101');
    expect(c.venues.backpack.restUrl).toBe('http://127.0.0.1:7102');
    expect(c.orderVenues.aster.restUrl).toBe('http://127.0.0.1:7101');
    expect(c.venues.aster.auth).toEqual({ kind: 'v3', ...SIM_CREDENTIALS.asterV3 });
    expect(c.venues.backpack.apiKey).toBe(SIM_CREDENTIALS.backpack.apiKey);
    expect(c.sim).toEqual({
      host: '127.0.0.1',
      asterPort: 7101,
      backpackPort: 7102,
      adminPort: 7100,
      seed: 42,
      scenarioPath: undefined,
      adminEnabled: true,
    });
    expect(c.feeds.asterReconnectBaseMs).toBe(2000);
    expect(c.feeds.backpackReconnectBaseMs).toBe(5000);
    expect(c.feeds.reconnectMaxMs).toBe(30000);
    expect(c.feeds.backpackHeartbeatMs).toBe(30000);
    expect(c.feeds.recordStream).toBe(false);
    expect(c.feeds.depthLevels).toBe(10);
    expect(c.orders).toEqual({ requestTimeoutMs: 2000, unknownResolveTimeoutMs: 30000 });
    expect(c.risk).toEqual({
      reconcileIntervalMs: 5000,
      driftTolerance: 0.001,
      flattenOnDrift: false,
      dailyLossLimit: 0,
      cleanupPolicy: 'unwind',
      nakedAlertMs: 5000,
      stuckLegMs: 30000,
    });
    expect(c.strategyLeaseMs).toBe(3000);
    expect(c.openCooldownAfterFailureMs).toBe(5000);
    expect(c.dashboard.port).toBe(8080);
    expect(c.dashboard.user).toBe('admin');
    expect(c.dashboard.passwordGenerated).toBe(true);
    expect(c.dashboard.password.length).toBeGreaterThanOrEqual(16);
    expect(c.allowUnprofitable).toBe(false);
  });

  it('generates a different dashboard password per start, and keeps a configured one', () => {
    expect(loadConfig({}).dashboard.password).not.toBe(loadConfig({}).dashboard.password);
    const c = loadConfig({ DASHBOARD_PASSWORD: 'a-long-password' });
    expect(c.dashboard).toMatchObject({ password: 'a-long-password', passwordGenerated: false });
  });

  it('is deeply frozen', () => {
    const c = loadConfig({});
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.strategy.fees.aster)).toBe(true);
    expect(() => {
      (c.strategy as { tradeQty: number }).tradeQty = 1;
    }).toThrow(TypeError);
  });

  it('parses every key from its string form', () => {
    const c = loadConfig({
      MODE: 'sim',
      LOG_LEVEL: 'debug',
      PAIR: 'ETH',
      REDIS_URL: 'redis://10.0.0.1:6380/2',
      ARB_NAMESPACE: 't-1',
      TRADE_AMOUNT: '0.5',
      ARB_THRESHOLD: '200',
      CLOSE_DIFF: '-10',
      FORCE_CLOSE_TIME: '60000',
      PRICE_VALIDITY_MS: '800',
      MAX_QUOTE_SKEW_MS: '100',
      MIN_TRADE_INTERVAL: '0',
      ASTER_TAKER_FEE: '0.0004',
      ASTER_MAKER_FEE: '-0.0001',
      BACKPACK_TAKER_FEE: '0.00045',
      BACKPACK_MAKER_FEE: '0',
      TRADE_INTERVAL: '25',
      LEVERAGE: '3',
      STATUS_INTERVAL_MS: '1000',
      TRADING_TZ: 'Asia/Shanghai',
      ECONOMICS_REF_PRICE: '50000',
      ALLOW_UNPROFITABLE: 'yes',
      SIM_HOST: 'localhost',
      SIM_ASTER_PORT: '9001',
      SIM_BACKPACK_PORT: '9002',
      SIM_ADMIN_PORT: '9000',
      SIM_SEED: '7',
      SIM_SCENARIO: 'scenarios/crash.yaml',
      ASTER_STALL_MS: '3000',
      BACKPACK_STALL_MS: '4000',
      RECORD_QUOTES: 'true',
      QUOTE_STREAM_MAXLEN: '1000',
      ORDER_TIMEOUT_MS: '1500',
      UNKNOWN_RESOLVE_TIMEOUT_MS: '10000',
      RECONCILE_INTERVAL_MS: '2000',
      DRIFT_TOLERANCE: '0.002',
      FLATTEN_ON_DRIFT: '1',
      DAILY_LOSS_LIMIT: '500',
      CLEANUP_POLICY: 'complete',
      NAKED_ALERT_MS: '2500',
      STUCK_LEG_MS: '45000',
      STRATEGY_LEASE_MS: '4500',
      OPEN_COOLDOWN_AFTER_FAILURE_MS: '0',
      DASHBOARD_PORT: '9090',
      DASHBOARD_USER: 'ops',
      ASTER_RECV_WINDOW_MS: '3000',
      BACKPACK_WINDOW_MS: '6000',
      BACKPACK_REST_CLIENT: 'ccxt',
      HEALTH_HOST: '0.0.0.0',
      HEALTH_PORT: '9103',
    });
    expect(c.health).toEqual({ host: '0.0.0.0', port: 9103 });
    expect(c.logLevel).toBe('debug');
    expect(c.pair).toBe('ETH');
    expect(c.redis).toEqual({ url: 'redis://10.0.0.1:6380/2', namespace: 't-1' });
    expect(c.strategy.closeThreshold).toBe(-10);
    expect(c.strategy.fees.aster.maker).toBe(-0.0001);
    expect(c.tradingTimeZone).toBe('Asia/Shanghai');
    expect(c.allowUnprofitable).toBe(true);
    expect(c.venues.aster.restUrl).toBe('http://localhost:9001');
    expect(c.venues.backpack.wsUrl).toBe('ws://localhost:9002');
    expect(c.sim.scenarioPath).toBe('scenarios/crash.yaml');
    expect(c.feeds).toMatchObject({ asterStallMs: 3000, recordStream: true, streamMaxLen: 1000 });
    expect(c.risk).toMatchObject({
      flattenOnDrift: true,
      dailyLossLimit: 500,
      cleanupPolicy: 'complete',
      nakedAlertMs: 2500,
      stuckLegMs: 45000,
    });
    expect(c.strategyLeaseMs).toBe(4500);
    expect(c.openCooldownAfterFailureMs).toBe(0);
    expect(c.venues.aster.recvWindowMs).toBe(3000);
    expect(c.venues.backpack.windowMs).toBe(6000);
    expect(c.venues.backpack.restClient).toBe('ccxt');
    expect(c.dashboard).toMatchObject({ port: 9090, user: 'ops' });
  });

  it('defaults the Backpack REST client to direct and refuses unknown ones', () => {
    expect(loadConfig({}).venues.backpack.restClient).toBe('direct');
    expect(() => loadConfig({ BACKPACK_REST_CLIENT: 'curl' })).toThrow(/BACKPACK_REST_CLIENT/);
  });

  it('treats empty and blank values as unset', () => {
    const c = loadConfig({ TRADE_AMOUNT: '', ARB_THRESHOLD: '   ', ASTER_API_KEY: '' });
    expect(c.strategy.tradeQty).toBe(0.02);
    expect(c.strategy.openThreshold).toBe(120);
  });

  it('uses the real venues for market data in paper mode and the simulator for orders', () => {
    const c = loadConfig({ MODE: 'paper' });
    expect(c.venues.aster.restUrl).toBe('https://fapi.asterdex.com');
    expect(c.venues.aster.wsUrl).toBe('wss://fstream.asterdex.com');
    expect(c.venues.backpack.restUrl).toBe('https://api.backpack.exchange');
    expect(c.venues.backpack.wsUrl).toBe('wss://ws.backpack.exchange');
    expect(c.orderVenues.aster).toEqual({ restUrl: 'http://127.0.0.1:7101', wsUrl: 'ws://127.0.0.1:7101' });
    expect(c.orderVenues.backpack).toEqual({
      restUrl: 'http://127.0.0.1:7102',
      wsUrl: 'ws://127.0.0.1:7102',
    });
    expect(c.sim.adminEnabled).toBe(false);
    expect(c.venues.aster.auth.kind).toBe('v3');
  });

  it('starts live with keys, opt-in and a dashboard password', () => {
    const c = loadConfig(LIVE);
    expect(c.mode).toBe('live');
    expect(c.liveConfirmed).toBe(true);
    expect(c.venues.aster.auth).toEqual({
      kind: 'v3',
      user: V3.ASTER_USER,
      signer: V3.ASTER_SIGNER,
      signerPrivateKey: V3.ASTER_SIGNER_PRIVATE_KEY,
    });
    expect(c.orderVenues.aster.restUrl).toBe('https://fapi.asterdex.com');
    expect(c.venues.backpack).toMatchObject({ apiKey: BP.BACKPACK_API_KEY, secret: BP.BACKPACK_SECRET_KEY });
    expect(c.dashboard.passwordGenerated).toBe(false);
    expect(c.sim.adminEnabled).toBe(false);
  });

  it('refuses the simulator keys in live mode', () => {
    const e = configError({
      ...LIVE,
      ASTER_SIGNER_PRIVATE_KEY: SIM_CREDENTIALS.asterV3.signerPrivateKey,
      BACKPACK_API_KEY: SIM_CREDENTIALS.backpack.apiKey,
      BACKPACK_SECRET_KEY: SIM_CREDENTIALS.backpack.secret,
    });
    expect(e.issues.map((i) => i.key)).toEqual(['ASTER_SIGNER_PRIVATE_KEY', 'BACKPACK_API_KEY']);
    const h = configError({
      ...LIVE,
      ASTER_AUTH: 'hmac',
      ASTER_API_KEY: SIM_CREDENTIALS.asterHmac.apiKey,
      ASTER_API_SECRET: SIM_CREDENTIALS.asterHmac.secret,
    });
    expect(h.issues.map((i) => i.key)).toEqual(['ASTER_API_KEY']);
  });

  it('honours URL overrides', () => {
    const c = loadConfig({
      ...LIVE,
      ASTER_REST_URL: 'https://fapi3.asterdex.com',
      BACKPACK_WS_URL: 'wss://x.y',
    });
    expect(c.venues.aster.restUrl).toBe('https://fapi3.asterdex.com');
    expect(c.orderVenues.aster.restUrl).toBe('https://fapi3.asterdex.com');
    expect(c.venues.backpack.wsUrl).toBe('wss://x.y');
  });

  describe('Aster auth', () => {
    it('auto picks the one complete set', () => {
      expect(loadConfig({ ...HMAC }).venues.aster.auth).toEqual({
        kind: 'hmac',
        apiKey: HMAC.ASTER_API_KEY,
        apiSecret: HMAC.ASTER_API_SECRET,
      });
      expect(loadConfig({ ...V3 }).venues.aster.auth.kind).toBe('v3');
    });
    it('auto with both sets is an error; an explicit choice resolves it', () => {
      expect(configError({ ...V3, ...HMAC }).issues.map((i) => i.key)).toEqual(['ASTER_AUTH']);
      expect(loadConfig({ ...V3, ...HMAC, ASTER_AUTH: 'hmac' }).venues.aster.auth.kind).toBe('hmac');
    });
    it('sim with ASTER_AUTH=hmac and no keys uses the simulator HMAC pair', () => {
      expect(loadConfig({ ASTER_AUTH: 'hmac' }).venues.aster.auth).toEqual({
        kind: 'hmac',
        apiKey: SIM_CREDENTIALS.asterHmac.apiKey,
        apiSecret: SIM_CREDENTIALS.asterHmac.secret,
      });
    });
    it('an incomplete set is an error naming the missing keys', () => {
      const e = configError({ ASTER_USER: V3.ASTER_USER });
      expect(e.issues).toHaveLength(1);
      expect(e.issues[0]!.key).toBe('ASTER_SIGNER + ASTER_SIGNER_PRIVATE_KEY');
    });
    it('a chosen scheme without its keys while the other set is configured is an error', () => {
      expect(configError({ ...HMAC, ASTER_AUTH: 'v3' }).issues[0]!.key).toBe('ASTER_AUTH');
    });
    it('live needs keys', () => {
      const { ASTER_USER: _u, ASTER_SIGNER: _s, ASTER_SIGNER_PRIVATE_KEY: _p, ...noAster } = LIVE;
      expect(configError(noAster).issues.map((i) => i.problem)).toEqual([
        'Aster keys are required in live mode',
      ]);
    });
  });

  it('live without opt-in, keys or password lists every problem at once', () => {
    const e = configError({ MODE: 'live' });
    expect(e.name).toBe('ConfigError');
    expect(e.issues.map((i) => i.key)).toEqual([
      'LIVE_TRADING_CONFIRM',
      'ASTER_USER + ASTER_SIGNER + ASTER_SIGNER_PRIVATE_KEY',
      'BACKPACK_API_KEY + BACKPACK_SECRET_KEY',
      'DASHBOARD_PASSWORD',
    ]);
    for (const i of e.issues) {
      expect(i.problem.length).toBeGreaterThan(0);
      expect(i.expected.length).toBeGreaterThan(0);
      expect(e.message).toContain(i.key);
    }
  });

  it('reports every bad value with its key, problem and expected form', () => {
    const e = configError({
      MODE: 'demo',
      TRADE_AMOUNT: 'lots',
      ARB_THRESHOLD: '-5',
      MAX_ADD_POSITIONS: '3',
      LEVERAGE: '2.5',
      TRADING_TZ: 'Mars/Olympus',
      REDIS_URL: 'http://x',
      SIM_ASTER_PORT: '70000',
      RECORD_QUOTES: 'maybe',
      CLEANUP_POLICY: 'pray',
      ASTER_WS_URL: 'https://not-ws',
    });
    const byKey = Object.fromEntries(e.issues.map((i) => [i.key, i]));
    expect(Object.keys(byKey).sort()).toEqual(
      [
        'MODE',
        'TRADE_AMOUNT',
        'ARB_THRESHOLD',
        'MAX_ADD_POSITIONS',
        'LEVERAGE',
        'TRADING_TZ',
        'REDIS_URL',
        'SIM_ASTER_PORT',
        'RECORD_QUOTES',
        'CLEANUP_POLICY',
        'ASTER_WS_URL',
      ].sort(),
    );
    expect(byKey.TRADE_AMOUNT!.problem).toBe('"lots" is not a number');
    expect(byKey.ARB_THRESHOLD!.problem).toBe('"-5" must be greater than 0');
    expect(byKey.MAX_ADD_POSITIONS!.problem).toContain('one-live-hedge invariant');
    expect(byKey.LEVERAGE!.problem).toContain('whole number');
    expect(byKey.TRADING_TZ!.expected).toContain('IANA');
    expect(byKey.MODE!.expected).toBe('sim | paper | live');
  });

  it('bounds the naked-time alert, stuck-leg and lease times', () => {
    const e = configError({ NAKED_ALERT_MS: '50', STUCK_LEG_MS: '500', STRATEGY_LEASE_MS: '120000' });
    const byKey = Object.fromEntries(e.issues.map((i) => [i.key, i]));
    expect(Object.keys(byKey).sort()).toEqual(['NAKED_ALERT_MS', 'STRATEGY_LEASE_MS', 'STUCK_LEG_MS']);
    expect(byKey.NAKED_ALERT_MS!.problem).toBe('"50" must be at least 100');
    expect(byKey.STUCK_LEG_MS!.problem).toBe('"500" must be at least 1000');
    expect(byKey.STRATEGY_LEASE_MS!.problem).toBe('"120000" must be at most 60000');
    expect(byKey.STUCK_LEG_MS!.expected).toBe('milliseconds, 1000..3600000');
  });

  it('rejects a close threshold at or above the open threshold, and clashing ports', () => {
    const e = configError({ CLOSE_DIFF: '120', SIM_ADMIN_PORT: '7101' });
    expect(e.issues.map((i) => i.key)).toEqual([
      'SIM_ASTER_PORT + SIM_ADMIN_PORT',
      'CLOSE_DIFF + ARB_THRESHOLD',
    ]);
  });

  it('never echoes a secret value, valid or not', () => {
    const secrets = {
      ASTER_SIGNER_PRIVATE_KEY: '0xnot-hex-SECRET-PK-VALUE',
      ASTER_USER: V3.ASTER_USER,
      ASTER_SIGNER: V3.ASTER_SIGNER,
      BACKPACK_API_KEY: 'SECRET-BP-KEY-not-base64!',
      BACKPACK_SECRET_KEY: 'SECRET-BP-SECRET-not-base64!',
      DASHBOARD_PASSWORD: 'Xq7#',
      MODE: 'live',
    };
    const e = configError(secrets);
    const text = `${e.message}\n${JSON.stringify(e.issues)}\n${e.stack}`;
    for (const k of [
      'ASTER_SIGNER_PRIVATE_KEY',
      'BACKPACK_API_KEY',
      'BACKPACK_SECRET_KEY',
      'DASHBOARD_PASSWORD',
    ]) {
      expect(e.issues.map((i) => i.key)).toContain(k);
      expect(text).not.toContain(secrets[k as keyof typeof secrets]);
    }
    expect(text).toContain('value (not shown)');
  });

  it('masks a password in an echoed URL', () => {
    const e = configError({ REDIS_URL: 'http://user:hunter2-pw@redis:6379' });
    expect(e.issues[0]!.problem).toBe('"http://user:***@redis:6379" is not a redis/rediss URL');
    expect(e.message).not.toContain('hunter2');
  });

  it('loads a .env file under the real environment, never over it', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'arb-config-'));
    try {
      const path = join(dir, '.env');
      writeFileSync(path, 'TRADE_AMOUNT=0.05\nARB_THRESHOLD=150\n# comment\nPAIR=SOL\n');
      const c = loadConfig({ PAIR: 'ETH' }, { dotenvPath: path });
      expect(c.strategy.tradeQty).toBe(0.05);
      expect(c.strategy.openThreshold).toBe(150);
      expect(c.pair).toBe('ETH');
      expect(loadConfig({}, { dotenvPath: join(dir, 'missing.env') }).pair).toBe('BTC');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('documents every key with a meaning and an expected form, and a default where one exists', () => {
    for (const [key, spec] of Object.entries(CONFIG_KEYS)) {
      expect(spec.meaning, key).not.toBe('');
      expect(spec.expected, key).not.toBe('');
      const s = spec as { default?: string; defaultDoc?: string };
      expect(s.default !== undefined || s.defaultDoc !== undefined, key).toBe(true);
    }
  });

  it('has a default that parses for every key with a default', () => {
    const c: AppConfig = loadConfig({});
    expect(c).toBeDefined();
  });
});

describe('configSecrets', () => {
  it('lists every secret value of a config', async () => {
    const { configSecrets } = await import('./config-secrets');
    const c = loadConfig({ ...LIVE, REDIS_URL: 'redis://default:r3dis-pa%24%24@10.0.0.1:6379' });
    expect(configSecrets(c).sort()).toEqual(
      [
        V3.ASTER_SIGNER_PRIVATE_KEY,
        BP.BACKPACK_API_KEY,
        BP.BACKPACK_SECRET_KEY,
        LIVE.DASHBOARD_PASSWORD,
        'r3dis-pa$$',
      ].sort(),
    );
    const h = loadConfig({ ...HMAC });
    expect(configSecrets(h)).toEqual(
      expect.arrayContaining([HMAC.ASTER_API_KEY, HMAC.ASTER_API_SECRET, h.dashboard.password]),
    );
  });
});
