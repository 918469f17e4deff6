/**
 * Every Backpack venue fact the simulator's front-end relies on, in one place.
 * Sources: /work/shared/venues/backpack.md (Backpack OpenAPI "Backpack Exchange API 1.0", CCXT 4.5.84
 * backpack.js / pro/backpack.js). Facts the docs leave open are marked UNVERIFIED with the choice made.
 */

export const BACKPACK_PATHS = {
  assets: '/api/v1/assets',
  markets: '/api/v1/markets',
  market: '/api/v1/market',
  depth: '/api/v1/depth',
  ticker: '/api/v1/ticker',
  tickers: '/api/v1/tickers',
  markPrices: '/api/v1/markPrices',
  time: '/api/v1/time',
  status: '/api/v1/status',
  ping: '/api/v1/ping',
  order: '/api/v1/order',
  orders: '/api/v1/orders',
  position: '/api/v1/position',
  capital: '/api/v1/capital',
  collateral: '/api/v1/capital/collateral',
  account: '/api/v1/account',
  orderHistory: '/wapi/v1/history/orders',
  fillHistory: '/wapi/v1/history/fills',
  fundingHistory: '/wapi/v1/history/funding',
} as const;

/** Signing instruction per signed route id ("<METHOD> <path>"). [OAS per-operation "Instruction:" lines] */
export const BACKPACK_INSTRUCTIONS: Readonly<Record<string, string>> = {
  'GET /api/v1/account': 'accountQuery',
  'PATCH /api/v1/account': 'accountUpdate',
  'GET /api/v1/capital': 'balanceQuery',
  'GET /api/v1/capital/collateral': 'collateralQuery',
  'POST /api/v1/order': 'orderExecute',
  'POST /api/v1/orders': 'orderExecute',
  'GET /api/v1/order': 'orderQuery',
  'DELETE /api/v1/order': 'orderCancel',
  'GET /api/v1/orders': 'orderQueryAll',
  'DELETE /api/v1/orders': 'orderCancelAll',
  'GET /api/v1/position': 'positionQuery',
  'GET /wapi/v1/history/orders': 'orderHistoryQueryAll',
  'GET /wapi/v1/history/fills': 'fillHistoryQueryAll',
  'GET /wapi/v1/history/funding': 'fundingHistoryQueryAll',
};

export const BACKPACK_WS_SUBSCRIBE_INSTRUCTION = 'subscribe';

/** Auth headers (HTTP header names are case-insensitive; node lower-cases them). */
export const BACKPACK_HEADERS = {
  apiKey: 'x-api-key',
  signature: 'x-signature',
  timestamp: 'x-timestamp',
  window: 'x-window',
  brokerId: 'x-broker-id',
} as const;

/** X-Window default (also signed when the header is absent) and maximum, in ms. [OAS Authentication] */
export const BACKPACK_DEFAULT_WINDOW_MS = 5000;
export const BACKPACK_MAX_WINDOW_MS = 60000;

/** ApiErrorCode enum values the simulator emits. [OAS ApiErrorCode] */
export const BACKPACK_ERROR = {
  insufficientMargin: 'INSUFFICIENT_MARGIN',
  invalidClientRequest: 'INVALID_CLIENT_REQUEST',
  invalidMarket: 'INVALID_MARKET',
  invalidOrder: 'INVALID_ORDER',
  invalidPrice: 'INVALID_PRICE',
  invalidQuantity: 'INVALID_QUANTITY',
  invalidSignature: 'INVALID_SIGNATURE',
  invalidSymbol: 'INVALID_SYMBOL',
  maintenance: 'MAINTENANCE',
  notImplemented: 'NOT_IMPLEMENTED',
  resourceNotFound: 'RESOURCE_NOT_FOUND',
  serverError: 'SERVER_ERROR',
  tooManyRequests: 'TOO_MANY_REQUESTS',
  unauthorized: 'UNAUTHORIZED',
} as const;
export type BackpackErrorCode = (typeof BACKPACK_ERROR)[keyof typeof BACKPACK_ERROR];

/**
 * Expired / future X-Timestamp. The OAS does not document it. A live report (catsats/backpack_exchange
 * issue #16, 2024-03-31) shows HTTP 401 with the text "Request has expired"; since 2024-10-15 errors are JSON
 * with an ApiErrorCode, and the 401 code of that enum is UNAUTHORIZED. Chosen: 401 UNAUTHORIZED
 * "Request has expired" (UNVERIFIED beyond that report).
 */
export const BACKPACK_EXPIRED_MESSAGE = 'Request has expired';

/** Order enums. [OAS OrderStatus, Side, OrderTypeEnum, TimeInForce, SelfTradePrevention] */
export const BACKPACK_ORDER_STATUS = {
  new: 'New',
  partiallyFilled: 'PartiallyFilled',
  filled: 'Filled',
  cancelled: 'Cancelled',
  expired: 'Expired',
} as const;
export const BACKPACK_SIDES = ['Bid', 'Ask'] as const;
export const BACKPACK_ORDER_TYPES = ['Market', 'Limit'] as const;
export const BACKPACK_TIME_IN_FORCE = ['GTC', 'IOC', 'FOK'] as const;
export const BACKPACK_SELF_TRADE_PREVENTION = ['RejectTaker', 'RejectMaker', 'RejectBoth'] as const;
export const BACKPACK_DEFAULT_STP = 'RejectTaker';

