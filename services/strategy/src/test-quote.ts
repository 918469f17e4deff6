import type { Quote } from '@arb/core/quote';
import { type PairId, type VenueId, venueSymbol } from '@arb/core/venue';

/** A quote for tests: a 1 USD wide book (ask = bid + 1), 1 BTC each side, stamped `at` by venue and receiver. */
export function testQuote(venue: VenueId, bid: number, seq: number, at: number, pair: PairId = 'BTC'): Quote {
  return {
    v: 1,
    venue,
    symbol: venueSymbol(venue, pair),
    bid,
    bidQty: 1,
    ask: bid + 1,
    askQty: 1,
    venueTime: at,
    receivedAt: at,
    seq,
  };
}
