import type { SimVenue } from '../engine/types';

export type DislocationDirection = 'buy_aster_sell_backpack' | 'buy_backpack_sell_aster';

/** One dislocation on the absolute sim clock. */
export interface Dislocation {
  startAt: number;
  direction: DislocationDirection;
  /** Peak executable spread (sell-venue bid minus buy-venue ask), USD. */
  sizeUsd: number;
  /** How long the peak holds (ms), after the ramp. */
  durationMs: number;
  /** Ramp up (ms). */
  rampMs: number;
  /** Mean reversion back to the normal basis after the hold (ms). */
  revertMs: number;
}

/** 0 outside the dislocation, 1 during the hold; a linear ramp up and a cosine ease back down. */
export function dislocationWeight(d: Dislocation, t: number): number {
  const x = t - d.startAt;
  if (x < 0) return 0;
  if (x < d.rampMs) return x / d.rampMs;
  const h = x - d.rampMs;
  if (h <= d.durationMs) return 1;
  const r = h - d.durationMs;
  if (r >= d.revertMs) return 0;
  return 0.5 * (1 + Math.cos((Math.PI * r) / d.revertMs));
}

export function dislocationEnd(d: Dislocation): number {
  return d.startAt + d.rampMs + d.durationMs + d.revertMs;
}

/** The venue that is cheap (bought) and the one that is dear (sold) in a direction. */
export function legsOf(direction: DislocationDirection): { buy: SimVenue; sell: SimVenue } {
  return direction === 'buy_aster_sell_backpack'
    ? { buy: 'aster', sell: 'backpack' }
    : { buy: 'backpack', sell: 'aster' };
}

/**
 * Mid offsets (USD) the active dislocations add per venue at time t. `halfSpreads` lets the peak be
 * calibrated on EXECUTABLE prices: the mid gap is sizeUsd plus both venues' half spreads.
 */
export function dislocationOffsets(
  list: readonly Dislocation[],
  t: number,
  halfSpreads: Record<SimVenue, number>,
): Record<SimVenue, number> {
  const out: Record<SimVenue, number> = { aster: 0, backpack: 0 };
  for (const d of list) {
    const w = dislocationWeight(d, t);
    if (w === 0) continue;
    const { buy, sell } = legsOf(d.direction);
    const gap = w * (d.sizeUsd + halfSpreads.aster + halfSpreads.backpack);
    out[sell] += gap / 2;
    out[buy] -= gap / 2;
  }
  return out;
}
