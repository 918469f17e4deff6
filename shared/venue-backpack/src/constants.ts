/**
 * Every Backpack Exchange fact the adapter relies on, in one place. Sources: /work/shared/venues/backpack.md
 * (official OpenAPI spec, the official Rust client, CCXT 4.5.84).
 */

/** Production endpoints (paper mode uses these for market data; the simulator overrides them). */
export const BACKPACK_URLS = {
  rest: 'https://api.backpack.exchange',
  ws: 'wss://ws.backpack.exchange',
} as const;

/** REST paths (without leading slash, as CCXT's implicit API names them). */
export const BACKPACK_PATHS = {
  markets: 'api/v1/markets',
  depth: 'api/v1/depth',
  order: 'api/v1/order',
  orders: 'api/v1/orders',
  position: 'api/v1/position',
  capital: 'api/v1/capital',
  collateral: 'api/v1/capital/collateral',
  account: 'api/v1/account',
  orderHistory: 'wapi/v1/history/orders',
  fillHistory: 'wapi/v1/history/fills',
} as const;

/** Signing instruction per "METHOD path" (the signed string starts with `instruction=<name>`). */
export const BACKPACK_INSTRUCTIONS: Record<string, string> = {
  'GET api/v1/capital': 'balanceQuery',
  'GET api/v1/capital/collateral': 'collateralQuery',
  'GET api/v1/account': 'accountQuery',
  'PATCH api/v1/account': 'accountUpdate',
  'POST api/v1/order': 'orderExecute',
  'GET api/v1/order': 'orderQuery',
  'DELETE api/v1/order': 'orderCancel',
  'GET api/v1/orders': 'orderQueryAll',
  'DELETE api/v1/orders': 'orderCancelAll',
  'GET api/v1/position': 'positionQuery',
  'GET wapi/v1/history/orders': 'orderHistoryQueryAll',
  'GET wapi/v1/history/fills': 'fillHistoryQueryAll',
};

/** Default and maximum signature validity window (X-Window, ms). */
export const BACKPACK_WINDOW_MS = { default: 5000, max: 60000 } as const;

/** CCXT sends this header on every private call; the venue accepts it. */
export const BACKPACK_BROKER_ID = '1400';

/** `clientId` is a uint32 on Backpack. */
export const BACKPACK_CLIENT_ID_MAX = 0xffff_ffff;

/** How many history rows one lookup reads (venue default 100, max 1000). */
export const BACKPACK_HISTORY_LIMIT = 200;

/** The margin (collateral) asset of Backpack USDC perps. */
export const BACKPACK_MARGIN_ASSET = 'USDC';

/** WebSocket facts. */
export const BACKPACK_WS = {
  /** Public stream names are `<type>.<MARKET_ID>` with the uppercase market id. */
  bookTickerStream: (symbol: string) => `bookTicker.${symbol}`,
  depthStream: (symbol: string) => `depth.${symbol}`,
  /** The original bot pinged every 30 s; the server pings every 60 s and drops after 120 s without pong. */
  heartbeatMs: 30_000,
  /** The original bot reconnected after 5 s. */
  reconnectBaseMs: 5_000,
  /** Every data frame is `{stream, data}`; event type in `data.e`. */
  events: { bookTicker: 'bookTicker', depth: 'depth' },
} as const;

/** Wire time unit of WS `E`/`T` and REST depth `timestamp` is microseconds: divide by this for ms. */
export const BACKPACK_US_PER_MS = 1000;

/**
 * Error codes the venue documents (OpenAPI error enum), with what each means for the product.
 * - rejected: definitive, nothing executed.
 * - not-found: the order is not resting (GET /order on a filled/expired order answers 404).
 * - rate_limited / auth / unknown: as the VenueError categories.
 */
export const BACKPACK_ERROR_CODES = {
  ACCOUNT_DEACTIVATED: 'auth',
  ACCOUNT_LIQUIDATING: 'rejected',
  BORROW_LIMIT: 'rejected',
  BORROW_REQUIRES_LEND_REDEEM: 'rejected',
  FORBIDDEN: 'auth',
  INSUFFICIENT_FUNDS: 'rejected',
  INSUFFICIENT_MARGIN: 'rejected',
  INSUFFICIENT_SUPPLY: 'rejected',
  INVALID_ASSET: 'rejected',
  INVALID_CLIENT_REQUEST: 'rejected',
  INVALID_MARKET: 'rejected',
  INVALID_ORDER: 'rejected',
  INVALID_PRICE: 'rejected',
  INVALID_POSITION_ID: 'rejected',
  INVALID_QUANTITY: 'rejected',
  INVALID_RANGE: 'rejected',
  INVALID_SIGNATURE: 'auth',
  INVALID_SOURCE: 'rejected',
  INVALID_SYMBOL: 'rejected',
  INVALID_TWO_FACTOR_CODE: 'auth',
  LEND_LIMIT: 'rejected',
  LEND_REQUIRES_BORROW_REPAY: 'rejected',
  MAINTENANCE: 'unknown',
  MAX_LEVERAGE_REACHED: 'rejected',
  NOT_IMPLEMENTED: 'rejected',
  ORDER_LIMIT: 'rejected',
  POSITION_LIMIT: 'rejected',
  PRECONDITION_FAILED: 'rejected',
  RESOURCE_NOT_FOUND: 'not-found',
  SERVER_ERROR: 'unknown',
  TIMEOUT: 'unknown',
  TOO_EARLY: 'rejected',
  TOO_MANY_REQUESTS: 'rate_limited',
  TRADING_PAUSED: 'rejected',
  UNAUTHORIZED: 'auth',
} as const;
export type BackpackErrorCode = keyof typeof BACKPACK_ERROR_CODES;
export type BackpackErrorMeaning = (typeof BACKPACK_ERROR_CODES)[BackpackErrorCode];

/** Order `status` enum ([RS] adds Triggered). */
export const BACKPACK_ORDER_STATUSES = [
  'New',
  'PartiallyFilled',
  'Filled',
  'Cancelled',
  'Expired',
  'TriggerPending',
  'TriggerFailed',
  'Triggered',
] as const;
export type BackpackOrderStatus = (typeof BACKPACK_ORDER_STATUSES)[number];

/** Order sides on the wire. */
export const BACKPACK_SIDES = ['Bid', 'Ask'] as const;
export type BackpackSide = (typeof BACKPACK_SIDES)[number];
