/**
 * Every AsterDex (USDT-margined futures) fact the adapter uses. Sources: /work/shared/venues/asterdex.md
 * ([DOC] asterdex/api-docs V1 futures, [DOC3] V3 futures) and CCXT 4.5.84 `js/src/aster.js`.
 */

export const ASTER_URLS = {
  rest: 'https://fapi.asterdex.com',
  ws: 'wss://fstream.asterdex.com',
} as const;

/** Combined-stream WS path: frames arrive as {"stream":"<name>","data":{...}} [DOC §Websocket Market Streams]. */
export const ASTER_WS_COMBINED_PATH = '/stream';

/** Stream names (symbol lower-cased). */
export const asterStreams = {
  bookTicker: (symbol: string) => `${symbol.toLowerCase()}@bookTicker`,
  /** Partial book (top 5, 10 or 20 levels each side), full replacement every 100 ms. */
  partialDepth: (symbol: string, levels: 5 | 10 | 20) => `${symbol.toLowerCase()}@depth${levels}@100ms`,
};

/** The smallest partial-depth stream carrying `levels` levels (the venue offers 5, 10, 20). */
export function asterDepthStreamLevels(levels: number): 5 | 10 | 20 {
  return levels <= 5 ? 5 : levels <= 10 ? 10 : 20;
}

/** WS limits [DOC]: 24 h connection lifetime, server ping every 5 min (ws answers), ≤ 10 incoming msgs/s. */
export const ASTER_WS_LIFETIME_MS = 24 * 3600_000;
/** We rotate this long before the venue's limit (make-before-break). */
export const ASTER_WS_ROTATE_EARLY_MS = 10 * 60_000;
/** The original bot's first reconnect delay. */
export const ASTER_WS_FIRST_RETRY_MS = 2000;

export type AsterAuthScheme = 'v3' | 'hmac';

export const ASTER_PUBLIC_PATHS = {
  time: '/fapi/v1/time',
  exchangeInfo: '/fapi/v1/exchangeInfo',
  bookTicker: '/fapi/v1/ticker/bookTicker',
  premiumIndex: '/fapi/v1/premiumIndex',
} as const;

export interface AsterPrivatePaths {
  order: string;
  openOrders: string;
  userTrades: string;
  positionRisk: string;
  balance: string;
  leverage: string;
  marginType: string;
}

/**
 * Private paths per auth scheme: V3 (EIP-712) lives under /fapi/v3 [DOC3; CCXT 4.5.84], legacy HMAC under
 * /fapi/v1 and /fapi/v2 [DOC].
 */
export const ASTER_PRIVATE_PATHS: Record<AsterAuthScheme, AsterPrivatePaths> = {
  v3: {
    order: '/fapi/v3/order',
    openOrders: '/fapi/v3/openOrders',
    userTrades: '/fapi/v3/userTrades',
    positionRisk: '/fapi/v3/positionRisk',
    balance: '/fapi/v3/balance',
    leverage: '/fapi/v3/leverage',
    marginType: '/fapi/v3/marginType',
  },
  hmac: {
    order: '/fapi/v1/order',
    openOrders: '/fapi/v1/openOrders',
    userTrades: '/fapi/v1/userTrades',
    positionRisk: '/fapi/v2/positionRisk',
    balance: '/fapi/v2/balance',
    leverage: '/fapi/v1/leverage',
    marginType: '/fapi/v1/marginType',
  },
};

/** Request weights [DOC §3 table]; anything not listed weighs 1. */
export const ASTER_WEIGHTS: Record<string, number> = {
  exchangeInfo: 1,
  time: 1,
  order: 1,
  queryOrder: 1,
  cancelOrder: 1,
  openOrders: 1,
  userTrades: 5,
  positionRisk: 5,
  balance: 5,
  leverage: 1,
  marginType: 1,
  bookTicker: 1,
};

/** REQUEST_WEIGHT per minute from exchangeInfo's example [DOC]; live value UNVERIFIED. */
export const ASTER_WEIGHT_LIMIT_PER_MINUTE = 2400;
export const ASTER_WEIGHT_WINDOW_MS = 60_000;
/** Response header carrying the IP's used weight in the current minute. */
export const ASTER_USED_WEIGHT_HEADER = 'x-mbx-used-weight-1m';
export const ASTER_API_KEY_HEADER = 'X-MBX-APIKEY';

/** HMAC timing [DOC §Timing Security]. */
export const ASTER_RECV_WINDOW_DEFAULT_MS = 5000;
export const ASTER_RECV_WINDOW_MAX_MS = 60_000;

/** EIP-712 domain and type of V3 signing [DOC3; CCXT `sign()`]. */
export const ASTER_V3_DOMAIN = {
  name: 'AsterSignTransaction',
  version: '1',
  chainId: 1666,
  verifyingContract: '0x0000000000000000000000000000000000000000',
} as const;
export const ASTER_V3_TYPES = { Message: [{ name: 'msg', type: 'string' }] };

/** newClientOrderId: 1..36 chars of [.A-Z:/a-z0-9_-], unique among open orders [DOC §New Order]. */
export const ASTER_CLIENT_ORDER_ID_PATTERN = /^[.A-Z:/a-z0-9_-]{1,36}$/;

export const ASTER_MARGIN_ASSET = 'USDT';
/** CCXT default taker fee, used only when userTrades cannot be read to get the real commission. */
export const ASTER_DEFAULT_TAKER_FEE = 0.00035;

/** Documented error codes the adapter acts on [DOC §Error Codes]. */
export const ASTER_CODES = {
  unknown: -1000,
  disconnected: -1001,
  tooManyRequests: -1003,
  unexpectedResp: -1006,
  timeout: -1007,
  tooManyOrders: -1015,
  invalidTimestamp: -1021,
  invalidSignature: -1022,
  noSuchOrder: -2013,
  cancelRejected: -2011,
  noNeedToChangeMarginType: -4046,
  nonceExpired: -4225,
} as const;
