/**
 * Exact decimal handling at the wire boundary: venue decimal strings parse once into numbers for the
 * domain; quantities and prices sent to the venue are formatted from integer step counts, never from
 * float formatting.
 */

/** Number of decimals of a step/tick such as 0.00001 -> 5, 0.1 -> 1, 1 -> 0. */
export function decimalsOf(step: number): number {
  if (!(step > 0) || !Number.isFinite(step)) throw new RangeError(`invalid step ${step}`);
  for (let d = 0; d <= 12; d++) {
    const scaled = step * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-9 * Math.max(1, scaled)) return d;
  }
  throw new RangeError(`step ${step} has more than 12 decimals`);
}

/** Integer count of steps in `value`, rounded down (toward zero); tolerant of float noise (1e-9 step). */
export function stepsDown(value: number, step: number): number {
  return Math.floor(value / step + 1e-9);
}

/** `steps * step` as an exact decimal string with the step's number of decimals ("0.02000" for 2000 x 0.00001). */
export function formatSteps(steps: number, step: number): string {
  const d = decimalsOf(step);
  const stepUnits = BigInt(Math.round(step * 10 ** d));
  const units = BigInt(steps) * stepUnits;
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(d + 1, '0');
  const text = d === 0 ? digits : `${digits.slice(0, -d)}.${digits.slice(-d)}`;
  return negative ? `-${text}` : text;
}

/** Parses a venue decimal (string or number) into a finite number; throws on anything else. */
export function parseDecimal(x: string | number, field: string): number {
  const n = typeof x === 'number' ? x : Number(x);
  if (!Number.isFinite(n)) throw new TypeError(`${field}: not a decimal: ${String(x).slice(0, 40)}`);
  return n;
}
