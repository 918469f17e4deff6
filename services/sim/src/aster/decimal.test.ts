import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimalsOf, fmt, parseDecimal, stepUnits } from './decimal';

describe('decimal helpers', () => {
  it('counts step decimals', () => {
    expect(decimalsOf(0.1)).toBe(1);
    expect(decimalsOf(0.001)).toBe(3);
    expect(decimalsOf(1)).toBe(0);
    expect(decimalsOf(0.00001)).toBe(5);
  });

  it('formats without negative zero', () => {
    expect(fmt(-0.0000001, 3)).toBe('0.000');
    expect(fmt(-1.5, 1)).toBe('-1.5');
    expect(fmt(60000.05, 1)).toBe('60000.1');
  });

  it('parses exactly and flags excess precision', () => {
    expect(parseDecimal('0.001', 3)).toEqual({ ok: true, units: 1n, value: 0.001 });
    expect(parseDecimal('1.2300', 3)).toMatchObject({ ok: true, units: 1230n });
    expect(parseDecimal('0.0015', 3)).toEqual({ ok: false, reason: 'precision' });
    expect(parseDecimal('1e-3', 3)).toEqual({ ok: false, reason: 'malformed' });
    expect(stepUnits(0.1, 1)).toBe(1n);
  });

  it('round-trips any on-step quantity', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000_000 }), (n) => {
        const raw = fmt(n / 1000, 3);
        const p = parseDecimal(raw, 3);
        return p.ok && p.units === BigInt(n);
      }),
    );
  });
});
