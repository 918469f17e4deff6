import { describe, expect, it } from 'vitest';
import { slope, troughs } from './stats';

const pts = (ys: number[]) => ys.map((y, x) => ({ x, y }));

describe('troughs', () => {
  it('takes the point right after each drop of at least minDrop', () => {
    expect(troughs(pts([20, 22, 24, 19, 21, 23, 25, 20.5, 22]), 1)).toEqual([
      { x: 3, y: 19 },
      { x: 7, y: 20.5 },
    ]);
  });

  it('ignores small dips, and waits for the bottom of a fall spread over two samples', () => {
    expect(troughs(pts([20, 21, 20.8, 22, 24, 21, 19, 20]), 1)).toEqual([{ x: 6, y: 19 }]);
  });

  it('reads a flat heap as flat and a growing one as growing, whatever the collection period', () => {
    // Samples every 15 s for an hour; a major collection every 9.5 min (not a multiple of any window).
    const heap = (liveAt: (h: number) => number) =>
      Array.from({ length: 240 }, (_, i) => {
        const sinceGc = (i * 15) % 570;
        return { x: (i * 15) / 3600, y: liveAt((i * 15) / 3600) + sinceGc * 0.01 };
      });
    const flat = troughs(
      heap(() => 20),
      1,
    );
    expect(flat.length).toBeGreaterThanOrEqual(5);
    expect(slope(flat)).toBeCloseTo(0, 6);
    const growing = troughs(
      heap((h) => 20 + 3 * h),
      1,
    );
    expect(slope(growing)).toBeGreaterThan(2.5);
    expect(slope(growing)).toBeLessThan(3.5);
  });

  it('no drop, no trough', () => {
    expect(troughs(pts([1, 2, 3]), 1)).toEqual([]);
    expect(troughs([], 1)).toEqual([]);
  });
});
