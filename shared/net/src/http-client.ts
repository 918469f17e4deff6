import { createRequire } from 'node:module';
import type { VenueId } from '@arb/core/venue';
import type { Dispatcher, Pool } from 'undici';
import { VenueError, truncate } from './venue-error';

/*
 * undici's index module loads all of undici (fetch, WebSocket, EventSource, cache stores, mocks,
 * interceptors): about 2.8 MB more heap and 8 MB more RSS in every process that has a venue REST client
 * than the two files this client uses, the Pool class and the request API that the index mixes into
 * every dispatcher. Loading those two directly runs the same code (undici is pinned to an exact version).
 */
const requireUndici = createRequire(import.meta.url);
const UndiciPool = requireUndici('undici/lib/dispatcher/pool.js') as typeof Pool;
const poolRequest = requireUndici('undici/lib/api/api-request.js') as (
  this: Dispatcher,
  options: Dispatcher.RequestOptions,
) => Promise<Dispatcher.ResponseData>;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface HttpRequest {
  method: HttpMethod;
  /** Path below the base URL, starting with "/" (no query string). */
  path: string;
  /** Already-encoded query string without "?" (may carry a signature: never logged). */
  query?: string;
  body?: string;
  headers?: Record<string, string>;
  /** Overrides the client's default deadline for the whole request (headers + body). */
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  /** Lower-cased header names. */
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Wall time from send to full body, ms. */
  elapsedMs: number;
}

export interface HttpClientOptions {
  venue: VenueId;
  /** e.g. "https://fapi.asterdex.com" (a path prefix is allowed). */
  baseUrl: string;
  /** Default per-request deadline (ms). */
  timeoutMs: number;
  /** Max sockets kept alive to the origin. */
  connections?: number;
  keepAliveTimeoutMs?: number;
  userAgent?: string;
  /** Clock for elapsed times; defaults to performance.now. */
  now?: () => number;
}

/** Local error codes used when the failure is not the venue's (transport, timeout). */
export const HTTP_ERROR_CODES = {
  timeout: 'TIMEOUT',
  http5xx: 'HTTP_5XX',
} as const;

/** Socket errors that happen before any byte of the request left: nothing can have executed. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * Keep-alive HTTP to one venue origin (undici Pool). Every call resolves with the response for 2xx-4xx
 * (the venue adapter maps the body's codes), and throws a VenueError for transport failures:
 * - timeout, connection reset/closed mid-request, and any 5xx → category 'unknown' (may have executed);
 * - connection refused / DNS / connect timeout → 'unavailable' (never sent).
 */
export class HttpClient {
  readonly venue: VenueId;
  private readonly pool: Pool;
  private readonly basePath: string;
  private readonly timeoutMs: number;
  private readonly userAgent: string;
  private readonly now: () => number;

  constructor(opts: HttpClientOptions) {
    const url = new URL(opts.baseUrl);
    this.venue = opts.venue;
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs;
    this.userAgent = opts.userAgent ?? 'arb/1';
    this.now = opts.now ?? (() => performance.now());
    this.pool = new UndiciPool(url.origin, {
      connections: opts.connections ?? 4,
      keepAliveTimeout: opts.keepAliveTimeoutMs ?? 30_000,
      keepAliveMaxTimeout: 600_000,
      pipelining: 1,
    });
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const endpoint = `${req.method} ${req.path}`;
    const timeoutMs = req.timeoutMs ?? this.timeoutMs;
    const ac = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ac.abort();
    }, timeoutMs);
    const started = this.now();
    try {
      const res = await poolRequest.call(this.pool, {
        method: req.method,
        path: this.basePath + req.path + (req.query ? `?${req.query}` : ''),
        headers: { 'user-agent': this.userAgent, ...req.headers },
        body: req.body,
        signal: ac.signal,
      });
      const body = await res.body.text();
      const elapsedMs = this.now() - started;
      if (res.statusCode >= 500) {
        throw new VenueError({
          venue: this.venue,
          endpoint,
          code: extractVenueCode(body) ?? HTTP_ERROR_CODES.http5xx,
          httpStatus: res.statusCode,
          category: 'unknown',
          detail: `server error after ${Math.round(elapsedMs)} ms: ${truncate(body, 200)}`,
        });
      }
      return { status: res.statusCode, headers: res.headers, body, elapsedMs };
    } catch (e) {
      if (e instanceof VenueError) throw e;
      throw this.classifyTransport(e, endpoint, timedOut, timeoutMs);
    } finally {
      clearTimeout(timer);
    }
  }

  private classifyTransport(e: unknown, endpoint: string, timedOut: boolean, timeoutMs: number): VenueError {
    if (timedOut) {
      return new VenueError({
        venue: this.venue,
        endpoint,
        code: HTTP_ERROR_CODES.timeout,
        category: 'unknown',
        detail: `no complete response within ${timeoutMs} ms`,
        cause: e,
      });
    }
    const code = errorCode(e) ?? 'NETWORK';
    const notSent = NOT_SENT_CODES.has(code);
    return new VenueError({
      venue: this.venue,
      endpoint,
      code,
      category: notSent ? 'unavailable' : 'unknown',
      detail: notSent ? 'request not sent' : 'connection failed mid-request',
      cause: e,
    });
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

/** First string-ish `code` on an error or its causes (undici wraps socket errors). */
export function errorCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur && typeof cur === 'object'; i++) {
    const c = (cur as { code?: unknown }).code;
    if (typeof c === 'string' && c.length > 0) return c;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A venue JSON error body's code ({"code":-1001,...} or {"code":"INTERNAL_ERROR",...}), if any. */
export function extractVenueCode(body: string): string | undefined {
  if (body?.[0] !== '{') return undefined;
  try {
    const j = JSON.parse(body) as { code?: unknown };
    if (typeof j.code === 'number' || (typeof j.code === 'string' && j.code.length > 0))
      return String(j.code);
  } catch {
    // not JSON
  }
  return undefined;
}

/** Header value as one string (first of a repeated header). */
export function headerValue(headers: HttpResponse['headers'], name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
