import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  activeHedgeView,
  type Decision,
  decide,
  HOLD_REASONS,
  quoteAgeProblem,
  type RiskView,
} from './decide';
import { newHedge, reduceHedge } from './hedge';
import type { Quote } from './quote';
import { params, quote } from './test-support/fixtures';

const NOW = 2_000_000;
const P = params({
  maxQuoteAgeMs: 500,
  maxQuoteSkewMs: 300,
  minTradeIntervalMs: 100,
  forceCloseMs: 1_800_000,
});

function risk(over: Partial<RiskView> = {}): RiskView {
  return {
    paused: false,
    killed: false,
    reconciled: true,
    venuesHealthy: { aster: true, backpack: true },
    activeHedge: null,
    lastActionAt: null,
    ...over,
  };
}

/** Aster cheap, Backpack dear: open spread (buy A, sell B) = 100_150 - 100_010 = 140 >= 120. */
function wideQuotes(at = NOW): { aster: Quote; backpack: Quote } {
  return {
    aster: quote('aster', { bid: 100_000, ask: 100_010, at, seq: 7 }),
    backpack: quote('backpack', { bid: 100_150, ask: 100_160, at, seq: 9 }),
  };
}

/** Books close together: unwind spread (buy A / sell B) = 100_020 - 100_000 = 20 < 80. */
function convergedQuotes(at = NOW): { aster: Quote; backpack: Quote } {
  return {
    aster: quote('aster', { bid: 100_000, ask: 100_010, at }),
    backpack: quote('backpack', { bid: 100_010, ask: 100_020, at }),
  };
}

const openHedge = (over: Partial<NonNullable<RiskView['activeHedge']>> = {}): RiskView['activeHedge'] => ({
  id: 'h1',
  direction: 'buy_aster_sell_backpack',
  qty: 0.02,
  phase: 'open',
  openedAt: NOW - 60_000,
  ...over,
});

function holdReason(d: Decision): string {
  return d.kind === 'hold' ? d.reason : d.kind;
}

describe('decide: opening', () => {
  it('opens the better direction when the executable spread reaches the threshold', () => {
    const d = decide(P, risk(), wideQuotes(), NOW);
    expect(d).toMatchObject({
      kind: 'open',
      direction: 'buy_aster_sell_backpack',
      qty: 0.02,
      expectedEdge: 140,
      buyPrice: 100_010,
      sellPrice: 100_150,
      quoteSeq: { aster: 7, backpack: 9 },
    });
    if (d.kind !== 'open') return;
    const fee = ((100_010 + 100_150) / 2) * (2 * P.fees.aster.taker + 2 * P.fees.backpack.taker);
    expect(d.expectedPnl).toBeCloseTo(0.02 * (140 - P.closeThreshold) - 0.02 * fee, 6);
  });

  it('opens the other direction when Backpack is cheap', () => {
    const q = {
      aster: quote('aster', { bid: 100_200, ask: 100_210, at: NOW }),
      backpack: quote('backpack', { bid: 100_050, ask: 100_060, at: NOW }),
    };
    expect(decide(P, risk(), q, NOW)).toMatchObject({
      kind: 'open',
      direction: 'buy_backpack_sell_aster',
      expectedEdge: 140,
    });
  });

  it('opens exactly at the threshold and holds just below it', () => {
    const at = (bid: number) => ({
      aster: quote('aster', { bid: 100_000, ask: 100_010, at: NOW }),
      backpack: quote('backpack', { bid, ask: bid + 10, at: NOW }),
    });
    expect(decide(P, risk(), at(100_130), NOW).kind).toBe('open');
    const below = decide(P, risk(), at(100_129), NOW);
    expect(below).toMatchObject({ kind: 'hold', reason: 'spread_below_open' });
  });

  it('uses executable prices, not mids: wide books hold', () => {
    const q = {
      aster: quote('aster', { bid: 99_900, ask: 100_100, at: NOW }),
      backpack: quote('backpack', { bid: 100_150, ask: 100_350, at: NOW }),
    };
    // mid-to-mid would be 250; executable is 50.
    expect(holdReason(decide(P, risk(), q, NOW))).toBe('spread_below_open');
  });

  it('holds on insufficient depth for the trade size', () => {
    const q = wideQuotes();
    const thin = { aster: { ...q.aster, askQty: 0.001, bidQty: 0.001 }, backpack: q.backpack };
    expect(decide(P, risk(), thin, NOW)).toMatchObject({ kind: 'hold', reason: 'insufficient_depth' });
  });

  it('holds when maxOpenHedges is 0', () => {
    expect(holdReason(decide({ ...P, maxOpenHedges: 0 }, risk(), wideQuotes(), NOW))).toBe('max_open_hedges');
  });

  it('never adds to an open hedge', () => {
    const d = decide(
      P,
      risk({ activeHedge: openHedge({ direction: 'buy_aster_sell_backpack' }) }),
      wideQuotes(),
      NOW,
    );
    expect(d.kind).not.toBe('open');
  });

  it('a hedge mid-flight means hold', () => {
    for (const phase of ['opening', 'closing', 'cleanup'] as const) {
      const d = decide(P, risk({ activeHedge: openHedge({ phase }) }), wideQuotes(), NOW);
      expect(d).toMatchObject({ kind: 'hold', reason: 'hedge_in_progress' });
    }
  });

  it('an ended hedge does not block a new one', () => {
    for (const phase of ['closed', 'failed'] as const) {
      expect(decide(P, risk({ activeHedge: openHedge({ phase }) }), wideQuotes(), NOW).kind).toBe('open');
    }
  });
});

