/**
 * Wire formatting of the engine's numbers as Backpack decimal strings. The engine works in floats snapped to
 * tick/step; every value leaves here through an integer count of 10^-decimals units, so no float artefacts
 * ("0.30000000000000004") ever reach the wire.
 */

/** Decimal places of a tick/step size: 0.1 -> 1, 0.00001 -> 5, 1 -> 0. */
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

/** Exactly `decimals` places, e.g. formatFixed(117357, 1) = "117357.0", formatFixed(0, 5) = "0.00000". */
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

/** At most `maxDecimals` places, trailing zeros dropped: formatNormalized(3.81428, 8) = "3.81428", 0 -> "0". */
export function formatNormalized(value: number, maxDecimals: number): string {
  const fixed = formatFixed(value, maxDecimals);
  if (!fixed.includes('.')) return fixed === '-0' ? '0' : fixed;
  const trimmed = fixed.replace(/0+$/, '').replace(/\.$/, '');
  return trimmed === '-0' ? '0' : trimmed;
}

const DECIMAL_RE = /^-?\d+(\.\d+)?$/;

/** A venue decimal string ("0.001", "60000") as a number, or null when it is not one. */
export function parseDecimal(text: unknown): number | null {
  if (typeof text !== 'string' || !DECIMAL_RE.test(text)) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}
