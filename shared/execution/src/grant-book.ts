import type { LegGrantNotice } from '@arb/bus/leg-grant';
import type { VenueId } from '@arb/core/venue';

/**
 * The send grants an order worker has heard of for its venue (LegGrantNotice, pub/sub): a leg whose first
 * run finds its grant here may send without a claim (the intent is recorded and the leg's marker saved).
 * Each grant is taken once. Entries older than `ttlMs` are useless (the executor only uses a grant within
 * maxPreSendMs of the leg's decision) and are dropped; the book never holds more than `maxSize`.
 */
export class GrantBook {
  readonly #venue: VenueId;
  readonly #ttlMs: number;
  readonly #maxSize: number;
  /** clientOrderId -> grant, in arrival order (Map keeps insertion order: the oldest come first). */
  readonly #grants = new Map<string, { fence: number; receivedAt: number }>();

  constructor(venue: VenueId, opts: { ttlMs: number; maxSize: number }) {
    this.#venue = venue;
    this.#ttlMs = opts.ttlMs;
    this.#maxSize = opts.maxSize;
  }

  get size(): number {
    return this.#grants.size;
  }

  /** Keeps the notice's legs on this venue; returns how many. */
  add(notice: LegGrantNotice, now: number): number {
    this.#prune(now);
    let added = 0;
    for (const leg of notice.legs) {
      if (leg.venue !== this.#venue) continue;
      this.#grants.delete(leg.clientOrderId); // re-inserted last: arrival order stays the Map's order
      this.#grants.set(leg.clientOrderId, { fence: notice.fence, receivedAt: now });
      added++;
    }
    while (this.#grants.size > this.#maxSize) this.#dropOldest();
    return added;
  }

  /**
   * Takes the leg's grant (it is gone afterwards, whatever the answer): true when it was heard less than
   * ttlMs ago under the leg's own fence.
   */
  take(clientOrderId: string, fence: number, now: number): boolean {
    const g = this.#grants.get(clientOrderId);
    if (g === undefined) return false;
    this.#grants.delete(clientOrderId);
    return g.fence === fence && now - g.receivedAt <= this.#ttlMs;
  }

  #prune(now: number): void {
    for (const [id, g] of this.#grants) {
      if (now - g.receivedAt <= this.#ttlMs) return;
      this.#grants.delete(id);
    }
  }

  #dropOldest(): void {
    const oldest = this.#grants.keys().next();
    if (!oldest.done) this.#grants.delete(oldest.value);
  }
}
