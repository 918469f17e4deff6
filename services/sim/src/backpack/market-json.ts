import type { SimBook, SimMarketRules, SimTicker24h } from '../engine/types';
import { BACKPACK_MARKET_FACTS } from './constants';
import { toMicros } from './wire-time';
import type { WirePrecision } from './wire-precision';

/** Public market-data answers, shaped as Backpack's OpenAPI schemas (Market, Depth, Ticker, MarkPrice). */

export function assetsJson(marginAsset: string): unknown[] {
  return [
    { symbol: BACKPACK_MARKET_FACTS.baseSymbol, displayName: 'Bitcoin', coingeckoId: 'bitcoin', tokens: [] },
    { symbol: marginAsset, displayName: 'USD Coin', coingeckoId: 'usd-coin', tokens: [] },
  ];
}

export function marketJson(rules: SimMarketRules, wp: WirePrecision): Record<string, unknown> {
  const f = BACKPACK_MARKET_FACTS;
  const maxQty = Number.isFinite(rules.maxQty) && rules.maxQty > 0 ? wp.qty(rules.maxQty) : null;
  return {
    symbol: rules.symbol,
    baseSymbol: f.baseSymbol,
    quoteSymbol: f.quoteSymbol,
    marketType: f.marketType,
    filters: {
      price: {
        minPrice: f.minPrice,
        maxPrice: f.maxPrice,
        tickSize: wp.tickSize,
        maxMultiplier: f.priceMaxMultiplier,
        minMultiplier: f.priceMinMultiplier,
        maxImpactMultiplier: '1.03',
        minImpactMultiplier: '0.97',
        meanMarkPriceBand: { maxMultiplier: '1.1', minMultiplier: '0.9' },
        meanPremiumBand: { tolerancePct: '0.05' },
        borrowEntryFeeMaxMultiplier: null,
        borrowEntryFeeMinMultiplier: null,
      },
      quantity: {
        minQuantity: wp.qty(rules.minQty),
        maxQuantity: maxQty,
        stepSize: wp.stepSize,
      },
    },
    imfFunction: { ...f.imfFunction },
    mmfFunction: { ...f.mmfFunction },
    fundingInterval: f.fundingIntervalMs,
    fundingRateUpperBound: f.fundingRateUpperBoundBps,
    fundingRateLowerBound: f.fundingRateLowerBoundBps,
    openInterestLimit: f.openInterestLimit,
    orderBookState: f.orderBookState,
    createdAt: f.createdAt,
    visible: true,
    positionLimitWeight: f.positionLimitWeight,
  };
}

/**
 * GET /api/v1/depth: the best `limit` levels of each side, BOTH sides ascending by price (so the best bid is
 * the LAST bid), lastUpdateId as a string, timestamp = engine time in microseconds.
 */
export function depthJson(book: SimBook, limit: number, wp: WirePrecision): Record<string, unknown> {
  const level = (l: { price: number; qty: number }): [string, string] => [
    wp.bookPrice(l.price),
    wp.bookQty(l.qty),
  ];
  const asks = book.asks.slice(0, limit).map(level);
  const bids = book.bids.slice(0, limit).reverse().map(level);
  return { asks, bids, lastUpdateId: String(book.updateId), timestamp: toMicros(book.time) };
}

export function tickerJson(symbol: string, t: SimTicker24h, wp: WirePrecision): Record<string, unknown> {
  const change = t.last - t.open;
  const pct = t.open > 0 ? change / t.open : 0;
  return {
    symbol,
    firstPrice: wp.price(t.open),
    lastPrice: wp.price(t.last),
    priceChange: wp.price(change),
    priceChangePercent: wp.amount(Math.round(pct * 1e6) / 1e6),
    high: wp.price(t.high),
    low: wp.price(t.low),
    volume: wp.qty(t.volume),
    quoteVolume: wp.quote(t.quoteVolume),
    trades: String(t.trades),
  };
}

/** Next funding time: the end of the current funding interval. */
export function nextFundingMs(nowMs: number): number {
  const interval = BACKPACK_MARKET_FACTS.fundingIntervalMs;
  return (Math.floor(nowMs / interval) + 1) * interval;
}

export function markPriceJson(
  symbol: string,
  mark: number,
  nowMs: number,
  wp: WirePrecision,
): Record<string, unknown> {
  return {
    fundingRate: BACKPACK_MARKET_FACTS.fundingRate,
    indexPrice: wp.price(mark),
    markPrice: wp.price(mark),
    nextFundingTimestamp: nextFundingMs(nowMs),
    symbol,
  };
}
