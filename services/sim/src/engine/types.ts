/**
 * The contract between the simulator's venue-neutral engine (market, books, matching, accounts, faults)
 * and its two protocol front-ends (services/sim/src/aster, services/sim/src/backpack). The engine knows
 * nothing of wire formats; the front-ends know nothing of matching. All times are epoch ms unless named *Us.
 */

export type SimVenue = 'aster' | 'backpack';
export type SimSide = 'buy' | 'sell';
export type SimOrderType = 'market' | 'limit';
export type SimTimeInForce = 'GTC' | 'IOC' | 'FOK';
export type SimOrderStatus = 'new' | 'partially_filled' | 'filled' | 'canceled' | 'expired' | 'rejected';

export interface SimLevel {
  price: number;
  qty: number;
}

/** Best first on both sides (front-ends re-order for venues that sort differently, e.g. Backpack REST). */
export interface SimBook {
  bids: SimLevel[];
  asks: SimLevel[];
  /** Increments on every book change. */
  updateId: number;
  /** Engine time of the last change (ms) — before any timestamp-skew fault is applied. */
  time: number;
}

export interface SimMarketRules {
  symbol: string;
  tickSize: number;
  stepSize: number;
  minQty: number;
  maxQty: number;
  /** Largest MARKET order quantity (Aster's MARKET_LOT_SIZE maxQty); equals maxQty where the venue has none. */
  marketMaxQty: number;
  /** 0 when the venue has none (Backpack). */
  minNotional: number;
  takerFee: number;
  makerFee: number;
  maxLeverage: number;
}

export interface SimOrderInput {
  side: SimSide;
  type: SimOrderType;
  tif: SimTimeInForce;
  qty: number;
  price?: number;
  reduceOnly: boolean;
  clientOrderId: string | null;
}

export interface SimOrder extends SimOrderInput {
  orderId: number;
  account: string;
  symbol: string;
  status: SimOrderStatus;
  executedQty: number;
  executedQuote: number;
  /** executedQuote / executedQty, 0 when nothing executed. */
  avgPrice: number;
  fee: number;
  createdAt: number;
  updatedAt: number;
  /** Why an order ended without (full) execution: 'ImmediateOrCancel', 'InsufficientMargin', ... */
  expiryReason: string | null;
}

export interface SimFill {
  tradeId: number;
  orderId: number;
  clientOrderId: string | null;
  account: string;
  symbol: string;
  side: SimSide;
  price: number;
  qty: number;
  fee: number;
  feeAsset: string;
  isMaker: boolean;
  realizedPnl: number;
  time: number;
}

export interface SimPosition {
  symbol: string;
  /** Signed base quantity: > 0 long, < 0 short. */
  qty: number;
  entryPrice: number;
  markPrice: number;
  unrealizedPnl: number;
  realizedPnl: number;
  leverage: number;
  marginType: 'cross' | 'isolated';
}

export interface SimBalance {
  asset: string;
  /** Deposits + realized PnL - fees. */
  wallet: number;
  unrealizedPnl: number;
  /** wallet + unrealizedPnl - initial margin of positions and open orders. */
  available: number;
  initialMargin: number;
}

/** Why the engine refused an order; each front-end maps these to its venue's documented codes. */
export type SimRejectReason =
  | 'insufficient_margin'
  | 'reduce_only_rejected'
  | 'qty_below_min'
  | 'qty_above_max'
  | 'qty_not_step'
  | 'price_not_tick'
  | 'min_notional'
  | 'no_liquidity'
  | 'duplicate_client_order_id'
  | 'injected_reject';

export type SimPlaceResult =
  | { ok: true; order: SimOrder }
  | { ok: false; reason: SimRejectReason; message: string };

/** Per-route fault decisions the front-ends apply before/after handling a request. */
export interface SimRouteFaults {
  /** Extra delay before answering (ms). */
  latencyMs: number;
  /** Answer with this HTTP status instead of handling (5xx, 503 maintenance) — order NOT executed. */
  failStatus: number | null;
  /** Answer 429 (with Retry-After seconds) instead of handling. */
  rateLimitRetryAfterSec: number | null;
  /** Execute the order, then delay the response by this long (ms), or drop the connection when 'drop'. */
  afterExecution: { delayMs: number } | 'drop' | null;
}

export interface SimWsFaults {
  /** Socket open but no data frames until this time (ms). */
  stalledUntil: number;
  /** Number of malformed frames still to send in place of real ones. */
  malformedRemaining: number;
  /** Added to outgoing event timestamps (ms; negative = stale). */
  timestampSkewMs: number;
}

export type SimOrderRef = { orderId: number } | { clientOrderId: string };

export interface SimTicker24h {
  open: number;
  high: number;
  low: number;
  last: number;
  volume: number;
  quoteVolume: number;
  trades: number;
  openTime: number;
  closeTime: number;
}

/**
 * One venue's engine: its book (driven by the market model), matching, and per-account state.
 * Accounts are identified by an opaque id; the front-ends map credentials to it.
 */
export interface SimVenueEngine {
  readonly venue: SimVenue;
  readonly rules: SimMarketRules;
  /** USDT for Aster, USDC for Backpack. */
  readonly marginAsset: string;
  now(): number;
  book(depth?: number): SimBook;
  /** Called on every book change. Returns an unsubscribe function. */
  onBook(listener: (book: SimBook) => void): () => void;
  markPrice(): number;
  ticker24h(): SimTicker24h;
  placeOrder(account: string, input: SimOrderInput): SimPlaceResult;
  cancelOrder(account: string, ref: SimOrderRef): SimOrder | null;
  getOrder(account: string, ref: SimOrderRef): SimOrder | null;
  openOrders(account: string): SimOrder[];
  /** Every order of the account, newest first. */
  orderHistory(account: string): SimOrder[];
  /** Every fill of the account, newest first. */
  fills(account: string): SimFill[];
  position(account: string): SimPosition;
  balance(account: string): SimBalance;
  /** Returns the leverage now in force, or null when out of range (1..rules.maxLeverage). */
  setLeverage(account: string, leverage: number): number | null;
  setMarginType(account: string, marginType: 'cross' | 'isolated'): void;
}

/** Credentials the simulator accepts, each mapped to an engine account id. */
export interface SimCredentialDirectory {
  asterHmac: { apiKey: string; secret: string; account: string }[];
  /** Addresses compared case-insensitively. */
  asterV3: { user: string; signer: string; account: string }[];
  /** Base64 ED25519 public keys. */
  backpack: { apiKey: string; account: string }[];
}

/**
 * Fault state the front-ends consult. Route ids are "<METHOD> <path>", e.g. "POST /fapi/v1/order";
 * faults can target one route, a path prefix, or every route of a venue.
 * `route()` consumes one-shot faults (e.g. "the next 2 orders time out").
 */
export interface SimFaultControl {
  route(venue: SimVenue, routeId: string): SimRouteFaults;
  ws(venue: SimVenue): SimWsFaults;
  /** Marks one malformed frame as sent. */
  consumeMalformed(venue: SimVenue): void;
  /** Listeners are told to drop every WS connection of the venue now. */
  onWsDisconnect(venue: SimVenue, listener: () => void): () => void;
}

/** What each protocol front-end returns when started. */
export interface RunningVenue {
  venue: SimVenue;
  restUrl: string;
  wsUrl: string;
  close(): Promise<void>;
}

export interface VenueFrontEndOptions {
  engine: SimVenueEngine;
  faults: SimFaultControl;
  credentials: SimCredentialDirectory;
  host: string;
  /** 0 = any free port. */
  port: number;
}
