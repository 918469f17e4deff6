import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LocalBook } from './local-book';
import type { DepthDelta, DepthSnapshot } from './parser';

const delta = (
  U: number,
  u: number,
  bids: [number, number][] = [],
  asks: [number, number][] = [],
): DepthDelta => ({
  symbol: 'BTC_USDC_PERP',
  firstUpdateId: U,
  lastUpdateId: u,
  venueTime: u,
  bids,
  asks,
});
const snap = (id: number, bids: [number, number][], asks: [number, number][]): DepthSnapshot => ({
  lastUpdateId: id,
  venueTime: id,
  bids,
  asks,
});

describe('LocalBook', () => {
  it('buffers until a snapshot, then replays only deltas newer than the snapshot', () => {
    const b = new LocalBook();
    expect(b.apply(delta(9, 10, [[100, 5]]))).toBe('buffered');
    expect(b.apply(delta(11, 12, [[101, 1]]))).toBe('buffered');
    expect(b.apply(delta(13, 13, [], [[103, 0]]))).toBe('buffered');
    // Snapshot at 11 includes delta 9..10 (and part of 11..12, which straddles 12 = L+1).
    expect(
      b.installSnapshot(
        snap(
          11,
          [
            [99, 2],
            [100, 4],
          ],
          [
            [102, 1],
            [103, 2],
          ],
        ),
      ),
    ).toBe('synced');
    expect(b.state).toBe('synced');
    expect(b.lastUpdateId).toBe(13);
    expect(b.top(5)).toEqual({
      bids: [
        [101, 1],
        [100, 4],
        [99, 2],
      ],
      asks: [[102, 1]],
    });
  });

  it('reports a stale snapshot (older than the first buffered delta) and keeps buffering', () => {
    const b = new LocalBook();
    b.apply(delta(20, 21));
    expect(b.installSnapshot(snap(10, [[1, 1]], [[2, 1]]))).toBe('stale');
    expect(b.state).toBe('buffering');
    expect(b.installSnapshot(snap(19, [[1, 1]], [[2, 1]]))).toBe('synced');
    expect(b.lastUpdateId).toBe(21);
  });

  it('resets on a gap and ignores duplicates', () => {
    const b = new LocalBook();
    b.installSnapshot(snap(5, [[1, 1]], [[2, 1]]));
    expect(b.apply(delta(6, 6, [[1.5, 1]]))).toBe('applied');
    expect(b.apply(delta(6, 6, [[1.5, 9]]))).toBe('applied'); // duplicate: ignored
    expect(b.top(1).bids).toEqual([[1.5, 1]]);
    expect(b.apply(delta(8, 9))).toBe('gap');
    expect(b.state).toBe('empty');
    expect(b.top(1)).toEqual({ bids: [], asks: [] });
  });

  it('top(n) equals a full sort of the side (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 0, max: 5 })), {
          maxLength: 200,
        }),
        fc.integer({ min: 1, max: 30 }),
        (levels, n) => {
          const b = new LocalBook();
          b.installSnapshot(snap(0, [], []));
          b.apply(
            delta(
              1,
              1,
              levels,
              levels.map(([p, q]) => [p + 1000, q] as [number, number]),
            ),
          );
          const expected = new Map<number, number>();
          for (const [p, q] of levels) {
            if (q === 0) expected.delete(p);
            else expected.set(p, q);
          }
          const sorted = [...expected].sort((x, y) => y[0] - x[0]).slice(0, n);
          expect(b.top(n).bids).toEqual(sorted);
          expect(b.top(n).asks.map(([p]) => p - 1000)).toEqual(
            [...expected]
              .sort((x, y) => x[0] - y[0])
              .slice(0, n)
              .map(([p]) => p),
          );
        },
      ),
    );
  });
});
