import type { SimOrder, SimOrderInput, SimOrderRef, SimRejectReason, SimTimeInForce } from '../engine/types';
import { AsterApiError } from './api-error';
import {
  ASTER_CANCEL_ALL_MSG,
  ASTER_CLIENT_ORDER_ID_PATTERN,
  ASTER_ERRORS,
  ASTER_SYMBOL_FACTS,
} from './constants';
import { parseUnits, stepUnits } from '../engine/decimal';
import {
  type AsterRequestContext,
  historyPage,
  intParam,
  param,
  requireParam,
  requireSymbol,
} from './handler-context';
import { marketMaxQty } from './wire-market';
import { asterOrder, asterOrderAck } from './wire-order';

const OPEN: ReadonlySet<SimOrder['status']> = new Set(['new', 'partially_filled']);

function parseQty(ctx: AsterRequestContext, raw: string, isMarket: boolean): number {
  const { rules } = ctx.state.engine;
  const d = ctx.state.decimals.qty;
  if (/^-/.test(raw.trim()) || Number(raw) === 0) throw new AsterApiError(ASTER_ERRORS.qtyLessThanZero);
  const q = parseUnits(raw, d);
  if (!q.ok) {
    if (q.reason === 'precision') throw new AsterApiError(ASTER_ERRORS.badPrecision);
    throw new AsterApiError(ASTER_ERRORS.invalidParameter, ['quantity']);
  }
  if (q.value < rules.minQty) throw new AsterApiError(ASTER_ERRORS.qtyBelowMin);
  if (q.value > (isMarket ? marketMaxQty(rules) : rules.maxQty))
    throw new AsterApiError(ASTER_ERRORS.qtyAboveMax);
  if (q.units % stepUnits(rules.stepSize, d) !== 0n) throw new AsterApiError(ASTER_ERRORS.qtyNotStep);
  return q.value;
}

function parsePrice(ctx: AsterRequestContext, raw: string, side: 'buy' | 'sell'): number {
  const { rules } = ctx.state.engine;
  const d = ctx.state.decimals.price;
  const p = parseUnits(raw, d);
  if (!p.ok) {
    if (p.reason === 'precision') throw new AsterApiError(ASTER_ERRORS.badPrecision);
    throw new AsterApiError(ASTER_ERRORS.invalidParameter, ['price']);
  }
  if (p.value < Number(ASTER_SYMBOL_FACTS.minPrice)) throw new AsterApiError(ASTER_ERRORS.priceBelowMin);
  if (p.value > Number(ASTER_SYMBOL_FACTS.maxPrice)) throw new AsterApiError(ASTER_ERRORS.priceAboveMax);
  if (p.units % stepUnits(rules.tickSize, d) !== 0n) throw new AsterApiError(ASTER_ERRORS.priceNotTick);
  const mark = ctx.state.engine.markPrice();
  if (side === 'buy' && p.value > mark * Number(ASTER_SYMBOL_FACTS.multiplierUp)) {
    throw new AsterApiError(ASTER_ERRORS.priceAboveMultiplierUp);
  }
  if (side === 'sell' && p.value < mark * Number(ASTER_SYMBOL_FACTS.multiplierDown)) {
    throw new AsterApiError(ASTER_ERRORS.priceBelowMultiplierDown);
  }
  return p.value;
}

function rejectError(ctx: AsterRequestContext, reason: SimRejectReason, message: string): AsterApiError {
  switch (reason) {
    case 'insufficient_margin':
      return new AsterApiError(ASTER_ERRORS.marginInsufficient);
    case 'reduce_only_rejected':
      return new AsterApiError(ASTER_ERRORS.reduceOnlyReject);
    case 'qty_below_min':
      return new AsterApiError(ASTER_ERRORS.qtyBelowMin);
    case 'qty_above_max':
      return new AsterApiError(ASTER_ERRORS.qtyAboveMax);
    case 'qty_not_step':
      return new AsterApiError(ASTER_ERRORS.qtyNotStep);
    case 'price_not_tick':
      return new AsterApiError(ASTER_ERRORS.priceNotTick);
    case 'min_notional':
      return new AsterApiError(ASTER_ERRORS.minNotional, [ctx.state.engine.rules.minNotional]);
    case 'no_liquidity':
      return new AsterApiError(ASTER_ERRORS.unableToFill);
    case 'duplicate_client_order_id':
      return duplicateError(ctx);
    case 'injected_reject':
      return new AsterApiError({
        ...ASTER_ERRORS.newOrderRejected,
        msg: message || ASTER_ERRORS.newOrderRejected.msg,
      });
    default: {
      const never: never = reason;
      return new AsterApiError({ ...ASTER_ERRORS.unknown, msg: `unmapped reject ${String(never)}` });
    }
  }
}

