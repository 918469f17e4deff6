import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { realizedHedgePnl } from './economics';
import {
  type CleanupPolicy,
  eventFromOutcome,
  type HedgeAction,
  type HedgeEvent,
  HedgeInputError,
  type HedgeResult,
  type HedgeState,
  hedgedTarget,
  isFlat,
  isTerminal,
  legId,
  MAX_RETRY_AFTER_MS,
  makeHedgeId,
  newHedge,
  outstandingLegs,
  reduceHedge,
} from './hedge';
import { VENUES } from './venue';

const ID = 'h1';
const A_OPEN = 'h1-aster-open1';
const B_OPEN = 'h1-backpack-open1';

function start(policy?: CleanupPolicy): HedgeResult {
  return newHedge(
    {
      id: ID,
      pair: 'BTC',
      direction: 'buy_aster_sell_backpack',
      qty: 0.02,
      expectedEdge: 140,
      cleanupPolicy: policy,
    },
    1000,
  );
}

const fill = (legId: string, price: number, qty = 0.02, fee = 0.7): HedgeEvent => ({
  type: 'leg_filled',
  legId,
  qty,
  avgPrice: price,
  fee,
  executedAt: 1500,
});
const reject = (legId: string): HedgeEvent => ({
  type: 'leg_rejected',
  legId,
  code: '-2019',
  reason: 'margin',
});
const unknown = (legId: string): HedgeEvent => ({ type: 'leg_unknown', legId, reason: 'timeout' });

function run(
  init: HedgeResult,
  events: HedgeEvent[],
  t0 = 2000,
): { state: HedgeState; actions: HedgeAction[][] } {
  let state = init.state;
  const actions: HedgeAction[][] = [];
  events.forEach((e, i) => {
    const r = reduceHedge(state, e, t0 + i);
    state = r.state;
    actions.push(r.actions);
  });
  return { state, actions };
}

const placed = (actions: HedgeAction[]) => actions.flatMap((a) => (a.kind === 'place_leg' ? [a.order] : []));

describe('newHedge', () => {
  it('starts opening with both open legs placed', () => {
    const { state, actions } = start();
    expect(state.phase).toBe('opening');
    expect(placed(actions)).toEqual([
      expect.objectContaining({
        legId: A_OPEN,
        venue: 'aster',
        side: 'buy',
        qty: 0.02,
        reduceOnly: false,
        role: 'open',
      }),
      expect.objectContaining({
        legId: B_OPEN,
        venue: 'backpack',
        side: 'sell',
        qty: 0.02,
        reduceOnly: false,
      }),
    ]);
    expect(state.legs.every((l) => l.clientOrderId === l.id)).toBe(true);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });

  it('validates its input', () => {
    const base = { pair: 'BTC', direction: 'buy_aster_sell_backpack' as const, qty: 0.02, expectedEdge: 1 };
    expect(() => newHedge({ ...base, id: 'has:colon' }, 0)).toThrow(HedgeInputError);
    expect(() => newHedge({ ...base, id: 'x'.repeat(16) }, 0)).toThrow(/hedge id/);
    expect(() => newHedge({ ...base, id: 'ok', qty: 0 }, 0)).toThrow(/qty/);
  });

  it('makeHedgeId makes short, valid, distinct ids and leg ids fit Aster’s 36 chars', () => {
    const id = makeHedgeId(1_790_000_000_000, 12345);
    expect(id).toMatch(/^h[a-z0-9]{12}$/);
    expect(makeHedgeId(1_790_000_000_000, 12346)).not.toBe(id);
    expect(legId(id, 'backpack', 'complete', 99).length).toBeLessThanOrEqual(36);
    expect(legId('x'.repeat(15), 'backpack', 'complete', 999).length).toBeLessThanOrEqual(36);
    expect(() =>
      newHedge({ id, pair: 'BTC', direction: 'buy_backpack_sell_aster', qty: 1, expectedEdge: 1 }, 0),
    ).not.toThrow();
  });
});

