/**
 * Every AsterDex venue fact the simulator's Aster front-end serves: paths, weights, error codes and
 * messages, client-order-id format, WS limits and defaults. Sources: /work/shared/venues/asterdex.md
 * ([DOC] asterdex/api-docs V1 futures, [DOC3] V3 futures) and CCXT 4.5.84 `aster.js`.
 */

/** Security type of a REST route [DOC §Endpoint Security Type]. */
export type AsterSecurity = 'NONE' | 'SIGNED';

/** Auth scheme, chosen by the path's version: `/fapi/v3/...` is EIP-712 wallet signing, the rest HMAC. */
export type AsterAuthScheme = 'hmac' | 'v3';

export const ASTER_HEADER_API_KEY = 'x-mbx-apikey';
export const ASTER_HEADER_USED_WEIGHT = 'X-MBX-USED-WEIGHT-1M';
export const ASTER_HEADER_ORDER_COUNT = 'X-MBX-ORDER-COUNT-1M';

/** Client order id rule [DOC §New Order]. */
export const ASTER_CLIENT_ORDER_ID_PATTERN = /^[.A-Z:/a-z0-9_-]{1,36}$/;

/** HMAC timing [DOC §Timing Security]. */
export const ASTER_RECV_WINDOW_DEFAULT_MS = 5000;
export const ASTER_RECV_WINDOW_MAX_MS = 60000;
/** `timestamp` may be at most this far ahead of server time. */
export const ASTER_TIMESTAMP_AHEAD_MS = 1000;

/** V3 nonce: µs, within ±10 s of server time [DOC3 §Example of POST /fapi/v3/order]; last 100 kept. */
export const ASTER_V3_NONCE_WINDOW_MS = 10_000;
export const ASTER_V3_NONCE_MEMORY = 100;

/** EIP-712 domain of V3 signing [DOC3 §Example of POST /fapi/v3/order; CCXT `sign()`]. */
export const ASTER_V3_DOMAIN = {
  name: 'AsterSignTransaction',
  version: '1',
  chainId: 1666,
  verifyingContract: '0x0000000000000000000000000000000000000000',
} as const;
export const ASTER_V3_MESSAGE_TYPES = { Message: [{ name: 'msg', type: 'string' }] };
/** CCXT's `signIn()` approves its builder with this struct (signed by `user`, no `signer`). */
export const ASTER_V3_APPROVE_BUILDER_TYPES = {
  ApproveBuilder: [
    { name: 'Builder', type: 'string' },
    { name: 'MaxFeeRate', type: 'string' },
    { name: 'BuilderName', type: 'string' },
    { name: 'AsterChain', type: 'string' },
    { name: 'User', type: 'string' },
    { name: 'Nonce', type: 'uint256' },
  ],
};

/** Rate limits [DOC §exchangeInfo rateLimits]: the doc example's values. */
export const ASTER_REQUEST_WEIGHT_PER_MINUTE = 2400;
export const ASTER_ORDERS_PER_MINUTE = 1200;
/** 429s an IP may collect while over the limit before it is banned with 418 (simulator choice). */
export const ASTER_BAN_AFTER_429S = 5;
/** First ban length [DOC §IP Limits: "from 2 minutes to 3 days"]. */
export const ASTER_BAN_MS = 120_000;

/** Depth limits and their weights [DOC §Order Book]. */
export const ASTER_DEPTH_LIMITS = [5, 10, 20, 50, 100, 500, 1000] as const;
export const ASTER_DEPTH_DEFAULT_LIMIT = 500;
export function asterDepthWeight(limit: number): number {
  if (limit <= 50) return 2;
  if (limit <= 100) return 5;
  if (limit <= 500) return 10;
  return 20;
}

/** BTCUSDT symbol facts not carried by the engine's rules [CCXT-static capture, asterdex.md §9]. */
export const ASTER_SYMBOL_FACTS = {
  baseAsset: 'BTC',
  quoteAsset: 'USDT',
  minPrice: '1',
  maxPrice: '1000000',
  multiplierUp: '1.0200',
  multiplierDown: '0.9800',
  multiplierDecimal: '4',
  maxNumOrders: 200,
  maxNumAlgoOrders: 10,
  onboardDate: 1569398400000,
  deliveryDate: 4133404800000,
  triggerProtect: '0.0200',
  liquidationFee: '0.025000',
  marketTakeBound: '0.02',
  maintMarginPercent: '2.5000',
  requiredMarginPercent: '5.0000',
} as const;

