import { buyVenue, type HedgeDirection, openSide, sellVenue } from '@arb/core/direction';
import type { Quote } from '@arb/core/quote';
import type { VenueId } from '@arb/core/venue';

/**
 * Limit prices (worst acceptable) for a hedge's legs, `bps` beyond the price the decision was made on:
 * above it for a buy, below it for a sell. Order workers round them to the venue tick, conservatively.
 */
export function openPriceGuards(
  d: { direction: HedgeDirection; buyWorst: number; sellWorst: number },
  bps: number,
): Record<VenueId, number> {
  const f = bps / 10_000;
  const buy = buyVenue(d.direction);
  const sell = sellVenue(d.direction);
  return { [buy]: d.buyWorst * (1 + f), [sell]: d.sellWorst * (1 - f) } as Record<VenueId, number>;
}

/** Close legs take the opposite of the open sides: buy back at the ask, sell at the bid, `bps` beyond. */
export function closePriceGuards(
  direction: HedgeDirection,
  quotes: Record<VenueId, Quote>,
  bps: number,
): Record<VenueId, number> {
  const f = bps / 10_000;
  const guard = (venue: VenueId) =>
    openSide(direction, venue) === 'buy' ? quotes[venue].bid * (1 - f) : quotes[venue].ask * (1 + f);
  return { aster: guard('aster'), backpack: guard('backpack') };
}
