import { qty as roundQty } from './decimal';
import type { SimLevel, SimSide } from './types';

export interface MatchLeg {
  price: number;
  qty: number;
}

/**
 * Walks one side of a book (best first) for a taker on `side`, up to `limit` (undefined = market),
 * taking at most `qty`. Pure: returns the legs, never mutates the levels.
 */
export function walkBook(
  levels: readonly SimLevel[],
  side: SimSide,
  qty: number,
  limit: number | undefined,
): MatchLeg[] {
  const legs: MatchLeg[] = [];
  let remaining = qty;
  for (const level of levels) {
    if (remaining <= 0) break;
    if (level.qty <= 0) continue;
    if (limit !== undefined && (side === 'buy' ? level.price > limit : level.price < limit)) break;
    const take = roundQty(Math.min(remaining, level.qty));
    if (take <= 0) continue;
    legs.push({ price: level.price, qty: take });
    remaining = roundQty(remaining - take);
  }
  return legs;
}

export function legsQty(legs: readonly MatchLeg[]): number {
  return roundQty(legs.reduce((s, l) => s + l.qty, 0));
}
