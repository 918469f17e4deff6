import { readFeedHealth } from '@arb/bus/feed-runner';
import { redisNames } from '@arb/bus/keys';
import { readLatestQuote } from '@arb/bus/quote-bus';
import { SIM_CREDENTIALS } from '@arb/config/sim-credentials';
import { type RunningSim, startSim } from '@arb/sim/start-sim';
import { spawnService } from '@arb/testkit/process';
import { type RedisFixture, redisFixture } from '@arb/testkit/redis';
import { waitFor } from '@arb/testkit/wait';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The service as a real process: config from the environment only, "ready", quotes on Redis, SIGTERM. */
describe('feed-aster main (real process)', () => {
  let sim: RunningSim;
  let fx: RedisFixture;

  beforeAll(async () => {
    sim = await startSim({ host: '127.0.0.1', asterPort: 0, backpackPort: 0, adminPort: 0, seed: 17 });
    fx = await redisFixture();
  });
  afterAll(async () => {
    await fx?.cleanup();
    await sim?.close();
  });

  it('starts from config alone, publishes quotes, serves /healthz, stops cleanly on SIGTERM', async () => {
    const proc = spawnService({
      entry: 'services/feed-aster/src/main.ts',
      env: {
        MODE: 'sim',
        ...fx.env,
        ASTER_REST_URL: sim.aster.restUrl,
        ASTER_WS_URL: sim.aster.wsUrl,
        HEALTH_PORT: '0',
        LOG_LEVEL: 'info',
      },
    });
    try {
      const ready = await proc.waitForLine(/"msg":"ready"/, 60_000);
      const names = redisNames(fx.ns);
      const q = await waitFor(() => readLatestQuote(fx.redis, names, 'aster', 'BTC'), {
        timeoutMs: 30_000,
        message: 'latest quote',
      });
      expect(q).toMatchObject({ v: 1, venue: 'aster', symbol: 'BTCUSDT' });
      await waitFor(async () => (await readFeedHealth(fx.redis, names, 'aster'))?.connected === '1', {
        message: 'health says connected',
      });
      const healthUrl = (JSON.parse(ready) as { healthUrl: string }).healthUrl;
      const res = await fetch(`${healthUrl}/healthz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ service: 'feed-aster', ok: true });
      const status = await proc.stop('SIGTERM');
      expect(status).toEqual({ code: 0, signal: null });
      const text = proc.output();
      expect(text).toContain('"msg":"stopped"');
      expect(text).not.toContain(SIM_CREDENTIALS.asterHmac.secret);
      expect(text).not.toContain(SIM_CREDENTIALS.asterV3.signerPrivateKey.slice(2));
      expect((await readFeedHealth(fx.redis, names, 'aster'))?.connected).toBe('0');
    } finally {
      await proc.stop('SIGKILL').catch(() => {});
    }
  }, 90_000);

  it('exits non-zero with a clear error on invalid config', async () => {
    const proc = spawnService({
      entry: 'services/feed-aster/src/main.ts',
      env: { MODE: 'sim', ...fx.env, ASTER_STALL_MS: 'soon' },
    });
    const status = await proc.waitForExit(60_000);
    expect(status.code).not.toBe(0);
    expect(proc.output()).toContain('ASTER_STALL_MS');
  }, 60_000);
});
