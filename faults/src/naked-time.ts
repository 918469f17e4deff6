/**
 * Naked exposure from the simulators' own fill logs: replays every fill of both venues in time order and
 * measures how long net BTC across the venues (sum of signed positions) stayed away from zero.
 */
export interface VenueFill {
  venue: string;
  side: 'buy' | 'sell';
  qty: number;
  time: number;
}

export interface NakedReport {
  /** Total time net BTC was non-zero between the first fill and `until` (s). */
  totalSeconds: number;
  /** The longest single episode (s). */
  longestSeconds: number;
  episodes: number;
  /** Net BTC after the last fill. */
  finalNet: number;
}

/** Quantities are compared after rounding to this many decimals (venue steps are ≥ 1e-5 BTC). */
const DECIMALS = 8;
const round = (x: number): number => Number(x.toFixed(DECIMALS));

/**
 * `startNet` is net BTC before the first fill (0 for a flat account); `until` closes an episode still open
 * at the end (defaults to the last fill's time).
 */
export function nakedTime(
  fills: readonly VenueFill[],
  opts: { startNet?: number; until?: number } = {},
): NakedReport {
  const sorted = [...fills].sort((a, b) => a.time - b.time);
  let net = round(opts.startNet ?? 0);
  let since: number | null = net === 0 ? null : (sorted[0]?.time ?? 0);
  let total = 0;
  let longest = 0;
  let episodes = since === null ? 0 : 1;
  const close = (at: number) => {
    if (since === null) return;
    const d = Math.max(0, at - since);
    total += d;
    longest = Math.max(longest, d);
    since = null;
  };
  // Fills at the same instant are applied together (no zero-length episodes between them).
  for (let i = 0; i < sorted.length; i++) {
    const f = sorted[i] as VenueFill;
    net = round(net + (f.side === 'buy' ? f.qty : -f.qty));
    if (sorted[i + 1]?.time === f.time) continue;
    if (net === 0) close(f.time);
    else if (since === null) {
      since = f.time;
      episodes++;
    }
  }
  close(opts.until ?? sorted.at(-1)?.time ?? 0);
  return { totalSeconds: total / 1000, longestSeconds: longest / 1000, episodes, finalNet: net };
}
