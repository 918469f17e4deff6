import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareDecimal,
  DecimalError,
  decimalPlaces,
  formatDecimal,
  formatToStep,
  multiplyDecimal,
  parseDecimal,
  roundToStep,
  sumDecimal,
  toSteps,
} from './decimal';

describe('parseDecimal', () => {
  it.each([
    ['0', 0n, 0],
    ['1', 1n, 0],
    ['-1.50', -15n, 1],
    ['0.001', 1n, 3],
    ['.5', 5n, 1],
    ['12.', 12n, 0],
    ['1e-8', 1n, 8],
    ['1.5E3', 1500n, 0],
    ['+2.25', 225n, 2],
    ['-0.000', 0n, 0],
    ['007.10', 71n, 1],
  ] as const)('%s', (text, units, scale) => {
    expect(parseDecimal(text)).toEqual({ units, scale });
  });

  it('reads a number as its shortest round-trip decimal', () => {
    expect(parseDecimal(0.1 + 0.2)).toEqual({ units: 30000000000000004n, scale: 17 });
    expect(parseDecimal(1e21)).toEqual({ units: 10n ** 21n, scale: 0 });
    expect(parseDecimal(1e-7)).toEqual({ units: 1n, scale: 7 });
  });

  it.each(['', 'abc', '1.2.3', '--1', '1e', 'NaN'])('rejects %j', (text) => {
    expect(() => parseDecimal(text)).toThrow(DecimalError);
  });

  it('rejects non-finite numbers', () => {
    expect(() => parseDecimal(Number.NaN)).toThrow(DecimalError);
    expect(() => parseDecimal(Number.POSITIVE_INFINITY)).toThrow(/finite/);
  });
});

describe('formatDecimal', () => {
  it('pads to a minimum scale and keeps the sign', () => {
    expect(formatDecimal({ units: -5n, scale: 3 })).toBe('-0.005');
    expect(formatDecimal({ units: 5n, scale: 0 }, 2)).toBe('5.00');
    expect(formatDecimal({ units: 123n, scale: 1 })).toBe('12.3');
  });
});

describe('toSteps / formatToStep / roundToStep', () => {
  it('formats 0.1 + 0.2 as "0.3" at step 0.1', () => {
    expect(formatToStep(0.1 + 0.2, 0.1)).toBe('0.3');
    expect(toSteps(0.1 + 0.2, 0.1)).toBe(3);
  });

  it('rounds quantities down to the step, exactly', () => {
    expect(formatToStep(0.0299, '0.001')).toBe('0.029');
    expect(formatToStep(1.005, 0.001)).toBe('1.005');
    expect(formatToStep(0.02, 0.001)).toBe('0.020');
    expect(formatToStep(0.3, 0.1)).toBe('0.3');
    expect(formatToStep('0.00000001', 1e-8)).toBe('0.00000001');
    expect(formatToStep(112804.75, '0.1')).toBe('112804.7');
    expect(formatToStep(123456, 10)).toBe('123450');
    expect(toSteps(0.0299, 0.001)).toBe(29);
  });

  it('rounds toward zero for negatives and never prints -0', () => {
    expect(formatToStep(-0.0299, 0.001)).toBe('-0.029');
    expect(formatToStep(-0.05, 0.1)).toBe('0.0');
    expect(formatToStep(-0.05, 1)).toBe('0');
  });

  it('supports up and nearest', () => {
    expect(formatToStep(0.0291, 0.001, 'up')).toBe('0.030');
    expect(formatToStep(0.029, 0.001, 'up')).toBe('0.029');
    expect(formatToStep(-0.0291, 0.001, 'up')).toBe('-0.030');
    expect(formatToStep(112804.75, 0.1, 'nearest')).toBe('112804.8');
    expect(formatToStep(112804.74, 0.1, 'nearest')).toBe('112804.7');
    expect(formatToStep(-0.25, 0.1, 'nearest')).toBe('-0.3');
    expect(roundToStep(0.0299, 0.001)).toBe(0.029);
  });

  it('rejects a non-positive step and a step count beyond safe integers', () => {
    expect(() => toSteps(1, 0)).toThrow(/step must be positive/);
    expect(() => toSteps(1, -0.1)).toThrow(DecimalError);
    expect(() => toSteps(1e300, 1e-8)).toThrow(/too many steps/);
  });

  it('decimalPlaces', () => {
    expect(decimalPlaces(0.001)).toBe(3);
    expect(decimalPlaces('0.10')).toBe(1);
    expect(decimalPlaces(10)).toBe(0);
    expect(decimalPlaces(1e-8)).toBe(8);
  });

  const steps = fc.constantFrom('1', '0.1', '0.01', '0.001', '0.0001', '0.00001', '0.5', '10', '0.25');
  const values = fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true });

  it('property: rounding down stays within one step below |value| and is a whole number of steps', () => {
    fc.assert(
      fc.property(values, steps, (value, step) => {
        const text = formatToStep(value, step);
        const rounded = parseDecimal(text);
        const v = parseDecimal(value);
        const s = parseDecimal(step);
        const scale = Math.max(rounded.scale, v.scale, s.scale);
        const r = rounded.units * 10n ** BigInt(scale - rounded.scale);
        const x = v.units * 10n ** BigInt(scale - v.scale);
        const st = s.units * 10n ** BigInt(scale - s.scale);
        const abs = (n: bigint) => (n < 0n ? -n : n);
        expect(r % st).toBe(0n);
        expect(abs(r) <= abs(x)).toBe(true);
        expect(abs(x) - abs(r) < st).toBe(true);
        expect(text.split('.')[1]?.length ?? 0).toBe(decimalPlaces(step));
      }),
    );
  });

  it('property: a value already on the step formats to itself', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), steps, (n, step) => {
        const s = parseDecimal(step);
        const exact = formatDecimal({ units: BigInt(n) * s.units, scale: s.scale }, s.scale);
        expect(formatToStep(exact, step)).toBe(exact === '-0' ? '0' : exact);
        expect(toSteps(exact, step)).toBe(n);
      }),
    );
  });
});

