import type { HedgeDirection } from './direction';
import { expectedHedgePnl } from './economics';
import { type HedgePhase, type HedgeState, isTerminal } from './hedge';
import type { StrategyParams } from './params';
import type { Quote } from './quote';
import { bestOpenSpread, type QuotePair, unwindSpread } from './spread';
import { VENUES, type VenueId } from './venue';

/** Why `decide` did nothing. Always explicit: it feeds the status line and metrics. */
export const HOLD_REASONS = [
  'killed',
  'paused',
  'not_reconciled',
  'no_quote',
  'bad_quote',
  'venue_unhealthy',
  'stale_quote',
  'quote_skew',
  'hedge_in_progress',
  'max_open_hedges',
  'min_trade_interval',
  'insufficient_depth',
  'spread_below_open',
  'spread_above_close',
  'invalid_params',
] as const;
export type HoldReason = (typeof HOLD_REASONS)[number];

export type DecisionCloseReason = 'spread_converged' | 'force_close_time';

export type Decision =
  | {
      kind: 'open';
      direction: HedgeDirection;
      /** Base quantity per leg. */
      qty: number;
      /** Executable open spread for `qty`, USD per unit of base. */
      expectedEdge: number;
      /** Expected USD PnL if closed at the close threshold, net of four taker fees. */
      expectedPnl: number;
      /** VWAP and worst level of each leg for `qty` (limit prices for IOC orders). */
      buyPrice: number;
      sellPrice: number;
      buyWorst: number;
      sellWorst: number;
      quoteSeq: { aster: number; backpack: number };
    }
  | { kind: 'close'; hedgeId: string; reason: DecisionCloseReason; unwindSpread: number | null }
  | { kind: 'hold'; reason: HoldReason; detail?: string };

/** What the strategy knows of risk's state (risk owns it; strategy reads it). */
export interface RiskView {
  paused: boolean;
  killed: boolean;
  /** Positions were reconciled with both venues (at start and periodically) and match. */
  reconciled: boolean;
  venuesHealthy: Record<VenueId, boolean>;
  activeHedge: {
    id: string;
    direction: HedgeDirection;
    qty: number;
    phase: HedgePhase;
    openedAt: number | null;
  } | null;
  /** When the last open or close was decided (epoch ms). */
  lastActionAt: number | null;
}

/** The `activeHedge` of a RiskView from a hedge state; null when there is none or it has ended. */
export function activeHedgeView(hedge: HedgeState | null): RiskView['activeHedge'] {
  if (!hedge || isTerminal(hedge.phase)) return null;
  return {
    id: hedge.id,
    direction: hedge.direction,
    qty: hedge.qty,
    phase: hedge.phase,
    openedAt: hedge.openedAt,
  };
}

const hold = (reason: HoldReason, detail?: string): Decision =>
  detail === undefined ? { kind: 'hold', reason } : { kind: 'hold', reason, detail };

/**
 * Why `quote` must not be acted on at `now`, or null. Age is checked both by local receive time and by
 * the venue's own time; a time in the future by more than the limit is as suspect as an old one.
 */
export function quoteAgeProblem(quote: Quote, now: number, maxAgeMs: number): string | null {
  const byReceive = now - quote.receivedAt;
  const byVenue = now - quote.venueTime;
  if (Math.abs(byReceive) > maxAgeMs) return `${quote.venue} received ${byReceive} ms ago`;
  if (Math.abs(byVenue) > maxAgeMs) return `${quote.venue} venue time ${byVenue} ms ago`;
  return null;
}

/**
 * The strategy's decision, pure: one open, one close, or an explicit hold. Checks, in order:
 * kill/pause/reconciliation, both quotes present, well-formed and healthy venues, fresh (receive and
 * venue time) and not skewed, no hedge mid-flight, minimum interval since the last action; then the
 * close rules for an open hedge (age >= forceCloseMs, or unwind spread < closeThreshold) or the open
 * rule (best executable spread >= openThreshold, no hedge live, maxOpenHedges >= 1).
 */
