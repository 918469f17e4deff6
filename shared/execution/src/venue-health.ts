import type { OrderHealth } from '@arb/bus/order-health';
import type { VenueId } from '@arb/core/venue';

/** Cooldown of a degraded order path when the venue named no Retry-After (5xx, maintenance, timeout...). */
export const DEFAULT_DEGRADED_COOLDOWN_MS = 5000;

/**
 * What the order worker knows about its venue from its own calls: the last call's result. /healthz is
 * degraded while the last venue call failed (an idle worker refreshes it with a cheap periodic call).
 * `degraded` is the order path's state for the strategy (published as OrderHealth): set by a failed call
 * (a rate limit until its Retry-After end, anything else for a cooldown) and cleared only by a successful
 * call (a success does not cut a rate limit's Retry-After short).
 */
export interface VenueHealthSnapshot {
  ok: boolean;
  lastOkAt: number | null;
  lastErrorAt: number | null;
  lastError: string | null;
  consecutiveErrors: number;
  degraded: { reason: string; until: number } | null;
}

export interface VenueHealthOptions {
  /** Degraded period after a failure without a Retry-After; default DEFAULT_DEGRADED_COOLDOWN_MS. */
  cooldownMs?: number;
  /** Called when the order path's degraded state changes (ok <-> degraded, or a new reason/until). */
  onChange?: () => void;
}

export class VenueHealth {
  #lastOkAt: number | null = null;
  #lastErrorAt: number | null = null;
  #lastError: string | null = null;
  #consecutiveErrors = 0;
  #degraded: { reason: string; until: number; rateLimited: boolean } | null = null;
  readonly #now: () => number;
  readonly #cooldownMs: number;
  #onChange: (() => void) | undefined;

  constructor(now: () => number = Date.now, opts: VenueHealthOptions = {}) {
    this.#now = now;
    this.#cooldownMs = opts.cooldownMs ?? DEFAULT_DEGRADED_COOLDOWN_MS;
    this.#onChange = opts.onChange;
  }

  /** Sets (replaces) the change listener. */
  onChange(listener: (() => void) | undefined): void {
    this.#onChange = listener;
  }

  ok(): void {
    const now = this.#now();
    this.#lastOkAt = now;
    this.#consecutiveErrors = 0;
    const d = this.#degraded;
    if (d && !(d.rateLimited && now < d.until)) {
      this.#degraded = null;
      this.#onChange?.();
    }
  }

  failed(err: unknown): void {
    const now = this.#now();
    this.#lastErrorAt = now;
    this.#lastError = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    this.#consecutiveErrors++;
    const e = err as { category?: unknown; retryAfterMs?: unknown } | null;
    // The venue definitively refused this one request (a business code): the path itself works.
    if (e?.category === 'rejected') return;
    const rateLimited = e?.category === 'rate_limited';
    const retryAfter = typeof e?.retryAfterMs === 'number' && e.retryAfterMs > 0 ? e.retryAfterMs : null;
    const until = Math.round(now + (rateLimited && retryAfter !== null ? retryAfter : this.#cooldownMs));
    // A rate limit keeps its end when a later error names an earlier one.
    const keep = this.#degraded?.rateLimited && this.#degraded.until > until ? this.#degraded.until : until;
    const reason = this.#lastError.slice(0, 300);
    const prev = this.#degraded;
    this.#degraded = { reason, until: keep, rateLimited: rateLimited || (prev?.rateLimited ?? false) };
    if (!prev || prev.until !== keep || prev.reason !== reason) this.#onChange?.();
  }

  /**
   * A placeOrder answer classified as "rejected" that is really the venue path refusing service (rate
   * limit, or the request never reached the venue), as the venue clients word it from their VenueError
   * (`<venue> <endpoint>: rate_limited (code ...`): the order path is degraded, not just this order.
   */
  rejectedByPath(reason: string): boolean {
    const m = /: (rate_limited|unavailable) \(code /.exec(reason);
    if (!m) return false;
    this.failed(Object.assign(new Error(reason), { category: m[1] }));
    return true;
  }

  /** The degraded path's retry time has come: the worker should confirm with a cheap venue call. */
  recheckDue(): boolean {
    return this.#degraded !== null && this.#now() >= this.#degraded.until;
  }

  /** When the last call (of either kind) happened, or null before any. */
  lastCallAt(): number | null {
    return Math.max(this.#lastOkAt ?? -1, this.#lastErrorAt ?? -1) < 0
      ? null
      : Math.max(this.#lastOkAt ?? 0, this.#lastErrorAt ?? 0);
  }

  snapshot(): VenueHealthSnapshot {
    const d = this.#degraded;
    return {
      ok: this.#consecutiveErrors === 0,
      lastOkAt: this.#lastOkAt,
      lastErrorAt: this.#lastErrorAt,
      lastError: this.#lastError,
      consecutiveErrors: this.#consecutiveErrors,
      degraded: d ? { reason: d.reason, until: d.until } : null,
    };
  }

  /** The order path's report for the strategy (bus order-health.ts). */
  orderHealth(venue: VenueId): OrderHealth {
    const d = this.#degraded;
    return d
      ? { v: 1, venue, state: 'degraded', reason: d.reason, until: d.until, updatedAt: this.#now() }
      : { v: 1, venue, state: 'ok', reason: null, until: null, updatedAt: this.#now() };
  }
}
