import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareDecimal, multiplyDecimal, numberToDecimal, parseDecimal, roundToStep } from './decimal';

describe('exact decimals', () => {
  it('rounds quantities down to the step without float artifacts', () => {
    expect(roundToStep(0.3, '0.001', 'down')).toBe('0.300');
    expect(roundToStep(0.0219, '0.001', 'down')).toBe('0.021');
    expect(roundToStep(0.02, '0.001', 'down')).toBe('0.020');
    expect(roundToStep(1.0000000000000002, '0.001', 'down')).toBe('1.000');
    expect(roundToStep('0.0009', '0.001', 'down')).toBe('0.000');
    expect(roundToStep(5, '1', 'down')).toBe('5');
  });

  it('rounds prices to the tick in the requested direction', () => {
    expect(roundToStep(60000.15, '0.1', 'down')).toBe('60000.1');
    expect(roundToStep(60000.15, '0.1', 'up')).toBe('60000.2');
    expect(roundToStep(60000.1, '0.1', 'up')).toBe('60000.1');
    expect(roundToStep(60000.123, '0.5', 'up')).toBe('60000.5');
  });

  it('formats numbers without exponents', () => {
    expect(numberToDecimal(1e-7)).toBe('0.0000001');
    expect(numberToDecimal(1.5e-7)).toBe('0.00000015');
    expect(numberToDecimal(1e21)).toBe('1000000000000000000000');
    expect(numberToDecimal(-2.5e-8)).toBe('-0.000000025');
    expect(numberToDecimal(123.45)).toBe('123.45');
  });

  it('compares and multiplies exactly', () => {
    expect(compareDecimal('0.001', '0.0010')).toBe(0);
    expect(compareDecimal('0.0009', '0.001')).toBe(-1);
    expect(multiplyDecimal('0.020', '60000.1')).toBe('1200.0020');
    expect(() => parseDecimal('1e5')).toThrow();
  });

  it('property: rounded-down qty is a step multiple, ≤ input, and within one step', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 999 }),
        (units, extra) => {
          const value = `${units / 1000}`; // a 3-decimal number
          const withExtra = `${(units * 1000 + extra) / 1_000_000}`;
          const r = roundToStep(Number(withExtra), '0.001', 'down');
          expect(r).toBe(roundToStep(value, '0.001', 'down'));
          expect(compareDecimal(r, numberToDecimal(Number(withExtra)))).toBeLessThanOrEqual(0);
        },
      ),
    );
  });
});
