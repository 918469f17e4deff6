import type { SimOrder, SimOrderRef, SimVenueEngine } from '../engine/types';
import { accountJson, capitalJson, collateralJson, positionsJson } from './account-json';
import { BackpackApiError } from './api-error';
import {
  BACKPACK_BATCH_MAX_ORDERS,
  BACKPACK_DEPTH_DEFAULT_LIMIT,
  BACKPACK_DEPTH_LIMITS,
  BACKPACK_ERROR,
  BACKPACK_HISTORY_DEFAULT_LIMIT,
  BACKPACK_HISTORY_MAX_LIMIT,
  BACKPACK_MARKET_FACTS,
  BACKPACK_PATHS,
  BACKPACK_STATUS_OK,
  type BackpackErrorCode,
} from './constants';
import { floorToStep, parseDecimal } from '../engine/decimal';
import { assetsJson, depthJson, markPriceJson, marketJson, tickerJson } from './market-json';
import { DEFAULT_ORDER_EXTRAS, fillJson, type OrderExtras, orderHistoryJson, orderJson } from './order-json';
import { parseClientId, parseOrderRequest } from './order-request';
import { rejectError } from './reject-map';
import type { RestHandler, RestRequest, RestResult } from './rest-request';
import type { WirePrecision } from './wire-precision';

const P = BACKPACK_PATHS;

function bad(message: string, code: BackpackErrorCode = BACKPACK_ERROR.invalidClientRequest) {
  return new BackpackApiError(400, code, message);
}

function notFound(): BackpackApiError {
  return new BackpackApiError(404, BACKPACK_ERROR.resourceNotFound, 'Order not found');
}

function requireAccount(req: RestRequest): string {
  if (req.account === null) throw new BackpackApiError(401, BACKPACK_ERROR.unauthorized, 'Unauthorized');
  return req.account;
}

const ORDER_ID_RE = /^\d{1,16}$/;

/** The order reference of a query or body: exactly one of orderId / clientId. */
function orderRef(source: Readonly<Record<string, unknown>>, fromQuery: boolean): SimOrderRef {
  const rawOrderId = source.orderId;
  const rawClientId = source.clientId;
  const hasOrderId = rawOrderId !== undefined && rawOrderId !== null;
  const hasClientId = rawClientId !== undefined && rawClientId !== null;
  if (hasOrderId && hasClientId) throw bad('Specify only one of `orderId` or `clientId`');
  if (!hasOrderId && !hasClientId) throw bad('Specify one of `orderId` or `clientId`');
  if (hasOrderId) {
    const text = String(rawOrderId);
    if (!ORDER_ID_RE.test(text)) throw bad('Invalid `orderId`');
    return { orderId: Number(text) };
  }
  const clientId = parseClientId(
    fromQuery && typeof rawClientId === 'string' ? numberOrText(rawClientId) : rawClientId,
  );
  return { clientOrderId: String(clientId) };
}

function numberOrText(text: string): number | string {
  return /^\d+$/.test(text) ? Number(text) : text;
}

function isResting(order: SimOrder): boolean {
  return order.status === 'new' || order.status === 'partially_filled';
}

function intParam(
  query: Readonly<Record<string, string>>,
  key: string,
  fallback: number,
  max?: number,
): number {
  const raw = query[key];
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw bad(`Invalid \`${key}\``);
  const value = Number(raw);
  if (max !== undefined && value > max) throw bad(`\`${key}\` must be at most ${max}`);
  return value;
}

/**
 * limit/offset/sortDirection of the history endpoints, and their pagination headers
 * (X-TOTAL, X-PAGE-SIZE, X-CURRENT-PAGE, X-PAGE-COUNT, exposed via ACCESS-CONTROL-EXPOSE-HEADERS). [OAS]
 */
