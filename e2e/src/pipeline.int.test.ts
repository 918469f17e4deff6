import { bullConnection } from '@arb/bus/bull-connection';
import { currentLeader } from '@arb/bus/leader-lease';
import { OrderOutcomeEventSchema } from '@arb/bus/order-outcome-event';
import { closeOrderQueues, createOrderQueues, type OrderQueues } from '@arb/bus/order-queues';
import { readRange } from '@arb/bus/stream';
import { AlertSchema } from '@arb/bus/alert';
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
    const aBuy = orders.find((o) => o.venue === 'aster' && o.clientOrderId === `${id}-aster-open1`);
    // Backpack client ids are uint32s derived from the leg id; orders are listed newest first.
    const bSell = orders.filter((o) => o.venue === 'backpack' && o.executedQty > 0).at(-1);
    expect(aBuy?.side).toBe('buy');
    expect(bSell?.side).toBe('sell');
    expect(aBuy?.executedQty).toBe(0.02);
    expect(bSell?.executedQty).toBe(0.02);

    const closed = await stack.waitHedge(id, (h) => h.status?.phase === 'closed', 'closed');
    console.log(
      `hedge closed ${(closed.status?.closedAt ?? 0) - (closed.status?.openedAt ?? 0)} ms after open`,
    );
    expect(closed.status?.exposure).toEqual({ aster: 0, backpack: 0 });
    await stack.waitCalm();
    expect(await stack.hedgeIds()).toEqual([...known, id]);
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

  it('a leg job delivered twice produces exactly one order on the venue', async () => {
    const known = await stack.hedgeIds();
    await stack.admin.dislocation({
      direction: 'buy_backpack_sell_aster',
      sizeUsd: 200,
      durationMs: 2000,
      rampMs: 100,
      revertMs: 500,
    });
    const id = await stack.waitNewHedge(known);
    await stack.waitHedge(id, (h) => h.status?.phase === 'closed', 'closed');
    const legId = `${id}-aster-open1`;
    const queues: OrderQueues = createOrderQueues(bullConnection(stack.fx.url), stack.names);
    try {
      const job = await queues.aster.getJob(legId);
      if (!job) throw new Error(`job ${legId} not found`);
      // Deliver the completed job again (as a stall or crash re-run would).
      await job.retry('completed');
      const outcomes = await waitFor(
        async () => {
          const all = (await readRange(stack.fx.redis, stack.names.outcomeStream, OrderOutcomeEventSchema))
            .entries;
          const mine = all.filter((e) => e.message.jobId === legId);
          return mine.length >= 2 ? mine : null;
        },
        { timeoutMs: 60_000, message: 'second outcome of the re-delivered job' },
      );
      expect(outcomes[1]?.message.probed).toBe(true);
      expect(outcomes[1]?.message.outcome.kind).toBe('filled');
    } finally {
      await closeOrderQueues(queues);
    }
    const sent = (await stack.admin.orders({ venue: 'aster', account: 'main' })).filter(
      (o) => o.clientOrderId === legId,
    );
    expect(sent).toHaveLength(1);
    expect(await stack.positions()).toEqual({ aster: 0, backpack: 0 });
    // Risk folded the duplicate as a no-op: the hedge stays closed, its fills counted once.
    expect((await stack.hedge(id))?.status?.phase).toBe('closed');
    const fills = (await stack.ledger()).filter((e) => e.kind === 'fill' && e.hedgeId === id);
    expect(fills).toHaveLength(4);
  });

  it('one leg rejected: the other is unwound and net BTC across both simulators returns to zero', async () => {
    await stack.admin.addFault({
      kind: 'reject_orders',
      venue: 'backpack',
      count: 1,
      reason: 'injected_reject',
    });
    const known = await stack.hedgeIds();
    await stack.admin.dislocation({
      direction: 'buy_aster_sell_backpack',
      sizeUsd: 200,
      durationMs: 1500,
      rampMs: 100,
      revertMs: 500,
    });
    const id = await stack.waitNewHedge(known);
    await stack.command('pause', 'one hedge is enough for this test');
    const failed = await stack.waitHedge(id, (h) => h.status?.phase === 'failed', 'failed after cleanup');
    expect(failed.status?.openedAt).toBeNull();
    expect(failed.status?.exposure).toEqual({ aster: 0, backpack: 0 });
    const ledger = (await stack.ledger()).filter((e) => e.hedgeId === id);
    const fills = ledger.filter((e) => e.kind === 'fill');
    expect(fills.map((f) => (f.kind === 'fill' ? `${f.venue} ${f.role} ${f.side} ${f.qty}` : ''))).toEqual([
      'aster open buy 0.02',
      'aster unwind sell 0.02',
    ]);
    await waitFor(async () => (await stack.fx.redis.get(stack.names.activeHedgeKey('BTC'))) === null, {
      timeoutMs: 60_000,
      message: 'no active hedge',
    });
    const pos = await stack.positions();
    expect(pos.aster + pos.backpack).toBe(0);
    expect(pos).toEqual({ aster: 0, backpack: 0 });
    const rejected = await stack.admin.rejects({ venue: 'backpack', account: 'main' });
    expect(rejected.length).toBeGreaterThanOrEqual(1);
    const metrics = await stack.metrics('risk');
    const naked = /risk_naked_episode_seconds_sum\S* (\S+)/.exec(metrics);
    const count = /risk_naked_episode_seconds_count\S* (\S+)/.exec(metrics);
    console.log(`risk naked episodes: ${count?.[1]} totalling ${naked?.[1]} s`);
    expect(Number(count?.[1] ?? 0)).toBeGreaterThanOrEqual(1);
  });

  it('risk down while a hedge opens: on restart it folds the pending intent and outcomes, then the hedge closes', async () => {
    await stack.halt('risk', 'kill');
    const known = await stack.hedgeIds();
    await stack.admin.dislocation({
      direction: 'buy_backpack_sell_aster',
      sizeUsd: 200,
      durationMs: 4000,
      rampMs: 100,
      revertMs: 500,
    });
    const id = await stack.waitNewHedge(known);
    // Both legs execute without risk; their outcomes wait in the durable stream.
    await waitFor(
      async () =>
        (await stack.admin.orders({ account: 'main' })).filter((o) => o.executedQty > 0).length === 2,
      { timeoutMs: 60_000, message: 'both open legs executed' },
    );
    expect((await stack.hedge(id))?.status).toBeNull();
    await stack.spawn('risk');
    const closed = await stack.waitHedge(id, (h) => h.status?.phase === 'closed', 'closed', 90_000);
    expect(closed.status?.openedAt).not.toBeNull();
    await stack.waitCalm();
    expect(await stack.positions()).toEqual({ aster: 0, backpack: 0 });
    const fills = (await stack.ledger()).filter((e) => e.kind === 'fill' && e.hedgeId === id);
    expect(fills).toHaveLength(4);
  });

  it('no adding while a hedge is open; forced close after FORCE_CLOSE_TIME, with risk restarted in between', async () => {
    const known = await stack.hedgeIds();
    await stack.admin.dislocation({
      direction: 'buy_aster_sell_backpack',
      sizeUsd: 200,
      durationMs: FORCE_CLOSE_MS + 2000,
      rampMs: 100,
      revertMs: 500,
    });
    const id = await stack.waitNewHedge(known);
    const opened = await stack.waitHedge(id, (h) => h.status?.phase === 'open', 'open');
    // A second, larger dislocation while the hedge is open: the strategy sees it and holds.
    const from = stack.proc('strategy').lines.length;
    await stack.admin.dislocation({
      direction: 'buy_aster_sell_backpack',
      sizeUsd: 260,
      durationMs: FORCE_CLOSE_MS,
      rampMs: 100,
      revertMs: 500,
    });
    await stack.waitLog(
      'strategy',
      (j) => j.msg === 'status' && Number(j.spreadBuyAsterSellBackpack) >= 250 && j.hold !== null,
      'status line holding on the second dislocation',
      { from },
    );
    expect(await stack.hedgeIds()).toEqual([...known, id]);
    const filled = (await stack.admin.orders({ account: 'main' })).filter((o) => o.executedQty > 0);
    expect(filled).toHaveLength(2);

    // The strategy goes down (it would force-close too); risk crashes and comes back.
    await stack.halt('strategy', 'kill');
    await stack.halt('risk', 'kill');
    await stack.spawn('risk');
    const closed = await stack.waitHedge(id, (h) => h.status?.phase === 'closed', 'force-closed', 90_000);
    const openedAt = opened.status?.openedAt ?? 0;
    const age = (closed.status?.closedAt ?? 0) - openedAt;
    console.log(`forced close ${age} ms after open (FORCE_CLOSE_TIME ${FORCE_CLOSE_MS})`);
    expect(age).toBeGreaterThanOrEqual(FORCE_CLOSE_MS);
    const end = (await stack.ledger()).find((e) => e.kind === 'hedge_closed' && e.hedgeId === id);
    expect(end?.kind === 'hedge_closed' ? end.reason : null).toBe('force_close_time');
    expect(await stack.positions()).toEqual({ aster: 0, backpack: 0 });
    // Restart the strategy once the market is calm again (it would open on the dislocation otherwise).
    await stack.waitCalm();
    await stack.spawn('strategy');
  });

  it('startup with an unknown position: no trading until it is reconciled (flatten command)', async () => {
    await stack.halt('risk', 'term');
    await stack.admin.setAccount('aster', 'main', { position: { qty: 0.05, entryPrice: 100_000 } });
    await stack.command('resume');
    await stack.spawn('risk');
    const alerts = async () =>
      (await readRange(stack.fx.redis, stack.names.alertStream, AlertSchema)).entries.map((e) => e.message);
    const since = Date.now();
    await waitFor(async () => (await alerts()).some((a) => a.code === 'exposure_drift' && a.at >= since), {
      timeoutMs: 60_000,
      message: 'exposure_drift alert',
    });
    expect((await stack.flags()).reconciled).toBe(false);
    expect((await stack.healthz('risk')).status).toBe(503);
    const known = await stack.hedgeIds();
    const from = stack.proc('strategy').lines.length;
    await stack.admin.dislocation({
      direction: 'buy_aster_sell_backpack',
      sizeUsd: 200,
      durationMs: 1500,
      rampMs: 100,
      revertMs: 500,
    });
    await stack.waitLog(
      'strategy',
      (j) => j.msg === 'status' && Number(j.spreadBuyAsterSellBackpack) >= 150,
      'status line during the dislocation',
      { from },
    );
    expect(await stack.hedgeIds()).toEqual(known);
    // Let the dislocation revert first: once reconciled, a still-open dislocation would (rightly) open a
    // hedge at once and its leg would show in the position read below.
    const reverted = stack.proc('strategy').lines.length;
    await stack.waitLog(
      'strategy',
      (j) => j.msg === 'status' && Number(j.spreadBuyAsterSellBackpack) < 80,
      'status line after the revert',
      { from: reverted },
    );
    expect(await stack.hedgeIds()).toEqual(known);

    await stack.command('flatten', 'unknown aster position at startup');
    await stack.waitReconciled(60_000);
    expect((await stack.positions()).aster).toBe(0);
    expect((await stack.healthz('risk')).status).toBe(200);
    // Trading has started: the next dislocation opens a hedge.
    await stack.admin.dislocation({
      direction: 'buy_aster_sell_backpack',
      sizeUsd: 200,
      durationMs: 2000,
      rampMs: 100,
      revertMs: 500,
    });
    const id = await stack.waitNewHedge(known);
    await stack.waitHedge(id, (h) => h.status?.phase === 'closed', 'closed');
  });

  it('startup with an unknown position and FLATTEN_ON_DRIFT: risk flattens it by policy and reconciles', async () => {
    await stack.halt('risk', 'term');
    await stack.admin.setAccount('backpack', 'main', { position: { qty: -0.03, entryPrice: 100_000 } });
    await stack.spawn('risk', 'risk', { FLATTEN_ON_DRIFT: 'true' });
    await stack.waitReconciled(60_000);
    expect(await stack.positions()).toEqual({ aster: 0, backpack: 0 });
    const flattenFills = (await stack.ledger()).filter(
      (e) => e.kind === 'fill' && e.role === 'unwind' && e.hedgeId.startsWith('f') && e.venue === 'backpack',
    );
    expect(flattenFills.at(-1)).toMatchObject({ side: 'buy', qty: 0.03 });
  });

  it('two strategy replicas: exactly one acts; killing it hands over to the other', async () => {
    await stack.spawn('strategy', 'strategy-2');
    const pids = { strategy: stack.proc('strategy').pid, 'strategy-2': stack.proc('strategy-2').pid };
    const leaderLabel = async () => {
      const l = await currentLeader(stack.fx.redis, stack.names, 'BTC');
      if (!l) return null;
      return (Object.entries(pids).find(([, pid]) => l.owner.includes(`-${pid}-`))?.[0] ?? null) as
        | 'strategy'
        | 'strategy-2'
        | null;
    };
    const first = await waitFor(leaderLabel, { timeoutMs: 30_000, message: 'a leader' });
    const other = first === 'strategy' ? 'strategy-2' : 'strategy';
    const from = {
      strategy: stack.proc('strategy').lines.length,
      'strategy-2': stack.proc('strategy-2').lines.length,
    };
    const known = await stack.hedgeIds();
    await stack.admin.dislocation({
      direction: 'buy_aster_sell_backpack',
      sizeUsd: 200,
      durationMs: 2000,
      rampMs: 100,
      revertMs: 500,
    });
    const id = await stack.waitNewHedge(known);
    await stack.waitHedge(id, (h) => h.status?.phase === 'closed', 'closed');
    await stack.waitCalm();
    const recorded = (label: 'strategy' | 'strategy-2') =>
      stack
        .proc(label)
        .lines.slice(from[label])
        .filter((l) => l.text.includes('"msg":"hedge open: intent recorded, legs enqueued"')).length;
    expect(recorded(first)).toBe(1);
    expect(recorded(other)).toBe(0);
    expect(await stack.hedgeIds()).toEqual([...known, id]);

    await stack.halt(first, 'kill');
    await waitFor(async () => (await leaderLabel()) === other, { timeoutMs: 30_000, message: 'takeover' });
    const known2 = await stack.hedgeIds();
    await stack.admin.dislocation({
      direction: 'buy_backpack_sell_aster',
      sizeUsd: 200,
      durationMs: 2000,
      rampMs: 100,
      revertMs: 500,
    });
    const id2 = await stack.waitNewHedge(known2);
    await stack.waitHedge(id2, (h) => h.status?.phase === 'closed', 'closed');
    await stack.waitCalm();
    expect(recorded(other)).toBe(1);
    const lease = await currentLeader(stack.fx.redis, stack.names, 'BTC');
    expect((await stack.hedge(id2))?.open?.fence).toBe(lease?.fence);
    expect(await stack.positions()).toEqual({ aster: 0, backpack: 0 });
  });
});
