import { type RunningSim, startSim } from '@arb/sim/start-sim';
import { freePort } from '@arb/testkit/free-port';
import { spawnService } from '@arb/testkit/process';
import { type RedisFixture, redisFixture } from '@arb/testkit/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * risk as a real process, started before the venues answer: under `npm start` every service starts at
 * once and the simulator may not listen yet when risk syncs with AsterDex. A failed start there used to
 * cost a supervisor restart (the last CI run on record saw it as risk's pid changing mid-test).
 */
describe('risk main (real process)', () => {
  let fx: RedisFixture;
  let sim: RunningSim | undefined;

  beforeAll(async () => {
    fx = await redisFixture({ prefix: 't-risk-main' });
  });
  afterAll(async () => {
    await sim?.close();
    await fx?.cleanup();
  });

  it('waits for a venue that is not listening yet, then starts and stops cleanly', async () => {
    const [asterPort, backpackPort] = [await freePort(), await freePort()];
    const proc = spawnService({
      entry: 'services/risk/src/main.ts',
      env: {
        MODE: 'sim',
        ...fx.env,
        ASTER_REST_URL: `http://127.0.0.1:${asterPort}`,
        BACKPACK_REST_URL: `http://127.0.0.1:${backpackPort}`,
        HEALTH_PORT: '0',
        LOG_LEVEL: 'info',
      },
    });
    try {
      const retry = await proc.waitForLine(/venue start-up call failed transiently; retrying/, 60_000);
      expect(retry).toContain('ECONNREFUSED');
      expect(proc.output()).not.toContain('"msg":"start failed"');
      sim = await startSim({ host: '127.0.0.1', asterPort, backpackPort, adminPort: 0, seed: 5 });
      const ready = JSON.parse(await proc.waitForLine(/"msg":"ready"/, 60_000)) as { healthUrl: string };
      const health = await fetch(`${ready.healthUrl}/healthz`);
      expect((await health.json()) as object).toMatchObject({ service: 'risk' });
      expect(await proc.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    } finally {
      await proc.stop('SIGKILL').catch(() => {});
    }
  }, 120_000);
});