function page<T>(
  rows: T[],
  query: Readonly<Record<string, string>>,
): { rows: T[]; headers: Record<string, string> } {
  const limit = intParam(query, 'limit', BACKPACK_HISTORY_DEFAULT_LIMIT, BACKPACK_HISTORY_MAX_LIMIT);
  const offset = intParam(query, 'offset', 0);
  const sort = query.sortDirection;
  if (sort !== undefined && sort !== 'Asc' && sort !== 'Desc') throw bad('Invalid `sortDirection`');
  const ordered = sort === 'Asc' ? [...rows].reverse() : rows;
  const size = Math.max(1, limit);
  const headers = {
    'access-control-expose-headers': 'X-TOTAL, X-PAGE-SIZE, X-CURRENT-PAGE, X-PAGE-COUNT',
    'x-total': String(rows.length),
    'x-page-size': String(size),
    'x-current-page': String(Math.floor(offset / size) + 1),
    'x-page-count': String(Math.ceil(rows.length / size)),
  };
  return { rows: ordered.slice(offset, offset + limit), headers };
}

/** Converts a Market quoteQuantity into a base quantity by walking the opposite side, floored to the step. */
function qtyForQuote(engine: SimVenueEngine, side: 'buy' | 'sell', quote: number): number {
  const book = engine.book();
  const levels = side === 'buy' ? book.asks : book.bids;
  let remaining = quote;
  let qty = 0;
  for (const l of levels) {
    if (remaining <= 0) break;
    const take = Math.min(l.qty, remaining / l.price);
    qty += take;
    remaining -= take * l.price;
  }
  // The double nearest the step-multiple decimal, exactly as a parsed request's quantity is.
  return floorToStep(qty, engine.rules.stepSize);
}

export interface RouteContext {
  engine: SimVenueEngine;
  wp: WirePrecision;
  /** Backpack-only attributes of orders placed through this front-end, by orderId. */
  extras: Map<number, OrderExtras>;
}

