/** The venues this product trades, and how a pair is named on each. */
export const VENUES = ['aster', 'backpack'] as const;
export type VenueId = (typeof VENUES)[number];

/** A pair is the product's own name for one instrument traded on both venues (e.g. "BTC"). */
export type PairId = string;

/** Venue symbol for a pair's perpetual. New pairs are configuration: add the base asset here. */
export function venueSymbol(venue: VenueId, pair: PairId): string {
  switch (venue) {
    case 'aster':
      return `${pair}USDT`;
    case 'backpack':
      return `${pair}_USDC_PERP`;
    default:
      return assertNever(venue);
  }
}

export function otherVenue(venue: VenueId): VenueId {
  return venue === 'aster' ? 'backpack' : 'aster';
}

export function assertNever(x: never): never {
  throw new Error(`unreachable: ${String(x)}`);
}
