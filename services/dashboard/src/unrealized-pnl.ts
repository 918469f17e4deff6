import type { Side } from '@arb/core/order';
import type { Quote } from '@arb/core/quote';
import { VENUES, type VenueId } from '@arb/core/venue';

export interface PnlFillLike {
  venue: VenueId;
  side: Side;
  qty: number;
  price: number;
  /** Quote currency, positive = paid. */
  fee: number;
}

/**
 * Mark-to-market PnL (USD) of a hedge's fills so far: the cash flow of the fills (sells minus buys minus
 * paid fees) plus what closing the remaining position of each venue at its current book would bring
 * (a long sells at the bid, a short buys at the ask). Closing fees are not included. Null without fills,
 * or when a venue with a position has no quote.
 */
export function unrealizedPnl(
  fills: readonly PnlFillLike[],
  quotes: Record<VenueId, Pick<Quote, 'bid' | 'ask'> | null>,
): number | null {
  if (fills.length === 0) return null;
  let cash = 0;
  const position: Record<VenueId, number> = { aster: 0, backpack: 0 };
  for (const f of fills) {
    const notional = f.qty * f.price;
    cash += f.side === 'sell' ? notional : -notional;
    cash -= f.fee;
    position[f.venue] += f.side === 'buy' ? f.qty : -f.qty;
  }
  for (const v of VENUES) {
    const p = position[v];
    if (Math.abs(p) < 1e-12) continue;
    const q = quotes[v];
    if (!q) return null;
    cash += p > 0 ? p * q.bid : p * q.ask;
  }
  return cash;
}
