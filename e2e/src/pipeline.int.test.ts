import { waitFor } from '@arb/testkit/wait';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pnlOfFills, Stack } from './stack';

/**
 * The done criteria on one stack of real processes (simulator, feeds, strategy, order workers,
 * risk) over a real Redis. Tests run in order and share the stack; the simulator's account is reset
 * between them.
 */
const FORCE_CLOSE_MS = 12_000;
let stack: Stack;

beforeAll(async () => {
  const t0 = Date.now();
  stack = await Stack.start({ env: { FORCE_CLOSE_TIME: String(FORCE_CLOSE_MS) } });
  console.log(`stack ready in ${Date.now() - t0} ms`);
});

afterAll(async () => {
  const leaks = stack ? stack.secretLeaks() : [];
  await stack?.stop();
  expect(leaks).toEqual([]);
});

beforeEach(async () => {
  await stack.reset();
});

describe('hedge pipeline (real processes)', () => {
  it('a scripted dislocation opens one hedge, the revert closes it, PnL = simulator fills - fees', async () => {
    const known = await stack.hedgeIds();
    const t0 = Date.now();
    await stack.admin.dislocation({
      direction: 'buy_aster_sell_backpack',
      sizeUsd: 200,
      durationMs: 3000,
      rampMs: 100,
      revertMs: 500,
    });
    const id = await stack.waitNewHedge(known);
    const opened = await stack.waitHedge(id, (h) => h.status?.openedAt != null, 'opened');
    console.log(`dislocation -> hedge open in ${(opened.status?.openedAt ?? 0) - t0} ms`);
    expect(opened.open?.direction).toBe('buy_aster_sell_backpack');

    // Both open legs filled on the simulators: opposite sides, equal size.
    const orders = await stack.admin.orders({ account: 'main' });
    const aBuy = orders.find((o) => o.venue === 'aster' && o.executedQty > 0);
    const bSell = orders.find((o) => o.venue === 'backpack' && o.executedQty > 0);
    expect(aBuy?.side).toBe('buy');
    expect(bSell?.side).toBe('sell');
    expect(aBuy?.executedQty).toBe(0.02);
    expect(bSell?.executedQty).toBe(0.02);

    const closed = await stack.waitHedge(id, (h) => h.status?.phase === 'closed', 'closed');
    console.log(
      `hedge closed ${(closed.status?.closedAt ?? 0) - (closed.status?.openedAt ?? 0)} ms after open`,
    );
    expect(closed.status?.exposure).toEqual({ aster: 0, backpack: 0 });
    expect(await stack.positions()).toEqual({ aster: 0, backpack: 0 });

    const fills = await stack.admin.fills({ account: 'main' });
    expect(fills.length).toBeGreaterThanOrEqual(4);
    const ledger = await stack.ledger();
    const end = ledger.find((e) => e.kind === 'hedge_closed' && e.hedgeId === id);
    if (end?.kind !== 'hedge_closed') throw new Error('no hedge_closed ledger entry');
    expect(end.reason).toBe('spread_converged');
    expect(end.realizedPnl).toBeCloseTo(pnlOfFills(fills), 6);
    expect(ledger.filter((e) => e.kind === 'fill' && e.hedgeId === id)).toHaveLength(fills.length);
    // Daily stats computed from the ledger's hedges.
    const day = new Date().toISOString().slice(0, 10);
    const stats = JSON.parse((await stack.fx.redis.get(stack.names.dailyStatsKey(day))) ?? '{}');
    expect(stats.hedgesClosed).toBeGreaterThanOrEqual(1);
  });
});

export { waitFor };
