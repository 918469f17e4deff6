/**
 * Decimal helpers for the wire: engine numbers are formatted once with the venue's decimals, and incoming
 * decimal strings are parsed exactly into integer units of a step so tick/step checks never use floats.
 */

/** Number of decimals of a step such as 0.1 (1), 0.001 (3), 1 (0). */
export function decimalsOf(step: number): number {
  const s = step.toFixed(12).replace(/0+$/, '');
  const dot = s.indexOf('.');
  return dot < 0 || dot === s.length - 1 ? 0 : s.length - dot - 1;
}

/** Fixed-decimals string; never "-0.00". */
export function fmt(value: number, decimals: number): string {
  const out = (Number.isFinite(value) ? value : 0).toFixed(decimals);
  return /^-0(\.0*)?$/.test(out) ? out.slice(1) : out;
}

export type ParsedDecimal =
  | { ok: true; units: bigint; value: number }
  | { ok: false; reason: 'malformed' | 'precision' };

/** Parses a non-negative decimal string into integer units of 10^-decimals. */
export function parseDecimal(raw: string, decimals: number): ParsedDecimal {
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
