/**
 * What the order worker knows about its venue from its own calls: the last call's result. /healthz is
 * degraded while the last venue call failed (an idle worker refreshes it with a cheap periodic call).
 */
export interface VenueHealthSnapshot {
  ok: boolean;
  lastOkAt: number | null;
  lastErrorAt: number | null;
  lastError: string | null;
  consecutiveErrors: number;
}

export class VenueHealth {
  #lastOkAt: number | null = null;
  #lastErrorAt: number | null = null;
  #lastError: string | null = null;
  #consecutiveErrors = 0;
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  ok(): void {
    this.#lastOkAt = this.#now();
    this.#consecutiveErrors = 0;
  }

  failed(err: unknown): void {
    this.#lastErrorAt = this.#now();
    this.#lastError = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    this.#consecutiveErrors++;
  }

  /** When the last call (of either kind) happened, or null before any. */
  lastCallAt(): number | null {
    return Math.max(this.#lastOkAt ?? -1, this.#lastErrorAt ?? -1) < 0
      ? null
      : Math.max(this.#lastOkAt ?? 0, this.#lastErrorAt ?? 0);
  }

  snapshot(): VenueHealthSnapshot {
    return {
      ok: this.#consecutiveErrors === 0,
      lastOkAt: this.#lastOkAt,
      lastErrorAt: this.#lastErrorAt,
      lastError: this.#lastError,
      consecutiveErrors: this.#consecutiveErrors,
    };
  }
}