/** OrderExpiryReason values the simulator reports. [OAS OrderExpiryReason] */
export const BACKPACK_EXPIRY_REASONS = [
  'ImmediateOrCancel',
  'FillOrKill',
  'InsufficientMargin',
  'InsufficientLiquidity',
  'PostOnlyTaker',
  'ReduceOnlyNotReduced',
  'PriceOutOfBounds',
  'SelfTradePrevention',
  'Unknown',
] as const;

/** Largest batch for POST /api/v1/orders (CCXT features.createOrders.max; a third-party note says 50: UNVERIFIED). */
export const BACKPACK_BATCH_MAX_ORDERS = 20;

/** clientId is a uint32. [OAS OrderExecutePayload] */
export const BACKPACK_CLIENT_ID_MAX = 4294967295;

/** GET /api/v1/depth `limit` enum and default (1000 since 2025-11-10). [OAS DepthLimit, changelog] */
export const BACKPACK_DEPTH_LIMITS = [5, 10, 20, 50, 100, 500, 1000] as const;
export const BACKPACK_DEPTH_DEFAULT_LIMIT = 1000;

/** History endpoints: `limit` default 100, max 1000. [OAS /wapi/v1/history/*] */
export const BACKPACK_HISTORY_DEFAULT_LIMIT = 100;
export const BACKPACK_HISTORY_MAX_LIMIT = 1000;

/** Market facts served by /markets for the perp (values not in SimMarketRules). [3P via backpack.md §6] */
export const BACKPACK_MARKET_FACTS = {
  baseSymbol: 'BTC',
  quoteSymbol: 'USDC',
  marketType: 'PERP',
  orderBookState: 'Open',
  createdAt: '2024-12-01T00:00:00',
  minPrice: '0.1',
  maxPrice: '1000000',
  fundingIntervalMs: 3600000,
  fundingRateUpperBoundBps: '100',
  fundingRateLowerBoundBps: '-100',
  openInterestLimit: '4000',
  imfFunction: { type: 'sqrt', base: '0.02', factor: '0.0001275' },
  mmfFunction: { type: 'sqrt', base: '0.0125', factor: '0.0000765' },
  positionLimitWeight: '1',
  /** Limit prices must lie within [min, max] x the last active price ("Price is too far from the last active price"). */
  priceMaxMultiplier: '1.25',
  priceMinMultiplier: '0.75',
  /** Funding rate served on /markPrices and the markPrice stream (no funding is simulated). */
  fundingRate: '0.0000125',
} as const;

/** WebSocket facts. [OAS Streams tag; CCXT pro handleErrorMessage] */
export const BACKPACK_WS = {
  /** The WS API is served at the root path. */
  path: '/',
  subscribe: 'SUBSCRIBE',
  unsubscribe: 'UNSUBSCRIBE',
  streamBookTicker: 'bookTicker',
  streamDepth: 'depth',
  /** Aggregated depth variants `depth.<period>.<symbol>`: one event per period with U..u spanning it. */
  aggregatedDepthPeriodsMs: [200, 600, 1000],
  streamTicker: 'ticker',
  streamMarkPrice: 'markPrice',
  /** Server Ping every 60 s; Close when no Pong within 120 s. */
  pingIntervalMs: 60_000,
  pongTimeoutMs: 120_000,
  /** ticker.<symbol> is pushed every second. */
  tickerIntervalMs: 1000,
  /** Error frame shape {"id":null,"error":{"code":4006,"message":"Invalid stream"}}. */
  errorInvalidStream: { code: 4006, message: 'Invalid stream' },
  streamOrderUpdate: 'account.orderUpdate',
  streamPositionUpdate: 'account.positionUpdate',
  /** Private subscription with a missing/invalid signature. UNVERIFIED: code and message chosen here. */
  errorInvalidSignature: { code: 4001, message: 'Invalid signature' },
  /** How often private streams are re-derived from the engine besides book changes and order requests. */
  accountPollMs: 250,
  /** Close code sent to every client when the server shuts down (venue: Close frame, then 30 s grace). */
  shutdownCloseCode: 1001,
  /** Unparseable or unknown request. UNVERIFIED: code chosen in the same 4xxx family. */
  errorInvalidRequest: { code: 4000, message: 'Invalid request' },
} as const;

export const BACKPACK_STATUS_OK = { status: 'Ok', message: null } as const;
export const BACKPACK_STATUS_MAINTENANCE = {
  status: 'Maintenance',
  message: 'System under maintenance',
} as const;

/** Simulator account facts served on /api/v1/account besides the engine's fee and leverage. */
export const BACKPACK_ACCOUNT_FACTS = {
  borrowLimit: '0',
  positionLimit: '1000000',
  spotMakerFeeBps: '8',
  spotTakerFeeBps: '10',
} as const;

/** Decimal places used for fees and other computed USDC amounts in REST answers. */
export const BACKPACK_AMOUNT_DECIMALS = 8;
