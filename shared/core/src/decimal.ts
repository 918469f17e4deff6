/**
 * Exact decimal arithmetic at the edges of the domain.
 *
 * Domain math (spreads, PnL, fees) uses JavaScript numbers: it compares against thresholds and is
 * displayed, and a relative error of 1e-16 is irrelevant there. Three places must be exact, and go
 * through this module:
 * - quantities and prices sent to a venue: rounded to the venue's step/tick with integer (bigint)
 *   arithmetic and formatted as the exact decimal string (`formatToStep`), never `toFixed`/`String(float)`;
 * - exposure sums in the hedge reducer (`sumDecimal`), so that 0.02 - 0.015 - 0.005 is exactly flat;
 * - anything comparing a quantity with zero after sums.
 *
 * A number is read as its shortest round-trip decimal (what `String(n)` prints): 0.1 + 0.2 is read as
 * 0.30000000000000004, which rounds down to 0.3 at step 0.1. That is the decimal the number was meant
 * to be whenever it came from a venue string or a config value.
 */

/** value = units / 10^scale, exactly. `scale` is minimal (no trailing zeros in the fraction). */
export interface ExactDecimal {
  units: bigint;
  scale: number;
}

export type RoundingMode = 'down' | 'up' | 'nearest';

const DECIMAL_RE = /^([+-])?(\d+\.?\d*|\.\d+)(?:[eE]([+-]?\d+))?$/;

export class DecimalError extends Error {
  override readonly name = 'DecimalError';
}

/** Parses a number (via its shortest round-trip string) or a decimal string into an exact decimal. */
export function parseDecimal(input: number | string): ExactDecimal {
  if (typeof input === 'number' && !Number.isFinite(input)) {
    throw new DecimalError(`not a finite number: ${input}`);
  }
  const text = typeof input === 'number' ? String(input) : input.trim();
  const m = DECIMAL_RE.exec(text);
  if (!m) throw new DecimalError(`not a decimal: ${JSON.stringify(input)}`);
  const sign = m[1] === '-' ? -1n : 1n;
  const body = m[2] ?? '0';
  const exp = Number(m[3] ?? '0');
  const dot = body.indexOf('.');
  const intPart = dot === -1 ? body : body.slice(0, dot);
  const fracPart = dot === -1 ? '' : body.slice(dot + 1);
  let digits = `${intPart}${fracPart}`.replace(/^0+(?=\d)/, '');
  let scale = fracPart.length - exp;
  if (scale < 0) {
    digits = digits + '0'.repeat(-scale);
    scale = 0;
  }
  let units = BigInt(digits === '' ? '0' : digits) * sign;
  while (scale > 0 && units % 10n === 0n) {
    units /= 10n;
    scale -= 1;
  }
  if (units === 0n) scale = 0;
  return { units, scale };
}

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

function rescale(d: ExactDecimal, scale: number): bigint {
  return d.units * pow10(scale - d.scale);
}

/** The exact decimal string of `d`, with at least `minScale` fraction digits. */
export function formatDecimal(d: ExactDecimal, minScale = 0): string {
  const scale = Math.max(d.scale, minScale);
  const units = rescale(d, scale);
  const negative = units < 0n;
  const abs = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const intPart = abs.slice(0, abs.length - scale);
  const fracPart = abs.slice(abs.length - scale);
  const text = scale > 0 ? `${intPart}.${fracPart}` : intPart;
  return negative ? `-${text}` : text;
}

/** Number of fraction digits of a step or tick (0.001 -> 3, 10 -> 0, 1e-8 -> 8). */
export function decimalPlaces(step: number | string): number {
  return parseDecimal(step).scale;
}

function stepsExact(value: number | string, step: number | string, mode: RoundingMode): bigint {
  const v = parseDecimal(value);
  const s = parseDecimal(step);
  if (s.units <= 0n) throw new DecimalError(`step must be positive: ${String(step)}`);
  const scale = Math.max(v.scale, s.scale);
  const vu = rescale(v, scale);
  const su = rescale(s, scale);
  const q = vu / su; // truncates toward zero
  const r = vu % su;
  if (r === 0n) return q;
  const away = vu < 0n ? q - 1n : q + 1n;
  switch (mode) {
    case 'down':
      return q;
    case 'up':
      return away;
    case 'nearest': {
      const absR = r < 0n ? -r : r;
      return 2n * absR >= su ? away : q;
    }
  }
}

/**
 * How many whole steps fit in `value`, rounded toward zero by default ('down': a quantity never grows
 * by rounding), or away from zero ('up'), or to the nearest step (halves away from zero). Exact.
 */
export function toSteps(value: number | string, step: number | string, mode: RoundingMode = 'down'): number {
  const steps = stepsExact(value, step, mode);
  const n = Number(steps);
  if (!Number.isSafeInteger(n)) throw new DecimalError(`too many steps: ${String(value)} / ${String(step)}`);
  return n;
}

/**
 * The exact decimal string of `value` rounded to a multiple of `step` (toward zero by default), with
 * exactly as many fraction digits as the step has. This is what goes on the wire:
 * formatToStep(0.1 + 0.2, 0.1) === '0.3', formatToStep(0.0299, '0.001') === '0.029'.
 */
export function formatToStep(
  value: number | string,
  step: number | string,
  mode: RoundingMode = 'down',
): string {
  const s = parseDecimal(step);
  const steps = stepsExact(value, step, mode);
  const text = formatDecimal({ units: steps * s.units, scale: s.scale }, s.scale);
  return text.startsWith('-') && /^-[0.]+$/.test(text) ? text.slice(1) : text;
}

/** `value` rounded to a multiple of `step`, as the nearest number to that exact decimal. */
export function roundToStep(
  value: number | string,
  step: number | string,
  mode: RoundingMode = 'down',
): number {
  return Number(formatToStep(value, step, mode));
}

/** The exact sum of decimal values, returned as the number nearest to it. */
export function sumDecimal(values: readonly (number | string)[]): number {
  const parsed = values.map(parseDecimal);
  const scale = parsed.reduce((m, d) => Math.max(m, d.scale), 0);
  const units = parsed.reduce((acc, d) => acc + rescale(d, scale), 0n);
  return Number(formatDecimal({ units, scale }));
}

/** Exact comparison of two decimals: -1 when a < b, 0 when equal ('0.001' vs '0.0010'), 1 when a > b. */
export function compareDecimal(a: number | string, b: number | string): -1 | 0 | 1 {
  const x = parseDecimal(a);
  const y = parseDecimal(b);
  const scale = Math.max(x.scale, y.scale);
  const d = rescale(x, scale) - rescale(y, scale);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/**
 * The exact product of two decimals as a string with the sum of their fraction digits as written
 * ('0.020' x '60000.1' = '1200.0020'): a notional compared with a venue's minimum, never a float.
 */
export function multiplyDecimal(a: number | string, b: number | string): string {
  const x = parseDecimal(a);
  const y = parseDecimal(b);
  const minScale = fractionDigits(a) + fractionDigits(b);
  return formatDecimal({ units: x.units * y.units, scale: x.scale + y.scale }, minScale);
}

/** Fraction digits as written ('0.020' -> 3); a number or an exponent form counts its exact scale. */
function fractionDigits(input: number | string): number {
  if (typeof input === 'number') return parseDecimal(input).scale;
  const m = /^[+-]?\d*\.(\d*)$/.exec(input.trim());
  return m ? (m[1] ?? '').length : parseDecimal(input).scale;
}
