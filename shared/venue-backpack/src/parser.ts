import type { Level } from '@arb/core/quote';
import type { OrderOutcome, Side } from '@arb/core/order';
import type { MarketRules, OpenOrderSnapshot, PositionSnapshot } from '@arb/core/venue-client';
import { assertNever } from '@arb/core/venue';
import type {
  BackpackBookTicker,
  BackpackDepthEvent,
  BackpackDepthSnapshot,
  BackpackFill,
  BackpackMarket,
  BackpackOrder,
  BackpackPosition,
} from './backpack-types';
import {
  BACKPACK_MARGIN_ASSET,
  BACKPACK_US_PER_MS,
  type BackpackOrderStatus,
  type BackpackSide,
} from './constants';

/** The one place Backpack raw shapes become domain values. Wire units are noted per function. */

/** Parses a venue decimal (string or number) into a finite number for the domain; throws on anything else. */
export function decimalToNumber(x: string | number, field: string): number {
  const n = typeof x === 'number' ? x : Number(x);
  if (!Number.isFinite(n)) throw new TypeError(`${field}: not a decimal: ${String(x).slice(0, 40)}`);
  return n;
}

/** Venue µs timestamp (number or string) -> epoch ms (floored). */
export function usToMs(x: string | number): number {
  const us = typeof x === 'number' ? x : Number(x);
  if (!Number.isFinite(us) || us < 0) throw new TypeError(`invalid µs timestamp ${String(x).slice(0, 40)}`);
  return Math.floor(us / BACKPACK_US_PER_MS);
}

/** REST time: ms integer, or a naive ISO string that is UTC ("2024-01-01T00:00:00.123") -> epoch ms. */
export function restTimeToMs(x: string | number | null | undefined): number | null {
  if (x === null || x === undefined) return null;
  if (typeof x === 'number') return Number.isFinite(x) ? Math.floor(x) : null;
  if (/^\d+$/.test(x)) return Number(x);
  const hasZone = /([zZ]|[+-]\d\d:?\d\d)$/.test(x);
  const ms = Date.parse(hasZone ? x : `${x}Z`);
  return Number.isFinite(ms) ? ms : null;
}

export function sideFromWire(side: BackpackSide): Side {
  switch (side) {
    case 'Bid':
      return 'buy';
    case 'Ask':
      return 'sell';
    default:
      return assertNever(side);
  }
}

export function sideToWire(side: Side): BackpackSide {
  return side === 'buy' ? 'Bid' : 'Ask';
}

/** Top of book in domain units, before the feed stamps receive time and sequence. */
export interface BookTop {
  symbol: string;
  bid: number;
  bidQty: number;
  ask: number;
  askQty: number;
  /** Venue event time, epoch ms. */
  venueTime: number;
  bids?: Level[];
  asks?: Level[];
}

/** WS bookTicker -> top of book. E is µs. */
export function parseBookTicker(raw: BackpackBookTicker): BookTop {
  return {
    symbol: raw.s,
    bid: decimalToNumber(raw.b, 'b'),
    bidQty: decimalToNumber(raw.B, 'B'),
    ask: decimalToNumber(raw.a, 'a'),
    askQty: decimalToNumber(raw.A, 'A'),
    venueTime: usToMs(raw.E),
  };
}

export interface DepthDelta {
  symbol: string;
  firstUpdateId: number;
  lastUpdateId: number;
  venueTime: number;
  bids: Level[];
  asks: Level[];
}

function levels(raw: readonly (readonly [string | number, string | number])[], field: string): Level[] {
  return raw.map(
    ([p, q]) => [decimalToNumber(p, `${field}.price`), decimalToNumber(q, `${field}.qty`)] as Level,
  );
}

/** WS depth event -> delta (absolute quantities; 0 deletes). E is µs. */
export function parseDepthEvent(raw: BackpackDepthEvent): DepthDelta {
  return {
    symbol: raw.s,
    firstUpdateId: Number(raw.U),
    lastUpdateId: Number(raw.u),
    venueTime: usToMs(raw.E),
    bids: levels(raw.b, 'b'),
    asks: levels(raw.a, 'a'),
  };
}

export interface DepthSnapshot {
  lastUpdateId: number;
  /** Epoch ms (wire: µs), null when absent. */
  venueTime: number | null;
  bids: Level[];
  asks: Level[];
}

/** REST depth -> snapshot. Sides arrive ascending (best bid LAST); order is not relied on here. */
export function parseDepthSnapshot(raw: BackpackDepthSnapshot): DepthSnapshot {
  return {
    lastUpdateId: Number(raw.lastUpdateId),
    venueTime: raw.timestamp === undefined ? null : usToMs(raw.timestamp),
    bids: levels(raw.bids, 'bids'),
    asks: levels(raw.asks, 'asks'),
  };
}

export function parseMarketRules(raw: BackpackMarket): MarketRules {
  return {
    symbol: raw.symbol,
    tickSize: decimalToNumber(raw.filters.price.tickSize, 'tickSize'),
    stepSize: decimalToNumber(raw.filters.quantity.stepSize, 'stepSize'),
    minQty: decimalToNumber(raw.filters.quantity.minQuantity, 'minQuantity'),
    minNotional: 0,
  };
}

/** Normalized view of one Backpack order. */
export interface BackpackOrderState {
  venueOrderId: string;
  clientId: number | null;
  symbol: string;
  side: Side;
  status: BackpackOrderStatus;
  qty: number | null;
  price: number | null;
  executedQty: number;
  executedQuote: number;
  /** executedQuote / executedQty (the venue sends no average price); 0 when nothing executed. */
  avgPrice: number;
  createdAt: number | null;
  expiryReason: string | null;
}

