import type { SimBook, SimMarketRules, SimTicker24h } from '../engine/types';
import { ASTER_ORDER_TYPES, ASTER_SYMBOL_FACTS } from './constants';
import { decimalsOf, formatFixedOrZero } from '../engine/decimal';

/** Wire decimals of one symbol, derived from the engine's tick and step. */
export interface AsterDecimals {
  price: number;
  qty: number;
}

export function asterDecimals(rules: SimMarketRules): AsterDecimals {
  return { price: decimalsOf(rules.tickSize), qty: decimalsOf(rules.stepSize) };
}

export function marketMaxQty(rules: SimMarketRules): number {
  return rules.marketMaxQty;
}

/** One `symbols[]` row of `/fapi/v1/exchangeInfo` [DOC §Exchange Information]. */
export function asterSymbolRow(rules: SimMarketRules, marginAsset: string): Record<string, unknown> {
  const d = asterDecimals(rules);
  const f = ASTER_SYMBOL_FACTS;
  return {
    symbol: rules.symbol,
    pair: rules.symbol,
    contractType: 'PERPETUAL',
    deliveryDate: f.deliveryDate,
    onboardDate: f.onboardDate,
    status: 'TRADING',
    maintMarginPercent: f.maintMarginPercent,
    requiredMarginPercent: f.requiredMarginPercent,
    baseAsset: f.baseAsset,
    quoteAsset: f.quoteAsset,
    marginAsset,
    pricePrecision: d.price,
    quantityPrecision: d.qty,
    baseAssetPrecision: 8,
    quotePrecision: 8,
    underlyingType: 'COIN',
    underlyingSubType: [],
    settlePlan: 0,
    triggerProtect: f.triggerProtect,
    liquidationFee: f.liquidationFee,
    marketTakeBound: f.marketTakeBound,
    filters: [
      {
        filterType: 'PRICE_FILTER',
        minPrice: f.minPrice,
        maxPrice: f.maxPrice,
        tickSize: formatFixedOrZero(rules.tickSize, d.price),
      },
      {
        filterType: 'LOT_SIZE',
        minQty: formatFixedOrZero(rules.minQty, d.qty),
        maxQty: formatFixedOrZero(rules.maxQty, d.qty),
        stepSize: formatFixedOrZero(rules.stepSize, d.qty),
      },
      {
        filterType: 'MARKET_LOT_SIZE',
        minQty: formatFixedOrZero(rules.minQty, d.qty),
        maxQty: formatFixedOrZero(marketMaxQty(rules), d.qty),
        stepSize: formatFixedOrZero(rules.stepSize, d.qty),
      },
      { filterType: 'MAX_NUM_ORDERS', limit: f.maxNumOrders },
      { filterType: 'MAX_NUM_ALGO_ORDERS', limit: f.maxNumAlgoOrders },
      { filterType: 'MIN_NOTIONAL', notional: String(rules.minNotional) },
      {
        filterType: 'PERCENT_PRICE',
        multiplierUp: f.multiplierUp,
        multiplierDown: f.multiplierDown,
        multiplierDecimal: f.multiplierDecimal,
      },
    ],
    OrderType: [...ASTER_ORDER_TYPES],
    orderTypes: [...ASTER_ORDER_TYPES],
    timeInForce: ['GTC', 'IOC', 'FOK', 'GTX', 'RPI'],
  };
}

export function asterExchangeInfo(
  rules: SimMarketRules,
  marginAsset: string,
  serverTime: number,
  limits: { weightPerMinute: number; ordersPerMinute: number },
): Record<string, unknown> {
  return {
    timezone: 'UTC',
    serverTime,
    rateLimits: [
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: limits.weightPerMinute },
      { rateLimitType: 'ORDERS', interval: 'MINUTE', intervalNum: 1, limit: limits.ordersPerMinute },
    ],
    exchangeFilters: [],
    assets: [
      { asset: marginAsset, marginAvailable: true, autoAssetExchange: '0' },
      { asset: ASTER_SYMBOL_FACTS.baseAsset, marginAvailable: false, autoAssetExchange: null },
    ],
    symbols: [asterSymbolRow(rules, marginAsset)],
  };
}

