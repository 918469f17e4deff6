import type { SimOrderInput, SimTimeInForce } from '../engine/types';
import { BackpackApiError } from './api-error';
import {
  BACKPACK_CLIENT_ID_MAX,
  BACKPACK_DEFAULT_STP,
  BACKPACK_ERROR,
  BACKPACK_ORDER_TYPES,
  BACKPACK_SELF_TRADE_PREVENTION,
  BACKPACK_SIDES,
  BACKPACK_TIME_IN_FORCE,
  type BackpackErrorCode,
} from './constants';
import { parseDecimal } from '../engine/decimal';
import type { OrderExtras } from './order-json';

/** POST /api/v1/order body (OrderExecutePayload), validated; quantity is absent for quoteQuantity orders. */
export interface ParsedOrderRequest {
  input: Omit<SimOrderInput, 'qty'> & { qty: number | null };
  quoteQuantity: number | null;
  extras: OrderExtras;
}

const SUPPORTED_FIELDS = new Set([
  'symbol',
  'side',
  'orderType',
  'quantity',
  'quoteQuantity',
  'price',
  'timeInForce',
  'postOnly',
  'reduceOnly',
  'clientId',
  'selfTradePrevention',
  'brokerId',
]);

/** Documented fields of features the simulator does not model (trigger, TP/SL, slippage, spot margin). */
const UNSUPPORTED_FIELDS = new Set([
  'triggerPrice',
  'triggerQuantity',
  'triggerBy',
  'takeProfitTriggerPrice',
  'takeProfitLimitPrice',
  'takeProfitTriggerBy',
  'stopLossTriggerPrice',
  'stopLossLimitPrice',
  'stopLossTriggerBy',
  'slippageTolerance',
  'slippageToleranceType',
  'autoLend',
  'autoLendRedeem',
  'autoBorrow',
  'autoBorrowRepay',
]);

function bad(message: string, code: BackpackErrorCode): BackpackApiError {
  return new BackpackApiError(400, code, message);
}

function decimalField(body: Record<string, unknown>, key: string): number | null | undefined {
  const raw = body[key];
  if (raw === undefined || raw === null) return undefined;
  const value = typeof raw === 'number' ? raw : parseDecimal(raw);
  if (value === null || !Number.isFinite(value)) return null;
  return value;
}

function oneOf<T extends string>(values: readonly T[], raw: unknown): T | null {
  return typeof raw === 'string' && (values as readonly string[]).includes(raw) ? (raw as T) : null;
}

function boolField(body: Record<string, unknown>, key: string): boolean {
  const raw = body[key];
  if (raw === undefined || raw === null) return false;
  if (typeof raw !== 'boolean')
    throw bad(`\`${key}\` must be a boolean`, BACKPACK_ERROR.invalidClientRequest);
  return raw;
}

/** clientId: an integer 0..4294967295 (uint32), sent as a JSON number. */
export function parseClientId(raw: unknown): number | null {
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0 || raw > BACKPACK_CLIENT_ID_MAX) {
    throw bad('`clientId` must be an unsigned 32-bit integer', BACKPACK_ERROR.invalidClientRequest);
  }
  return raw;
}

export function parseOrderRequest(body: Record<string, unknown>, symbol: string): ParsedOrderRequest {
  for (const key of Object.keys(body)) {
    if (UNSUPPORTED_FIELDS.has(key)) {
      throw bad(`\`${key}\` is not supported by the simulator`, BACKPACK_ERROR.invalidOrder);
    }
    if (!SUPPORTED_FIELDS.has(key))
      throw bad(`Unknown field \`${key}\``, BACKPACK_ERROR.invalidClientRequest);
  }
  if (typeof body.symbol !== 'string') throw bad('`symbol` is required', BACKPACK_ERROR.invalidClientRequest);
  if (body.symbol !== symbol) throw bad('Invalid symbol', BACKPACK_ERROR.invalidSymbol);
  const side = oneOf(BACKPACK_SIDES, body.side);
  if (side === null) throw bad('`side` must be Bid or Ask', BACKPACK_ERROR.invalidClientRequest);
  const orderType = oneOf(BACKPACK_ORDER_TYPES, body.orderType);
  if (orderType === null)
    throw bad('`orderType` must be Market or Limit', BACKPACK_ERROR.invalidClientRequest);
  let tif: SimTimeInForce = 'GTC';
  if (body.timeInForce !== undefined && body.timeInForce !== null) {
    const parsed = oneOf(BACKPACK_TIME_IN_FORCE, body.timeInForce);
    if (parsed === null)
      throw bad('`timeInForce` must be GTC, IOC or FOK', BACKPACK_ERROR.invalidClientRequest);
    tif = parsed;
  }
  let stp: string = BACKPACK_DEFAULT_STP;
  if (body.selfTradePrevention !== undefined && body.selfTradePrevention !== null) {
    const parsed = oneOf(BACKPACK_SELF_TRADE_PREVENTION, body.selfTradePrevention);
    if (parsed === null) throw bad('Invalid `selfTradePrevention`', BACKPACK_ERROR.invalidClientRequest);
    stp = parsed;
  }
  const postOnly = boolField(body, 'postOnly');
  const reduceOnly = boolField(body, 'reduceOnly');
  const clientId = parseClientId(body.clientId);

  const quantity = decimalField(body, 'quantity');
  const quoteQuantity = decimalField(body, 'quoteQuantity');
  const price = decimalField(body, 'price');
  if (quantity === null || (quantity !== undefined && quantity <= 0)) {
    throw bad('Invalid quantity', BACKPACK_ERROR.invalidQuantity);
  }
  if (quoteQuantity === null || (quoteQuantity !== undefined && quoteQuantity <= 0)) {
    throw bad('Invalid quote quantity', BACKPACK_ERROR.invalidQuantity);
  }
  if (price === null || (price !== undefined && price <= 0))
    throw bad('Invalid price', BACKPACK_ERROR.invalidPrice);

  if (orderType === 'Limit') {
    if (price === undefined) throw bad('Limit orders require a price', BACKPACK_ERROR.invalidPrice);
    if (quantity === undefined) throw bad('Limit orders require a quantity', BACKPACK_ERROR.invalidQuantity);
    if (quoteQuantity !== undefined) {
      throw bad('`quoteQuantity` is only valid for market orders', BACKPACK_ERROR.invalidOrder);
    }
    if (postOnly && tif !== 'GTC') throw bad('Post only orders must be GTC', BACKPACK_ERROR.invalidOrder);
  } else {
    if (postOnly) throw bad('Market orders cannot be post only', BACKPACK_ERROR.invalidOrder);
    if ((quantity === undefined) === (quoteQuantity === undefined)) {
      throw bad(
        'Market orders require exactly one of quantity or quoteQuantity',
        BACKPACK_ERROR.invalidQuantity,
      );
    }
  }
  const quoteText = typeof body.quoteQuantity === 'string' ? body.quoteQuantity : null;
  return {
    input: {
      side: side === 'Bid' ? 'buy' : 'sell',
      type: orderType === 'Market' ? 'market' : 'limit',
      tif,
      qty: quantity ?? null,
      ...(orderType === 'Limit' && price !== undefined ? { price } : {}),
      reduceOnly,
      clientOrderId: clientId === null ? null : String(clientId),
    },
    quoteQuantity: quoteQuantity ?? null,
    extras: {
      postOnly,
      selfTradePrevention: stp,
      quoteQuantity: quoteQuantity === undefined ? null : (quoteText ?? String(quoteQuantity)),
    },
  };
}
