import { killAllServices, spawnService } from '@arb/testkit/process';
import { afterAll, describe, expect, it } from 'vitest';

const ENTRY = 'shared/log/test/fixtures/log-secrets.ts';
const SECRETS = {
  ASTER_API_KEY: 'procKEY-S3CR3T-aaaaaaaaaaaa',
  ASTER_API_SECRET: 'procSECRET-S3CR3T-bbbbbbbbbb',
  BACKPACK_API_KEY: Buffer.from('proc-backpack-api-key-S3CR3T-32b').toString('base64'),
  BACKPACK_SECRET_KEY: Buffer.from('proc-backpack-seed-S3CR3T-32byte').toString('base64'),
  DASHBOARD_PASSWORD: 'proc-dashboard-S3CR3T',
  REDIS_URL: 'redis://default:procredis-S3CR3T@127.0.0.1:6399',
};

afterAll(() => killAllServices());

function expectNoSecrets(output: string): void {
  for (const v of Object.values(SECRETS)) {
    const secret = v.startsWith('redis://') ? 'procredis-S3CR3T' : v;
    expect(output).not.toContain(secret);
    expect(output).not.toContain(encodeURIComponent(secret));
  }
  expect(output).not.toContain('S3CR3T');
  expect(output).not.toContain('0123456789abcdef');
}

describe('a real service process', () => {
  it('logs its config, an error and a crash without any secret in its whole output', async () => {
    const p = spawnService({ entry: ENTRY, env: { MODE: 'sim', LOG_LEVEL: 'info', ...SECRETS } });
    const status = await p.waitForExit(60_000);
    expect(status.code).toBe(1);
    const lines = p.jsonLines();
    expect(lines.map((l) => l.msg)).toEqual([
      'config loaded',
      expect.stringContaining('retrying with key'),
      'crash',
    ]);
    expect(JSON.stringify(lines[0])).toContain('"tradeQty":0.02');
    expectNoSecrets(p.output());
  });

  it('logs a bad configuration without echoing the secret values', async () => {
    const p = spawnService({
      entry: ENTRY,
      env: { ...SECRETS, MODE: 'live', BACKPACK_SECRET_KEY: 'not-base64-S3CR3T', TRADE_AMOUNT: 'lots' },
    });
    const status = await p.waitForExit(60_000);
    expect(status.code).toBe(2);
    const fatal = p.jsonLines().find((l) => l.msg === 'bad configuration');
    const text = JSON.stringify(fatal);
    expect(text).toContain('ConfigError');
    expect(text).toContain('BACKPACK_SECRET_KEY');
    expect(text).toContain('LIVE_TRADING_CONFIRM');
    expect(text).toContain('TRADE_AMOUNT');
    expectNoSecrets(p.output());
  });
});
