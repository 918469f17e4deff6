import { RedisServer } from '@arb/testkit/redis-server';
import { waitFor } from '@arb/testkit/wait';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pnlOfFills, Stack } from './stack';

/**
 * Invariant 6 on the whole pipeline: Redis (AOF, fsync always) is SIGKILLed and restarted while a hedge is
 * open. Every process reconnects; the hedge, its intents, statuses and ledger survive; the hedge still
 * closes on the revert with PnL equal to the simulator's fills minus fees.
 */
let server: RedisServer;
let stack: Stack | undefined;

beforeAll(async () => {
  server = await RedisServer.start({ aof: true });
  stack = await Stack.start({ redisUrl: server.url });
});

afterAll(async () => {
  const leaks = stack ? stack.secretLeaks() : [];
  await stack?.stop();
  await server?.stop();
  expect(leaks).toEqual([]);
});

describe('Redis crash and restart with AOF (real processes)', () => {
  it('a hedge open across a Redis crash is kept and closes afterwards', async () => {
    if (!stack) throw new Error('no stack');
    const s = stack;
    const known = await s.hedgeIds();
    await s.admin.dislocation({
      direction: 'buy_aster_sell_backpack',
      sizeUsd: 200,
      durationMs: 8000,
      rampMs: 100,
      revertMs: 500,
    });
    const id = await s.waitNewHedge(known);
    const opened = await s.waitHedge(id, (h) => h.status?.phase === 'open', 'open');
    const ledgerBefore = await s.ledger();

    await server.kill();
    await server.restart();
    await waitFor(async () => (await s.fx.redis.ping()) === 'PONG', {
      timeoutMs: 30_000,
      message: 'redis back',
    });

    const after = await s.hedge(id);
    expect(after?.open).toEqual(opened.open);
    expect(after?.status?.openedAt).toBe(opened.status?.openedAt);
    expect((await s.ledger()).slice(0, ledgerBefore.length)).toEqual(ledgerBefore);

    const closed = await s.waitHedge(
      id,
      (h) => h.status?.phase === 'closed',
      'closed after the restart',
      90_000,
    );
    expect(closed.status?.exposure).toEqual({ aster: 0, backpack: 0 });
    await s.waitCalm();
    expect(await s.positions()).toEqual({ aster: 0, backpack: 0 });
    const end = (await s.ledger()).find((e) => e.kind === 'hedge_closed' && e.hedgeId === id);
    if (end?.kind !== 'hedge_closed') throw new Error('no hedge_closed entry');
    expect(end.realizedPnl).toBeCloseTo(pnlOfFills(await s.admin.fills({ account: 'main' })), 6);
    // Every service is still running.
    for (const [label, p] of s.procs) expect(p.exit, `${label} exited`).toBeUndefined();
  });
});
