import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ceilToStep,
  decimalsOf,
  floorToStep,
  formatFixed,
  formatFixedOrZero,
  formatNormalized,
  isMultipleOf,
  parseDecimal,
  parseUnits,
  roundToStep,
  stepUnits,
  stepsOf,
} from './decimal';

describe('decimalsOf', () => {
  it('counts the places of steps', () => {
    expect([0.1, 0.00001, 1, 0.001, 0.5, 1e-8, 2.5e-7].map(decimalsOf)).toEqual([1, 5, 0, 3, 1, 8, 8]);
  });
});

describe('rounding in the engine', () => {
  it('snaps to the step without float noise', () => {
    expect(roundToStep(0.1 + 0.2, 0.1)).toBe(0.3);
    expect(floorToStep(0.0299, 0.001)).toBe(0.029);
    expect(ceilToStep(0.0291, 0.001)).toBe(0.03);
    expect(isMultipleOf(0.0014900000000000002, 0.00001)).toBe(true);
    expect(stepsOf(0.0014900000000000002, 0.00001)).toBe(149);
    expect(stepsOf(0.00149, 0.00001)).toBe(149);
  });
});

describe('floorToStep', () => {
  it('property: is the double of its decimal string (what a parsed request quantity is)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1000, noNaN: true }),
        fc.constantFrom(0.00001, 0.001, 0.1, 1),
        (x, step) => {
          const viaString = Number(formatFixed(Math.floor(x / step + 1e-9) * step, decimalsOf(step)));
          expect(floorToStep(x, step)).toBe(viaString);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('formatting for the wire', () => {
  it('formats fixed and normalized without float artefacts or negative zero', () => {
    expect(formatFixed(117357, 1)).toBe('117357.0');
    expect(formatFixed(0, 5)).toBe('0.00000');
    expect(formatFixed(0.1 + 0.2, 5)).toBe('0.30000');
    expect(formatFixed(-0.000015, 5)).toBe('-0.00001');
    expect(formatFixed(-0.0000001, 3)).toBe('0.000');
    expect(formatFixed(-1.5, 1)).toBe('-1.5');
    expect(formatFixed(60000.05, 1)).toBe('60000.1');
    expect(formatNormalized(3.81428, 8)).toBe('3.81428');
    expect(formatNormalized(60000, 1)).toBe('60000');
    expect(formatNormalized(-0, 4)).toBe('0');
    expect(formatNormalized(-1.5e-9, 8)).toBe('0');
  });

  it('throws on a non-finite value, or writes it as zero where Aster does', () => {
    expect(() => formatFixed(Number.NaN, 2)).toThrow(RangeError);
    expect(formatFixedOrZero(Number.POSITIVE_INFINITY, 2)).toBe('0.00');
    expect(formatFixedOrZero(-0.0000001, 3)).toBe('0.000');
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
});

describe('parsing from the wire', () => {
  it('parses only decimal strings', () => {
    expect(parseDecimal('0.001')).toBe(0.001);
    expect(parseDecimal('1e5')).toBeNull();
    expect(parseDecimal(' 1')).toBeNull();
    expect(parseDecimal(5)).toBeNull();
  });

  it('parses exactly into units and flags excess precision', () => {
    expect(parseUnits('0.001', 3)).toEqual({ ok: true, units: 1n, value: 0.001 });
    expect(parseUnits('1.2300', 3)).toMatchObject({ ok: true, units: 1230n });
    expect(parseUnits('0.0015', 3)).toEqual({ ok: false, reason: 'precision' });
    expect(parseUnits('1e-3', 3)).toEqual({ ok: false, reason: 'malformed' });
    expect(stepUnits(0.1, 1)).toBe(1n);
  });

  it('round-trips any on-step quantity', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000_000 }), (n) => {
        const raw = formatFixedOrZero(n / 1000, 3);
        const p = parseUnits(raw, 3);
        return p.ok && p.units === BigInt(n);
      }),
    );
  });
});
