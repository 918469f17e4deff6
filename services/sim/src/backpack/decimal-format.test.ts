import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimalsOf, formatFixed, formatNormalized, parseDecimal } from './decimal-format';

describe('decimal formatting', () => {
  it('counts the places of steps', () => {
    expect([0.1, 0.00001, 1, 0.001, 0.5, 1e-8, 2.5e-7].map(decimalsOf)).toEqual([1, 5, 0, 3, 1, 8, 8]);
  });

  it('formats fixed and normalized without float artefacts', () => {
    expect(formatFixed(117357, 1)).toBe('117357.0');
    expect(formatFixed(0, 5)).toBe('0.00000');
    expect(formatFixed(0.1 + 0.2, 5)).toBe('0.30000');
    expect(formatFixed(-0.000015, 5)).toBe('-0.00001');
    expect(formatNormalized(3.81428, 8)).toBe('3.81428');
    expect(formatNormalized(60000, 1)).toBe('60000');
    expect(formatNormalized(-0, 4)).toBe('0');
    expect(formatNormalized(-1.5e-9, 8)).toBe('0');
  });

  it('round-trips every tick-aligned price and step-aligned quantity', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -10_000_000_000, max: 10_000_000_000 }),
        fc.integer({ min: 0, max: 8 }),
        (units, d) => {
          const value = units / 10 ** d;
          const text = formatFixed(value, d);
          expect(parseDecimal(text)).toBe(value);
          expect(Number(formatNormalized(value, d))).toBe(value);
        },
      ),
    );
  });

  it('parses only decimal strings', () => {
    expect(parseDecimal('0.001')).toBe(0.001);
    expect(parseDecimal('1e5')).toBeNull();
    expect(parseDecimal(' 1')).toBeNull();
    expect(parseDecimal(5)).toBeNull();
  });
});
