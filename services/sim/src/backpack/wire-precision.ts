import type { SimMarketRules } from '../engine/types';
import { BACKPACK_AMOUNT_DECIMALS } from './constants';
import { decimalsOf, formatFixed, formatNormalized } from '../engine/decimal';

/** Formatters for one market's numbers: book levels fixed to tick/step places, REST amounts normalized. */
export interface WirePrecision {
  /** Book price, tick places: "117357.0". */
  bookPrice(value: number): string;
  /** Book quantity, step places: "0.00000". */
  bookQty(value: number): string;
  /** Order/fill price, normalized: "60000". */
  price(value: number): string;
  qty(value: number): string;
  /** price * qty products (executedQuoteQuantity, netCost...). */
  quote(value: number): string;
  /** Fees, PnL, balances. */
  amount(value: number): string;
  tickSize: string;
  stepSize: string;
}

export function wirePrecision(rules: SimMarketRules): WirePrecision {
  const p = decimalsOf(rules.tickSize);
  const q = decimalsOf(rules.stepSize);
  const pq = Math.max(p + q, BACKPACK_AMOUNT_DECIMALS);
  return {
    bookPrice: (v) => formatFixed(v, p),
    bookQty: (v) => formatFixed(v, q),
    price: (v) => formatNormalized(v, p),
    qty: (v) => formatNormalized(v, q),
    quote: (v) => formatNormalized(v, pq),
    amount: (v) => formatNormalized(v, BACKPACK_AMOUNT_DECIMALS),
    tickSize: formatNormalized(rules.tickSize, p),
    stepSize: formatNormalized(rules.stepSize, q),
  };
}