/** Handlers by route id "<METHOD> <path>". */
export function buildRoutes(ctx: RouteContext): Map<string, RestHandler> {
  const { engine, wp, extras } = ctx;
  const rules = engine.rules;
  const symbol = rules.symbol;
  const extrasOf = (o: SimOrder): OrderExtras => extras.get(o.orderId) ?? DEFAULT_ORDER_EXTRAS;
  const requireSymbol = (value: unknown): void => {
    if (value === undefined || value === null) throw bad('`symbol` is required');
    if (value !== symbol) throw bad('Invalid symbol', BACKPACK_ERROR.invalidSymbol);
  };
  const optionalSymbol = (value: unknown): boolean => value === undefined || value === symbol;
  const json = (value: unknown): RestResult => ({ json: value });

  const routes = new Map<string, RestHandler>();
  const get = (path: string, h: RestHandler) => routes.set(`GET ${path}`, h);

  // Public
  get(P.assets, () => json(assetsJson(engine.marginAsset)));
  get(P.markets, (req) => {
    const type = req.query.marketType;
    return json(
      type === undefined || type === BACKPACK_MARKET_FACTS.marketType ? [marketJson(rules, wp)] : [],
    );
  });
  get(P.market, (req) => {
    requireSymbol(req.query.symbol);
    return json(marketJson(rules, wp));
  });
  get(P.depth, (req) => {
    requireSymbol(req.query.symbol);
    let limit: number = BACKPACK_DEPTH_DEFAULT_LIMIT;
    if (req.query.limit !== undefined) {
      limit = Number(req.query.limit);
      if (!(BACKPACK_DEPTH_LIMITS as readonly number[]).includes(limit)) throw bad('Invalid `limit`');
    }
    return json(depthJson(engine.book(), limit, wp));
  });
  get(P.ticker, (req) => {
    requireSymbol(req.query.symbol);
    const interval = req.query.interval;
    if (interval !== undefined && interval !== '1d' && interval !== '1w') throw bad('Invalid `interval`');
    return json(tickerJson(symbol, engine.ticker24h(), wp));
  });
  get(P.tickers, () => json([tickerJson(symbol, engine.ticker24h(), wp)]));
  get(P.markPrices, (req) => {
    if (!optionalSymbol(req.query.symbol)) return json([]);
    return json([markPriceJson(symbol, engine.markPrice(), engine.now(), wp)]);
  });
  get(P.time, () => ({ text: String(Date.now()) }));
  get(P.ping, () => ({ text: 'pong' }));
  get(P.status, () => json(BACKPACK_STATUS_OK));

  // Orders
  const placeOne = (account: string, body: Readonly<Record<string, unknown>>): Record<string, unknown> => {
    const parsed = parseOrderRequest(body, symbol);
    const { input } = parsed;
    if (input.type === 'limit' && input.price !== undefined) {
      const mark = engine.markPrice();
      const f = BACKPACK_MARKET_FACTS;
      if (
        input.price > mark * Number(f.priceMaxMultiplier) ||
        input.price < mark * Number(f.priceMinMultiplier)
      ) {
        throw bad('Price is too far from the last active price', BACKPACK_ERROR.invalidPrice);
      }
    }
    if (input.type === 'limit' && parsed.extras.postOnly && input.price !== undefined) {
      const book = engine.book();
      const crosses =
        input.side === 'buy'
          ? book.asks[0] !== undefined && input.price >= book.asks[0].price
          : book.bids[0] !== undefined && input.price <= book.bids[0].price;
      if (crosses) throw bad('Order would immediately match and take', BACKPACK_ERROR.invalidOrder);
    }
    let qty = input.qty;
    if (qty === null) {
      qty = qtyForQuote(engine, input.side, parsed.quoteQuantity ?? 0);
      if (qty <= 0) throw bad('Quote quantity is too small', BACKPACK_ERROR.invalidQuantity);
    }
    const result = engine.placeOrder(account, { ...input, qty });
    if (!result.ok) throw rejectError(result.reason, result.message);
    extras.set(result.order.orderId, parsed.extras);
    return orderJson(result.order, parsed.extras, wp);
  };
  routes.set(`POST ${P.order}`, (req) => json(placeOne(requireAccount(req), req.body)));
  /** Batch execution: one result per order, `operation` "Ok" (the order) or "Err" ({code, message}). */
  routes.set(`POST ${P.orders}`, (req) => {
    const account = requireAccount(req);
    const batch = req.batch;
    if (batch === null || batch.length === 0) throw bad('Request body must be a non-empty array of orders');
    if (batch.length > BACKPACK_BATCH_MAX_ORDERS)
      throw bad(`At most ${BACKPACK_BATCH_MAX_ORDERS} orders per batch`);
    return json(
      batch.map((body) => {
        try {
          return { operation: 'Ok', ...placeOne(account, body) };
        } catch (err) {
          if (!(err instanceof BackpackApiError)) throw err;
          return { operation: 'Err', ...err.body() };
        }
      }),
    );
  });
  get(P.order, (req) => {
    const account = requireAccount(req);
    requireSymbol(req.query.symbol);
    const ref = orderRef(req.query, true);
    const order = engine
      .openOrders(account)
      .find((o) => ('orderId' in ref ? o.orderId === ref.orderId : o.clientOrderId === ref.clientOrderId));
    if (order === undefined || !isResting(order)) throw notFound();
    return json(orderJson(order, extrasOf(order), wp));
  });
  routes.set(`DELETE ${P.order}`, (req) => {
    const account = requireAccount(req);
    requireSymbol(req.body.symbol);
    const order = engine.cancelOrder(account, orderRef(req.body, false));
    if (order === null) throw notFound();
    return json(orderJson(order, extrasOf(order), wp));
  });
  get(P.orders, (req) => {
    const account = requireAccount(req);
    if (!optionalSymbol(req.query.symbol)) return json([]);
    return json(engine.openOrders(account).map((o) => orderJson(o, extrasOf(o), wp)));
  });
  routes.set(`DELETE ${P.orders}`, (req) => {
    const account = requireAccount(req);
    requireSymbol(req.body.symbol);
    const cancelled: unknown[] = [];
    for (const open of engine.openOrders(account)) {
      const order = engine.cancelOrder(account, { orderId: open.orderId });
      if (order !== null) cancelled.push(orderJson(order, extrasOf(order), wp));
    }
    return json(cancelled);
  });

  // Positions, capital, account
  get(P.position, (req) => {
    const account = requireAccount(req);
    if (!optionalSymbol(req.query.symbol)) return json([]);
    const input = {
      account,
      position: engine.position(account),
      balance: engine.balance(account),
      openOrders: engine.openOrders(account),
    };
    return json(positionsJson(input, wp));
  });
  get(P.capital, (req) => json(capitalJson(engine.balance(requireAccount(req)), wp)));
  get(P.collateral, (req) => {
    const account = requireAccount(req);
    const open = engine.openOrders(account);
    return json(collateralJson(engine.balance(account), engine.position(account), open, wp));
  });
  get(P.account, (req) => {
    const account = requireAccount(req);
    const limitOrders = engine.openOrders(account).filter((o) => o.type === 'limit').length;
    return json(accountJson(rules, engine.position(account).leverage, limitOrders));
  });
  routes.set(`PATCH ${P.account}`, (req) => {
    const account = requireAccount(req);
    const settable = new Set([
      'leverageLimit',
      'autoLend',
      'autoBorrowSettlements',
      'autoRepayBorrows',
      'autoRealizePnl',
    ]);
    for (const key of Object.keys(req.body)) if (!settable.has(key)) throw bad(`Unknown field \`${key}\``);
    for (const key of ['autoLend', 'autoBorrowSettlements', 'autoRepayBorrows', 'autoRealizePnl']) {
      const value = req.body[key];
      if (value !== undefined && typeof value !== 'boolean') throw bad(`\`${key}\` must be a boolean`);
    }
    const raw = req.body.leverageLimit;
    if (raw !== undefined) {
      const leverage = typeof raw === 'number' ? raw : parseDecimal(raw);
      if (leverage === null || !(leverage > 0)) throw bad('Invalid `leverageLimit`');
      if (engine.setLeverage(account, leverage) === null) {
        throw bad(`Leverage limit must be between 1 and ${rules.maxLeverage}`);
      }
    }
    return { empty: true };
  });

  // History
  get(P.orderHistory, (req) => {
    const account = requireAccount(req);
    if (req.query.strategyId !== undefined || !optionalSymbol(req.query.symbol)) return json([]);
    let rows = engine.orderHistory(account);
    const orderId = req.query.orderId;
    if (orderId !== undefined) rows = rows.filter((o) => String(o.orderId) === orderId);
    const p = page(rows, req.query);
    return { json: p.rows.map((o) => orderHistoryJson(o, extrasOf(o), wp)), headers: p.headers };
  });
  get(P.fillHistory, (req) => {
    const account = requireAccount(req);
    const q = req.query;
    const fillType = q.fillType;
    if (q.strategyId !== undefined || !optionalSymbol(q.symbol)) return json([]);
    // Liquidation, ADL and other system fill types: the simulator has none.
    if (fillType !== undefined && fillType !== 'User') return json([]);
    const from = q.from === undefined ? null : intParam(q, 'from', 0);
    const to = q.to === undefined ? null : intParam(q, 'to', 0);
    const rows = engine
      .fills(account)
      .filter(
        (f) =>
          (q.orderId === undefined || String(f.orderId) === q.orderId) &&
          (from === null || f.time >= from) &&
          (to === null || f.time <= to),
      );
    const p = page(rows, q);
    return { json: p.rows.map((f) => fillJson(f, wp)), headers: p.headers };
  });

  // Funding is not simulated: the history exists and is empty.
  get(P.fundingHistory, (req) => {
    requireAccount(req);
    return json([]);
  });

  return routes;
}
