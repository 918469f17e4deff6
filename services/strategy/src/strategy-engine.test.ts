import { DEFAULT_STRATEGY_PARAMS } from '@arb/core/params';
import type { HedgeIntent } from '@arb/bus/hedge-intent';
import type { HedgeRecord, RecordResult } from '@arb/bus/hedge-store';
import type { LeaseHolder } from '@arb/bus/leader-lease';
import { describe, expect, it } from 'vitest';
import { type IntentExecutor, StrategyEngine } from './strategy-engine';
import { testQuote } from './test-quote';

const NOW = 1_764_300_000_000;

const quote = (venue: 'aster' | 'backpack', bid: number, seq: number, at = NOW) =>
  testQuote(venue, bid, seq, at);

/** An executor that records what it was asked and answers like the store would (one active hedge). */
class FakeExecutor implements IntentExecutor {
  readonly calls: HedgeIntent[] = [];
  active: string | null = null;
  answer: RecordResult | null = null;
  async open(intent: HedgeIntent, _holder: LeaseHolder) {
    this.calls.push(intent);
    if (this.answer) return this.answer;
    if (this.active) return { ok: false as const, reason: 'active' as const, activeHedgeId: this.active };
    this.active = intent.hedgeId;
    return { ok: true as const, existing: false, jobIds: [`${intent.hedgeId}-aster-open1`] };
  }
  async close(intent: HedgeIntent, _holder: LeaseHolder, _hedge: HedgeRecord) {
    this.calls.push(intent);
    return { ok: true as const, existing: false, jobIds: [] };
  }
}

function engine(opts: { leader?: boolean; openCooldownAfterFailureMs?: number } = {}) {
  const executor = new FakeExecutor();
  let now = NOW;
  const logs: string[] = [];
  let stale = 0;
  const warns: string[] = [];
  const log = {
    info: (_: object, m: string) => logs.push(m),
    warn: (_: object, m: string) => warns.push(m),
    error: () => {},
  };
  const e = new StrategyEngine({
    pair: 'BTC',
    params: DEFAULT_STRATEGY_PARAMS,
    openGuardBps: 2,
    closeGuardBps: 10,
    executor,
    lease: { holder: () => (opts.leader === false ? null : { owner: 'me', fence: 4 }) },
    log,
    now: () => now,
    random: () => 0.5,
    onStale: () => stale++,
    ...(opts.openCooldownAfterFailureMs === undefined
      ? {}
      : { openCooldownAfterFailureMs: opts.openCooldownAfterFailureMs }),
  });
  e.applySnapshot(
    {
      flags: { paused: false, killed: false, reconciled: true },
      venuesHealthy: { aster: true, backpack: true },
      orderPathHealthy: { aster: true, backpack: true },
    },
    e.snapshotToken(),
  );
  return {
    e,
    executor,
    logs,
    warns,
    stale: () => stale,
    setNow: (t: number) => {
      now = t;
    },
  };
}