/** Order types an exchangeInfo symbol row lists (under both `OrderType` and `orderTypes`, as the venue does). */
export const ASTER_ORDER_TYPES = [
  'LIMIT',
  'MARKET',
  'STOP',
  'STOP_MARKET',
  'TAKE_PROFIT',
  'TAKE_PROFIT_MARKET',
  'TRAILING_STOP_MARKET',
] as const;

/** Leverage brackets served by leverageBracket (Binance-like BTCUSDT tiers; live values UNVERIFIED). */
export const ASTER_LEVERAGE_BRACKETS = [
  {
    bracket: 1,
    initialLeverage: 125,
    notionalCap: 50_000,
    notionalFloor: 0,
    maintMarginRatio: 0.004,
    cum: 0,
  },
  {
    bracket: 2,
    initialLeverage: 100,
    notionalCap: 250_000,
    notionalFloor: 50_000,
    maintMarginRatio: 0.005,
    cum: 50,
  },
  {
    bracket: 3,
    initialLeverage: 50,
    notionalCap: 3_000_000,
    notionalFloor: 250_000,
    maintMarginRatio: 0.01,
    cum: 1300,
  },
  {
    bracket: 4,
    initialLeverage: 20,
    notionalCap: 15_000_000,
    notionalFloor: 3_000_000,
    maintMarginRatio: 0.025,
    cum: 46300,
  },
] as const;

/** Account alias shown in balance rows (opaque on the venue). */
export const ASTER_ACCOUNT_ALIAS = 'SgsR';

/** WebSocket market stream limits [DOC §Websocket Market Streams]. */
export const ASTER_WS_PING_INTERVAL_MS = 5 * 60_000;
export const ASTER_WS_PONG_TIMEOUT_MS = 15 * 60_000;
export const ASTER_WS_MAX_LIFETIME_MS = 24 * 3600_000;
export const ASTER_WS_MAX_INCOMING_PER_SEC = 10;
export const ASTER_WS_MAX_STREAMS = 200;
/** Partial depth update speeds: default 250 ms, `@500ms`, `@100ms`. */
export const ASTER_WS_DEPTH_DEFAULT_MS = 250;
export const ASTER_WS_MINI_TICKER_MS = 500;
export const ASTER_WS_PATH_RAW = '/ws';
export const ASTER_WS_PATH_COMBINED = '/stream';

/** WS control-message error codes [DOC §Error Messages]. */
export const ASTER_WS_ERRORS = {
  unknownProperty: { code: 0, msg: 'Unknown property' },
  invalidValueType: { code: 1, msg: 'Invalid value type: expected Boolean' },
  invalidRequest: 2,
  invalidJson: 3,
} as const;

/** A REST error code with its documented message and the HTTP status it is sent with. */
export interface AsterErrorDef {
  code: number;
  msg: string;
  status: number;
}

/**
 * Error codes [DOC §Error Codes]. HTTP status: 400 for business errors and 401 for key errors (as Binance
 * USDⓈ-M sends; Aster's status per code is UNVERIFIED), 429/418 for rate limits, 503 for unknown outcome.
 */
