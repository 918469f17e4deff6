import type { HedgeDirection } from './direction';
import { breakEvenSpread } from './economics';
import type { FeeSchedule } from './params';
import type { Quote } from './quote';
import { openSpreads, type QuotePair, type SpreadResult } from './spread';
import { VENUES, type VenueId } from './venue';

/**
 * What the status line (every few seconds), the dashboard and the spread metrics show: both books,
 * the executable open spread of both directions for the trade size, and the fee break-even.
 */
export interface SpreadStatus {
  books: Record<VenueId, { bid: number; ask: number; mid: number; ageMs: number } | null>;
  /** Executable open spread per direction for `qty`, USD per unit; null without both quotes or depth. */
  open: Record<HedgeDirection, number | null>;
  best: { direction: HedgeDirection; spread: number } | null;
  /** Round-trip fee break-even at the mean mid, USD per unit; null without quotes. */
  breakEven: number | null;
}

export function spreadStatus(
  quotes: { aster: Quote | null; backpack: Quote | null },
  qty: number,
  fees: FeeSchedule,
  now: number,
): SpreadStatus {
  const book = (q: Quote | null) =>
    q ? { bid: q.bid, ask: q.ask, mid: (q.bid + q.ask) / 2, ageMs: now - q.receivedAt } : null;
  const books = { aster: book(quotes.aster), backpack: book(quotes.backpack) };
  const value = (r: SpreadResult) => (r.kind === 'ok' ? r.spread : null);
  let open: SpreadStatus['open'] = { buy_aster_sell_backpack: null, buy_backpack_sell_aster: null };
  let best: SpreadStatus['best'] = null;
  let breakEven: number | null = null;
  if (quotes.aster && quotes.backpack) {
    const pair: QuotePair = { aster: quotes.aster, backpack: quotes.backpack };
    const all = openSpreads(pair, qty);
    open = {
      buy_aster_sell_backpack: value(all.buy_aster_sell_backpack),
      buy_backpack_sell_aster: value(all.buy_backpack_sell_aster),
    };
    for (const [direction, spread] of Object.entries(open) as [HedgeDirection, number | null][]) {
      if (spread !== null && (best === null || spread > best.spread)) best = { direction, spread };
    }
    breakEven = breakEvenSpread((books.aster!.mid + books.backpack!.mid) / 2, fees);
  }
  return { books, open, best, breakEven };
}

const VENUE_LABEL: Record<VenueId, string> = { aster: 'Aster', backpack: 'Backpack' };
const DIRECTION_LABEL: Record<HedgeDirection, string> = {
  buy_aster_sell_backpack: 'buy Aster/sell Backpack',
  buy_backpack_sell_aster: 'buy Backpack/sell Aster',
};

/**
 * One human line, e.g.
 * `Aster 100000.0/100010.0 (100005.0) | Backpack 100150.0/100160.0 (100155.0) | buy Aster/sell Backpack 140.00 USD (break-even 170.12)`
 */
export function formatSpreadStatus(status: SpreadStatus): string {
  const parts = VENUES.map((v) => {
    const b = status.books[v];
    return b
      ? `${VENUE_LABEL[v]} ${b.bid.toFixed(1)}/${b.ask.toFixed(1)} (${b.mid.toFixed(1)})`
      : `${VENUE_LABEL[v]} -`;
  });
  const best = status.best
    ? `${DIRECTION_LABEL[status.best.direction]} ${status.best.spread.toFixed(2)} USD`
    : 'spread n/a';
  const breakEven = status.breakEven === null ? '' : ` (break-even ${status.breakEven.toFixed(2)})`;
  return `${parts.join(' | ')} | ${best}${breakEven}`;
}
