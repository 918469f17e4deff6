import type { SimMarketRules, SimVenue } from './types';

/**
 * Market rules of the simulated BTC perps, from /work/shared/venues/asterdex.md §9 and backpack.md §6/§8.
 * Fees are the venues' base-tier defaults and are configurable per scenario.
 */
export const ASTER_BTC_RULES: SimMarketRules = {
  symbol: 'BTCUSDT',
  tickSize: 0.1,
  stepSize: 0.001,
  minQty: 0.001,
  maxQty: 100,
  marketMaxQty: 10,
  minNotional: 5,
  takerFee: 0.00035,
  makerFee: 0.0001,
  maxLeverage: 125,
};

export const BACKPACK_BTC_RULES: SimMarketRules = {
  symbol: 'BTC_USDC_PERP',
  tickSize: 0.1,
  stepSize: 0.00001,
  minQty: 0.00001,
  maxQty: 1000,
  marketMaxQty: 1000,
  minNotional: 0,
  takerFee: 0.0005,
  makerFee: 0.0002,
  maxLeverage: 50,
};

export const MARGIN_ASSET: Record<SimVenue, string> = { aster: 'USDT', backpack: 'USDC' };

export function defaultRules(venue: SimVenue): SimMarketRules {
  return venue === 'aster' ? { ...ASTER_BTC_RULES } : { ...BACKPACK_BTC_RULES };
}
