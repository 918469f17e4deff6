import { type VenueErrorCategory, VenueError } from '@arb/net/venue-error';
import { BackpackErrorBodySchema } from './backpack-types';
import { BACKPACK_ERROR_CODES, type BackpackErrorCode } from './constants';

/**
 * Backpack failures -> VenueError. One table (constants BACKPACK_ERROR_CODES) from the venue's code to a
 * category; HTTP status decides when the body carries no known code. Codes the table lacks are kept
 * verbatim (and classified by status) so they show in logs.
 */

/** Extra code for "the order is not resting": GET /api/v1/order answers 404 RESOURCE_NOT_FOUND. */
export const NOT_FOUND_CODE: BackpackErrorCode = 'RESOURCE_NOT_FOUND';

export function isNotFound(e: unknown): boolean {
  return e instanceof VenueError && (e.code === NOT_FOUND_CODE || e.httpStatus === 404);
}

function bodyCode(body: string): { code: string | null; message: string } {
  try {
    const parsed = BackpackErrorBodySchema.safeParse(JSON.parse(body));
    if (parsed.success) return { code: parsed.data.code, message: parsed.data.message ?? '' };
  } catch {
    // not JSON: keep the raw text as detail
  }
  return { code: null, message: body.slice(0, 200) };
}

function categoryFromStatus(status: number): VenueErrorCategory {
  if (status === 429) return 'rate_limited';
  if (status === 401 || status === 403) return 'auth';
  if (status >= 500) return 'unknown';
  return 'rejected';
}

/** An HTTP answer with status >= 400. */
export function classifyHttpFailure(
  endpoint: string,
  status: number,
  body: string,
  retryAfterHeader?: string | null,
): VenueError {
  const { code, message } = bodyCode(body);
  let category: VenueErrorCategory;
  if (status >= 500) {
    // A 5xx may have executed whatever the body says (the venue answered from somewhere past the gateway).
    category = 'unknown';
  } else if (code !== null && code in BACKPACK_ERROR_CODES) {
    const meaning = BACKPACK_ERROR_CODES[code as BackpackErrorCode];
    category = meaning === 'not-found' ? 'rejected' : meaning;
  } else {
    category = categoryFromStatus(status);
  }
  const retryAfterSec = retryAfterHeader == null ? Number.NaN : Number(retryAfterHeader);
  return new VenueError({
    venue: 'backpack',
    endpoint,
    code: code ?? `HTTP_${status}`,
    httpStatus: status,
    category,
    detail: message,
    retryAfterMs: Number.isFinite(retryAfterSec) ? retryAfterSec * 1000 : null,
  });
}

/** Transport error codes that prove the request never reached the venue. */
const NEVER_SENT = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ConnectionRefused|DNSError|UND_ERR_CONNECT_TIMEOUT/;

/** A request that got no HTTP answer: timeout, reset, refused. */
export function classifyTransportFailure(
  endpoint: string,
  kind: 'timeout' | 'network',
  cause: unknown,
): VenueError {
  const text = describe(cause);
  if (kind === 'timeout') {
    return new VenueError({
      venue: 'backpack',
      endpoint,
      code: 'TIMEOUT',
      category: 'unknown',
      detail: text,
      cause,
    });
  }
  const neverSent = NEVER_SENT.test(text);
  const code = /ECONNRESET|ConnectionReset|UND_ERR_SOCKET|socket hang up|other side closed/i.test(text)
    ? 'ECONNRESET'
    : neverSent
      ? 'ECONNREFUSED'
      : 'NETWORK';
  return new VenueError({
    venue: 'backpack',
    endpoint,
    code,
    category: neverSent ? 'unavailable' : 'unknown',
    detail: text,
    cause,
  });
}

/** A body the adapter cannot read (schema mismatch): our bug or a venue change. */
export function unreadableBody(endpoint: string, detail: string, cause?: unknown): VenueError {
  return new VenueError({
    venue: 'backpack',
    endpoint,
    code: 'UNREADABLE_BODY',
    category: 'bug',
    detail,
    cause,
  });
}

function describe(e: unknown): string {
  if (e instanceof Error) {
    const cause = e.cause instanceof Error ? `: ${e.cause.message}` : '';
    const raw = (e as Error & { code?: unknown }).code;
    const code = typeof raw === 'string' ? ` [${raw}]` : '';
    return `${e.message}${cause}${code}`;
  }
  return String(e);
}