export function decide(
  params: StrategyParams,
  state: RiskView,
  quotes: { aster: Quote | null; backpack: Quote | null },
  now: number,
): Decision {
  if (!(params.tradeQty > 0) || !Number.isFinite(params.tradeQty)) {
    return hold('invalid_params', `tradeQty ${params.tradeQty}`);
  }
  if (state.killed) return hold('killed');
  if (state.paused) return hold('paused');
  if (!state.reconciled) return hold('not_reconciled');

  const missing = VENUES.filter((v) => quotes[v] === null);
  if (missing.length > 0) return hold('no_quote', missing.join(','));
  const pair: QuotePair = { aster: quotes.aster!, backpack: quotes.backpack! };
  for (const v of VENUES) {
    const q = pair[v];
    if (q.venue !== v) return hold('bad_quote', `${v} slot holds a ${q.venue} quote`);
    if (!(q.bid < q.ask)) return hold('bad_quote', `${v} book crossed: ${q.bid} >= ${q.ask}`);
  }
  const unhealthy = VENUES.filter((v) => !state.venuesHealthy[v]);
  if (unhealthy.length > 0) return hold('venue_unhealthy', unhealthy.join(','));
  for (const v of VENUES) {
    const problem = quoteAgeProblem(pair[v], now, params.maxQuoteAgeMs);
    if (problem !== null) return hold('stale_quote', problem);
  }
  const skew = Math.abs(pair.aster.venueTime - pair.backpack.venueTime);
  if (skew > params.maxQuoteSkewMs) return hold('quote_skew', `${skew} ms apart`);

  const hedge = state.activeHedge && !isTerminal(state.activeHedge.phase) ? state.activeHedge : null;
  if (hedge && hedge.phase !== 'open') return hold('hedge_in_progress', `${hedge.id} ${hedge.phase}`);
  if (!hedge && params.maxOpenHedges < 1)
    return hold('max_open_hedges', `maxOpenHedges ${params.maxOpenHedges}`);
  if (state.lastActionAt !== null && now - state.lastActionAt < params.minTradeIntervalMs) {
    return hold('min_trade_interval', `${now - state.lastActionAt} ms since last action`);
  }

  if (hedge) {
    if (!(hedge.qty > 0)) return hold('invalid_params', `hedge ${hedge.id} qty ${hedge.qty}`);
    const unwind = unwindSpread(pair, hedge.direction, hedge.qty);
    const openedAt = hedge.openedAt;
    if (openedAt !== null && now - openedAt >= params.forceCloseMs) {
      return {
        kind: 'close',
        hedgeId: hedge.id,
        reason: 'force_close_time',
        unwindSpread: unwind.kind === 'ok' ? unwind.spread : null,
      };
    }
    if (unwind.kind !== 'ok') {
      return hold(
        'insufficient_depth',
        `unwind ${unwind.venue} ${unwind.side}: ${unwind.available} of ${unwind.qty}`,
      );
    }
    if (unwind.spread < params.closeThreshold) {
      return { kind: 'close', hedgeId: hedge.id, reason: 'spread_converged', unwindSpread: unwind.spread };
    }
    return hold('spread_above_close', `unwind ${round2(unwind.spread)} >= ${params.closeThreshold}`);
  }

  const best = bestOpenSpread(pair, params.tradeQty);
  if (best.kind !== 'ok') {
    return hold('insufficient_depth', `open ${best.venue} ${best.side}: ${best.available} of ${best.qty}`);
  }
  if (!(best.spread >= params.openThreshold)) {
    return hold('spread_below_open', `${best.direction} ${round2(best.spread)} < ${params.openThreshold}`);
  }
  const price = (best.buyPrice + best.sellPrice) / 2;
  return {
    kind: 'open',
    direction: best.direction,
    qty: params.tradeQty,
    expectedEdge: best.spread,
    expectedPnl: expectedHedgePnl({
      qty: params.tradeQty,
      openSpread: best.spread,
      closeSpread: params.closeThreshold,
      price,
      fees: params.fees,
    }),
    buyPrice: best.buyPrice,
    sellPrice: best.sellPrice,
    buyWorst: best.buyWorst,
    sellWorst: best.sellWorst,
    quoteSeq: { aster: pair.aster.seq, backpack: pair.backpack.seq },
  };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
