import { describe, expect, it } from 'vitest';
import { nakedTime, type VenueFill } from './naked-time';

describe('nakedTime', () => {
  it('a hedge whose legs fill 300 ms apart is naked for 0.3 s, then flat', () => {
    const r = nakedTime([
      { venue: 'aster', side: 'buy', qty: 0.02, time: 1000 },
      { venue: 'backpack', side: 'sell', qty: 0.02, time: 1300 },
      { venue: 'aster', side: 'sell', qty: 0.02, time: 5000 },
      { venue: 'backpack', side: 'buy', qty: 0.02, time: 5000 },
    ]);
    expect(r).toEqual({ totalSeconds: 0.3, longestSeconds: 0.3, episodes: 1, finalNet: 0 });
  });

  it('float sums do not leave a phantom residue; an unhedged end runs until `until`', () => {
    const fills: VenueFill[] = [0.1, 0.2, 0.3].map((qty, i) => ({
      venue: 'aster',
      side: 'buy',
      qty,
      time: i,
    }));
    fills.push({ venue: 'backpack', side: 'sell', qty: 0.6, time: 10 });
    expect(nakedTime(fills).finalNet).toBe(0);
    const open = nakedTime([{ venue: 'aster', side: 'buy', qty: 0.02, time: 0 }], { until: 2500 });
    expect(open).toEqual({ totalSeconds: 2.5, longestSeconds: 2.5, episodes: 1, finalNet: 0.02 });
  });

  it('an unwind (same venue) ends the episode too', () => {
    const r = nakedTime([
      { venue: 'aster', side: 'buy', qty: 0.02, time: 0 },
      { venue: 'aster', side: 'sell', qty: 0.02, time: 4000 },
      { venue: 'backpack', side: 'sell', qty: 0.02, time: 9000 },
      { venue: 'backpack', side: 'buy', qty: 0.02, time: 9500 },
    ]);
    expect(r).toEqual({ totalSeconds: 4.5, longestSeconds: 4, episodes: 2, finalNet: 0 });
  });
});
