/** Backpack's time encodings. Engine times are epoch ms. */

/** Microseconds (WS `E`/`T`, REST depth `timestamp`). */
export function toMicros(ms: number): number {
  return Math.round(ms * 1000);
}

/** Naive ISO-8601 without zone, as Backpack's history endpoints send: "2025-07-27T17:39:00.092". */
export function toNaiveIso(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '');
}