describe('sumDecimal', () => {
  it('sums exactly', () => {
    expect(sumDecimal([0.02, -0.015, -0.005])).toBe(0);
    expect(sumDecimal([0.1, 0.2])).toBe(0.3);
    expect(sumDecimal(['0.1', '0.2'])).toBe(0.3);
    expect(sumDecimal([])).toBe(0);
  });

  it('property: sums of 8-decimal quantities cancel exactly', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1e8, max: 1e8 }), { maxLength: 20 }), (sats) => {
        const qtys = sats.map((n) => n / 1e8);
        expect(sumDecimal([...qtys, ...qtys.map((q) => -q)])).toBe(0);
      }),
    );
  });
});

describe('compareDecimal / multiplyDecimal', () => {
  it('compares and multiplies exactly', () => {
    expect(compareDecimal('0.001', '0.0010')).toBe(0);
    expect(compareDecimal('0.0009', '0.001')).toBe(-1);
    expect(compareDecimal('60000.2', 60000.1)).toBe(1);
    expect(compareDecimal(0.1 + 0.2, '0.3')).toBe(1);
    expect(multiplyDecimal('0.020', '60000.1')).toBe('1200.0020');
    expect(multiplyDecimal(0.02, 60000.1)).toBe('1200.002');
    expect(multiplyDecimal('-0.5', '3')).toBe('-1.5');
  });
});

// Cases carried over from the venue adapters' former decimal copies (venue-aster, venue-backpack).
describe('venue wire cases', () => {
  it('rounds quantities down to the step without float artifacts', () => {
    expect(formatToStep(0.3, '0.001', 'down')).toBe('0.300');
    expect(formatToStep(0.0219, '0.001', 'down')).toBe('0.021');
    expect(formatToStep(0.02, '0.001', 'down')).toBe('0.020');
    expect(formatToStep(1.0000000000000002, '0.001', 'down')).toBe('1.000');
    expect(formatToStep('0.0009', '0.001', 'down')).toBe('0.000');
    expect(formatToStep(5, '1', 'down')).toBe('5');
    expect(formatToStep(0.02, 0.00001)).toBe('0.02000');
    expect(formatToStep(0.0123456, 0.00001)).toBe('0.01234');
    expect(formatToStep(112995.1, 0.1)).toBe('112995.1');
    expect(formatToStep(3, 1)).toBe('3');
  });

  it('rounds prices to the tick in the requested direction', () => {
    expect(formatToStep(60000.15, '0.1', 'down')).toBe('60000.1');
    expect(formatToStep(60000.15, '0.1', 'up')).toBe('60000.2');
    expect(formatToStep(60000.1, '0.1', 'up')).toBe('60000.1');
    expect(formatToStep(60000.123, '0.5', 'up')).toBe('60000.5');
  });

  it('formats numbers without exponents', () => {
    const plain = (x: number) => formatDecimal(parseDecimal(x));
    expect(plain(1e-7)).toBe('0.0000001');
    expect(plain(1.5e-7)).toBe('0.00000015');
    expect(plain(1e21)).toBe('1000000000000000000000');
    expect(plain(-2.5e-8)).toBe('-0.000000025');
    expect(plain(123.45)).toBe('123.45');
  });

  it('counts the decimals of steps', () => {
    expect([0.00001, 0.1, 1].map(decimalPlaces)).toEqual([5, 1, 0]);
  });

  it('property: rounded-down qty is a step multiple, <= input, and within one step', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 999 }),
        (units, extra) => {
          const value = `${units / 1000}`; // a 3-decimal number
          const withExtra = Number(`${(units * 1000 + extra) / 1_000_000}`);
          const r = formatToStep(withExtra, '0.001', 'down');
          expect(r).toBe(formatToStep(value, '0.001', 'down'));
          expect(compareDecimal(r, withExtra)).toBeLessThanOrEqual(0);
        },
      ),
    );
  });
});