describe('StrategyEngine', () => {
  it('opens on a tick above the threshold: intent with direction, size, fence, seqs and price guards', async () => {
    const { e, executor, logs } = engine();
    e.onQuote(quote('aster', 100_000, 1));
    expect(executor.calls).toHaveLength(0);
    e.onQuote(quote('backpack', 100_200, 7));
    await e.idle();
    expect(executor.calls).toHaveLength(1);
    const i = executor.calls[0]!;
    expect(i).toMatchObject({
      action: 'open',
      direction: 'buy_aster_sell_backpack',
      qty: 0.02,
      fence: 4,
      quoteSeqs: { aster: 1, backpack: 7 },
      createdAt: NOW,
    });
    expect(i.expectedEdge).toBeCloseTo(199, 6);
    expect(i.priceGuards.aster).toBeCloseTo(100_001 * 1.0002, 6);
    expect(i.priceGuards.backpack).toBeCloseTo(100_200 * 0.9998, 6);
    expect(logs).toContain('hedge open: intent recorded, legs enqueued');
    expect(e.riskView().activeHedge).toMatchObject({ id: i.hedgeId, phase: 'opening' });
  });

  it('does nothing more while the hedge it opened is in flight or opening', async () => {
    const { e, executor, setNow } = engine();
    e.onQuote(quote('aster', 100_000, 1));
    e.onQuote(quote('backpack', 100_200, 2));
    e.onQuote(quote('backpack', 100_300, 3)); // action in flight: skipped
    await e.idle();
    setNow(NOW + 1000);
    e.onQuote(quote('aster', 100_000, 4, NOW + 1000));
    e.onQuote(quote('backpack', 100_400, 5, NOW + 1000));
    await e.idle();
    expect(executor.calls).toHaveLength(1);
    expect(e.lastHold?.reason).toBe('hedge_in_progress');
  });

  it('a standby never decides', async () => {
    const { e, executor } = engine({ leader: false });
    e.onQuote(quote('aster', 100_000, 1));
    expect(e.evaluate()).toBeNull();
    e.onQuote(quote('backpack', 100_200, 2));
    await e.idle();
    expect(executor.calls).toHaveLength(0);
  });

  it('a refusal from the store keeps the view empty and asks for a refresh', async () => {
    const { e, executor, stale, logs } = engine();
    executor.answer = { ok: false, reason: 'paused' };
    e.onQuote(quote('aster', 100_000, 1));
    e.onQuote(quote('backpack', 100_200, 2));
    await e.idle();
    expect(stale()).toBe(1);
    expect(e.riskView().activeHedge).toBeNull();
    expect(logs).toContain('hedge open refused');
  });

  it('closes an open hedge when the unwind spread falls below the close threshold, with close guards', async () => {
    const { e, executor, setNow } = engine();
    e.onQuote(quote('aster', 100_000, 1));
    e.onQuote(quote('backpack', 100_200, 2));
    await e.idle();
    const open = executor.calls[0]!;
    // Risk reports the hedge open.
    const hedge: HedgeRecord = {
      hedgeId: open.hedgeId,
      pair: 'BTC',
      fence: 4,
      open,
      close: null,
      status: {
        v: 1,
        hedgeId: open.hedgeId,
        pair: 'BTC',
        phase: 'open',
        openedAt: NOW,
        closedAt: null,
        exposure: { aster: 0.02, backpack: -0.02 },
        updatedAt: NOW,
      },
      enqueued: { open: true, close: false },
    };
    expect(e.applySnapshot({ hedge }, e.snapshotToken())).toBe(true);
    setNow(NOW + 5000);
    e.onQuote(quote('aster', 100_100, 3, NOW + 5000));
    e.onQuote(quote('backpack', 100_110, 4, NOW + 5000));
    await e.idle();
    const close = executor.calls[1]!;
    expect(close).toMatchObject({
      action: 'close',
      hedgeId: open.hedgeId,
      reason: 'spread_converged',
      fence: 4,
    });
    // Close sells on Aster (bid, below) and buys on Backpack (ask, above).
    expect(close.priceGuards.aster).toBeCloseTo(100_100 * 0.999, 6);
    expect(close.priceGuards.backpack).toBeCloseTo(100_111 * 1.001, 6);
    expect(e.riskView().activeHedge?.phase).toBe('closing');
  });

  it('the timer closes a hedge past the forced-close time even when the spread is still wide', async () => {
    const { e, executor, setNow } = engine();
    e.onQuote(quote('aster', 100_000, 1));
    e.onQuote(quote('backpack', 100_200, 2));
    await e.idle();
    const open = executor.calls[0]!;
    const status = {
      v: 1 as const,
      hedgeId: open.hedgeId,
      pair: 'BTC',
      phase: 'open' as const,
      openedAt: NOW,
      closedAt: null,
      exposure: { aster: 0.02, backpack: -0.02 },
      updatedAt: NOW,
    };
    e.applySnapshot(
      {
        hedge: {
          hedgeId: open.hedgeId,
          pair: 'BTC',
          fence: 4,
          open,
          close: null,
          status,
          enqueued: { open: true, close: false },
        },
      },
      e.snapshotToken(),
    );
    const later = NOW + DEFAULT_STRATEGY_PARAMS.forceCloseMs;
    setNow(later - 300);
    e.onQuote(quote('aster', 100_000, 3, later - 300));
    e.onQuote(quote('backpack', 100_200, 4, later - 300));
    await e.idle();
    expect(executor.calls).toHaveLength(1);
    expect(e.lastHold?.reason).toBe('spread_above_close');
    setNow(later);
    expect(e.evaluate()).toMatchObject({ kind: 'close', reason: 'force_close_time' });
    await e.idle();
    expect(executor.calls[1]).toMatchObject({ action: 'close', reason: 'force_close_time' });
  });

  it('a snapshot read before an action cannot undo it', async () => {
    const { e } = engine();
    const token = e.snapshotToken();
    e.onQuote(quote('aster', 100_000, 1));
    e.onQuote(quote('backpack', 100_200, 2));
    await e.idle();
    expect(e.applySnapshot({ hedge: null }, token)).toBe(false);
    expect(e.riskView().activeHedge).not.toBeNull();
  });
});