describe('reduceHedge: happy path', () => {
  it('opening -> open -> closing -> closed with realized PnL from fills', () => {
    const init = start();
    const opened = run(init, [fill(A_OPEN, 100_010), fill(B_OPEN, 100_150, 0.02, 0.8)]);
    expect(opened.state.phase).toBe('open');
    expect(opened.state.openedAt).toBe(2001);
    expect(opened.state.exposure).toEqual({ aster: 0.02, backpack: -0.02 });
    expect(opened.state.netExposure).toBe(0);
    expect(opened.actions.flat()).toEqual([]);

    const closing = reduceHedge(opened.state, { type: 'close_requested', reason: 'spread_converged' }, 3000);
    expect(closing.state.phase).toBe('closing');
    expect(closing.state.closeReason).toBe('spread_converged');
    expect(placed(closing.actions)).toEqual([
      expect.objectContaining({ legId: 'h1-aster-close1', side: 'sell', qty: 0.02, reduceOnly: true }),
      expect.objectContaining({ legId: 'h1-backpack-close1', side: 'buy', qty: 0.02, reduceOnly: true }),
    ]);

    const closed = run(
      closing,
      [fill('h1-aster-close1', 100_050), fill('h1-backpack-close1', 100_120, 0.02, 0.8)],
      4000,
    );
    expect(closed.state.phase).toBe('closed');
    expect(closed.state.closedAt).toBe(4001);
    expect(isFlat(closed.state)).toBe(true);
    const expected = 0.02 * (100_150 - 100_010) + 0.02 * (100_050 - 100_120) - 3;
    expect(closed.state.realizedPnl).toBeCloseTo(expected, 9);
    expect(closed.state.fees).toBeCloseTo(3, 12);
    expect(closed.state.volume).toBeCloseTo(0.02 * (100_010 + 100_150 + 100_050 + 100_120), 6);
  });

  it('closing is ignored unless the hedge is open; a close while opening is applied once it opens', () => {
    const init = start();
    const early = reduceHedge(init.state, { type: 'close_requested', reason: 'kill' }, 1100);
    expect(early.state.phase).toBe('opening');
    expect(early.state.pendingClose).toBe('kill');
    expect(early.actions).toEqual([]);
    const r = run({ state: early.state, actions: [] }, [fill(A_OPEN, 100_000), fill(B_OPEN, 100_100)]);
    expect(r.state.phase).toBe('closing');
    expect(r.state.closeReason).toBe('kill');
    expect(placed(r.actions[1]!).map((o) => o.role)).toEqual(['close', 'close']);

    const again = reduceHedge(r.state, { type: 'close_requested', reason: 'manual' }, 9000);
    expect(again.state).toBe(r.state);
    expect(again.actions).toEqual([]);
  });
});

