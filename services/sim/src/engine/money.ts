/**
 * Decimal hygiene for the simulator: every price is an integer number of ticks and every quantity an
 * integer number of steps, so values are rounded through integers and never carry float noise
 * (0.30000000000000004) onto the wire.
 */

/** Number of decimals a step like 0.001 has (3); 0 for integers. */
export function decimalsOf(step: number): number {
  if (Number.isInteger(step)) return 0;
  const s = step.toString();
  const e = s.indexOf('e-');
  if (e >= 0) return Number(s.slice(e + 2));
  return s.length - s.indexOf('.') - 1;
}

export function roundTo(x: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
}

/** Rounds to the nearest multiple of step. */
export function roundToStep(x: number, step: number): number {
  return roundTo(Math.round(x / step) * step, decimalsOf(step));
}

export function floorToStep(x: number, step: number): number {
  return roundTo(Math.floor(x / step + 1e-9) * step, decimalsOf(step));
}

export function ceilToStep(x: number, step: number): number {
  return roundTo(Math.ceil(x / step - 1e-9) * step, decimalsOf(step));
}

export function isMultipleOf(x: number, step: number): boolean {
  const r = x / step;
  return Math.abs(r - Math.round(r)) < 1e-7;
}

/** Rounds money amounts (fees, PnL, balances) to 8 decimals. */
export function money(x: number): number {
  const r = roundTo(x, 8);
  return r === 0 ? 0 : r;
}

/** Rounds a base quantity to 8 decimals (below every venue's step). */
export function qty(x: number): number {
  const r = roundTo(x, 8);
  return r === 0 ? 0 : r;
}
