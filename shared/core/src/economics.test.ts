import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  breakEvenSpread,
  checkEconomics,
  expectedHedgePnl,
  fillNotional,
  type PnlFill,
  realizedHedgePnl,
  roundTripFeeRate,
} from './economics';
import { DEFAULT_STRATEGY_PARAMS, type FeeSchedule } from './params';

const fees: FeeSchedule = {
  aster: { taker: 0.00035, maker: 0.0001 },
  backpack: { taker: 0.0004, maker: 0.0002 },
};

describe('economics', () => {
  it('round trip = four taker fills', () => {
    expect(roundTripFeeRate(fees)).toBeCloseTo(0.0015, 12);
  });

  it('break-even spread scales with price', () => {
    expect(breakEvenSpread(100_000, fees)).toBeCloseTo(150, 9);
    expect(
      breakEvenSpread(100_000, { aster: { taker: 0, maker: 0 }, backpack: { taker: 0, maker: 0 } }),
    ).toBe(0);
  });

  it('expected PnL = qty x (open - close) - fees', () => {
    const pnl = expectedHedgePnl({ qty: 0.02, openSpread: 130, closeSpread: 80, price: 100_000, fees });
    expect(pnl).toBeCloseTo(0.02 * 50 - 0.02 * 150, 9);
  });

  it('the original defaults do not pay base-tier taker fees at 100k', () => {
    const check = checkEconomics({ ...DEFAULT_STRATEGY_PARAMS, price: 100_000 });
    expect(check.grossPerUnit).toBe(40);
    expect(check.profitable).toBe(false);
    expect(check.netPerUnit).toBeCloseTo(40 - check.breakEven, 9);
    expect(checkEconomics({ openThreshold: 400, closeThreshold: 80, price: 100_000, fees }).profitable).toBe(
      true,
    );
  });

  it('realized PnL from fills: sells - buys - fees', () => {
    const fills: PnlFill[] = [
      { side: 'buy', qty: 0.02, avgPrice: 100_010, fee: 0.7 },
      { side: 'sell', qty: 0.02, avgPrice: 100_150, fee: 0.8 },
      { side: 'sell', qty: 0.02, avgPrice: 100_050, fee: 0.7 },
      { side: 'buy', qty: 0.02, avgPrice: 100_120, fee: 0.8 },
    ];
    expect(realizedHedgePnl(fills)).toBeCloseTo(
      0.02 * (100_150 - 100_010) - 0.02 * (100_120 - 100_050) - 3,
      9,
    );
    expect(realizedHedgePnl([])).toBe(0);
    expect(fillNotional(fills[0]!)).toBeCloseTo(2000.2, 9);
  });

  it('property: realized PnL equals signed notional minus fees, whatever the order of fills', () => {
    const fill = fc.record({
      side: fc.constantFrom('buy' as const, 'sell' as const),
      qty: fc.integer({ min: 1, max: 1000 }).map((n) => n / 1000),
      avgPrice: fc.integer({ min: 50_000, max: 150_000 }),
      fee: fc.integer({ min: -100, max: 1000 }).map((n) => n / 100),
    });
    fc.assert(
      fc.property(fc.array(fill, { maxLength: 12 }), (fills) => {
        const expected =
          fills.reduce((s, f) => s + (f.side === 'sell' ? 1 : -1) * f.qty * f.avgPrice, 0) -
          fills.reduce((s, f) => s + f.fee, 0);
        expect(realizedHedgePnl(fills)).toBeCloseTo(expected, 6);
        expect(realizedHedgePnl([...fills].reverse())).toBeCloseTo(expected, 6);
      }),
    );
  });
});
