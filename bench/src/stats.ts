/** Latency summary of a sample set, in microseconds (rounded to 0.1 µs). */
export interface Summary {
  n: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

const r1 = (x: number) => Math.round(x * 10) / 10;

/** Nearest-rank percentile of sorted values (q in 0..1). */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] as number;
}

/** Median (nearest rank, the lower middle for an even count) of unsorted values. */
export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

export function summarize(samples: readonly number[]): Summary {
  const s = [...samples].sort((a, b) => a - b);
  const sum = s.reduce((a, b) => a + b, 0);
  return {
    n: s.length,
    p50: r1(percentile(s, 0.5)),
    p99: r1(percentile(s, 0.99)),
    max: r1(s.length ? (s[s.length - 1] as number) : Number.NaN),
    mean: r1(s.length ? sum / s.length : Number.NaN),
  };
}

/** Least-squares slope of y over x (units of y per unit of x); 0 with fewer than 2 points. */
export function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/**
 * The troughs of a sawtooth: each point that follows a drop of at least `minDrop` and is not above the next
 * one. A V8 heap sampled between collections climbs for minutes and falls at each major collection; the
 * reading right after the fall is what survived it, so the troughs' trend is the heap's real growth (fixed
 * time windows were not: one with no major collection in it reported the top of a climb).
 */
export function troughs(
  points: readonly { x: number; y: number }[],
  minDrop: number,
): { x: number; y: number }[] {
  const out: { x: number; y: number }[] = [];
  for (let i = 1; i < points.length; i++) {
    const p = points[i] as { x: number; y: number };
    const prev = points[i - 1] as { x: number; y: number };
    const next = points[i + 1];
    if (prev.y - p.y >= minDrop && (next === undefined || p.y <= next.y)) out.push(p);
  }
  return out;
}
