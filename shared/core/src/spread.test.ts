import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buyVenue, directionBuying, oppositeSide, openSide, sellVenue, signedQty } from './direction';
import { bestOpenSpread, bookLevels, openSpread, openSpreads, unwindSpread, vwapFor } from './spread';
import { levels, quote } from './test-support/fixtures';

describe('direction', () => {
  it('maps directions to venues and sides', () => {
    expect(buyVenue('buy_aster_sell_backpack')).toBe('aster');
    expect(sellVenue('buy_aster_sell_backpack')).toBe('backpack');
    expect(buyVenue('buy_backpack_sell_aster')).toBe('backpack');
    expect(sellVenue('buy_backpack_sell_aster')).toBe('aster');
    expect(directionBuying('aster')).toBe('buy_aster_sell_backpack');
    expect(directionBuying('backpack')).toBe('buy_backpack_sell_aster');
    expect(openSide('buy_aster_sell_backpack', 'aster')).toBe('buy');
    expect(openSide('buy_aster_sell_backpack', 'backpack')).toBe('sell');
    expect(oppositeSide('buy')).toBe('sell');
    expect(oppositeSide('sell')).toBe('buy');
    expect(signedQty('buy', 0.02)).toBe(0.02);
    expect(signedQty('sell', 0.02)).toBe(-0.02);
  });
});

describe('vwapFor', () => {
  it('fills from the top level when it is deep enough', () => {
    expect(vwapFor(levels([100, 1]), 0.5)).toEqual({ kind: 'ok', vwap: 100, worstPrice: 100, levels: 1 });
  });

  it('walks levels and averages by volume', () => {
    const r = vwapFor(levels([100, 0.01], [101, 0.01], [102, 5]), 0.03);
    expect(r.kind).toBe('ok');
    if (r.kind !== 'ok') return;
    expect(r.vwap).toBeCloseTo((100 + 101 + 102) / 3, 9);
    expect(r.worstPrice).toBe(102);
    expect(r.levels).toBe(3);
  });

  it('skips empty levels', () => {
    const r = vwapFor(levels([100, 0], [101, 1]), 0.5);
    expect(r).toMatchObject({ kind: 'ok', vwap: 101, levels: 1 });
  });

  it('reports insufficient depth with what is available', () => {
    const r = vwapFor(levels([100, 0.01], [101, 0.005]), 0.02);
    expect(r.kind).toBe('insufficient_depth');
    if (r.kind === 'insufficient_depth') expect(r.available).toBeCloseTo(0.015, 12);
    expect(vwapFor([], 1)).toEqual({ kind: 'insufficient_depth', available: 0 });
  });

  it('rejects a non-positive size', () => {
    expect(() => vwapFor(levels([100, 1]), 0)).toThrow(RangeError);
    expect(() => vwapFor(levels([100, 1]), Number.NaN)).toThrow(RangeError);
  });

  it('property: the VWAP lies between the best and the worst level touched', () => {
    const book = fc
      .array(fc.tuple(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 100 })), {
        minLength: 1,
        maxLength: 10,
      })
      .map((raw) => {
        let price = 100_000;
        return raw.map(([step, size]) => {
          price += step;
          return [price, size / 1000] as [number, number];
        });
      });
    fc.assert(
      fc.property(book, fc.integer({ min: 1, max: 2000 }), (asks, q) => {
        const qty = q / 1000;
        const r = vwapFor(asks, qty);
        const total = asks.reduce((s, [, size]) => s + size, 0);
        if (r.kind === 'ok') {
          expect(r.vwap).toBeGreaterThanOrEqual(asks[0]![0] - 1e-6);
          expect(r.vwap).toBeLessThanOrEqual(r.worstPrice + 1e-6);
        } else {
          expect(total).toBeLessThan(qty * (1 - 1e-9));
        }
      }),
    );
  });
});

describe('bookLevels', () => {
  it('uses depth when present and the top of book otherwise', () => {
    const q = quote('aster', { bids: levels([99, 2], [98, 3]), asks: [] });
    expect(bookLevels(q, 'bids')).toEqual([
      [99, 2],
      [98, 3],
    ]);
    expect(bookLevels(q, 'asks')).toEqual([[100_001, 1]]);
    expect(bookLevels(quote('backpack'), 'bids')).toEqual([[100_000, 1]]);
  });
});

