import { Writable } from 'node:stream';
import { loadConfig } from '@arb/config/config';
import { configSecrets } from '@arb/config/config-secrets';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from './logger';
import { clearRegisteredSecrets, registerSecrets } from './redact';

const SECRETS = {
  ASTER_USER: '0x1111111111111111111111111111111111111111',
  ASTER_SIGNER: '0x2222222222222222222222222222222222222222',
  ASTER_SIGNER_PRIVATE_KEY: `0x${'5e'.repeat(32)}`,
  BACKPACK_API_KEY: Buffer.alloc(32, 0xa7).toString('base64'),
  BACKPACK_SECRET_KEY: Buffer.from('a-32-byte-seed-SECRET-0123456789').toString('base64'),
  DASHBOARD_PASSWORD: 'dashboard-S3CR3T-pw',
  REDIS_URL: 'redis://default:redis-S3CR3T-pw@127.0.0.1:6379',
};
const HMAC = { ASTER_API_KEY: 'hmacKEY-S3CR3T-0123456789', ASTER_API_SECRET: 'hmacSECRET-S3CR3T-0123456789' };

function capture() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  return { stream, text: () => chunks.join(''), lines: () => chunks.join('').trim().split('\n') };
}

function secretValues(): string[] {
  const v = [...Object.values(SECRETS), ...Object.values(HMAC)].filter(
    (s) => !s.startsWith('0x1') && !s.startsWith('0x2'),
  );
  return [
    ...v.filter((s) => !s.startsWith('redis://')),
    'redis-S3CR3T-pw',
    ...v.map((s) => encodeURIComponent(s)),
  ];
}

function expectNoSecret(text: string): void {
  for (const s of secretValues()) expect(text).not.toContain(s);
  expect(text).not.toMatch(/S3CR3T/);
  expect(text).not.toContain('5e5e5e5e5e5e');
}

afterEach(() => clearRegisteredSecrets());

describe('createLogger', () => {
  it('writes JSON lines with service, level and child component', () => {
    const out = capture();
    const log = createLogger({ service: 'feed-aster', level: 'debug', destination: out.stream });
    log.child({ component: 'ws' }).debug({ reconnects: 2 }, 'connected');
    const line = JSON.parse(out.lines()[0]!);
    expect(line).toMatchObject({
      service: 'feed-aster',
      component: 'ws',
      level: 20,
      reconnects: 2,
      msg: 'connected',
    });
  });

  it('honours the level', () => {
    const out = capture();
    const log = createLogger({ service: 's', level: 'warn', destination: out.stream });
    log.info('hidden');
    log.warn('shown');
    expect(out.lines()).toHaveLength(1);
  });

  it('logs a loaded config carrying secrets without any secret, even before registering them', () => {
    const config = loadConfig({
      MODE: 'live',
      LIVE_TRADING_CONFIRM: 'yes',
      ALLOW_UNPROFITABLE: 'true',
      ...SECRETS,
    });
    const out = capture();
    const log = createLogger({ service: 'strategy', destination: out.stream });
    log.info({ config }, 'config loaded');
    log.info({ venues: config.venues, nested: { deeper: { still: { config } } } }, 'again');
    log.child({ config: config.venues }).info('as bindings');
    const text = out.text();
    expectNoSecret(text.replace(/redis:\/\/default:\[REDACTED\]@/g, ''));
    // The non-secret parts are still there.
    expect(text).toContain(SECRETS.ASTER_USER);
    expect(text).toContain('"tradeQty":0.02');
    expect(text).toContain('[REDACTED]');
  });

  it('logs an error carrying secrets (nested, in headers, in a URL query, in its cause) without any secret', () => {
    const config = loadConfig({
      ...HMAC,
      BACKPACK_API_KEY: SECRETS.BACKPACK_API_KEY,
      BACKPACK_SECRET_KEY: SECRETS.BACKPACK_SECRET_KEY,
    });
    registerSecrets(configSecrets(config));
    const out = capture();
    const log = createLogger({ service: 'order-aster', destination: out.stream });
    const query = `symbol=BTCUSDT&side=BUY&timestamp=1&signature=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08`;
    const cause = new Error(`socket hang up while sending X-MBX-APIKEY: ${HMAC.ASTER_API_KEY}`);
    const err = Object.assign(
      new Error(`POST https://fapi.asterdex.com/fapi/v1/order?${query} failed`, { cause }),
      {
        code: 'ECONNRESET',
        request: {
          headers: {
            'X-MBX-APIKEY': HMAC.ASTER_API_KEY,
            'X-API-Key': SECRETS.BACKPACK_API_KEY,
            'X-Signature': 'c2lnbmF0dXJlLW9mLXRoZS1yZXF1ZXN0',
            Authorization: `Bearer ${HMAC.ASTER_API_SECRET}`,
          },
          body: `apiKey=${encodeURIComponent(HMAC.ASTER_API_KEY)}&${query}`,
          json: JSON.stringify({ secret: SECRETS.BACKPACK_SECRET_KEY, qty: '0.02' }),
        },
        options: {
          secret: HMAC.ASTER_API_SECRET,
          list: [{ deep: { privateKey: SECRETS.ASTER_SIGNER_PRIVATE_KEY } }],
        },
      },
    );
    log.error(err);
    log.error({ err }, 'order failed');
    log.warn({ err: new AggregateError([err], `many: ${HMAC.ASTER_API_SECRET}`) }, 'aggregate');
    log.info(`sent %s with %o`, query, { headers: { 'x-api-key': SECRETS.BACKPACK_API_KEY } });
    log.info(
      `raw secret in text: ${SECRETS.BACKPACK_SECRET_KEY} / ${encodeURIComponent(SECRETS.BACKPACK_SECRET_KEY)}`,
    );
    const text = out.text();
    expectNoSecret(text);
    expect(text).not.toContain('9f86d081884c7d659a2f');
    expect(text).not.toContain('c2lnbmF0dXJlLW9mLXRoZS1yZXF1ZXN0');
    const first = JSON.parse(out.lines()[0]!);
    expect(first.err).toMatchObject({ type: 'Error', code: 'ECONNRESET' });
    expect(first.err.message).toContain('signature=[REDACTED]');
    expect(first.err.cause.message).toContain('X-MBX-APIKEY: [REDACTED]');
    expect(first.msg).toContain('symbol=BTCUSDT');
    expect(JSON.parse(out.lines()[1]!).msg).toBe('order failed');
  });

  it('pretty-prints in-process when asked, still redacted', () => {
    const out = capture();
    const log = createLogger({ service: 'risk', pretty: true, destination: out.stream });
    log.info({ apiSecret: HMAC.ASTER_API_SECRET, qty: 1 }, 'pretty line');
    const text = out.text();
    expect(text).toContain('pretty line');
    expect(text).not.toMatch(/^\{/);
    expectNoSecret(text);
  });
});
