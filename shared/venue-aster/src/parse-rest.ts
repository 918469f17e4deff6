import { assertNever } from '@arb/core/venue';
import type { MarketRules, OpenOrderSnapshot, PositionSnapshot } from '@arb/core/venue-client';
import { ASTER_MARGIN_ASSET } from './constants';
import type {
  AsterBalanceRow,
  AsterOrder,
  AsterOrderStatus,
  AsterPositionRisk,
  AsterSymbolInfo,
  AsterUserTrade,
} from './types';

/** Market rules with the venue's exact decimal strings kept for rounding. */
export interface AsterMarketRules extends MarketRules {
  tickSizeStr: string;
  stepSizeStr: string;
  minQtyStr: string;
  maxQtyStr: string;
  /** MARKET_LOT_SIZE max (market orders), as string. */
  marketMaxQtyStr: string;
  minNotionalStr: string;
}

function fnum(x: unknown, what: string): number {
  const n = typeof x === 'number' ? x : typeof x === 'string' && x !== '' ? Number(x) : Number.NaN;
  if (!Number.isFinite(n)) throw new Error(`aster: ${what} is not a number: ${JSON.stringify(x)}`);
  return n;
}

export function parseMarketRules(info: AsterSymbolInfo): AsterMarketRules {
  const f = (t: string) => info.filters.find((x) => x.filterType === t);
  const price = f('PRICE_FILTER');
  const lot = f('LOT_SIZE');
  const mlot = f('MARKET_LOT_SIZE');
  const notional = f('MIN_NOTIONAL');
  if (!price?.tickSize || !lot?.stepSize || !lot.minQty || !lot.maxQty) {
    throw new Error(`aster: exchangeInfo for ${info.symbol} lacks PRICE_FILTER/LOT_SIZE`);
  }
  const minNotionalStr = notional?.notional ?? '0';
  return {
    symbol: info.symbol,
    tickSize: fnum(price.tickSize, 'tickSize'),
    stepSize: fnum(lot.stepSize, 'stepSize'),
    minQty: fnum(lot.minQty, 'minQty'),
    minNotional: fnum(minNotionalStr, 'notional'),
    tickSizeStr: price.tickSize,
    stepSizeStr: lot.stepSize,
    minQtyStr: lot.minQty,
    maxQtyStr: lot.maxQty,
    marketMaxQtyStr: mlot?.maxQty ?? lot.maxQty,
    minNotionalStr,
  };
}

export type OrderState = { kind: 'open' } | { kind: 'done_filled' } | { kind: 'done_unfilled'; code: string };

/** Exhaustive map of the venue's order status, given the executed quantity. */
export function orderState(status: AsterOrderStatus, executedQty: number): OrderState {
  switch (status) {
    case 'NEW':
    case 'PARTIALLY_FILLED':
      return { kind: 'open' };
    case 'FILLED':
      return { kind: 'done_filled' };
    case 'CANCELED':
    case 'EXPIRED':
    case 'REJECTED':
      return executedQty > 0 ? { kind: 'done_filled' } : { kind: 'done_unfilled', code: status };
    default:
      return assertNever(status);
  }
}

export const ASTER_ORDER_STATUSES: readonly AsterOrderStatus[] = [
  'NEW',
  'PARTIALLY_FILLED',
  'FILLED',
  'CANCELED',
  'REJECTED',
  'EXPIRED',
];

export interface ParsedOrder {
  orderId: string;
  clientOrderId: string;
  status: AsterOrderStatus;
  side: 'buy' | 'sell';
  executedQty: number;
  avgPrice: number;
  /** Quote notional executed (cumQuote). */
  cumQuote: number;
  updateTime: number;
  state: OrderState;
}

export function parseOrder(o: AsterOrder): ParsedOrder {
  if (!ASTER_ORDER_STATUSES.includes(o.status)) throw new Error(`aster: unknown order status ${o.status}`);
  const executedQty = fnum(o.executedQty, 'executedQty');
  let avgPrice = fnum(o.avgPrice ?? '0', 'avgPrice');
  const cumQuote = o.cumQuote !== undefined ? fnum(o.cumQuote, 'cumQuote') : 0;
  if (avgPrice <= 0 && executedQty > 0 && cumQuote > 0) avgPrice = cumQuote / executedQty;
  return {
    orderId: String(o.orderId),
    clientOrderId: o.clientOrderId,
    status: o.status,
    side: o.side === 'BUY' ? 'buy' : 'sell',
    executedQty,
    avgPrice,
    cumQuote,
    updateTime: typeof o.updateTime === 'number' ? o.updateTime : (o.time ?? 0),
    state: orderState(o.status, executedQty),
  };
}

/** Commission (quote asset) of one order's fills; null when the venue lists none yet. */
export function sumCommission(
  trades: AsterUserTrade[],
  orderId: string,
): { fee: number; asset: string } | null {
  let fee = 0;
  let asset = ASTER_MARGIN_ASSET;
  let n = 0;
  for (const t of trades) {
    if (String(t.orderId) !== orderId) continue;
    fee += fnum(t.commission, 'commission');
    asset = t.commissionAsset || asset;
    n++;
  }
  return n ? { fee, asset } : null;
}

export function parsePosition(rows: AsterPositionRisk[], symbol: string): PositionSnapshot {
  const mine = rows.filter((r) => r.symbol === symbol);
  let qty = 0;
  let entry = 0;
  let upnl = 0;
  let leverage = 0;
  for (const r of mine) {
    const q = fnum(r.positionAmt, 'positionAmt');
    qty += q;
    if (q !== 0) entry = fnum(r.entryPrice, 'entryPrice');
    upnl += fnum(r.unRealizedProfit, 'unRealizedProfit');
    leverage = fnum(r.leverage, 'leverage');
  }
  return { venue: 'aster', symbol, qty, entryPrice: entry, unrealizedPnl: upnl, leverage };
}

export function parseOpenOrder(o: AsterOrder): OpenOrderSnapshot {
  const price = fnum(o.price ?? '0', 'price');
  return {
    venue: 'aster',
    symbol: o.symbol,
    venueOrderId: String(o.orderId),
    clientOrderId: o.clientOrderId || null,
    side: o.side === 'BUY' ? 'buy' : 'sell',
    qty: fnum(o.origQty, 'origQty'),
    filledQty: fnum(o.executedQty, 'executedQty'),
    price: price > 0 ? price : null,
  };
}

export function parseBalance(rows: AsterBalanceRow[], asset = ASTER_MARGIN_ASSET) {
  const r = rows.find((x) => x.asset === asset);
  if (!r) return { venue: 'aster' as const, asset, equity: 0, available: 0 };
  return {
    venue: 'aster' as const,
    asset,
    equity: fnum(r.balance, 'balance') + fnum(r.crossUnPnl ?? '0', 'crossUnPnl'),
    available: fnum(r.availableBalance, 'availableBalance'),
  };
}
