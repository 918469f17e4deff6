import { SIM_CREDENTIALS } from '@arb/config/sim-credentials';
import { readFeedHealth } from '@arb/bus/feed-runner';
import { redisNames } from '@arb/bus/keys';
import { readLatestQuote } from '@arb/bus/quote-bus';
import { spawnService } from '@arb/testkit/process';
import { type RedisFixture, redisFixture } from '@arb/testkit/redis';
import { waitFor } from '@arb/testkit/wait';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BackpackSim, startBackpackSim } from '@arb/sim/testing/backpack-sim';

/** The service as a real process: config from the environment only, "ready", quotes on Redis, SIGTERM. */
describe('feed-backpack main (real process)', () => {
  let sim: BackpackSim;
  let fx: RedisFixture;

  beforeAll(async () => {
    sim = await startBackpackSim(13);
    fx = await redisFixture();
  });
  afterAll(async () => {
    await fx?.cleanup();
    await sim?.close();
  });

  it('starts from config alone, publishes quotes, stops cleanly on SIGTERM', async () => {
    const proc = spawnService({
      entry: 'services/feed-backpack/src/main.ts',
      env: {
        MODE: 'sim',
        REDIS_URL: fx.url,
        ARB_NAMESPACE: fx.ns,
        BACKPACK_REST_URL: sim.restUrl,
        BACKPACK_WS_URL: sim.wsUrl,
        LOG_LEVEL: 'info',
        HEALTH_PORT: '0',
      },
    });
    try {
      const ready = await proc.waitForLine(/"msg":"ready"/, 60_000);
      const healthUrl = (JSON.parse(ready) as { healthUrl: string }).healthUrl;
      const names = redisNames(fx.ns);
      const q = await waitFor(() => readLatestQuote(fx.redis, names, 'backpack', 'BTC'), {
        timeoutMs: 30_000,
        message: 'latest quote',
      });
      expect(q).toMatchObject({ venue: 'backpack', symbol: 'BTC_USDC_PERP' });
      await waitFor(async () => (await readFeedHealth(fx.redis, names, 'backpack'))?.connected === '1', {
        message: 'health says connected',
      });
      const healthz = await waitFor(async () => {
        const res = await fetch(`${healthUrl}/healthz`);
        return res.status === 200
          ? ((await res.json()) as { ok: boolean; details: { malformed: number } })
          : null;
      });
      expect(healthz).toMatchObject({ ok: true, details: { malformed: 0 } });
      const status = await proc.stop('SIGTERM');
      expect(status).toEqual({ code: 0, signal: null });
      const text = proc.lines.map((l) => l.text).join('\n');
      expect(text).toContain('"msg":"stopped"');
      expect(text).not.toContain(SIM_CREDENTIALS.backpack.secret);
    } finally {
      await proc.stop('SIGKILL').catch(() => {});
    }
  }, 90_000);
});
