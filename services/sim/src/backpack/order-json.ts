import type { SimFill, SimOrder, SimOrderStatus } from '../engine/types';
import { BACKPACK_DEFAULT_STP, BACKPACK_EXPIRY_REASONS, BACKPACK_ORDER_STATUS } from './constants';
import type { WirePrecision } from './wire-precision';
import { toNaiveIso } from './wire-time';

/** Order attributes Backpack echoes that the venue-neutral engine does not keep. */
export interface OrderExtras {
  postOnly: boolean;
  selfTradePrevention: string;
  /** The quoteQuantity a Market order was sent with, as sent. */
  quoteQuantity: string | null;
}

export const DEFAULT_ORDER_EXTRAS: OrderExtras = {
  postOnly: false,
  selfTradePrevention: BACKPACK_DEFAULT_STP,
  quoteQuantity: null,
};

function assertNever(value: never): never {
  throw new Error(`unexpected value ${String(value)}`);
}

export function orderStatusText(status: SimOrderStatus): string {
  switch (status) {
    case 'new':
      return BACKPACK_ORDER_STATUS.new;
    case 'partially_filled':
      return BACKPACK_ORDER_STATUS.partiallyFilled;
    case 'filled':
      return BACKPACK_ORDER_STATUS.filled;
    case 'canceled':
      return BACKPACK_ORDER_STATUS.cancelled;
    case 'expired':
    case 'rejected':
      return BACKPACK_ORDER_STATUS.expired;
    default:
      return assertNever(status);
  }
}

const EXPIRY_REASONS: ReadonlySet<string> = new Set(BACKPACK_EXPIRY_REASONS);

/** OrderExpiryReason for orders that ended Expired; the engine's reasons already use the venue's names. */
export function expiryReasonText(order: SimOrder): string | null {
  if (order.status !== 'expired' && order.status !== 'rejected') return null;
  if (order.expiryReason !== null && EXPIRY_REASONS.has(order.expiryReason)) return order.expiryReason;
  if (order.expiryReason === null && order.tif === 'IOC') return 'ImmediateOrCancel';
  if (order.expiryReason === null && order.tif === 'FOK') return 'FillOrKill';
  return 'Unknown';
}

export function clientIdNumber(clientOrderId: string | null): number | null {
  if (clientOrderId === null) return null;
  const n = Number(clientOrderId);
  return Number.isSafeInteger(n) ? n : null;
}

const NULL_TRIGGER_FIELDS = {
  relatedOrderId: null,
  stopLossLimitPrice: null,
  stopLossTriggerBy: null,
  stopLossTriggerPrice: null,
  strategyId: null,
  takeProfitLimitPrice: null,
  takeProfitTriggerBy: null,
  takeProfitTriggerPrice: null,
  triggerBy: null,
  triggerPrice: null,
  triggerQuantity: null,
} as const;

/**
 * The order as POST/GET/DELETE /api/v1/order and GET /api/v1/orders answer it (OpenAPI `OrderType`:
 * discriminated by orderType; createdAt in ms; Market orders carry no price; no fee field).
 */
export function orderJson(order: SimOrder, extras: OrderExtras, wp: WirePrecision): Record<string, unknown> {
  const common = {
    clientId: clientIdNumber(order.clientOrderId),
    createdAt: order.createdAt,
    executedQuantity: wp.qty(order.executedQty),
    executedQuoteQuantity: wp.quote(order.executedQuote),
    id: String(order.orderId),
    reduceOnly: order.reduceOnly,
    selfTradePrevention: extras.selfTradePrevention,
    side: order.side === 'buy' ? 'Bid' : 'Ask',
    status: orderStatusText(order.status),
    symbol: order.symbol,
    timeInForce: order.tif,
    triggeredAt: null,
    ...NULL_TRIGGER_FIELDS,
  };
  if (order.type === 'market') {
    return {
      orderType: 'Market',
      ...common,
      quantity: extras.quoteQuantity === null ? wp.qty(order.qty) : null,
      quoteQuantity: extras.quoteQuantity,
    };
  }
  return {
    orderType: 'Limit',
    ...common,
    postOnly: extras.postOnly,
    price: wp.price(order.price ?? 0),
    quantity: wp.qty(order.qty),
  };
}

/** The order as GET /wapi/v1/history/orders answers it (OpenAPI `Order`: naive ISO createdAt, expiryReason). */
export function orderHistoryJson(
  order: SimOrder,
  extras: OrderExtras,
  wp: WirePrecision,
): Record<string, unknown> {
  const isMarket = order.type === 'market';
  return {
    clientId: clientIdNumber(order.clientOrderId),
    createdAt: toNaiveIso(order.createdAt),
    executedQuantity: wp.qty(order.executedQty),
    executedQuoteQuantity: wp.quote(order.executedQuote),
    expiryReason: expiryReasonText(order),
    id: String(order.orderId),
    orderType: isMarket ? 'Market' : 'Limit',
    postOnly: isMarket ? null : extras.postOnly,
    price: isMarket ? null : wp.price(order.price ?? 0),
    quantity: isMarket && extras.quoteQuantity !== null ? null : wp.qty(order.qty),
    quoteQuantity: extras.quoteQuantity,
    reduceOnly: order.reduceOnly,
    selfTradePrevention: extras.selfTradePrevention,
    side: order.side === 'buy' ? 'Bid' : 'Ask',
    status: orderStatusText(order.status),
    symbol: order.symbol,
    systemOrderType: null,
    timeInForce: order.tif,
    ...NULL_TRIGGER_FIELDS,
  };
}

/** A row of GET /wapi/v1/history/fills (OpenAPI `OrderFill`: clientId as a STRING, naive ISO timestamp). */
export function fillJson(fill: SimFill, wp: WirePrecision): Record<string, unknown> {
  return {
    clientId: fill.clientOrderId,
    fee: wp.amount(fill.fee),
    feeSymbol: fill.feeAsset,
    isMaker: fill.isMaker,
    orderId: String(fill.orderId),
    price: wp.price(fill.price),
    quantity: wp.qty(fill.qty),
    side: fill.side === 'buy' ? 'Bid' : 'Ask',
    symbol: fill.symbol,
    systemOrderType: null,
    timestamp: toNaiveIso(fill.time),
    tradeId: fill.tradeId,
  };
}
