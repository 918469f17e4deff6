import type { BalanceSnapshot } from '@arb/core/venue-client';

export type Settled<T> = { ok: true; value: T } | { ok: false; error: string };

export async function settle<T>(p: Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await p };
  } catch (e) {
    return { ok: false, error: errText(e) };
  }
}

export function errText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/**
 * The venue balance for the local margin check, kept off the order's path: a read younger than maxAgeMs
 * is used as is; the worker re-reads after every order answered (a fill moves margin) and when idle. The
 * check is a pre-filter — the venue checks margin itself and rejects a short order with its code — so a
 * balance a few seconds old only matters if margin moved by more than the check's buffer meanwhile.
 */
export class BalanceCache {
  readonly #read: () => Promise<BalanceSnapshot>;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  #last: { at: number; value: BalanceSnapshot } | null = null;
  #inFlight: { generation: number; result: Promise<Settled<BalanceSnapshot>> } | null = null;
  /** Bumped by invalidate(): a read started before it neither serves nor fills the cache. */
  #generation = 0;

  constructor(read: () => Promise<BalanceSnapshot>, maxAgeMs: number, now: () => number = Date.now) {
    this.#read = read;
    this.#maxAgeMs = maxAgeMs;
    this.#now = now;
  }

  /** The cached balance when young enough, else a read (joining one already in flight). */
  get(): Promise<Settled<BalanceSnapshot>> {
    const last = this.#last;
    if (last && this.#now() - last.at <= this.#maxAgeMs)
      return Promise.resolve({ ok: true, value: last.value });
    return this.refresh();
  }

  /** Reads now (one read in flight at most; a caller during it gets its result). */
  refresh(): Promise<Settled<BalanceSnapshot>> {
    const generation = this.#generation;
    if (this.#inFlight?.generation === generation) return this.#inFlight.result;
    const startedAt = this.#now();
    const result = settle(this.#read()).then((r) => {
      if (r.ok && generation === this.#generation) this.#last = { at: startedAt, value: r.value };
      if (this.#inFlight?.result === result) this.#inFlight = null;
      return r;
    });
    this.#inFlight = { generation, result };
    return result;
  }

  /** Forgets the cached value (margin moved): the next get() waits for a read started after this. */
  invalidate(): void {
    this.#generation++;
    this.#last = null;
  }

  /** Age of the cached balance in ms, or null when none. */
  ageMs(): number | null {
    return this.#last ? this.#now() - this.#last.at : null;
  }
}
