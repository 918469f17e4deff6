import type { Side } from './order';
import type { VenueId } from './venue';

/** Which venue a hedge buys on and which it sells on. */
export const HEDGE_DIRECTIONS = ['buy_aster_sell_backpack', 'buy_backpack_sell_aster'] as const;
export type HedgeDirection = (typeof HEDGE_DIRECTIONS)[number];

/** The venue where the hedge's open buys (the cheap venue). */
export function buyVenue(direction: HedgeDirection): VenueId {
  return direction === 'buy_aster_sell_backpack' ? 'aster' : 'backpack';
}

/** The venue where the hedge's open sells (the dear venue). */
export function sellVenue(direction: HedgeDirection): VenueId {
  return direction === 'buy_aster_sell_backpack' ? 'backpack' : 'aster';
}

/** The direction that buys on `venue`. */
export function directionBuying(venue: VenueId): HedgeDirection {
  return venue === 'aster' ? 'buy_aster_sell_backpack' : 'buy_backpack_sell_aster';
}

/** Side of the opening order on `venue` (closing orders take the opposite side). */
export function openSide(direction: HedgeDirection, venue: VenueId): Side {
  return buyVenue(direction) === venue ? 'buy' : 'sell';
}

export function oppositeSide(side: Side): Side {
  return side === 'buy' ? 'sell' : 'buy';
}

/** Signed base quantity: +qty for a buy, -qty for a sell. */
export function signedQty(side: Side, qty: number): number {
  return side === 'buy' ? qty : -qty;
}
