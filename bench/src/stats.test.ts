import { describe, expect, it } from 'vitest';
import { slope, windowFloors } from './stats';

describe('windowFloors', () => {
  it('takes the lowest value of each equal span, placed at the span middle', () => {
    const points = [0, 1, 2, 3, 4, 5, 6].map((x) => ({ x, y: [5, 3, 9, 4, 8, 2, 7][x] as number }));
    // Three spans of 2: [0,2) [2,4) [4,6]
    expect(windowFloors(points, 3)).toEqual([
      { x: 1, y: 3 },
      { x: 3, y: 4 },
      { x: 5, y: 2 },
    ]);
  });

  it('a sawtooth over a flat floor has floors with no trend; one over a rising floor keeps its rise', () => {
    // GC sawtooth: grows 5 MB over 10 samples, collected back to the floor, for an hour of samples.
    const saw = (floorAt: (x: number) => number) =>
      Array.from({ length: 360 }, (_, i) => ({ x: i / 360, y: floorAt(i / 360) + (i % 10) * 0.5 }));
    const flat = windowFloors(
      saw(() => 20),
      6,
    );
    expect(flat.map((p) => p.y)).toEqual([20, 20, 20, 20, 20, 20]);
    expect(slope(flat)).toBe(0);
    const rising = windowFloors(
      saw((x) => 20 + 3 * x),
      6,
    );
    expect(slope(rising)).toBeGreaterThan(2.5);
    expect(slope(rising)).toBeLessThan(3.5);
  });

  it('leaves out empty spans and handles no points', () => {
    expect(windowFloors([], 6)).toEqual([]);
    expect(
      windowFloors(
        [
          { x: 0, y: 1 },
          { x: 10, y: 2 },
        ],
        5,
      ),
    ).toEqual([
      { x: 1, y: 1 },
      { x: 9, y: 2 },
    ]);
  });
});
