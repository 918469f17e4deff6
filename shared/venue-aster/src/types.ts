/**
 * Raw AsterDex wire types, exactly as the venue sends them [DOC; asterdex.md §3, §7]. Decimal values are
 * strings; times are epoch ms. Only the parser (parse-*.ts) turns these into domain types.
 */

/** `<s>@bookTicker` payload. */
export interface AsterBookTicker {
  e: 'bookTicker';
  /** Order book update id. */
  u: number;
  /** Event time (ms). */
  E: number;
  /** Transaction time (ms). */
  T: number;
  s: string;
  b: string;
  B: string;
  a: string;
  A: string;
}

/** `<s>@depth<N>@100ms` payload (partial book: full replacement of the top N levels). */
export interface AsterDepthUpdate {
  e: 'depthUpdate';
  E: number;
  T: number;
  s: string;
  U: number;
  u: number;
  pu: number;
  b: [string, string][];
  a: [string, string][];
}

/** Combined-stream wrapper on `/stream`. */
export interface AsterStreamFrame<T> {
  stream: string;
  data: T;
}

export interface AsterErrorBody {
  code: number;
  msg: string;
}

export type AsterOrderStatus = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'REJECTED' | 'EXPIRED';
export type AsterSide = 'BUY' | 'SELL';

/** Order as returned by New / Query / Cancel order. */
export interface AsterOrder {
  orderId: number;
  clientOrderId: string;
  symbol: string;
  status: AsterOrderStatus;
  type: string;
  side: AsterSide;
  price: string;
  avgPrice: string;
  origQty: string;
  executedQty: string;
  cumQuote: string;
  timeInForce: string;
  reduceOnly: boolean;
  updateTime: number;
  time?: number;
}

export interface AsterUserTrade {
  id: number;
  orderId: number;
  symbol: string;
  side: AsterSide;
  price: string;
  qty: string;
  quoteQty: string;
  commission: string;
  commissionAsset: string;
  realizedPnl: string;
  time: number;
  buyer: boolean;
  maker: boolean;
}

export interface AsterPositionRisk {
  symbol: string;
  positionAmt: string;
  entryPrice: string;
  markPrice: string;
  unRealizedProfit: string;
  leverage: string;
  marginType: string;
  positionSide: string;
}

export interface AsterBalanceRow {
  asset: string;
  balance: string;
  crossUnPnl: string;
  availableBalance: string;
}

export interface AsterSymbolFilter {
  filterType: string;
  tickSize?: string;
  stepSize?: string;
  minQty?: string;
  maxQty?: string;
  notional?: string;
  minPrice?: string;
  maxPrice?: string;
}

export interface AsterSymbolInfo {
  symbol: string;
  status: string;
  filters: AsterSymbolFilter[];
}

export interface AsterExchangeInfo {
  serverTime: number;
  symbols: AsterSymbolInfo[];
}

export interface AsterLeverageResponse {
  leverage: number;
  symbol: string;
}
