import { describe, expect, it } from 'vitest';
import { formatSpreadStatus, spreadStatus } from './spread-status';
import { params, quote } from './test-support/fixtures';

const fees = params().fees;

describe('spreadStatus', () => {
  it('shows both books, both directions, the best one and the break-even', () => {
    const q = {
      aster: quote('aster', { bid: 100_000, ask: 100_010, at: 1000 }),
      backpack: quote('backpack', { bid: 100_150, ask: 100_160, at: 900 }),
    };
    const s = spreadStatus(q, 0.02, fees, 1100);
    expect(s.books.aster).toEqual({ bid: 100_000, ask: 100_010, mid: 100_005, ageMs: 100 });
    expect(s.books.backpack?.ageMs).toBe(200);
    expect(s.open).toEqual({ buy_aster_sell_backpack: 140, buy_backpack_sell_aster: -160 });
    expect(s.best).toEqual({ direction: 'buy_aster_sell_backpack', spread: 140 });
    expect(s.breakEven).toBeCloseTo(100_080 * (2 * fees.aster.taker + 2 * fees.backpack.taker), 9);
    expect(formatSpreadStatus(s)).toBe(
      `Aster 100000.0/100010.0 (100005.0) | Backpack 100150.0/100160.0 (100155.0) | buy Aster/sell Backpack 140.00 USD (break-even ${s.breakEven!.toFixed(2)})`,
    );
  });

  it('degrades without a quote or without depth', () => {
    const s = spreadStatus({ aster: null, backpack: quote('backpack') }, 0.02, fees, 0);
    expect(s.best).toBeNull();
    expect(s.breakEven).toBeNull();
    expect(formatSpreadStatus(s)).toMatch(/^Aster - \| Backpack .* \| spread n\/a$/);
    const thin = spreadStatus(
      { aster: quote('aster', { askQty: 0, bidQty: 0 }), backpack: quote('backpack') },
      0.02,
      fees,
      0,
    );
    expect(thin.open).toEqual({ buy_aster_sell_backpack: null, buy_backpack_sell_aster: null });
    expect(thin.best).toBeNull();
  });
});
