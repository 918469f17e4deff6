import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SimLevel } from '../engine/types';
import { diffSide } from './depth-diff';
import { formatFixed } from '../engine/decimal';

const fp = (v: number) => formatFixed(v, 1);
const fq = (v: number) => formatFixed(v, 5);

const side = fc
  .uniqueArray(fc.integer({ min: 999_000, max: 1_001_000 }), { maxLength: 30 })
  .chain((ticks) =>
    fc.tuple(
      ...ticks.map((t) => fc.integer({ min: 1, max: 100_000 }).map((q) => ({ price: t / 10, qty: q / 1e5 }))),
    ),
  );

describe('depth diff', () => {
  it('applied to the previous side (absolute qty, "0" deletes) yields the next side', () => {
    fc.assert(
      fc.property(side, side, (prev: SimLevel[], next: SimLevel[]) => {
        const book = new Map(prev.map((l) => [fp(l.price), fq(l.qty)]));
        const changes = diffSide(prev, next, fp, fq);
        for (const [price, qty] of changes) {
          if (Number(qty) === 0) book.delete(price);
          else book.set(price, qty);
        }
        expect(new Map(next.map((l) => [fp(l.price), fq(l.qty)]))).toEqual(book);
        const prices = changes.map(([p]) => Number(p));
        expect(prices).toEqual([...prices].sort((a, b) => a - b));
      }),
    );
  });

  it('is empty when nothing changed', () => {
    const levels = [{ price: 100.1, qty: 0.5 }];
    expect(diffSide(levels, [...levels], fp, fq)).toEqual([]);
    expect(diffSide(levels, [], fp, fq)).toEqual([['100.1', '0.00000']]);
  });
});
