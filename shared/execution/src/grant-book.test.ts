import type { LegGrantNotice } from '@arb/bus/leg-grant';
import { describe, expect, it } from 'vitest';
import { GrantBook } from './grant-book';

const notice = (hedgeId: string, fence = 3): LegGrantNotice => ({
  v: 1,
  hedgeId,
  fence,
  legs: [
    { venue: 'aster', clientOrderId: `${hedgeId}-aster-open1` },
    { venue: 'backpack', clientOrderId: `${hedgeId}-backpack-open1` },
  ],
});

describe('GrantBook', () => {
  it("keeps its venue's legs only; a grant is taken once, under its own fence", () => {
    const book = new GrantBook('aster', { ttlMs: 10_000, maxSize: 100 });
    expect(book.add(notice('h1'), 1000)).toBe(1);
    expect(book.take('h1-backpack-open1', 3, 1000)).toBe(false);
    expect(book.take('h1-aster-open1', 3, 1001)).toBe(true);
    expect(book.take('h1-aster-open1', 3, 1002)).toBe(false);
    // Another fence than the grant's (a leg stamped by another leader): no grant, and it is gone.
    book.add(notice('h2'), 1000);
    expect(book.take('h2-aster-open1', 4, 1001)).toBe(false);
    expect(book.take('h2-aster-open1', 3, 1001)).toBe(false);
    expect(book.size).toBe(0);
  });

  it('forgets grants older than its TTL and never holds more than its size', () => {
    const book = new GrantBook('aster', { ttlMs: 10_000, maxSize: 3 });
    book.add(notice('h1'), 0);
    expect(book.take('h1-aster-open1', 3, 10_001)).toBe(false);
    book.add(notice('h2'), 0);
    book.add(notice('h3'), 20_000); // h2 is pruned on the way
    expect(book.size).toBe(1);
    for (const h of ['h4', 'h5', 'h6']) book.add(notice(h), 20_001);
    expect(book.size).toBe(3);
    expect(book.take('h3-aster-open1', 3, 20_002)).toBe(false); // the oldest, dropped for room
    expect(book.take('h6-aster-open1', 3, 20_002)).toBe(true);
  });
});
