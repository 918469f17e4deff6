import { createRequire } from 'node:module';
import type { IncomingHttpHeaders } from 'node:http';
import type { VenueId } from '@arb/core/venue';
import { VenueError, truncate } from './venue-error';

const requireLazily = createRequire(import.meta.url);

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
  /**
   * Awaited before anything is written (the deadline starts after it): false throws a NOT_SENT
   * VenueError, category 'unavailable' (nothing left). See PlaceOrderOptions in @arb/core.
   */
  sendGate?: Promise<boolean>;
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
  /** The deadline (or an abort) came before the request had a connected socket: nothing was sent. */
  notConnected: 'NOT_CONNECTED',
  /** The caller's send gate withdrew the request before it was written. */
  notSent: 'NOT_SENT',
} as const;

/** Socket errors that happen before any byte of the request left: nothing can have executed. */
const NOT_SENT_CODES = new Set<string>([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  HTTP_ERROR_CODES.notConnected,
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * Keep-alive HTTP to one venue origin over node:http(s). Every call resolves with the response for 2xx-4xx
 * (the venue adapter maps the body's codes), and throws a VenueError for transport failures:
 * - timeout, connection reset/closed mid-request, and any 5xx → category 'unknown' (may have executed);
 * - connection refused / DNS / no connection before the deadline → 'unavailable' (never sent).
 *
 * Why node:http and not undici: undici parses HTTP with llhttp compiled to WebAssembly, and V8 compiling
 * it peaks at ~36 MB of malloc, of which ~19 MB stayed resident (measured, isolated); node's parser is
 * the same llhttp, native. With the origin's options computed once (no URL per request), a keep-alive POST
 * reaches the server as fast as with an undici Pool (p50 119 vs 116 µs at 1 request/ms, 257 vs 248 µs at
 * 1 per 10 ms, this machine; a URL per request added ~40 µs). bench/README.md has the numbers.
 */
export class HttpClient {
  readonly venue: VenueId;
  private readonly origin: HttpOrigin;
  private readonly agent: import('node:http').Agent;
  private readonly basePath: string;
  private readonly timeoutMs: number;
  private readonly userAgent: string;
  private readonly now: () => number;

  constructor(opts: HttpClientOptions) {
    const url = new URL(opts.baseUrl);
    this.venue = opts.venue;
    this.origin = httpOrigin(url);
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs;
    this.userAgent = opts.userAgent ?? 'arb/1';
    this.now = opts.now ?? (() => performance.now());
    this.agent = new this.origin.module.Agent({
      keepAlive: true,
      maxSockets: opts.connections ?? 4,
      // Idle keep-alive sockets are closed after this long.
      timeout: opts.keepAliveTimeoutMs ?? 30_000,
    });
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const endpoint = `${req.method} ${req.path}`;
    if (req.sendGate && !(await req.sendGate)) throw notSentError(this.venue, endpoint);
    const timeoutMs = req.timeoutMs ?? this.timeoutMs;
    const ac = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ac.abort();
    }, timeoutMs);
    const started = this.now();
    try {
      const res = await nodeHttpText(
        this.origin,
        this.basePath + req.path + (req.query ? `?${req.query}` : ''),
        {
          method: req.method,
          headers: { 'user-agent': this.userAgent, ...req.headers },
          body: req.body,
          signal: ac.signal,
          agent: this.agent,
        },
      );
      const elapsedMs = this.now() - started;
      if (res.status >= 500) {
        throw new VenueError({
          venue: this.venue,
          endpoint,
          code: extractVenueCode(res.body) ?? HTTP_ERROR_CODES.http5xx,
          httpStatus: res.status,
          category: 'unknown',
          detail: `server error after ${Math.round(elapsedMs)} ms: ${truncate(res.body, 200)}`,
        });
      }
      return { status: res.status, headers: res.headers, body: res.body, elapsedMs };
    } catch (e) {
      if (e instanceof VenueError) throw e;
      throw this.classifyTransport(e, endpoint, timedOut, timeoutMs);
    } finally {
      clearTimeout(timer);
    }
  }

  private classifyTransport(e: unknown, endpoint: string, timedOut: boolean, timeoutMs: number): VenueError {
    const code = errorCode(e) ?? 'NETWORK';
    // Checked first: a deadline that passed before the connection was up still sent nothing.
    if (NOT_SENT_CODES.has(code)) {
      return new VenueError({
        venue: this.venue,
        endpoint,
        code,
        category: 'unavailable',
        detail: timedOut ? `request not sent: no connection within ${timeoutMs} ms` : 'request not sent',
        cause: e,
      });
    }
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
    return new VenueError({
      venue: this.venue,
      endpoint,
      code,
      category: 'unknown',
      detail: 'connection failed mid-request',
      cause: e,
    });
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }
}

/** Where requests go, computed once: node:http takes plain options faster than a URL per request. */
export interface HttpOrigin {
  readonly module: typeof import('node:http');
  readonly protocol: string;
  /** Without IPv6 brackets, as node:http wants it. */
  readonly hostname: string;
  readonly port: number | undefined;
}

export function httpOrigin(url: URL): HttpOrigin {
  return {
    // node:https only when the origin needs it (it loads tls).
    module: requireLazily(
      url.protocol === 'https:' ? 'node:https' : 'node:http',
    ) as typeof import('node:http'),
    protocol: url.protocol,
    hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? undefined : Number(url.port),
  };
}

/**
 * One request with node:http(s), the whole body as text. Rejects on a transport error, an abort (the
 * caller's deadline) or a body cut before its end (code ECONNRESET). An error or abort that comes before the
 * request had a connected socket (still queued for one, or connecting) rejects with code NOT_CONNECTED:
 * no byte of it was written.
 */
export function nodeHttpText(
  origin: HttpOrigin,
  /** Path and query, starting with "/". */
  path: string,
  o: {
    method: HttpMethod;
    headers: Record<string, string>;
    body?: string | undefined;
    signal: AbortSignal;
    agent?: import('node:http').Agent;
  },
): Promise<{ status: number; headers: HttpResponse['headers']; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...o.headers };
    if (o.body !== undefined) headers['content-length'] = Buffer.byteLength(o.body);
    let connected = false;
    const req = origin.module.request(
      {
        protocol: origin.protocol,
        hostname: origin.hostname,
        port: origin.port,
        path,
        method: o.method,
        headers,
        signal: o.signal,
        ...(o.agent ? { agent: o.agent } : {}),
      },
      (res) => {
        res.setEncoding('utf8');
        let text = '';
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: plainHeaders(res.headers), body: text }),
        );
        res.on('error', reject);
        res.on('close', () => {
          if (!res.complete)
            reject(Object.assign(new Error('response cut before its end'), { code: 'ECONNRESET' }));
        });
      },
    );
    req.once('socket', (socket) => {
      // A kept-alive socket is connected already; a new one connects first (TCP connect: from then on
      // bytes may leave, so any later failure counts as possibly sent).
      if (!socket.connecting) connected = true;
      else socket.once('connect', () => (connected = true));
    });
    req.on('error', (e: Error & { code?: string }) => {
      if (connected || (e.code !== undefined && NOT_SENT_CODES.has(e.code))) reject(e);
      else
        reject(
          Object.assign(new Error(`not connected: ${e.message}`), {
            code: HTTP_ERROR_CODES.notConnected,
            cause: e,
          }),
        );
    });
    req.end(o.body);
  });
}

function plainHeaders(h: IncomingHttpHeaders): HttpResponse['headers'] {
  return h as HttpResponse['headers'];
}

/** First string-ish `code` on an error or its causes (wrapped socket errors carry theirs on `cause`). */
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

/** A request its caller withdrew (send gate false) before any byte was written. */
export function notSentError(venue: VenueId, endpoint: string): VenueError {
  return new VenueError({
    venue,
    endpoint,
    code: HTTP_ERROR_CODES.notSent,
    category: 'unavailable',
    detail: 'withdrawn by the caller before it was sent',
  });
}
