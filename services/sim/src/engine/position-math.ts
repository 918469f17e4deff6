import { money, qty as roundQty } from './decimal';
import type { SimSide } from './types';

/** A one-way (net) position: signed quantity and average entry price. */
export interface NetPosition {
  qty: number;
  entryPrice: number;
}

export interface FillEffect {
  position: NetPosition;
  /** PnL realized by the part of the fill that reduced the position. */
  realizedPnl: number;
}

/**
 * Applies one fill to a net position: adds at a volume-weighted entry when increasing, realizes PnL on
 * the reduced part (entry unchanged), and re-enters at the fill price for the part that flips it.
 */
export function applyFill(pos: NetPosition, side: SimSide, qty: number, price: number): FillEffect {
  const signed = side === 'buy' ? qty : -qty;
  if (pos.qty === 0 || Math.sign(pos.qty) === Math.sign(signed)) {
    const abs = Math.abs(pos.qty);
    const entry = (abs * pos.entryPrice + qty * price) / (abs + qty);
    return { position: { qty: roundQty(pos.qty + signed), entryPrice: entry }, realizedPnl: 0 };
  }
  const closing = Math.min(qty, Math.abs(pos.qty));
  const realized = money(closing * (price - pos.entryPrice) * Math.sign(pos.qty));
  const next = roundQty(pos.qty + signed);
  if (next === 0) return { position: { qty: 0, entryPrice: 0 }, realizedPnl: realized };
  if (Math.sign(next) === Math.sign(pos.qty)) {
    return { position: { qty: next, entryPrice: pos.entryPrice }, realizedPnl: realized };
  }
  return { position: { qty: next, entryPrice: price }, realizedPnl: realized };
}

export function unrealizedPnl(pos: NetPosition, markPrice: number): number {
  return pos.qty === 0 ? 0 : money(pos.qty * (markPrice - pos.entryPrice));
}

/** How much a fill of `qty` on `side` grows the absolute position (0 when it only reduces). */
export function positionIncrease(posQty: number, side: SimSide, qty: number): number {
  const next = posQty + (side === 'buy' ? qty : -qty);
  return Math.max(0, roundQty(Math.abs(next) - Math.abs(posQty)));
}
