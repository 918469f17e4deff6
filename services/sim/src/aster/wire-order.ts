import type { SimFill, SimOrder, SimOrderStatus } from '../engine/types';
import { formatFixedOrZero } from '../engine/decimal';
import type { AsterDecimals } from './wire-market';

export type AsterOrderStatus = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'EXPIRED' | 'REJECTED';

export function asterOrderStatus(status: SimOrderStatus): AsterOrderStatus {
  switch (status) {
    case 'new':
      return 'NEW';
    case 'partially_filled':
      return 'PARTIALLY_FILLED';
    case 'filled':
      return 'FILLED';
    case 'canceled':
      return 'CANCELED';
    case 'expired':
      return 'EXPIRED';
    case 'rejected':
      return 'REJECTED';
    default: {
      const never: never = status;
      throw new Error(`unmapped order status ${String(never)}`);
    }
  }
}

/** Average-price decimals: Aster shows at least 5 (e.g. "0.00000"). */
function avgDecimals(d: AsterDecimals): number {
  return Math.max(5, d.price);
}

/**
 * The order object of New / Query / Cancel Order [DOC §New Order response]. Numbers are strings except
 * orderId, time and updateTime. `time` is only in Query Order and open-order lists.
 */
export function asterOrder(o: SimOrder, d: AsterDecimals, withTime: boolean): Record<string, unknown> {
  const type = o.type === 'market' ? 'MARKET' : 'LIMIT';
  const out: Record<string, unknown> = {
    orderId: o.orderId,
    symbol: o.symbol,
    status: asterOrderStatus(o.status),
    clientOrderId: o.clientOrderId ?? '',
    price: formatFixedOrZero(o.type === 'limit' ? (o.price ?? 0) : 0, d.price),
    avgPrice: formatFixedOrZero(o.avgPrice, avgDecimals(d)),
    origQty: formatFixedOrZero(o.qty, d.qty),
    executedQty: formatFixedOrZero(o.executedQty, d.qty),
    cumQty: formatFixedOrZero(o.executedQty, d.qty),
    cumQuote: formatFixedOrZero(o.executedQuote, avgDecimals(d)),
    timeInForce: o.type === 'market' ? 'GTC' : o.tif,
    type,
    reduceOnly: o.reduceOnly,
    closePosition: false,
    side: o.side === 'buy' ? 'BUY' : 'SELL',
    positionSide: 'BOTH',
    stopPrice: '0',
    workingType: 'CONTRACT_PRICE',
    priceProtect: false,
    origType: type,
  };
  if (withTime) out.time = o.createdAt;
  out.updateTime = o.updatedAt;
  return out;
}

/**
 * `newOrderRespType=ACK` (the default): the just-accepted state, as Binance USDⓈ-M answers — status NEW and
 * nothing executed yet, whatever matching did since. The final state needs Query Order (or RESULT).
 */
export function asterOrderAck(o: SimOrder, d: AsterDecimals): Record<string, unknown> {
  return asterOrder(
    { ...o, status: 'new', executedQty: 0, executedQuote: 0, avgPrice: 0, updatedAt: o.createdAt },
    d,
    false,
  );
}

/** One row of `/fapi/v1/userTrades` [DOC §Account Trade List]. */
export function asterUserTrade(f: SimFill, d: AsterDecimals): Record<string, unknown> {
  return {
    buyer: f.side === 'buy',
    commission: formatFixedOrZero(f.fee, 8),
    commissionAsset: f.feeAsset,
    id: f.tradeId,
    maker: f.isMaker,
    orderId: f.orderId,
    price: formatFixedOrZero(f.price, d.price),
    qty: formatFixedOrZero(f.qty, d.qty),
    quoteQty: formatFixedOrZero(f.price * f.qty, avgDecimals(d)),
    realizedPnl: formatFixedOrZero(f.realizedPnl, 8),
    side: f.side === 'buy' ? 'BUY' : 'SELL',
    positionSide: 'BOTH',
    symbol: f.symbol,
    time: f.time,
  };
}
