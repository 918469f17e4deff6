/**
 * The local margin check before an order that adds exposure: the margin it needs at the configured
 * leverage, with a buffer for price movement and fees, against what the venue says is available.
 */
export interface MarginCheckInput {
  qty: number;
  /** Reference price (the leg's limit price, else the latest quote's executable side). */
  price: number;
  leverage: number;
  /** Available margin reported by the venue, in the margin asset. */
  available: number;
  /** Fraction added to the required margin (0.1 = 10 %). */
  buffer: number;
}

export interface MarginCheckResult {
  ok: boolean;
  required: number;
  available: number;
}

export function checkMargin(i: MarginCheckInput): MarginCheckResult {
  if (!(i.leverage > 0)) throw new Error(`bad leverage ${i.leverage}`);
  const required = ((i.qty * i.price) / i.leverage) * (1 + Math.max(0, i.buffer));
  return { ok: Number.isFinite(required) && i.available >= required, required, available: i.available };
}