export const ASTER_ERRORS = {
  unknown: { code: -1000, msg: 'An unknown error occured while processing the request.', status: 400 },
  disconnected: {
    code: -1001,
    msg: 'Internal error; unable to process your request. Please try again.',
    status: 500,
  },
  tooManyRequests: {
    code: -1003,
    msg: 'Too many requests; current limit is %s requests per minute. Please use the websocket for live updates to avoid polling the API.',
    status: 429,
  },
  ipBanned: {
    code: -1003,
    msg: 'Way too many requests; IP banned until %s. Please use the websocket for live updates to avoid bans.',
    status: 418,
  },
  timeout: {
    code: -1007,
    msg: 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.',
    status: 503,
  },
  tooManyOrders: {
    code: -1015,
    msg: 'Too many new orders; current limit is %s orders per MINUTE.',
    status: 429,
  },
  invalidTimestamp: {
    code: -1021,
    msg: 'Timestamp for this request is outside of the recvWindow.',
    status: 400,
  },
  timestampAhead: {
    code: -1021,
    msg: "Timestamp for this request was 1000ms ahead of the server's time.",
    status: 400,
  },
  invalidSignature: { code: -1022, msg: 'Signature for this request is not valid.', status: 400 },
  mandatoryParam: {
    code: -1102,
    msg: "Mandatory parameter '%s' was not sent, was empty/null, or malformed.",
    status: 400,
  },
  mandatoryEither: {
    code: -1102,
    msg: "Param '%s' or '%s' must be sent, but both were empty/null!",
    status: 400,
  },
  paramNotRequired: { code: -1106, msg: "Parameter '%s' sent when not required.", status: 400 },
  badPrecision: { code: -1111, msg: 'Precision is over the maximum defined for this asset.', status: 400 },
  invalidTif: { code: -1115, msg: 'Invalid timeInForce.', status: 400 },
  invalidOrderType: { code: -1116, msg: 'Invalid orderType.', status: 400 },
  invalidSide: { code: -1117, msg: 'Invalid side.', status: 400 },
  badSymbol: { code: -1121, msg: 'Invalid symbol.', status: 400 },
  invalidParameter: { code: -1130, msg: "Data sent for parameter '%s' is not valid.", status: 400 },
  invalidRespType: { code: -1136, msg: 'Invalid newOrderRespType.', status: 400 },
  newOrderRejected: { code: -2010, msg: 'NEW_ORDER_REJECTED', status: 400 },
  cancelRejected: { code: -2011, msg: 'Unknown order sent.', status: 400 },
  noSuchOrder: { code: -2013, msg: 'Order does not exist.', status: 400 },
  badApiKeyFormat: { code: -2014, msg: 'API-key format invalid.', status: 401 },
  rejectedKey: { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.', status: 401 },
  marginInsufficient: { code: -2019, msg: 'Margin is insufficient.', status: 400 },
  unableToFill: { code: -2020, msg: 'Unable to fill.', status: 400 },
  reduceOnlyReject: { code: -2022, msg: 'ReduceOnly Order is rejected.', status: 400 },
  qtyLessThanZero: { code: -4003, msg: 'Quantity less than zero.', status: 400 },
  qtyBelowMin: { code: -4004, msg: 'Quantity less than min quantity.', status: 400 },
  qtyAboveMax: { code: -4005, msg: 'Quantity greater than max quantity.', status: 400 },
  priceAboveMax: { code: -4002, msg: 'Price greater than max price.', status: 400 },
  priceBelowMin: { code: -4013, msg: 'Price less than min price.', status: 400 },
  priceNotTick: { code: -4014, msg: 'Price not increased by tick size.', status: 400 },
  invalidClientOrderId: { code: -4015, msg: 'Client order id is not valid.', status: 400 },
  priceAboveMultiplierUp: {
    code: -4016,
    msg: 'Price is higher than mark price multiplier cap.',
    status: 400,
  },
  invalidDepthLimit: { code: -4021, msg: "'%s' is not valid depth limit.", status: 400 },
  qtyNotStep: { code: -4023, msg: 'Qty not increased by step size.', status: 400 },
  priceBelowMultiplierDown: {
    code: -4024,
    msg: 'Price is lower than mark price multiplier floor.',
    status: 400,
  },
  invalidLeverage: { code: -4028, msg: 'Leverage %s is not valid', status: 400 },
  noNeedToChangeMarginType: { code: -4046, msg: 'No need to change margin type.', status: 400 },
  marginTypeOpenOrders: {
    code: -4047,
    msg: 'Margin type cannot be changed if there exists open orders.',
    status: 400,
  },
  marginTypePosition: {
    code: -4048,
    msg: 'Margin type cannot be changed if there exists position.',
    status: 400,
  },
  noNeedToChangePositionSide: { code: -4059, msg: 'No need to change position side.', status: 400 },
  positionSideMismatch: {
    code: -4061,
    msg: "Order's position side does not match user's setting.",
    status: 400,
  },
  invalidPositionSide: { code: -4060, msg: 'Invalid position side.', status: 400 },
  hedgeModeUnsupported: { code: -4084, msg: 'Method is not allowed currently. Upcoming soon.', status: 400 },
  /** Aster's docs list no code for a duplicate open clientOrderId; Binance USDⓈ-M sends -4116 (configurable). */
  duplicateClientOrderId: { code: -4116, msg: 'ClientOrderId is duplicated.', status: 400 },
  minNotional: {
    code: -4164,
    msg: "Order's notional must be no smaller than %s (unless you choose reduce only)",
    status: 400,
  },
  /** The only nonce error [DOC3] shows: a reused (or too old) nonce. */
  nonceExpired: { code: -4225, msg: 'Nonce Expired', status: 400 },
} as const satisfies Record<string, AsterErrorDef>;

/** 404 body for a path the venue does not serve (simulator choice; the venue answers an HTML 404). */
export const ASTER_NOT_FOUND = { code: -1000, msg: 'Path not found.' };

/** Cancel-all response [DOC §Cancel All Open Orders]. */
export const ASTER_CANCEL_ALL_MSG = 'The operation of cancel all open order is done.';