export function parseOrder(raw: BackpackOrder): BackpackOrderState {
  const executedQty =
    raw.executedQuantity == null ? 0 : decimalToNumber(raw.executedQuantity, 'executedQuantity');
  const executedQuote =
    raw.executedQuoteQuantity == null
      ? 0
      : decimalToNumber(raw.executedQuoteQuantity, 'executedQuoteQuantity');
  return {
    venueOrderId: String(raw.id),
    clientId: raw.clientId == null ? null : Number(raw.clientId),
    symbol: raw.symbol,
    side: sideFromWire(raw.side),
    status: raw.status,
    qty: raw.quantity == null ? null : decimalToNumber(raw.quantity, 'quantity'),
    price: raw.price == null ? null : decimalToNumber(raw.price, 'price'),
    executedQty,
    executedQuote,
    avgPrice: executedQty > 0 ? executedQuote / executedQty : 0,
    createdAt: restTimeToMs(raw.createdAt),
    expiryReason: raw.expiryReason ?? null,
  };
}

/** Whether the order can no longer change. */
export function isTerminal(status: BackpackOrderStatus): boolean {
  switch (status) {
    case 'Filled':
    case 'Cancelled':
    case 'Expired':
    case 'TriggerFailed':
      return true;
    case 'New':
    case 'PartiallyFilled':
    case 'TriggerPending':
    case 'Triggered':
      return false;
    default:
      return assertNever(status);
  }
}

export interface FeeTotal {
  fee: number;
  feeAsset: string;
  /** Latest fill time, epoch ms (wire: naive ISO UTC). */
  lastFillAt: number | null;
  filledQty: number;
}

/** Sums the fees of one order's fills (in the margin asset; other fee assets are not expected on perps). */
export function sumFills(fills: readonly BackpackFill[]): FeeTotal {
  let fee = 0;
  let filledQty = 0;
  let lastFillAt: number | null = null;
  let feeAsset: string = BACKPACK_MARGIN_ASSET;
  for (const f of fills) {
    fee += decimalToNumber(f.fee, 'fee');
    filledQty += decimalToNumber(f.quantity, 'quantity');
    feeAsset = f.feeSymbol;
    const t = restTimeToMs(f.timestamp);
    if (t !== null && (lastFillAt === null || t > lastFillAt)) lastFillAt = t;
  }
  return { fee, feeAsset, lastFillAt, filledQty };
}

/**
 * An order plus its fills -> the product's outcome.
 * - anything executed (Filled, or an IOC/market remainder Expired/Cancelled after a partial fill) -> filled
 * - terminal with nothing executed -> rejected, code = expiryReason (e.g. InsufficientMargin) or status
 * - still working (New/PartiallyFilled/trigger states) -> unknown: not final yet
 */
export function orderOutcome(
  order: BackpackOrderState,
  fees: FeeTotal | null,
  clientOrderId: string,
  now: number,
): OrderOutcome {
  const base = { venue: 'backpack' as const, clientOrderId };
  if (!isTerminal(order.status)) {
    return { ...base, kind: 'unknown', reason: `order ${order.venueOrderId} still ${order.status}` };
  }
  if (order.executedQty > 0) {
    return {
      ...base,
      kind: 'filled',
      venueOrderId: order.venueOrderId,
      side: order.side,
      qty: order.executedQty,
      avgPrice: order.avgPrice,
      fee: fees?.fee ?? 0,
      feeAsset: fees?.feeAsset ?? BACKPACK_MARGIN_ASSET,
      executedAt: fees?.lastFillAt ?? order.createdAt ?? now,
    };
  }
  return {
    ...base,
    kind: 'rejected',
    code: order.expiryReason ?? order.status,
    reason: `order ${order.venueOrderId} ${order.status}${order.expiryReason ? ` (${order.expiryReason})` : ''} with nothing executed`,
  };
}

export function openOrderSnapshot(
  order: BackpackOrderState,
  clientOrderId: string | null,
): OpenOrderSnapshot {
  return {
    venue: 'backpack',
    symbol: order.symbol,
    venueOrderId: order.venueOrderId,
    clientOrderId,
    side: order.side,
    qty: order.qty ?? 0,
    filledQty: order.executedQty,
    price: order.price,
  };
}

/** Position row -> signed snapshot (netQuantity signed; netCost's sign agrees). `leverage` is the account's. */
export function parsePosition(
  raw: BackpackPosition | undefined,
  symbol: string,
  leverage: number,
): PositionSnapshot {
  if (raw === undefined) {
    return { venue: 'backpack', symbol, qty: 0, entryPrice: 0, unrealizedPnl: 0, leverage };
  }
  let qty = decimalToNumber(raw.netQuantity, 'netQuantity');
  const netCost = raw.netCost == null ? null : decimalToNumber(raw.netCost, 'netCost');
  // Some payloads carry an unsigned quantity; the sign of netCost then gives the side.
  if (netCost !== null && netCost < 0 && qty > 0) qty = -qty;
  return {
    venue: 'backpack',
    symbol: raw.symbol,
    qty,
    entryPrice: raw.entryPrice == null ? 0 : decimalToNumber(raw.entryPrice, 'entryPrice'),
    unrealizedPnl: raw.pnlUnrealized == null ? 0 : decimalToNumber(raw.pnlUnrealized, 'pnlUnrealized'),
    leverage,
  };
}