/** The hedge record risk leaves behind (status phase given) for an intent the engine opened. */
function ended(open: HedgeIntent, phase: 'open' | 'failed' | 'closed', note?: string): HedgeRecord {
  return {
    hedgeId: open.hedgeId,
    pair: 'BTC',
    fence: 4,
    open,
    close: null,
    status: {
      v: 1,
      hedgeId: open.hedgeId,
      pair: 'BTC',
      phase,
      openedAt: phase === 'failed' ? null : NOW,
      closedAt: phase === 'open' ? null : NOW + 1,
      exposure: { aster: 0, backpack: 0 },
      ...(note === undefined ? {} : { note }),
      updatedAt: NOW + 1,
    },
    enqueued: { open: true, close: false },
  };
}

describe('StrategyEngine: order-path health and the open cooldown', () => {
  it("holds opens (venue_unhealthy) while a venue's order path is not healthy; opens once it is", async () => {
    const { e, executor } = engine();
    e.setVenuesHealthy({ aster: true, backpack: true }, { aster: false, backpack: true });
    e.onQuote(quote('aster', 100_000, 1));
    e.onQuote(quote('backpack', 100_200, 2));
    await e.idle();
    expect(executor.calls).toHaveLength(0);
    expect(e.lastHold).toEqual({ reason: 'venue_unhealthy', detail: 'aster' });
    expect(e.riskView().venuesHealthy).toEqual({ aster: false, backpack: true });
    // The feed alone being unhealthy holds too (unchanged rule), both reported.
    e.setVenuesHealthy({ aster: true, backpack: false });
    expect(e.evaluate()).toEqual({ kind: 'hold', reason: 'venue_unhealthy', detail: 'aster,backpack' });
    e.setVenuesHealthy({ aster: true, backpack: true }, { aster: true, backpack: true });
    expect(e.evaluate()).toMatchObject({ kind: 'open' });
    await e.idle();
    expect(executor.calls).toHaveLength(1);
  });

  it("a live hedge's close is not held by a degraded order path (its feed health still counts)", async () => {
    const { e, executor, setNow } = engine();
    e.onQuote(quote('aster', 100_000, 1));
    e.onQuote(quote('backpack', 100_200, 2));
    await e.idle();
    const open = executor.calls[0]!;
    e.applySnapshot({ hedge: ended(open, 'open') }, e.snapshotToken());
    e.setVenuesHealthy({ aster: true, backpack: true }, { aster: true, backpack: false });
    expect(e.riskView().venuesHealthy).toEqual({ aster: true, backpack: true });
    setNow(NOW + 5000);
    e.onQuote(quote('aster', 100_100, 3, NOW + 5000));
    e.onQuote(quote('backpack', 100_110, 4, NOW + 5000));
    await e.idle();
    expect(executor.calls[1]).toMatchObject({ action: 'close', reason: 'spread_converged' });
    e.setVenuesHealthy({ aster: true, backpack: false });
    setNow(NOW + 6000);
    e.applySnapshot({ hedge: ended(open, 'open') }, e.snapshotToken());
    expect(e.evaluate(NOW + 6000)).toEqual({ kind: 'hold', reason: 'venue_unhealthy', detail: 'backpack' });
  });

  it('after a hedge ended failed, no open for the cooldown; after it, opens again', async () => {
    const { e, executor, setNow, warns } = engine({ openCooldownAfterFailureMs: 5000 });
    e.onQuote(quote('aster', 100_000, 1));
    e.onQuote(quote('backpack', 100_200, 2));
    await e.idle();
    const first = executor.calls[0]!;
    executor.active = null;
    // Risk unwound the one-sided open; the slot is free again.
    setNow(NOW + 1000);
    expect(e.hedgeEnded(ended(first, 'failed', 'aster leg rejected: HTTP_429'), NOW + 1000)).toBe(true);
    expect(warns).toContain('hedge failed: no new open for the cooldown');
    e.applySnapshot({ hedge: null }, e.snapshotToken());
    e.onQuote(quote('aster', 100_000, 3, NOW + 1000));
    e.onQuote(quote('backpack', 100_200, 4, NOW + 1000));
    await e.idle();
    expect(executor.calls).toHaveLength(1);
    expect(e.lastHold?.reason).toBe('min_trade_interval');
    expect(e.lastHold?.detail).toMatch(
      new RegExp(`open cooldown after hedge ${first.hedgeId} failed .*5000 ms left`),
    );
    expect(e.openCooldownUntil).toBe(NOW + 6000);
    setNow(NOW + 5999);
    e.onQuote(quote('aster', 100_000, 5, NOW + 5999));
    e.onQuote(quote('backpack', 100_200, 6, NOW + 5999));
    await e.idle();
    expect(executor.calls).toHaveLength(1);
    expect(e.lastHold).toMatchObject({
      reason: 'min_trade_interval',
      detail: expect.stringMatching(/1 ms left/),
    });
    setNow(NOW + 6000);
    e.onQuote(quote('aster', 100_000, 7, NOW + 6000));
    e.onQuote(quote('backpack', 100_200, 8, NOW + 6000));
    await e.idle();
    expect(executor.calls).toHaveLength(2);
    expect(executor.calls[1]).toMatchObject({ action: 'open' });
  });

  it('a hedge that closed normally starts no cooldown; neither does a failed one with the cooldown off', async () => {
    const a = engine({ openCooldownAfterFailureMs: 5000 });
    a.e.onQuote(quote('aster', 100_000, 1));
    a.e.onQuote(quote('backpack', 100_200, 2));
    await a.e.idle();
    expect(a.e.hedgeEnded(ended(a.executor.calls[0]!, 'closed'))).toBe(false);
    expect(a.e.openCooldownUntil).toBe(0);
    const b = engine({ openCooldownAfterFailureMs: 0 });
    b.e.onQuote(quote('aster', 100_000, 1));
    b.e.onQuote(quote('backpack', 100_200, 2));
    await b.e.idle();
    expect(b.e.hedgeEnded(ended(b.executor.calls[0]!, 'failed'))).toBe(false);
    expect(b.e.openCooldownUntil).toBe(0);
  });

  it('logs the truth when the intent was recorded but its legs were not enqueued', async () => {
    const { e, executor, logs, warns } = engine();
    executor.answer = { ok: true, existing: false };
    e.onQuote(quote('aster', 100_000, 1));
    e.onQuote(quote('backpack', 100_200, 2));
    await e.idle();
    expect(executor.calls).toHaveLength(1);
    expect(logs).not.toContain('hedge open: intent recorded, legs enqueued');
    expect(warns).toContain('hedge open: intent recorded, legs NOT enqueued yet (re-enqueued on refresh)');
  });
});