function duplicateError(ctx: AsterRequestContext): AsterApiError {
  return new AsterApiError({
    ...ASTER_ERRORS.duplicateClientOrderId,
    code: ctx.state.tuning.duplicateClientOrderIdCode,
  });
}

function bool(ctx: AsterRequestContext, name: string): boolean {
  const v = param(ctx, name);
  if (v === undefined || v === 'false') return false;
  if (v === 'true') return true;
  throw new AsterApiError(ASTER_ERRORS.invalidParameter, [name]);
}

/**
 * POST /fapi/v1|v3/order [DOC §New Order]: MARKET, or LIMIT with GTC/IOC/FOK. Validation follows the
 * venue's filters before the engine sees the order. `newOrderRespType` ACK (default) answers the
 * just-accepted state; RESULT answers the state after matching. `builder`/`feeRate` (CCXT adds them) are
 * accepted and not charged.
 */
export function newOrder(ctx: AsterRequestContext): unknown {
  const { engine, decimals } = ctx.state;
  requireSymbol(ctx);
  const sideRaw = requireParam(ctx, 'side');
  if (sideRaw !== 'BUY' && sideRaw !== 'SELL') throw new AsterApiError(ASTER_ERRORS.invalidSide);
  const side = sideRaw === 'BUY' ? 'buy' : 'sell';
  const typeRaw = requireParam(ctx, 'type');
  if (typeRaw !== 'LIMIT' && typeRaw !== 'MARKET') throw new AsterApiError(ASTER_ERRORS.invalidOrderType);
  const isMarket = typeRaw === 'MARKET';
  const positionSide = param(ctx, 'positionSide');
  if (positionSide !== undefined && positionSide !== 'BOTH') {
    if (positionSide === 'LONG' || positionSide === 'SHORT')
      throw new AsterApiError(ASTER_ERRORS.positionSideMismatch);
    throw new AsterApiError(ASTER_ERRORS.invalidPositionSide);
  }
  const respType = param(ctx, 'newOrderRespType') ?? 'ACK';
  if (respType !== 'ACK' && respType !== 'RESULT') throw new AsterApiError(ASTER_ERRORS.invalidRespType);
  const reduceOnly = bool(ctx, 'reduceOnly');
  let clientOrderId = param(ctx, 'newClientOrderId');
  if (clientOrderId !== undefined && !ASTER_CLIENT_ORDER_ID_PATTERN.test(clientOrderId)) {
    throw new AsterApiError(ASTER_ERRORS.invalidClientOrderId);
  }
  const qty = parseQty(ctx, requireParam(ctx, 'quantity'), isMarket);
  let tif: SimTimeInForce = 'IOC';
  let price: number | undefined;
  if (isMarket) {
    if (param(ctx, 'price') !== undefined) throw new AsterApiError(ASTER_ERRORS.paramNotRequired, ['price']);
  } else {
    const tifRaw = requireParam(ctx, 'timeInForce');
    if (tifRaw !== 'GTC' && tifRaw !== 'IOC' && tifRaw !== 'FOK')
      throw new AsterApiError(ASTER_ERRORS.invalidTif);
    tif = tifRaw;
    price = parsePrice(ctx, requireParam(ctx, 'price'), side);
  }
  const notional = qty * (price ?? engine.markPrice());
  if (!reduceOnly && notional < engine.rules.minNotional) {
    throw new AsterApiError(ASTER_ERRORS.minNotional, [engine.rules.minNotional]);
  }
  if (clientOrderId !== undefined) {
    const id = clientOrderId;
    if (engine.openOrders(ctx.account).some((o) => o.clientOrderId === id)) throw duplicateError(ctx);
  } else {
    clientOrderId = `sim_${ctx.state.autoClientId.next++}`;
  }
  const input: SimOrderInput = {
    side,
    type: isMarket ? 'market' : 'limit',
    tif,
    qty,
    reduceOnly,
    clientOrderId,
  };
  if (price !== undefined) input.price = price;
  const result = engine.placeOrder(ctx.account, input);
  if (!result.ok) throw rejectError(ctx, result.reason, result.message);
  return respType === 'ACK'
    ? asterOrderAck(result.order, decimals)
    : asterOrder(result.order, decimals, false);
}