describe('open and unwind spreads', () => {
  // Aster cheap (ask 100_010), Backpack dear (bid 100_150).
  const aster = quote('aster', { bid: 100_000, ask: 100_010 });
  const backpack = quote('backpack', { bid: 100_150, ask: 100_160 });
  const quotes = { aster, backpack };

  it('open spread = sell-venue bid - buy-venue ask, both directions', () => {
    const all = openSpreads(quotes, 0.02);
    expect(all.buy_aster_sell_backpack).toMatchObject({
      kind: 'ok',
      spread: 140,
      buyPrice: 100_010,
      sellPrice: 100_150,
    });
    expect(all.buy_backpack_sell_aster).toMatchObject({
      kind: 'ok',
      spread: -160,
      buyPrice: 100_160,
      sellPrice: 100_000,
    });
    expect(bestOpenSpread(quotes, 0.02)).toMatchObject({ direction: 'buy_aster_sell_backpack', spread: 140 });
  });

  it('never mid-to-mid: a wide book shrinks the spread', () => {
    const wide = { aster: quote('aster', { bid: 99_950, ask: 100_070 }), backpack };
    const r = openSpread(wide, 'buy_aster_sell_backpack', 0.02);
    expect(r).toMatchObject({ kind: 'ok', spread: 80 });
  });

  it('walks depth when the size exceeds the top level', () => {
    const thin = {
      aster: quote('aster', { ask: 100_010, askQty: 0.01, asks: levels([100_010, 0.01], [100_030, 1]) }),
      backpack: quote('backpack', {
        bid: 100_150,
        bidQty: 0.005,
        bids: levels([100_150, 0.005], [100_140, 1]),
      }),
    };
    const r = openSpread(thin, 'buy_aster_sell_backpack', 0.02);
    expect(r.kind).toBe('ok');
    if (r.kind !== 'ok') return;
    expect(r.buyPrice).toBeCloseTo(100_020, 6);
    expect(r.sellPrice).toBeCloseTo((100_150 * 0.005 + 100_140 * 0.015) / 0.02, 6);
    expect(r.spread).toBeCloseTo(r.sellPrice - r.buyPrice, 9);
    expect(r.buyWorst).toBe(100_030);
    expect(r.sellWorst).toBe(100_140);
  });

  it('insufficient depth is an explicit result on either side', () => {
    const shallowBuy = { aster: quote('aster', { askQty: 0.01 }), backpack };
    expect(openSpread(shallowBuy, 'buy_aster_sell_backpack', 0.02)).toMatchObject({
      kind: 'insufficient_depth',
      venue: 'aster',
      side: 'asks',
      available: 0.01,
    });
    const shallowSell = { aster, backpack: quote('backpack', { bid: 100_150, ask: 100_160, bidQty: 0.001 }) };
    expect(openSpread(shallowSell, 'buy_aster_sell_backpack', 0.02)).toMatchObject({
      kind: 'insufficient_depth',
      venue: 'backpack',
      side: 'bids',
    });
    expect(unwindSpread(shallowSell, 'buy_backpack_sell_aster', 0.02)).toMatchObject({
      kind: 'insufficient_depth',
      venue: 'backpack',
      side: 'bids',
    });
    expect(unwindSpread(shallowBuy, 'buy_backpack_sell_aster', 0.02)).toMatchObject({
      kind: 'insufficient_depth',
      venue: 'aster',
      side: 'asks',
    });
  });

  it('bestOpenSpread prefers an ok direction over insufficient depth', () => {
    const oneSided = { aster: quote('aster', { bid: 100_000, ask: 100_010, askQty: 0.001 }), backpack };
    expect(bestOpenSpread(oneSided, 0.02)).toMatchObject({
      kind: 'ok',
      direction: 'buy_backpack_sell_aster',
    });
    const none = { aster: quote('aster', { askQty: 0, bidQty: 0 }), backpack };
    expect(bestOpenSpread(none, 0.02).kind).toBe('insufficient_depth');
  });

  it('unwind spread for buy A / sell B is B.ask - A.bid', () => {
    expect(unwindSpread(quotes, 'buy_aster_sell_backpack', 0.02)).toMatchObject({
      kind: 'ok',
      spread: 160,
      buyPrice: 100_160,
      sellPrice: 100_000,
    });
    expect(unwindSpread(quotes, 'buy_backpack_sell_aster', 0.02)).toMatchObject({
      kind: 'ok',
      spread: 100_010 - 100_150,
    });
  });

  it('property: open spread minus unwind spread of the same books is minus both venues’ bid-ask spreads', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 90_000, max: 110_000 }),
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: -300, max: 300 }),
        fc.integer({ min: 1, max: 200 }),
        (mid, widthA, offset, widthB) => {
          const q = {
            aster: quote('aster', { bid: mid, ask: mid + widthA }),
            backpack: quote('backpack', { bid: mid + offset, ask: mid + offset + widthB }),
          };
          for (const d of ['buy_aster_sell_backpack', 'buy_backpack_sell_aster'] as const) {
            const o = openSpread(q, d, 0.02);
            const u = unwindSpread(q, d, 0.02);
            if (o.kind !== 'ok' || u.kind !== 'ok') throw new Error('depth');
            expect(o.spread - u.spread).toBeCloseTo(-(widthA + widthB), 6);
          }
        },
      ),
    );
  });
});
