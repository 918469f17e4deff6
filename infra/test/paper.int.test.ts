import { redisNames } from '@arb/bus/keys';
import { LedgerEntrySchema } from '@arb/bus/ledger-entry';
import { readRange } from '@arb/bus/stream';
import { SimAdminClient } from '@arb/sim/admin/client';
import { type RunningSim, startSim } from '@arb/sim/start-sim';
import { freePort } from '@arb/testkit/free-port';
import { type ServiceProcess, spawnService } from '@arb/testkit/process';
import { type RedisFixture, redisFixture } from '@arb/testkit/redis';
import { waitFor } from '@arb/testkit/wait';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeRange } from './free-range';
import { privatePm2Home, removePm2Home } from './pm2-home';

/**
 * `MODE=paper npm start` without internet: a simulator started here stands in for the real venues (its
 * public market data at ASTER_*_URL / BACKPACK_*_URL). The stack's own simulator follows those quotes and
 * fills the orders. A dislocation at the "real" venues opens and closes a hedge, and not one order reaches
 * them.
 */

let fx: RedisFixture;
let real: RunningSim;
let launcher: ServiceProcess | undefined;
let pm2Home: string;

beforeAll(async () => {
  fx = await redisFixture({ prefix: 't-paper' });
  pm2Home = privatePm2Home();
  real = await startSim({ host: '127.0.0.1', asterPort: 0, backpackPort: 0, adminPort: 0 });
});

afterAll(async () => {
  if (launcher?.exit === undefined) await launcher?.kill();
  // Nothing of this stack may outlive the test: the PM2 daemon and whatever still runs under it.
  removePm2Home(pm2Home);
  await real?.close();
  await fx?.cleanup();
});

describe('npm start in paper mode', () => {
  it('trades on the venues market data with the simulator filling the orders, none sent to the venues', async () => {
    const env = {
      MODE: 'paper',
      REDIS_URL: fx.url,
      ARB_NAMESPACE: fx.ns,
      PM2_HOME: pm2Home,
      ASTER_REST_URL: real.aster.restUrl,
      ASTER_WS_URL: real.aster.wsUrl,
      BACKPACK_REST_URL: real.backpack.restUrl,
      BACKPACK_WS_URL: real.backpack.wsUrl,
      SIM_ASTER_PORT: String(await freePort()),
      SIM_BACKPACK_PORT: String(await freePort()),
      SIM_ADMIN_PORT: String(await freePort()),
      DASHBOARD_PORT: String(await freePort()),
      HEALTH_PORT: String(await freeRange(22)),
    };
    launcher = spawnService({ entry: 'scripts/start.ts', name: 'launcher', inheritEnv: false, env });
    await launcher.waitForLine(/arb: stack running/, 120_000);
    expect(launcher.output()).toContain(
      `mode paper (orders: simulator matching engine at http://127.0.0.1:${env.SIM_ASTER_PORT}`,
    );
    expect(launcher.output()).not.toContain('/admin/health'); // the admin API is sim-mode only

    const names = redisNames(fx.ns);
    const ledger = async () =>
      (await readRange(fx.redis, names.ledgerStream, LedgerEntrySchema)).entries.map((e) => e.message);
    // Risk reconciles before anything opens; then the venues dislocate.
    await waitFor(async () => (await fx.redis.hget(names.controlKey, 'reconciled')) === '1', {
      timeoutMs: 60_000,
      message: 'risk reconciled',
    });
    const admin = new SimAdminClient(real.adminUrl);
    // A 4 s dislocation, again every 20 s until a hedge has opened and closed: on a loaded machine the
    // first one can pass while quotes are stale (the strategy rightly holds).
    let dislocatedAt = 0;
    const hedge = await waitFor(
      async () => {
        if (Date.now() - dislocatedAt > 20_000) {
          dislocatedAt = Date.now();
          await admin.dislocation({ direction: 'buy_backpack_sell_aster', sizeUsd: 220, durationMs: 4000 });
        }
        const l = await ledger();
        const closed = new Set(l.filter((e) => e.kind === 'hedge_closed').map((e) => e.hedgeId));
        return l.find((e) => e.kind === 'hedge_opened' && closed.has(e.hedgeId))?.hedgeId;
      },
      { timeoutMs: 120_000, intervalMs: 250, message: 'a paper hedge opened and closed' },
    );
    const fills = (await ledger()).filter((e) => e.kind === 'fill' && e.hedgeId === hedge);
    // Open and close on both venues (a retried leg may add fills, never remove them).
    for (const venue of ['aster', 'backpack']) {
      expect(
        fills.filter((f) => f.kind === 'fill' && f.venue === venue).length,
        venue,
      ).toBeGreaterThanOrEqual(2);
    }
    expect(await admin.orders()).toEqual([]);

    // SIGTERM (a service manager's stop) is handled like Ctrl-C.
    launcher.signal('SIGTERM');
    expect((await launcher.waitForExit(120_000)).code).toBe(0);
    expect(launcher.output()).toContain('arb: SIGTERM: stopping every service');
  }, 400_000);
});