describe('reduceHedge: one-sided and failures', () => {
  it('both open legs rejected -> failed, flat, nothing to do', () => {
    const r = run(start(), [reject(A_OPEN), reject(B_OPEN)]);
    expect(r.state.phase).toBe('failed');
    expect(r.state.closedAt).toBe(2001);
    expect(r.actions.flat()).toEqual([]);
    expect(r.state.realizedPnl).toBe(0);
  });

  it('one filled, the other rejected -> cleanup unwinds the filled leg reduce-only', () => {
    const r = run(start(), [fill(A_OPEN, 100_010), reject(B_OPEN)]);
    expect(r.actions[0]).toEqual([]); // waits for the other leg
    expect(r.state.phase).toBe('cleanup');
    const orders = placed(r.actions[1]!);
    expect(orders).toEqual([
      expect.objectContaining({
        legId: 'h1-aster-unwind1',
        venue: 'aster',
        side: 'sell',
        qty: 0.02,
        reduceOnly: true,
      }),
    ]);
    expect(r.actions[1]!.some((a) => a.kind === 'alert' && a.code === 'one_sided')).toBe(true);
    const done = reduceHedge(r.state, fill('h1-aster-unwind1', 100_000, 0.02, 0.7), 5000);
    expect(done.state.phase).toBe('failed');
    expect(done.state.openedAt).toBeNull();
    expect(done.state.realizedPnl).toBeCloseTo(0.02 * (100_000 - 100_010) - 1.4, 9);
  });

  it('reject first, then fill: the same cleanup', () => {
    const r = run(start(), [reject(A_OPEN), fill(B_OPEN, 100_150)]);
    expect(r.state.phase).toBe('cleanup');
    expect(placed(r.actions[1]!)).toEqual([
      expect.objectContaining({
        venue: 'backpack',
        side: 'buy',
        qty: 0.02,
        reduceOnly: true,
        role: 'unwind',
      }),
    ]);
  });

  it("policy 'complete' re-places the missing leg once, then unwinds if it fails again", () => {
    const r = run(start('complete'), [fill(A_OPEN, 100_010), reject(B_OPEN)]);
    expect(r.state.phase).toBe('opening');
    expect(placed(r.actions[1]!)).toEqual([
      expect.objectContaining({ legId: 'h1-backpack-complete1', side: 'sell', qty: 0.02, reduceOnly: false }),
    ]);
    const ok = reduceHedge(r.state, fill('h1-backpack-complete1', 100_140), 3000);
    expect(ok.state.phase).toBe('open');
    expect(ok.state.exposure).toEqual({ aster: 0.02, backpack: -0.02 });

    const bad = reduceHedge(r.state, reject('h1-backpack-complete1'), 3000);
    expect(bad.state.phase).toBe('cleanup');
    expect(placed(bad.actions)).toEqual([
      expect.objectContaining({ legId: 'h1-aster-unwind1', reduceOnly: true }),
    ]);
  });

  it('the event can choose the policy', () => {
    const r = run(start(), [fill(A_OPEN, 100_010), { ...reject(B_OPEN), policy: 'complete' } as HedgeEvent]);
    expect(r.state.cleanupPolicy).toBe('complete');
    expect(placed(r.actions[1]!)[0]?.role).toBe('complete');
    const viaFill = run(start(), [reject(B_OPEN), { ...fill(A_OPEN, 1), policy: 'complete' } as HedgeEvent]);
    expect(placed(viaFill.actions[1]!)[0]?.role).toBe('complete');
  });

  it('a partial open fill with policy complete completes the remainder', () => {
    const r = run(start('complete'), [fill(A_OPEN, 100_010, 0.015), fill(B_OPEN, 100_150)]);
    expect(placed(r.actions[1]!)).toEqual([
      expect.objectContaining({ venue: 'aster', side: 'buy', qty: 0.005, role: 'complete' }),
    ]);
  });

  it('a partial open fill with policy unwind flattens both venues', () => {
    const r = run(start(), [fill(A_OPEN, 100_010, 0.015), fill(B_OPEN, 100_150)]);
    expect(r.state.phase).toBe('cleanup');
    expect(placed(r.actions[1]!)).toEqual([
      expect.objectContaining({ venue: 'aster', side: 'sell', qty: 0.015, reduceOnly: true }),
      expect.objectContaining({ venue: 'backpack', side: 'buy', qty: 0.02, reduceOnly: true }),
    ]);
  });

  it('unknown legs yield a resolve action and no exposure change; the phase waits for the real outcome', () => {
    const a = run(start(), [fill(A_OPEN, 100_010), unknown(B_OPEN)]);
    expect(a.state.phase).toBe('opening');
    expect(a.state.exposure).toEqual({ aster: 0.02, backpack: 0 });
    expect(a.actions[1]).toEqual([
      { kind: 'resolve_leg', hedgeId: ID, legId: B_OPEN, venue: 'backpack', clientOrderId: B_OPEN },
    ]);
    // still unknown after a failed lookup: resolve again
    const again = reduceHedge(a.state, unknown(B_OPEN), 2500);
    expect(again.actions.map((x) => x.kind)).toEqual(['resolve_leg']);
    // resolved as filled: open
    expect(reduceHedge(a.state, fill(B_OPEN, 100_150), 3000).state.phase).toBe('open');
    // resolved as not found: cleanup
    expect(reduceHedge(a.state, reject(B_OPEN), 3000).state.phase).toBe('cleanup');
  });

  it('a failed close leg is retried reduce-only with a new id, escalating after 3 failures', () => {
    const opened = run(start(), [fill(A_OPEN, 100_010), fill(B_OPEN, 100_150)]).state;
    let r = reduceHedge(opened, { type: 'close_requested', reason: 'force_close_time' }, 3000);
    r = reduceHedge(r.state, fill('h1-aster-close1', 100_050), 3001);
    expect(r.state.phase).toBe('closing');
    expect(r.actions).toEqual([]);
    for (let i = 1; i <= 4; i++) {
      r = reduceHedge(r.state, reject(`h1-backpack-close${i}`), 3001 + i);
      expect(placed(r.actions)).toEqual([
        expect.objectContaining({
          legId: `h1-backpack-close${i + 1}`,
          side: 'buy',
          qty: 0.02,
          reduceOnly: true,
        }),
      ]);
      expect(r.actions.some((a) => a.kind === 'alert' && a.code === 'flatten_retrying')).toBe(i >= 3);
    }
    r = reduceHedge(r.state, fill('h1-backpack-close5', 100_120), 4000);
    expect(r.state.phase).toBe('closed');
  });

  describe('backoff of reduce-only retries', () => {
    function closingWithBackpackLeft(): HedgeState {
      const opened = run(start(), [fill(A_OPEN, 100_010), fill(B_OPEN, 100_150)]).state;
      const r = reduceHedge(opened, { type: 'close_requested', reason: 'manual' }, 3000);
      return reduceHedge(r.state, fill('h1-aster-close1', 100_050), 3001).state;
    }
    const notBeforeOf = (r: HedgeResult) => placed(r.actions).map((o) => o.notBefore);

    it('the first retry goes at once, then 200 ms doubling, capped at 5 s', () => {
      let s = closingWithBackpackLeft();
      const seen: (number | undefined)[] = [];
      for (let i = 1; i <= 9; i++) {
        const now = 10_000 * i;
        const r = reduceHedge(s, reject(`h1-backpack-close${i}`), now);
        const [at] = notBeforeOf(r);
        seen.push(at === undefined ? undefined : at - now);
        s = r.state;
      }
      expect(seen).toEqual([undefined, 200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
      // the pending retry carries its time in the state, and a redrive (restart) re-emits it
      expect(s.legs.at(-1)?.notBefore).toBe(90_000 + 5000);
      expect(notBeforeOf(reduceHedge(s, { type: 'redrive' }, 91_000))).toEqual([95_000]);
    });

    it("a venue's retry-after is honoured (capped at a minute), even on the first failure", () => {
      const s = closingWithBackpackLeft();
      const limited = (ms: number): HedgeEvent => ({
        type: 'leg_rejected',
        legId: 'h1-backpack-close1',
        code: 'LOCAL_RATE_BUDGET',
        reason: 'weight',
        retryAfterMs: ms,
      });
      expect(notBeforeOf(reduceHedge(s, limited(30_000), 5000))).toEqual([35_000]);
      expect(notBeforeOf(reduceHedge(s, limited(3_600_000), 5000))).toEqual([65_000]);
      expect(
        reduceHedge(s, limited(30_000), 5000).state.legs.find((l) => l.id === 'h1-backpack-close1'),
      ).toMatchObject({ status: 'rejected', retryAfterMs: 30_000 });
    });

    it('a fill resets the backoff: after a partial fill the remainder goes at once', () => {
      let s = closingWithBackpackLeft();
      s = reduceHedge(s, reject('h1-backpack-close1'), 4000).state;
      s = reduceHedge(s, reject('h1-backpack-close2'), 5000).state;
      expect(s.legs.at(-1)?.notBefore).toBe(5200);
      const r = reduceHedge(s, fill('h1-backpack-close3', 100_120, 0.01), 6000);
      expect(notBeforeOf(r)).toEqual([undefined]);
      expect(placed(r.actions)).toEqual([
        expect.objectContaining({ legId: 'h1-backpack-close4', qty: 0.01 }),
      ]);
    });

    it("maps an outcome's retry-after into the reject event", () => {
      expect(
        eventFromOutcome('x', {
          kind: 'rejected',
          venue: 'aster',
          clientOrderId: 'x',
          code: 'LOCAL_RATE_BUDGET',
          reason: 'weight',
          retryAfterMs: 1234,
        }),
      ).toEqual({
        type: 'leg_rejected',
        legId: 'x',
        code: 'LOCAL_RATE_BUDGET',
        reason: 'weight',
        retryAfterMs: 1234,
      });
    });
  });

  it('a partial close fill leaves a remainder leg', () => {
    const opened = run(start(), [fill(A_OPEN, 100_010), fill(B_OPEN, 100_150)]).state;
    let r = reduceHedge(opened, { type: 'close_requested', reason: 'spread_converged' }, 3000);
    r = reduceHedge(r.state, fill('h1-aster-close1', 100_050, 0.013), 3001);
    expect(placed(r.actions)).toEqual([expect.objectContaining({ legId: 'h1-aster-close2', qty: 0.007 })]);
  });

  it('outcomes are idempotent: duplicates and late rejects change nothing, a late fill wins', () => {
    const a = reduceHedge(start().state, fill(A_OPEN, 100_010), 2000);
    const dup = reduceHedge(a.state, fill(A_OPEN, 100_010), 2001);
    expect(dup.state).toBe(a.state);
    expect(reduceHedge(a.state, reject(A_OPEN), 2002).state).toBe(a.state);
    expect(reduceHedge(a.state, unknown(A_OPEN), 2002).state).toBe(a.state);
    const rej = reduceHedge(a.state, reject(B_OPEN), 2003);
    expect(reduceHedge(rej.state, reject(B_OPEN), 2004).state).toBe(rej.state);
    // the rejected leg later turns out filled (venue truth): cleanup keeps going from the new exposure
    const late = reduceHedge(rej.state, fill(B_OPEN, 100_150), 2005);
    expect(late.state.exposure).toEqual({ aster: 0.02, backpack: -0.02 });
    expect(late.state.phase).toBe('cleanup');
    expect(outstandingLegs(late.state).map((l) => l.id)).toEqual(['h1-aster-unwind1', 'h1-backpack-unwind1']);
    expect(placed(late.actions)).toEqual([
      expect.objectContaining({ venue: 'backpack', side: 'buy', role: 'unwind' }),
    ]);
    const done = run({ state: late.state, actions: [] }, [
      fill('h1-aster-unwind1', 100_000),
      fill('h1-backpack-unwind1', 1),
    ]);
    expect(done.state.phase).toBe('failed');
  });

  it('a late fill after the hedge ended reopens it into cleanup', () => {
    const failed = run(start(), [reject(A_OPEN), reject(B_OPEN)]).state;
    const r = reduceHedge(failed, fill(A_OPEN, 100_010), 9000);
    expect(r.state.phase).toBe('cleanup');
    expect(r.state.closedAt).toBeNull();
    expect(r.actions.some((a) => a.kind === 'alert' && a.code === 'late_fill')).toBe(true);
    expect(placed(r.actions)).toEqual([
      expect.objectContaining({ venue: 'aster', side: 'sell', reduceOnly: true }),
    ]);
  });

  it('a complete leg found filled after the hedge opened unbalances it: flatten', () => {
    const r1 = run(start('complete'), [fill(A_OPEN, 1), reject(B_OPEN), unknown('h1-backpack-complete1')]);
    // resolved as rejected -> unwind; then the original open leg turns out filled
    const r2 = run({ state: r1.state, actions: [] }, [fill('h1-backpack-complete1', 2)]);
    expect(r2.state.phase).toBe('open');
    const r3 = reduceHedge(r2.state, fill(B_OPEN, 2), 10);
    expect(r3.state.phase).toBe('cleanup');
    expect(r3.actions.some((a) => a.kind === 'alert' && a.code === 'open_imbalanced')).toBe(true);
  });

  it('bad events: unknown legs and invalid fills yield an alert and no change', () => {
    const s = start().state;
    for (const e of [fill('nope', 1), reject('nope'), unknown('nope')]) {
      const r = reduceHedge(s, e, 1);
      expect(r.state).toBe(s);
      expect(r.actions).toEqual([expect.objectContaining({ kind: 'alert', code: 'unknown_leg' })]);
    }
    for (const e of [
      fill(A_OPEN, 0),
      fill(A_OPEN, 1, -1),
      fill(A_OPEN, 1, Number.NaN),
      fill(A_OPEN, 1, 1, Number.NaN),
    ]) {
      const r = reduceHedge(s, e, 1);
      expect(r.state).toBe(s);
      expect(r.actions).toEqual([expect.objectContaining({ kind: 'alert', code: 'invalid_fill' })]);
    }
  });

  it('redrive re-emits the actions of every leg still in flight', () => {
    const s = run(start(), [unknown(A_OPEN)]).state;
    const r = reduceHedge(s, { type: 'redrive' }, 5000);
    expect(r.actions).toEqual([
      expect.objectContaining({ kind: 'resolve_leg', legId: A_OPEN }),
      { kind: 'place_leg', order: expect.objectContaining({ legId: B_OPEN }) },
    ]);
  });

  it('written_off ends the hedge and freezes it', () => {
    const s = run(start(), [fill(A_OPEN, 1), unknown(B_OPEN)]).state;
    const r = reduceHedge(s, { type: 'written_off', reason: 'operator flattened by hand' }, 7000);
    expect(r.state.phase).toBe('failed');
    expect(r.state.writtenOff).toBe('operator flattened by hand');
    expect(r.actions).toEqual([
      expect.objectContaining({ kind: 'alert', code: 'written_off', severity: 'critical' }),
    ]);
    expect(reduceHedge(r.state, fill(B_OPEN, 1), 7001).state).toBe(r.state);
    expect(reduceHedge(r.state, { type: 'written_off', reason: 'again' }, 7002).actions).toEqual([]);
  });

  it('eventFromOutcome maps all three outcomes', () => {
    expect(
      eventFromOutcome('L', {
        kind: 'filled',
        venue: 'aster',
        clientOrderId: 'L',
        venueOrderId: '1',
        side: 'buy',
        qty: 0.02,
        avgPrice: 100,
        fee: 0.1,
        feeAsset: 'USDT',
        executedAt: 5,
      }),
    ).toEqual({ type: 'leg_filled', legId: 'L', qty: 0.02, avgPrice: 100, fee: 0.1, executedAt: 5 });
    expect(
      eventFromOutcome('L', { kind: 'rejected', venue: 'aster', clientOrderId: 'L', code: 'c', reason: 'r' }),
    ).toEqual({ type: 'leg_rejected', legId: 'L', code: 'c', reason: 'r' });
    expect(
      eventFromOutcome('L', { kind: 'unknown', venue: 'aster', clientOrderId: 'L', reason: 'r' }),
    ).toEqual({
      type: 'leg_unknown',
      legId: 'L',
      reason: 'r',
    });
  });
});

/**
 * Random event sequences, driven against the legs the reducer actually has, checking after every step:
 * - exposure and PnL are exactly what the fills say;
 * - a hedge whose exposure is not what its phase wants (one-sided, imbalanced, or not flat while
 *   closing) always has a leg in flight, and every in-flight leg was emitted as an action;
 * - an ended hedge is flat (unless written off);
 * - the state survives a JSON round trip.
 */
export function checkInvariants(state: HedgeState, emitted: Set<string>): void {
  const fills = state.legs.flatMap((l) => (l.fill ? [{ side: l.side, ...l.fill, venue: l.venue }] : []));
  expect(state.realizedPnl).toBeCloseTo(realizedHedgePnl(fills), 6);
  for (const v of VENUES) {
    const sats = fills
      .filter((f) => f.venue === v)
      .reduce((s, f) => s + Math.round(f.qty * 1e8) * (f.side === 'buy' ? 1 : -1), 0);
    expect(Math.round(state.exposure[v] * 1e8)).toBe(sats);
  }
  expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  const outstanding = outstandingLegs(state);
  for (const leg of outstanding) expect(emitted.has(leg.id)).toBe(true);
  if (state.writtenOff !== null) return;
  if (isTerminal(state.phase)) {
    expect(isFlat(state)).toBe(true);
    expect(outstanding).toEqual([]);
    return;
  }
  const hedged = VENUES.every((v) => state.exposure[v] === hedgedTarget(state, v));
  const wanted =
    state.phase === 'open' ? hedged : state.phase === 'opening' ? hedged || isFlat(state) : isFlat(state);
  if (!wanted) expect(outstanding.length).toBeGreaterThan(0);
  if (state.phase === 'open') expect(outstanding).toEqual([]);
}

type Step =
  | { kind: 'outcome'; pick: number; outcome: 'fill' | 'partial' | 'reject' | 'unknown' | 'dup' }
  | { kind: 'close' };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('outcome' as const),
      pick: fc.nat(),
      outcome: fc.constantFrom(
        'fill' as const,
        'partial' as const,
        'reject' as const,
        'unknown' as const,
        'dup' as const,
      ),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'close' as const }) },
);