describe('decide: closing', () => {
  it('closes when the unwind spread falls below the close threshold', () => {
    const d = decide(P, risk({ activeHedge: openHedge() }), convergedQuotes(), NOW);
    expect(d).toEqual({ kind: 'close', hedgeId: 'h1', reason: 'spread_converged', unwindSpread: 20 });
  });

  it('holds while the unwind spread is at or above the close threshold', () => {
    const q = {
      aster: quote('aster', { bid: 100_000, ask: 100_010, at: NOW }),
      backpack: quote('backpack', { bid: 100_070, ask: 100_080, at: NOW }),
    };
    expect(decide(P, risk({ activeHedge: openHedge() }), q, NOW)).toMatchObject({
      kind: 'hold',
      reason: 'spread_above_close',
    });
  });

  it('uses the unwind direction of the hedge (buy Backpack / sell Aster closes at A.ask - B.bid)', () => {
    const q = {
      aster: quote('aster', { bid: 100_000, ask: 100_010, at: NOW }),
      backpack: quote('backpack', { bid: 99_990, ask: 100_000, at: NOW }),
    };
    const d = decide(P, risk({ activeHedge: openHedge({ direction: 'buy_backpack_sell_aster' }) }), q, NOW);
    expect(d).toMatchObject({ kind: 'close', reason: 'spread_converged', unwindSpread: 20 });
  });

  it('force-closes a hedge older than forceCloseMs even when the spread is still wide', () => {
    const hedge = openHedge({ openedAt: NOW - P.forceCloseMs });
    expect(decide(P, risk({ activeHedge: hedge }), wideQuotes(), NOW)).toMatchObject({
      kind: 'close',
      reason: 'force_close_time',
    });
    const younger = openHedge({ openedAt: NOW - P.forceCloseMs + 1 });
    expect(decide(P, risk({ activeHedge: younger }), wideQuotes(), NOW).kind).toBe('hold');
  });

  it('force-closes even without depth to price the unwind', () => {
    const q = wideQuotes();
    const thin = { aster: { ...q.aster, bidQty: 0 }, backpack: q.backpack };
    const d = decide(P, risk({ activeHedge: openHedge({ openedAt: 0 }) }), thin, NOW);
    expect(d).toMatchObject({ kind: 'close', reason: 'force_close_time', unwindSpread: null });
  });

  it('holds on insufficient depth to unwind', () => {
    const q = convergedQuotes();
    const thin = { aster: { ...q.aster, bidQty: 0.001 }, backpack: q.backpack };
    expect(holdReason(decide(P, risk({ activeHedge: openHedge() }), thin, NOW))).toBe('insufficient_depth');
  });
});

