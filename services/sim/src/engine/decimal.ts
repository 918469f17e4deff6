/**
 * The simulator's one decimal module, shared by the engine and both venue front-ends. The engine works
 * in floats snapped to tick/step (every price an integer number of ticks, every quantity an integer
 * number of steps); values are rounded through integers here and leave for the wire through an integer
 * count of 10^-decimals units, so no float artefacts ("0.30000000000000004") reach a client. Incoming
 * decimal strings are parsed exactly into integer units so tick/step checks never use floats.
 */

/** Decimal places of a tick/step size: 0.1 -> 1, 0.00001 -> 5, 2.5e-7 -> 8, 1 -> 0. */
export function decimalsOf(step: number): number {
  if (!Number.isFinite(step) || step <= 0) throw new RangeError(`invalid step ${step}`);
  const text = step.toString();
  const exp = /e-(\d+)$/.exec(text);
  if (exp) {
    const mantissa = text.slice(0, exp.index);
    const dot = mantissa.indexOf('.');
    return Number(exp[1]) + (dot === -1 ? 0 : mantissa.length - dot - 1);
  }
  const dot = text.indexOf('.');
  return dot === -1 ? 0 : text.length - dot - 1;
}

// ---- rounding in the engine ----

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

/** The whole number of steps nearest to `x` (x is a step multiple up to float noise): exact comparisons. */
export function stepsOf(x: number, step: number): number {
  return Math.round(x / step);
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

// ---- formatting for the wire ----

/** Exactly `decimals` places, e.g. formatFixed(117357, 1) = "117357.0", formatFixed(0, 5) = "0.00000"; never "-0.0". */
export function formatFixed(value: number, decimals: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`cannot format ${value}`);
  const units = BigInt(Math.round(value * 10 ** decimals));
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const frac = digits.slice(digits.length - decimals);
  const body = decimals === 0 ? whole : `${whole}.${frac}`;
  return negative ? `-${body}` : body;
}

/** As formatFixed, but a value that is not finite (no liquidation price) is written as zero, as Aster does. */
export function formatFixedOrZero(value: number, decimals: number): string {
  return formatFixed(Number.isFinite(value) ? value : 0, decimals);
}

/** At most `maxDecimals` places, trailing zeros dropped: formatNormalized(3.81428, 8) = "3.81428", 0 -> "0". */
export function formatNormalized(value: number, maxDecimals: number): string {
  const fixed = formatFixed(value, maxDecimals);
  if (!fixed.includes('.')) return fixed === '-0' ? '0' : fixed;
  const trimmed = fixed.replace(/0+$/, '').replace(/\.$/, '');
  return trimmed === '-0' ? '0' : trimmed;
}

// ---- parsing from the wire ----

const DECIMAL_RE = /^-?\d+(\.\d+)?$/;

/** A venue decimal string ("0.001", "60000") as a number, or null when it is not one. */
export function parseDecimal(text: unknown): number | null {
  if (typeof text !== 'string' || !DECIMAL_RE.test(text)) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

export type ParsedUnits =
  | { ok: true; units: bigint; value: number }
  | { ok: false; reason: 'malformed' | 'precision' };

/** Parses a non-negative decimal string into integer units of 10^-decimals; excess non-zero digits are 'precision'. */
export function parseUnits(raw: string, decimals: number): ParsedUnits {
  const m = /^(\d+)(?:\.(\d*))?$/.exec(raw.trim());
  if (!m) return { ok: false, reason: 'malformed' };
  const int = m[1] ?? '0';
  let frac = m[2] ?? '';
  if (frac.length > decimals) {
    if (/[^0]/.test(frac.slice(decimals))) return { ok: false, reason: 'precision' };
    frac = frac.slice(0, decimals);
  }
  const units = BigInt(int + frac.padEnd(decimals, '0'));
  return { ok: true, units, value: Number(raw) };
}

/** `step` expressed in units of 10^-decimals. */
export function stepUnits(step: number, decimals: number): bigint {
  return BigInt(Math.round(step * 10 ** decimals));
}
