import type { VenueId } from '@arb/core/venue';

/**
 * How a failed venue call should be treated.
 * - rejected: the venue definitively refused (documented business code); nothing happened.
 * - unknown: timeout, 5xx, connection reset after sending — it MAY have executed; resolve before acting.
 * - rate_limited: the venue (or our shared budget) refused for weight/rate; nothing happened.
 * - auth: bad key, signature, timestamp/nonce; nothing happened.
 * - config: our configuration is wrong (bad symbol, missing keys); nothing happened.
 * - bug: we sent something malformed or the venue answered something we cannot read.
 * - unavailable: the request never reached the venue (connection refused, DNS, maintenance before send).
 */
export const VENUE_ERROR_CATEGORIES = [
  'rejected',
  'unknown',
  'rate_limited',
  'auth',
  'config',
  'bug',
  'unavailable',
] as const;
export type VenueErrorCategory = (typeof VENUE_ERROR_CATEGORIES)[number];

export interface VenueErrorInit {
  venue: VenueId;
  /** "<METHOD> <path>" without query string (never carries signatures or keys). */
  endpoint: string;
  /** The venue's own error code (e.g. "-2019", "INVALID_ORDER") or a local one ("TIMEOUT", "ECONNRESET"). */
  code: string;
  httpStatus?: number | null;
  category: VenueErrorCategory;
  /** Short human detail (venue's msg); must not contain secrets. Truncated to 300 chars. */
  detail?: string;
  /** Defaults per category: rate_limited, unavailable and unknown are retryable, others are not. */
  retryable?: boolean;
  /** For rate limits: how long to wait before retrying. */
  retryAfterMs?: number | null;
  cause?: unknown;
}

const DEFAULT_RETRYABLE: Record<VenueErrorCategory, boolean> = {
  rejected: false,
  unknown: true,
  rate_limited: true,
  auth: false,
  config: false,
  bug: false,
  unavailable: true,
};

const MAX_DETAIL = 300;

/**
 * The one error type every venue call throws. `retryable` means the same request may be sent again after
 * a delay — for orders only after probing by client order id (an unknown outcome may have executed).
 */
export class VenueError extends Error {
  override readonly name = 'VenueError' as const;
  readonly venue: VenueId;
  readonly endpoint: string;
  readonly code: string;
  readonly httpStatus: number | null;
  readonly category: VenueErrorCategory;
  readonly retryable: boolean;
  readonly retryAfterMs: number | null;
  readonly detail: string;

  constructor(init: VenueErrorInit) {
    const detail = truncate(init.detail ?? '', MAX_DETAIL);
    const status = init.httpStatus ?? null;
    super(
      `${init.venue} ${init.endpoint}: ${init.category} (code ${init.code}${status === null ? '' : `, HTTP ${status}`})` +
        (detail ? `: ${detail}` : ''),
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.venue = init.venue;
    this.endpoint = init.endpoint;
    this.code = init.code;
    this.httpStatus = status;
    this.category = init.category;
    this.retryable = init.retryable ?? DEFAULT_RETRYABLE[init.category];
    this.retryAfterMs = init.retryAfterMs ?? null;
    this.detail = detail;
  }

  /** An order refused with this error (nothing executed): the rejected outcome's code, reason and wait. */
  rejection(): { code: string; reason: string; retryAfterMs?: number } {
    const wait = this.retryAfterMs === null ? 0 : Math.ceil(this.retryAfterMs);
    return { code: this.code, reason: this.message, ...(wait > 0 ? { retryAfterMs: wait } : {}) };
  }

  /** A plain object for logs and events (no stack, no cause chain). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      venue: this.venue,
      endpoint: this.endpoint,
      code: this.code,
      httpStatus: this.httpStatus,
      category: this.category,
      retryable: this.retryable,
      retryAfterMs: this.retryAfterMs,
      detail: this.detail,
    };
  }
}

export function isVenueError(e: unknown): e is VenueError {
  return e instanceof VenueError;
}

/** True when a failed order call may have executed at the venue and must be resolved there. */
export function isUnknownOutcome(e: unknown): boolean {
  return e instanceof VenueError && e.category === 'unknown';
}

export function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max)}…(${s.length - max} more)`;
}