describe('decide: guards', () => {
  it('kill, pause and reconciliation come first', () => {
    expect(holdReason(decide(P, risk({ killed: true, paused: true }), wideQuotes(), NOW))).toBe('killed');
    expect(holdReason(decide(P, risk({ paused: true }), wideQuotes(), NOW))).toBe('paused');
    expect(holdReason(decide(P, risk({ reconciled: false }), wideQuotes(), NOW))).toBe('not_reconciled');
    const withHedge = risk({ paused: true, activeHedge: openHedge() });
    expect(holdReason(decide(P, withHedge, convergedQuotes(), NOW))).toBe('paused');
  });

  it('needs both quotes', () => {
    const q = wideQuotes();
    expect(decide(P, risk(), { aster: null, backpack: q.backpack }, NOW)).toMatchObject({
      reason: 'no_quote',
      detail: 'aster',
    });
    expect(decide(P, risk(), { aster: null, backpack: null }, NOW)).toMatchObject({
      detail: 'aster,backpack',
    });
  });

  it('rejects a quote in the wrong slot or a crossed book', () => {
    const q = wideQuotes();
    expect(holdReason(decide(P, risk(), { aster: q.backpack, backpack: q.backpack }, NOW))).toBe('bad_quote');
    const crossed = { ...q.aster, bid: 100_020, ask: 100_010 };
    expect(holdReason(decide(P, risk(), { aster: crossed, backpack: q.backpack }, NOW))).toBe('bad_quote');
  });

  it('holds when a venue is unhealthy', () => {
    const d = decide(P, risk({ venuesHealthy: { aster: true, backpack: false } }), wideQuotes(), NOW);
    expect(d).toEqual({ kind: 'hold', reason: 'venue_unhealthy', detail: 'backpack' });
  });

  it('stale by receive time, by venue time, or from the future', () => {
    const q = wideQuotes();
    const oldReceive = { ...q.aster, receivedAt: NOW - 501 };
    expect(holdReason(decide(P, risk(), { ...q, aster: oldReceive }, NOW))).toBe('stale_quote');
    const oldVenue = { ...q.backpack, venueTime: NOW - 501 };
    expect(holdReason(decide(P, risk(), { ...q, backpack: oldVenue }, NOW))).toBe('stale_quote');
    const future = { ...q.aster, venueTime: NOW + 501 };
    expect(holdReason(decide(P, risk(), { ...q, aster: future }, NOW))).toBe('stale_quote');
    const edge = {
      aster: { ...q.aster, receivedAt: NOW - 500, venueTime: NOW - 500 },
      backpack: { ...q.backpack, venueTime: NOW - 400 },
    };
    expect(decide(P, risk(), edge, NOW).kind).toBe('open');
    expect(quoteAgeProblem(q.aster, NOW, 500)).toBeNull();
  });

  it('stale quotes block a close too, even a forced one', () => {
    const q = convergedQuotes(NOW - 1000);
    expect(holdReason(decide(P, risk({ activeHedge: openHedge({ openedAt: 0 }) }), q, NOW))).toBe(
      'stale_quote',
    );
  });

  it('holds when the venue times are too far apart', () => {
    const q = wideQuotes();
    const skewed = { aster: { ...q.aster, venueTime: NOW - 301 }, backpack: q.backpack };
    expect(decide(P, risk(), skewed, NOW)).toMatchObject({
      kind: 'hold',
      reason: 'quote_skew',
      detail: '301 ms apart',
    });
  });

  it('waits minTradeIntervalMs between actions', () => {
    expect(holdReason(decide(P, risk({ lastActionAt: NOW - 99 }), wideQuotes(), NOW))).toBe(
      'min_trade_interval',
    );
    expect(decide(P, risk({ lastActionAt: NOW - 100 }), wideQuotes(), NOW).kind).toBe('open');
    const closing = risk({ lastActionAt: NOW - 50, activeHedge: openHedge() });
    expect(holdReason(decide(P, closing, convergedQuotes(), NOW))).toBe('min_trade_interval');
  });

  it('holds instead of throwing on a non-positive size', () => {
    expect(holdReason(decide({ ...P, tradeQty: 0 }, risk(), wideQuotes(), NOW))).toBe('invalid_params');
    expect(holdReason(decide({ ...P, tradeQty: Number.NaN }, risk(), wideQuotes(), NOW))).toBe(
      'invalid_params',
    );
    expect(holdReason(decide(P, risk({ activeHedge: openHedge({ qty: 0 }) }), wideQuotes(), NOW))).toBe(
      'invalid_params',
    );
  });

  it('every hold reason is a declared literal', () => {
    const seen = new Set<string>();
    const cases: Decision[] = [
      decide(P, risk({ killed: true }), wideQuotes(), NOW),
      decide(P, risk({ lastActionAt: NOW }), wideQuotes(), NOW),
      decide(P, risk({ activeHedge: openHedge() }), wideQuotes(), NOW),
    ];
    for (const d of cases) if (d.kind === 'hold') seen.add(d.reason);
    for (const r of seen) expect(HOLD_REASONS).toContain(r);
  });
});

