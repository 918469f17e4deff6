import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyFill, type NetPosition, positionIncrease, unrealizedPnl } from './position-math';

describe('position math', () => {
  it('adds at a weighted entry, realizes on reduction, re-enters on a flip', () => {
    let p: NetPosition = { qty: 0, entryPrice: 0 };
    p = applyFill(p, 'buy', 1, 100).position;
    p = applyFill(p, 'buy', 1, 110).position;
    expect(p).toEqual({ qty: 2, entryPrice: 105 });
    const r = applyFill(p, 'sell', 3, 120);
    expect(r.realizedPnl).toBe(30);
    expect(r.position).toEqual({ qty: -1, entryPrice: 120 });
    expect(unrealizedPnl(r.position, 100)).toBe(20);
    expect(positionIncrease(-1, 'buy', 3)).toBe(1);
    expect(positionIncrease(-1, 'buy', 1)).toBe(0);
  });

  it('conserves PnL: realized + unrealized equals the cash flows of any fill sequence', () => {
    const fill = fc.record({
      side: fc.constantFrom('buy' as const, 'sell' as const),
      qty: fc.integer({ min: 1, max: 5000 }).map((n) => n / 1000),
      price: fc.integer({ min: 900_000, max: 1_100_000 }).map((n) => n / 10),
    });
    fc.assert(
      fc.property(
        fc.array(fill, { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 900_000, max: 1_100_000 }),
        (fills, m) => {
          const mark = m / 10;
          let pos: NetPosition = { qty: 0, entryPrice: 0 };
          let realized = 0;
          let cash = 0;
          for (const f of fills) {
            const r = applyFill(pos, f.side, f.qty, f.price);
            pos = r.position;
            realized += r.realizedPnl;
            cash += (f.side === 'buy' ? -1 : 1) * f.qty * f.price;
          }
          const valueNow = cash + pos.qty * mark;
          expect(realized + unrealizedPnl(pos, mark)).toBeCloseTo(valueNow, 2);
        },
      ),
    );
  });
});
