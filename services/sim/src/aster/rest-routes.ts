import * as account from './account-handlers';
import type { AsterRequestContext } from './handler-context';
import * as market from './market-handlers';
import * as order from './order-handlers';

export type AsterHandler = (ctx: AsterRequestContext) => unknown;

/**
 * One REST route. `versions` lists the path prefixes it is served under: `/fapi/v1|v2|v4` sign with HMAC
 * (v4/account also accepts V3), `/fapi/v3` with EIP-712, `/api/v1|v3` is the spot host CCXT also calls.
 */
export interface AsterRoute {
  method: 'GET' | 'POST' | 'DELETE' | 'PUT';
  /** Path after the version, e.g. 'order' or 'ticker/bookTicker'. */
  name: string;
  prefixes: readonly string[];
  signed: boolean;
  weight: number | ((params: Map<string, string>) => number);
  /** Orders count against the account's order limit and carry X-MBX-ORDER-COUNT-1M. */
  isNewOrder?: boolean;
  /** Special V3 auth (ApproveBuilder struct signed by the user). */
  approveBuilder?: boolean;
  handler: AsterHandler;
}

const F13 = ['/fapi/v1', '/fapi/v3'] as const;
const F23 = ['/fapi/v2', '/fapi/v3'] as const;
const F3 = ['/fapi/v3'] as const;
const PUB = ['/fapi/v1', '/fapi/v3', '/api/v1', '/api/v3'] as const;
const SPOT = ['/api/v1', '/api/v3'] as const;

export const ASTER_ROUTES: readonly AsterRoute[] = [
  { method: 'GET', name: 'ping', prefixes: PUB, signed: false, weight: 1, handler: market.ping },
  { method: 'GET', name: 'time', prefixes: PUB, signed: false, weight: 1, handler: market.time },
  {
    method: 'GET',
    name: 'exchangeInfo',
    prefixes: F13,
    signed: false,
    weight: 1,
    handler: market.exchangeInfo,
  },
  {
    method: 'GET',
    name: 'exchangeInfo',
    prefixes: SPOT,
    signed: false,
    weight: 1,
    handler: market.spotExchangeInfo,
  },
  {
    method: 'GET',
    name: 'depth',
    prefixes: F13,
    signed: false,
    weight: market.depthWeight,
    handler: market.depth,
  },
  {
    method: 'GET',
    name: 'ticker/24hr',
    prefixes: F13,
    signed: false,
    weight: market.symbolWeight(40),
    handler: market.ticker24h,
  },
  {
    method: 'GET',
    name: 'ticker/price',
    prefixes: F13,
    signed: false,
    weight: market.symbolWeight(2),
    handler: market.tickerPrice,
  },
  {
    method: 'GET',
    name: 'ticker/bookTicker',
    prefixes: F13,
    signed: false,
    weight: market.symbolWeight(2),
    handler: market.bookTicker,
  },
  {
    method: 'GET',
    name: 'premiumIndex',
    prefixes: F13,
    signed: false,
    weight: 1,
    handler: market.premiumIndex,
  },
  {
    method: 'POST',
    name: 'order',
    prefixes: F13,
    signed: true,
    weight: 1,
    isNewOrder: true,
    handler: order.newOrder,
  },
  { method: 'GET', name: 'order', prefixes: F13, signed: true, weight: 1, handler: order.queryOrder },
  { method: 'DELETE', name: 'order', prefixes: F13, signed: true, weight: 1, handler: order.cancelOrder },
  {
    method: 'DELETE',
    name: 'allOpenOrders',
    prefixes: F13,
    signed: true,
    weight: 1,
    handler: order.cancelAll,
  },
  {
    method: 'GET',
    name: 'openOrders',
    prefixes: F13,
    signed: true,
    weight: market.symbolWeight(40),
    handler: order.openOrders,
  },
  { method: 'GET', name: 'openOrder', prefixes: F13, signed: true, weight: 1, handler: order.queryOpenOrder },
  { method: 'GET', name: 'allOrders', prefixes: F13, signed: true, weight: 5, handler: order.allOrders },
  {
    method: 'GET',
    name: 'positionRisk',
    prefixes: F23,
    signed: true,
    weight: 5,
    handler: account.positionRisk,
  },
  { method: 'GET', name: 'balance', prefixes: F23, signed: true, weight: 5, handler: account.balance },
  {
    method: 'GET',
    name: 'account',
    prefixes: ['/fapi/v4', '/fapi/v3'],
    signed: true,
    weight: 5,
    handler: account.account,
  },
  { method: 'POST', name: 'leverage', prefixes: F13, signed: true, weight: 1, handler: account.leverage },
  { method: 'POST', name: 'marginType', prefixes: F13, signed: true, weight: 1, handler: account.marginType },
  {
    method: 'GET',
    name: 'leverageBracket',
    prefixes: F13,
    signed: true,
    weight: 1,
    handler: account.leverageBracket,
  },
  {
    method: 'GET',
    name: 'commissionRate',
    prefixes: F13,
    signed: true,
    weight: 20,
    handler: account.commissionRate,
  },
  { method: 'GET', name: 'userTrades', prefixes: F13, signed: true, weight: 5, handler: account.userTrades },
  {
    method: 'GET',
    name: 'positionSide/dual',
    prefixes: F13,
    signed: true,
    weight: 30,
    handler: account.getPositionMode,
  },
  {
    method: 'POST',
    name: 'positionSide/dual',
    prefixes: F13,
    signed: true,
    weight: 1,
    handler: account.setPositionMode,
  },
  { method: 'GET', name: 'builder', prefixes: F3, signed: true, weight: 1, handler: account.builders },
  {
    method: 'POST',
    name: 'approveBuilder',
    prefixes: F3,
    signed: true,
    weight: 1,
    approveBuilder: true,
    handler: account.approveBuilder,
  },
];

export interface ResolvedRoute {
  route: AsterRoute;
  prefix: string;
  /** 'v1' | 'v2' | 'v3' | 'v4' */
  version: string;
}

const INDEX = new Map<string, ResolvedRoute>();
for (const route of ASTER_ROUTES) {
  for (const prefix of route.prefixes) {
    const version = prefix.slice(prefix.lastIndexOf('/') + 1);
    INDEX.set(`${route.method} ${prefix}/${route.name}`, { route, prefix, version });
  }
}

export function resolveRoute(method: string, path: string): ResolvedRoute | undefined {
  return INDEX.get(`${method} ${path}`);
}

export function routeWeight(route: AsterRoute, params: Map<string, string>): number {
  return typeof route.weight === 'number' ? route.weight : route.weight(params);
}