export function driveHedge(policy: CleanupPolicy, steps: Step[]): HedgeState {
  const init = newHedge(
    {
      id: 'hp',
      pair: 'BTC',
      direction: 'buy_backpack_sell_aster',
      qty: 0.02,
      expectedEdge: 1,
      cleanupPolicy: policy,
    },
    0,
  );
  const emitted = new Set<string>();
  const note = (actions: HedgeAction[]) => {
    for (const a of actions) {
      if (a.kind === 'place_leg') {
        expect(emitted.has(a.order.legId)).toBe(false); // a leg is placed at most once
        emitted.add(a.order.legId);
      }
    }
  };
  note(init.actions);
  let state = init.state;
  checkInvariants(state, emitted);
  let t = 1;
  for (const step of steps) {
    let event: HedgeEvent;
    if (step.kind === 'close') {
      event = { type: 'close_requested', reason: 'manual' };
    } else {
      const legs =
        step.outcome === 'dup'
          ? state.legs
          : state.legs.filter((l) => l.status === 'pending' || l.status === 'unknown');
      const leg = legs[step.pick % Math.max(1, legs.length)];
      if (!leg) continue;
      const partial = Math.max(0.001, Math.floor(leg.qty * 500) / 1000);
      switch (step.outcome) {
        case 'fill':
        case 'dup':
          event = {
            type: 'leg_filled',
            legId: leg.id,
            qty: leg.qty,
            avgPrice: 100_000 + (step.pick % 200),
            fee: 0.5,
            executedAt: t,
          };
          break;
        case 'partial':
          event = {
            type: 'leg_filled',
            legId: leg.id,
            qty: partial,
            avgPrice: 100_000,
            fee: 0.25,
            executedAt: t,
          };
          break;
        case 'reject':
          event = {
            type: 'leg_rejected',
            legId: leg.id,
            code: 'x',
            reason: 'y',
            ...(step.pick % 3 === 0 ? { retryAfterMs: 1 + step.pick * 97 } : {}),
          };
          break;
        case 'unknown':
          event = { type: 'leg_unknown', legId: leg.id, reason: 'timeout' };
          break;
      }
    }
    const now = t++;
    const r = reduceHedge(state, event, now);
    note(r.actions);
    for (const a of r.actions) {
      if (a.kind === 'resolve_leg')
        expect(r.state.legs.find((l) => l.id === a.legId)?.status).toBe('unknown');
      // a retry is delayed, never by more than the longest honoured retry-after
      if (a.kind === 'place_leg' && a.order.notBefore !== undefined) {
        expect(a.order.notBefore).toBeGreaterThan(now);
        expect(a.order.notBefore - now).toBeLessThanOrEqual(MAX_RETRY_AFTER_MS);
        expect(a.order.reduceOnly).toBe(true);
      }
    }
    state = r.state;
    checkInvariants(state, emitted);
  }
  return state;
}

describe('reduceHedge: properties', () => {
  it('no event sequence leaves a one-sided hedge without a leg in flight; PnL = fills - fees; ended = flat', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<CleanupPolicy>('unwind', 'complete'),
        fc.array(stepArb, { maxLength: 40 }),
        (policy, steps) => {
          driveHedge(policy, steps);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('driving every in-flight leg to a fill always ends flat', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<CleanupPolicy>('unwind', 'complete'),
        fc.array(stepArb, { maxLength: 30 }),
        (policy, steps) => {
          let state = driveHedge(policy, steps);
          for (let i = 0; i < 20 && !isTerminal(state.phase); i++) {
            if (state.phase === 'open')
              state = reduceHedge(state, { type: 'close_requested', reason: 'manual' }, 1e6 + i).state;
            for (const leg of outstandingLegs(state)) {
              const e: HedgeEvent = {
                type: 'leg_filled',
                legId: leg.id,
                qty: leg.qty,
                avgPrice: 100_000,
                fee: 0.1,
                executedAt: 1e6,
              };
              state = reduceHedge(state, e, 1e6 + i).state;
            }
          }
          expect(isTerminal(state.phase)).toBe(true);
          expect(isFlat(state)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