describe('activeHedgeView', () => {
  it('maps a live hedge and drops an ended one', () => {
    const { state } = newHedge(
      { id: 'hx', pair: 'BTC', direction: 'buy_aster_sell_backpack', qty: 0.02, expectedEdge: 1 },
      5,
    );
    expect(activeHedgeView(state)).toEqual({
      id: 'hx',
      direction: 'buy_aster_sell_backpack',
      qty: 0.02,
      phase: 'opening',
      openedAt: null,
    });
    const failed = [
      { type: 'leg_rejected', legId: 'hx-aster-open1', code: 'c', reason: 'r' },
      { type: 'leg_rejected', legId: 'hx-backpack-open1', code: 'c', reason: 'r' },
    ] as const;
    const ended = failed.reduce((s, e) => reduceHedge(s, e, 6).state, state);
    expect(ended.phase).toBe('failed');
    expect(activeHedgeView(ended)).toBeNull();
    expect(activeHedgeView(null)).toBeNull();
  });
});

describe('decide: properties', () => {
  const riskArb = fc.record({
    paused: fc.boolean(),
    killed: fc.boolean(),
    reconciled: fc.boolean(),
    venuesHealthy: fc.record({ aster: fc.boolean(), backpack: fc.boolean() }),
    activeHedge: fc.option(
      fc.record({
        id: fc.constant('h1'),
        direction: fc.constantFrom('buy_aster_sell_backpack' as const, 'buy_backpack_sell_aster' as const),
        qty: fc.constant(0.02),
        phase: fc.constantFrom('opening' as const, 'open' as const, 'closing' as const, 'cleanup' as const),
        openedAt: fc.option(fc.integer({ min: 0, max: NOW }), { nil: null }),
      }),
      { nil: null },
    ),
    lastActionAt: fc.option(fc.integer({ min: 0, max: NOW }), { nil: null }),
  });
  const quoteArb = (venue: 'aster' | 'backpack') =>
    fc
      .record({
        bid: fc.integer({ min: 99_000, max: 101_000 }),
        width: fc.integer({ min: 1, max: 300 }),
        qty: fc.integer({ min: 0, max: 100 }).map((n) => n / 1000),
        recvAge: fc.integer({ min: -2000, max: 2000 }),
        venueAge: fc.integer({ min: -2000, max: 2000 }),
      })
      .map((r) =>
        quote(venue, {
          bid: r.bid,
          ask: r.bid + r.width,
          bidQty: r.qty,
          askQty: r.qty,
          receivedAt: NOW - r.recvAge,
          venueTime: NOW - r.venueAge,
        }),
      );

  it('stale or skewed quotes, unhealthy venues, pause, kill or no reconciliation never produce an open or close', () => {
    fc.assert(
      fc.property(riskArb, quoteArb('aster'), quoteArb('backpack'), (r, a, b) => {
        const d = decide(P, r, { aster: a, backpack: b }, NOW);
        if (d.kind === 'hold') return;
        expect(r.paused || r.killed || !r.reconciled).toBe(false);
        expect(r.venuesHealthy.aster && r.venuesHealthy.backpack).toBe(true);
        for (const q of [a, b]) {
          expect(Math.abs(NOW - q.receivedAt)).toBeLessThanOrEqual(P.maxQuoteAgeMs);
          expect(Math.abs(NOW - q.venueTime)).toBeLessThanOrEqual(P.maxQuoteAgeMs);
        }
        expect(Math.abs(a.venueTime - b.venueTime)).toBeLessThanOrEqual(P.maxQuoteSkewMs);
        if (r.lastActionAt !== null)
          expect(NOW - r.lastActionAt).toBeGreaterThanOrEqual(P.minTradeIntervalMs);
        if (d.kind === 'open') {
          expect(r.activeHedge).toBeNull();
          expect(d.expectedEdge).toBeGreaterThanOrEqual(P.openThreshold);
        } else {
          expect(r.activeHedge?.phase).toBe('open');
          expect(d.hedgeId).toBe(r.activeHedge?.id);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
