import type { Side } from './order';
import type { FeeSchedule } from './params';

/**
 * Fee rate of one hedge round trip as a fraction of one leg's notional: four taker fills, open and
 * close on both venues. Multiply by price x qty for USD.
 */
export function roundTripFeeRate(fees: FeeSchedule): number {
  return 2 * fees.aster.taker + 2 * fees.backpack.taker;
}

/**
 * USD per unit of base that (open spread - unwind spread) must exceed for a round trip to pay its
 * four taker fills at `price` (each fill's fee is about price x rate per unit).
 */
export function breakEvenSpread(price: number, fees: FeeSchedule): number {
  return price * roundTripFeeRate(fees);
}

export interface ExpectedPnlInput {
  /** Base quantity per leg. */
  qty: number;
  /** Executable spread at open (USD per unit). */
  openSpread: number;
  /** Unwind spread expected at close; the close threshold when closing on convergence. */
  closeSpread: number;
  /** Reference price for fees (a mid or the open VWAPs' mean). */
  price: number;
  fees: FeeSchedule;
}

/** Expected USD PnL of a hedge: qty x (open spread - close spread) minus four taker fees. */
export function expectedHedgePnl(input: ExpectedPnlInput): number {
  const gross = input.qty * (input.openSpread - input.closeSpread);
  return gross - input.qty * breakEvenSpread(input.price, input.fees);
}

/** One executed fill, as far as PnL is concerned. `fee` is in quote currency, positive = paid. */
export interface PnlFill {
  side: Side;
  qty: number;
  avgPrice: number;
  fee: number;
}

/** USD notional of a fill. */
export function fillNotional(fill: PnlFill): number {
  return fill.qty * fill.avgPrice;
}

/**
 * Realized PnL from actual fills: sell notional minus buy notional minus fees. It is the hedge's PnL
 * once its fills net to zero base (closed or cleaned up); before that it is only the cash flow so far.
 */
export function realizedHedgePnl(fills: readonly PnlFill[]): number {
  let pnl = 0;
  for (const f of fills) {
    const notional = fillNotional(f);
    pnl += f.side === 'sell' ? notional : -notional;
    pnl -= f.fee;
  }
  return pnl;
}

export interface EconomicsCheck {
  /** Fee break-even of a round trip, USD per unit. */
  breakEven: number;
  /** openThreshold - closeThreshold: the gain per unit a hedge opened and closed at the thresholds earns. */
  grossPerUnit: number;
  /** grossPerUnit - breakEven. */
  netPerUnit: number;
  /** Whether a hedge opened at the open threshold and closed at the close threshold makes money. */
  profitable: boolean;
}

/** Can the thresholds make money after fees at `price`? (The start-up check in config uses this.) */
export function checkEconomics(input: {
  openThreshold: number;
  closeThreshold: number;
  price: number;
  fees: FeeSchedule;
}): EconomicsCheck {
  const breakEven = breakEvenSpread(input.price, input.fees);
  const grossPerUnit = input.openThreshold - input.closeThreshold;
  const netPerUnit = grossPerUnit - breakEven;
  return { breakEven, grossPerUnit, netPerUnit, profitable: netPerUnit > 0 };
}
