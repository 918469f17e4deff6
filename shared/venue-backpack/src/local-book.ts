import type { Level } from '@arb/core/quote';
import type { DepthDelta, DepthSnapshot } from './parser';

export type LocalBookState = 'empty' | 'buffering' | 'synced';

export type ApplyResult =
  /** Applied (or ignored as already included); the book is usable. */
  | 'applied'
  /** Kept until a REST snapshot arrives. */
  | 'buffered'
  /** A sequence gap (U != previous u + 1): the book was reset; fetch a new snapshot. */
  | 'gap';

export type SnapshotResult = 'synced' | 'stale';

/**
 * A local order book for Backpack's incremental `depth.<sym>` stream: deltas carry absolute quantities
 * (0 deletes the level) and are gapless (each U = previous u + 1). The stream sends no snapshot, so
 * deltas are buffered until a REST snapshot (lastUpdateId L) arrives; deltas with u <= L are already in
 * it, the first applied one must straddle L + 1 (U <= L + 1 <= u). Any later gap resets the book.
 */
export class LocalBook {
  #state: LocalBookState = 'empty';
  #bids = new Map<number, number>();
  #asks = new Map<number, number>();
  #lastUpdateId = 0;
  #buffer: DepthDelta[] = [];
  #venueTime = 0;
  readonly #maxBuffer: number;

  constructor(opts: { maxBuffer?: number } = {}) {
    this.#maxBuffer = opts.maxBuffer ?? 10_000;
  }

  get state(): LocalBookState {
    return this.#state;
  }

  get lastUpdateId(): number {
    return this.#lastUpdateId;
  }

  /** Venue time (ms) of the last applied change. */
  get venueTime(): number {
    return this.#venueTime;
  }

  reset(): void {
    this.#state = 'empty';
    this.#bids.clear();
    this.#asks.clear();
    this.#buffer = [];
    this.#lastUpdateId = 0;
  }

  apply(delta: DepthDelta): ApplyResult {
    if (this.#state !== 'synced') {
      this.#state = 'buffering';
      this.#buffer.push(delta);
      if (this.#buffer.length > this.#maxBuffer) this.#buffer.shift();
      return 'buffered';
    }
    return this.#applySynced(delta);
  }

  /**
   * Installs a REST snapshot and replays buffered deltas. 'stale' = the snapshot is older than the
   * first buffered delta (a gap between them): fetch again later, deltas stay buffered.
   */
  installSnapshot(snap: DepthSnapshot): SnapshotResult {
    const pending = this.#buffer.filter((d) => d.lastUpdateId > snap.lastUpdateId);
    const first = pending[0];
    if (first && first.firstUpdateId > snap.lastUpdateId + 1) return 'stale';
    this.#bids = new Map(snap.bids.filter(([, q]) => q > 0));
    this.#asks = new Map(snap.asks.filter(([, q]) => q > 0));
    this.#lastUpdateId = snap.lastUpdateId;
    if (snap.venueTime !== null) this.#venueTime = snap.venueTime;
    this.#buffer = [];
    this.#state = 'synced';
    for (const d of pending) {
      if (this.#applySynced(d) === 'gap') return 'stale';
    }
    return 'synced';
  }

  #applySynced(d: DepthDelta): ApplyResult {
    if (d.lastUpdateId <= this.#lastUpdateId) return 'applied'; // already in the book
    if (d.firstUpdateId > this.#lastUpdateId + 1) {
      this.reset();
      return 'gap';
    }
    for (const [p, q] of d.bids) setLevel(this.#bids, p, q);
    for (const [p, q] of d.asks) setLevel(this.#asks, p, q);
    this.#lastUpdateId = d.lastUpdateId;
    this.#venueTime = d.venueTime;
    return 'applied';
  }

  /** Best `n` bids (highest first) and asks (lowest first). Empty unless synced. */
  top(n: number): { bids: Level[]; asks: Level[] } {
    if (this.#state !== 'synced') return { bids: [], asks: [] };
    return { bids: best(this.#bids, n, (a, b) => b - a), asks: best(this.#asks, n, (a, b) => a - b) };
  }

  /** True when the best bid is at or above the best ask (an inconsistent book: resync). */
  isCrossed(): boolean {
    const { bids, asks } = this.top(1);
    const b = bids[0];
    const a = asks[0];
    return b !== undefined && a !== undefined && b[0] >= a[0];
  }
}

function setLevel(side: Map<number, number>, price: number, qty: number): void {
  if (qty === 0) side.delete(price);
  else side.set(price, qty);
}

/** Top n of a price map in O(size * n) without sorting the whole side. */
function best(side: Map<number, number>, n: number, cmp: (a: number, b: number) => number): Level[] {
  const out: Level[] = [];
  for (const [p, q] of side) {
    if (out.length === n) {
      const last = out[n - 1];
      if (last === undefined || cmp(p, last[0]) >= 0) continue;
      out.pop();
    }
    let i = out.length;
    while (i > 0 && cmp(p, (out[i - 1] as Level)[0]) < 0) i--;
    out.splice(i, 0, [p, q]);
  }
  return out;
}
