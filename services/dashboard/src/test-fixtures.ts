import type { Quote } from '@arb/core/quote';
import type { VenueId } from '@arb/core/venue';

/** A quote for tests: top of book with 1 BTC each side. */
export function testQuote(venue: VenueId, bid: number, ask: number, at: number, seq = 1): Quote {
  return {
    v: 1,
    venue,
    symbol: venue === 'aster' ? 'BTCUSDT' : 'BTC_USDC_PERP',
    bid,
    bidQty: 1,
    ask,
    askQty: 1,
    venueTime: at,
    receivedAt: at,
    seq,
  };
}