function orderRef(ctx: AsterRequestContext): SimOrderRef {
  const orderId = intParam(ctx, 'orderId', 0, Number.MAX_SAFE_INTEGER);
  if (orderId !== undefined) return { orderId };
  const clientOrderId = param(ctx, 'origClientOrderId');
  if (clientOrderId !== undefined) return { clientOrderId };
  throw new AsterApiError(ASTER_ERRORS.mandatoryEither, ['orderId', 'origClientOrderId']);
}

/** GET /fapi/v1|v3/order: any order of the account, open or final (-2013 when unknown). */
export function queryOrder(ctx: AsterRequestContext): unknown {
  requireSymbol(ctx);
  const o = ctx.state.engine.getOrder(ctx.account, orderRef(ctx));
  if (!o) throw new AsterApiError(ASTER_ERRORS.noSuchOrder);
  return asterOrder(o, ctx.state.decimals, true);
}

/** GET /fapi/v1|v3/openOrder: only an open order (-2013 otherwise). */
export function queryOpenOrder(ctx: AsterRequestContext): unknown {
  requireSymbol(ctx);
  const o = ctx.state.engine.getOrder(ctx.account, orderRef(ctx));
  if (!o || !OPEN.has(o.status)) throw new AsterApiError(ASTER_ERRORS.noSuchOrder);
  return asterOrder(o, ctx.state.decimals, true);
}

/** DELETE /fapi/v1|v3/order: cancels an open order (-2011 when unknown or no longer open). */
export function cancelOrder(ctx: AsterRequestContext): unknown {
  requireSymbol(ctx);
  const ref = orderRef(ctx);
  const before = ctx.state.engine.getOrder(ctx.account, ref);
  if (!before || !OPEN.has(before.status)) throw new AsterApiError(ASTER_ERRORS.cancelRejected);
  const o = ctx.state.engine.cancelOrder(ctx.account, ref);
  if (o?.status !== 'canceled') throw new AsterApiError(ASTER_ERRORS.cancelRejected);
  return asterOrder(o, ctx.state.decimals, false);
}

/** DELETE /fapi/v1|v3/allOpenOrders: `{"code":"200",...}` on V1 [DOC], `{"code":200,...}` on V3 [CCXT]. */
export function cancelAll(ctx: AsterRequestContext): unknown {
  requireSymbol(ctx);
  for (const o of ctx.state.engine.openOrders(ctx.account)) {
    ctx.state.engine.cancelOrder(ctx.account, { orderId: o.orderId });
  }
  return { code: ctx.version === 'v3' ? 200 : '200', msg: ASTER_CANCEL_ALL_MSG };
}

export function openOrders(ctx: AsterRequestContext): unknown {
  if (param(ctx, 'symbol') !== undefined) requireSymbol(ctx);
  return ctx.state.engine
    .openOrders(ctx.account)
    .slice()
    .sort((a, b) => a.orderId - b.orderId)
    .map((o) => asterOrder(o, ctx.state.decimals, true));
}

/** GET /fapi/v1|v3/allOrders: oldest first; `orderId` starts from that id; `limit` default 500, max 1000. */
export function allOrders(ctx: AsterRequestContext): unknown {
  requireSymbol(ctx);
  const orders = ctx.state.engine.orderHistory(ctx.account);
  return historyPage(
    ctx,
    orders,
    'orderId',
    (o) => o.orderId,
    (o) => o.createdAt,
  ).map((o) => asterOrder(o, ctx.state.decimals, true));
}
