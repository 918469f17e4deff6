import { buyVenue, type HedgeDirection, HEDGE_DIRECTIONS, sellVenue } from './direction';
import type { Level, Quote } from './quote';
import type { VenueId } from './venue';

/** Both venues' latest quotes, keyed by venue. */
export type QuotePair = Record<VenueId, Quote>;

/** Which side of a book an order takes: a buy takes the asks, a sell takes the bids. */
export type BookSide = 'bids' | 'asks';

/** Average execution price of a taker order of `qty`, or why the book cannot fill it. */
export type FillEstimate =
  | { kind: 'ok'; vwap: number; worstPrice: number; levels: number }
  | { kind: 'insufficient_depth'; available: number };

/** Executable spread of one direction for a given size, or why there is none. */
export type SpreadResult =
  | {
      kind: 'ok';
      direction: HedgeDirection;
      qty: number;
      /** USD per unit of base: what one unit earns (open) or costs (unwind) at these books. */
      spread: number;
      /** VWAP of the buy order and of the sell order for `qty`. */
      buyPrice: number;
      sellPrice: number;
      /** Worst level touched on each side: the limit price an IOC order needs to fill `qty`. */
      buyWorst: number;
      sellWorst: number;
    }
  | {
      kind: 'insufficient_depth';
      direction: HedgeDirection;
      qty: number;
      venue: VenueId;
      side: BookSide;
      available: number;
    };

/**
 * Levels of one side of a quote, best first. The depth levels when the feed carries them (and they
 * are not empty), else the top of book as a single level.
 */
export function bookLevels(quote: Quote, side: BookSide): readonly Level[] {
  const depth = side === 'bids' ? quote.bids : quote.asks;
  if (depth && depth.length > 0) return depth;
  return side === 'bids' ? [[quote.bid, quote.bidQty]] : [[quote.ask, quote.askQty]];
}

/** Walks `levels` (best first) for `qty` and returns the volume-weighted average price. */
export function vwapFor(levels: readonly Level[], qty: number): FillEstimate {
  if (!(qty > 0)) throw new RangeError(`qty must be positive: ${qty}`);
  let remaining = qty;
  let notional = 0;
  let used = 0;
  let worst = Number.NaN;
  for (const [price, size] of levels) {
    if (size <= 0) continue;
    const take = Math.min(size, remaining);
    notional += take * price;
    remaining -= take;
    used += 1;
    worst = price;
    // Tolerate float dust from the subtraction; a relative 1e-9 of the size is far below any step.
    if (remaining <= qty * 1e-9) return { kind: 'ok', vwap: notional / qty, worstPrice: worst, levels: used };
  }
  return { kind: 'insufficient_depth', available: qty - remaining };
}

function fill(quote: Quote, side: BookSide, qty: number): FillEstimate {
  return vwapFor(bookLevels(quote, side), qty);
}

/**
 * Executable spread to OPEN `direction` with `qty` per leg: the sell venue's bid VWAP minus the buy
 * venue's ask VWAP. Positive = the hedge locks in that many USD per unit of base (before fees).
 */
export function openSpread(quotes: QuotePair, direction: HedgeDirection, qty: number): SpreadResult {
  const buy = buyVenue(direction);
  const sell = sellVenue(direction);
  const buyFill = fill(quotes[buy], 'asks', qty);
  if (buyFill.kind !== 'ok') {
    return {
      kind: 'insufficient_depth',
      direction,
      qty,
      venue: buy,
      side: 'asks',
      available: buyFill.available,
    };
  }
  const sellFill = fill(quotes[sell], 'bids', qty);
  if (sellFill.kind !== 'ok') {
    return {
      kind: 'insufficient_depth',
      direction,
      qty,
      venue: sell,
      side: 'bids',
      available: sellFill.available,
    };
  }
  return {
    kind: 'ok',
    direction,
    qty,
    spread: sellFill.vwap - buyFill.vwap,
    buyPrice: buyFill.vwap,
    sellPrice: sellFill.vwap,
    buyWorst: buyFill.worstPrice,
    sellWorst: sellFill.worstPrice,
  };
}

/** Open spreads of both directions for `qty`. */
export function openSpreads(quotes: QuotePair, qty: number): Record<HedgeDirection, SpreadResult> {
  return {
    buy_aster_sell_backpack: openSpread(quotes, 'buy_aster_sell_backpack', qty),
    buy_backpack_sell_aster: openSpread(quotes, 'buy_backpack_sell_aster', qty),
  };
}

/** The better of the two directions' open spreads (an 'ok' one beats insufficient depth). */
export function bestOpenSpread(quotes: QuotePair, qty: number): SpreadResult {
  const all = HEDGE_DIRECTIONS.map((d) => openSpread(quotes, d, qty));
  let best = all[0]!;
  for (const r of all.slice(1)) {
    if (r.kind === 'ok' && (best.kind !== 'ok' || r.spread > best.spread)) best = r;
  }
  return best;
}

/**
 * Executable spread to UNWIND an open hedge of `direction` and `qty`: closing sells on the buy venue
 * (at its bids) and buys back on the sell venue (at its asks), so the unwind spread is the sell venue's
 * ask VWAP minus the buy venue's bid VWAP. The round trip earns open spread minus unwind spread per
 * unit (before fees); the hedge closes when the unwind spread falls below the close threshold.
 * In the result, `buyPrice` is the buy-back on the sell venue and `sellPrice` the sale on the buy venue.
 */
export function unwindSpread(quotes: QuotePair, direction: HedgeDirection, qty: number): SpreadResult {
  const openBuy = buyVenue(direction);
  const openSell = sellVenue(direction);
  const sellFill = fill(quotes[openBuy], 'bids', qty);
  if (sellFill.kind !== 'ok') {
    return {
      kind: 'insufficient_depth',
      direction,
      qty,
      venue: openBuy,
      side: 'bids',
      available: sellFill.available,
    };
  }
  const buyFill = fill(quotes[openSell], 'asks', qty);
  if (buyFill.kind !== 'ok') {
    return {
      kind: 'insufficient_depth',
      direction,
      qty,
      venue: openSell,
      side: 'asks',
      available: buyFill.available,
    };
  }
  return {
    kind: 'ok',
    direction,
    qty,
    spread: buyFill.vwap - sellFill.vwap,
    buyPrice: buyFill.vwap,
    sellPrice: sellFill.vwap,
    buyWorst: buyFill.worstPrice,
    sellWorst: sellFill.worstPrice,
  };
}
