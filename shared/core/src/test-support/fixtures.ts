import type { StrategyParams } from '../params';
import { DEFAULT_STRATEGY_PARAMS } from '../params';
import type { Level, Quote } from '../quote';
import type { VenueId } from '../venue';

/** A valid quote around `mid` with a given half spread, timestamped `at`; override anything. */
export function quote(venue: VenueId, over: Partial<Quote> & { at?: number } = {}): Quote {
  const at = over.at ?? 1_000_000;
  const { at: _at, ...rest } = over;
  return {
    v: 1,
    venue,
    symbol: venue === 'aster' ? 'BTCUSDT' : 'BTC_USDC_PERP',
    bid: 100_000,
    bidQty: 1,
    ask: 100_001,
    askQty: 1,
    venueTime: at,
    receivedAt: at,
    seq: 1,
    ...rest,
  };
}

export function levels(...pairs: [number, number][]): Level[] {
  return pairs;
}

export function params(over: Partial<StrategyParams> = {}): StrategyParams {
  return { ...DEFAULT_STRATEGY_PARAMS, ...over };
}

/** mulberry32: a tiny seeded PRNG for reproducible simulations. Returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
