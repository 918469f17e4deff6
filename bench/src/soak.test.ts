import { describe, expect, it } from 'vitest';
import { soakMarkdown, summarizeSoak } from './soak';
import { SERVICE_NAMES } from './stack';

describe('summarizeSoak', () => {
  it('reads old space at each major collection, and says so when a service had too few to fit a slope', () => {
    // One hour, a sample every 30 s; old space climbs 0.1 MB per sample and falls back to 20 MB every
    // 10 min for every service but the last, which collects once, at 40 min.
    const quiet = SERVICE_NAMES.at(-1) as string;
    const samples = Array.from({ length: 120 }, (_, i) => ({
      t: i * 30,
      rss: Object.fromEntries(SERVICE_NAMES.map((s) => [s, 100 + i * 0.01])),
      oldSpace: Object.fromEntries(
        SERVICE_NAMES.map((s) => [s, s === quiet ? (i < 80 ? 20 + i * 0.1 : 20) : 20 + (i % 20) * 0.1]),
      ),
    }));
    const r = summarizeSoak(samples);
    const busy = SERVICE_NAMES[0] as string;
    expect(r.oldSpaceTroughsMb?.[busy]).toEqual([
      [600, 20],
      [1200, 20],
      [1800, 20],
      [2400, 20],
      [3000, 20],
    ]);
    expect(r.oldSpaceTroughSlopeMbPerHour?.[busy]).toBe(0);
    expect(r.oldSpaceTroughsMb?.[quiet]).toEqual([[2400, 20]]);
    expect(r.oldSpaceTroughSlopeMbPerHour?.[quiet]).toBeNull();
    expect(r.slopeMbPerHour[busy]).toBeCloseTo(1.2, 5);
    const md = soakMarkdown({
      seconds: 3600,
      startedAt: 'x',
      intervalMs: 30_000,
      hedgesOpened: 360,
      samples,
      ...r,
    });
    expect(md).toContain(`| ${busy} | 100 | 101.19 | 101.19 | 1.2 | 20 at 600, 20 at 1200`);
    expect(md).toContain('- (fewer than 2 collections)');
  });
});
