import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backpackClientId } from './client-id';

describe('backpackClientId', () => {
  it('keeps canonical uint32 strings and hashes everything else into uint32, deterministically', () => {
    expect(backpackClientId('0')).toBe(0);
    expect(backpackClientId('4294967295')).toBe(4294967295);
    expect(backpackClientId('4294967296')).not.toBe(4294967296);
    expect(backpackClientId('007')).not.toBe(7);
    const a = backpackClientId('h-abc-backpack-open');
    expect(a).toBe(backpackClientId('h-abc-backpack-open'));
    expect(a).not.toBe(backpackClientId('h-abc-backpack-close'));
    fc.assert(
      fc.property(fc.string(), (s) => {
        const id = backpackClientId(s);
        expect(Number.isInteger(id) && id >= 0 && id <= 0xffffffff).toBe(true);
      }),
    );
  });

  it('has no collision across 100k distinct job ids', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 100_000; i++) seen.add(backpackClientId(`h-${i}-backpack-open`));
    // Expected collisions for 1e5 ids in 2^32: ~1.2; allow a couple, the window that matters is ~200 orders.
    expect(seen.size).toBeGreaterThanOrEqual(100_000 - 3);
  });
});
