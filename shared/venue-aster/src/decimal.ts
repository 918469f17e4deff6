/**
 * Exact decimal arithmetic for what is sent to the venue: quantities rounded down to the step and prices
 * to the tick, as decimal strings (never float-formatted). A number is first turned into its shortest
 * round-trip decimal (String(0.3) = "0.3"), so 0.3 stays 0.3 and is not floored to 0.299.
 */

interface Dec {
  units: bigint;
  scale: number;
}

const DEC_RE = /^(-)?(\d+)(?:\.(\d*))?$/;

/** Parses "123.4500" → {units: 1234500n, scale: 4}. Throws on anything else. */
export function parseDecimal(s: string): Dec {
  const m = DEC_RE.exec(s.trim());
  if (!m) throw new Error(`not a decimal: ${JSON.stringify(s)}`);
  const frac = m[3] ?? '';
  const units = BigInt((m[2] ?? '0') + frac);
  return { units: m[1] ? -units : units, scale: frac.length };
}

/** Shortest decimal string that round-trips to `x`, without exponent notation. */
export function numberToDecimal(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`not a finite number: ${x}`);
  const s = String(x);
  const e = s.indexOf('e');
  if (e < 0) return s;
  const mant = s.slice(0, e);
  const exp = Number(s.slice(e + 1));
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  const pointAt = (mant.replace('-', '').indexOf('.') + 1 || mant.replace('-', '').length + 1) - 1;
  const newPoint = pointAt + exp;
  let out: string;
  if (newPoint <= 0) out = `0.${'0'.repeat(-newPoint)}${digits}`;
  else if (newPoint >= digits.length) out = digits + '0'.repeat(newPoint - digits.length);
  else out = `${digits.slice(0, newPoint)}.${digits.slice(newPoint)}`;
  return (neg ? '-' : '') + out;
}

function rescale(d: Dec, scale: number): bigint {
  return d.units * 10n ** BigInt(scale - d.scale);
}

function format(units: bigint, scale: number): string {
  const neg = units < 0n;
  const abs = (neg ? -units : units).toString().padStart(scale + 1, '0');
  const int = abs.slice(0, abs.length - scale);
  const frac = abs.slice(abs.length - scale);
  return (neg ? '-' : '') + (scale > 0 ? `${int}.${frac}` : int);
}

export type RoundMode = 'down' | 'up';

/**
 * Rounds `value` to a multiple of `step` (toward zero for 'down', away for 'up'), formatted with the
 * step's decimals. roundToStep(0.0219, "0.001", "down") = "0.021".
 */
export function roundToStep(value: number | string, step: string, mode: RoundMode): string {
  const v = parseDecimal(typeof value === 'number' ? numberToDecimal(value) : value);
  const s = parseDecimal(step);
  if (s.units <= 0n) throw new Error(`step must be > 0: ${step}`);
  const scale = Math.max(v.scale, s.scale);
  const vu = rescale(v, scale);
  const su = rescale(s, scale);
  const neg = vu < 0n;
  const abs = neg ? -vu : vu;
  let q = abs / su;
  if (mode === 'up' && q * su !== abs) q += 1n;
  const units = (neg ? -q : q) * s.units;
  return format(units, s.scale);
}

/** Exact comparison of two decimal strings: -1, 0, 1. */
export function compareDecimal(a: string, b: string): number {
  const x = parseDecimal(a);
  const y = parseDecimal(b);
  const scale = Math.max(x.scale, y.scale);
  const d = rescale(x, scale) - rescale(y, scale);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/** Exact product of two decimal strings. */
export function multiplyDecimal(a: string, b: string): string {
  const x = parseDecimal(a);
  const y = parseDecimal(b);
  return format(x.units * y.units, x.scale + y.scale);
}

export function isZeroDecimal(a: string): boolean {
  return parseDecimal(a).units === 0n;
}