/** The spot host's exchangeInfo (`/api/v1|v3/exchangeInfo`): the simulator lists no spot symbols. */
export function asterSpotExchangeInfo(serverTime: number, weightLimit: number): Record<string, unknown> {
  return {
    timezone: 'UTC',
    serverTime,
    rateLimits: [{ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: weightLimit }],
    exchangeFilters: [],
    assets: [{ asset: 'USDT' }, { asset: 'BTC' }],
    symbols: [],
  };
}

export function levels(book: SimBook['bids'], d: AsterDecimals): [string, string][] {
  return book.map((l) => [formatFixedOrZero(l.price, d.price), formatFixedOrZero(l.qty, d.qty)]);
}

/** `/fapi/v1/depth` [DOC §Order Book]: bids and asks best first. */
export function asterDepth(book: SimBook, d: AsterDecimals, now: number): Record<string, unknown> {
  return {
    lastUpdateId: book.updateId,
    E: now,
    T: book.time,
    bids: levels(book.bids, d),
    asks: levels(book.asks, d),
  };
}

export function asterBookTicker(symbol: string, book: SimBook, d: AsterDecimals): Record<string, unknown> {
  const bid = book.bids[0];
  const ask = book.asks[0];
  return {
    symbol,
    bidPrice: formatFixedOrZero(bid?.price ?? 0, d.price),
    bidQty: formatFixedOrZero(bid?.qty ?? 0, d.qty),
    askPrice: formatFixedOrZero(ask?.price ?? 0, d.price),
    askQty: formatFixedOrZero(ask?.qty ?? 0, d.qty),
    time: book.time,
  };
}

export function asterTicker24h(
  symbol: string,
  t: SimTicker24h,
  book: SimBook,
  d: AsterDecimals,
): Record<string, unknown> {
  const change = t.last - t.open;
  return {
    symbol,
    priceChange: formatFixedOrZero(change, d.price),
    priceChangePercent: formatFixedOrZero(t.open > 0 ? (change / t.open) * 100 : 0, 3),
    weightedAvgPrice: formatFixedOrZero(t.volume > 0 ? t.quoteVolume / t.volume : t.last, d.price),
    prevClosePrice: formatFixedOrZero(t.open, d.price),
    lastPrice: formatFixedOrZero(t.last, d.price),
    lastQty: formatFixedOrZero(0, d.qty),
    openPrice: formatFixedOrZero(t.open, d.price),
    highPrice: formatFixedOrZero(t.high, d.price),
    lowPrice: formatFixedOrZero(t.low, d.price),
    volume: formatFixedOrZero(t.volume, d.qty),
    quoteVolume: formatFixedOrZero(t.quoteVolume, 2),
    openTime: t.openTime,
    closeTime: t.closeTime,
    firstId: 0,
    lastId: Math.max(0, t.trades - 1),
    count: t.trades,
    bidPrice: formatFixedOrZero(book.bids[0]?.price ?? 0, d.price),
    askPrice: formatFixedOrZero(book.asks[0]?.price ?? 0, d.price),
  };
}

export function asterPremiumIndex(symbol: string, mark: number, now: number): Record<string, unknown> {
  const eightHours = 8 * 3600_000;
  return {
    symbol,
    markPrice: formatFixedOrZero(mark, 8),
    indexPrice: formatFixedOrZero(mark, 8),
    estimatedSettlePrice: formatFixedOrZero(mark, 8),
    lastFundingRate: '0.00010000',
    interestRate: '0.00010000',
    nextFundingTime: Math.ceil((now + 1) / eightHours) * eightHours,
    time: now,
  };
}
