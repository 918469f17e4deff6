import { createRequire } from 'node:module';
import type { IncomingHttpHeaders } from 'node:http';
import type { VenueId } from '@arb/core/venue';
import type { Dispatcher, Pool } from 'undici';
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
  /** HTTP implementation (default 'undici'); see HttpEngine. */
  engine?: HttpEngine;
}

/**
 * 'undici' (default): an undici Pool, the order path's client. 'node': node:http(s) with a keep-alive
 * Agent, for processes whose venue calls are not latency-critical (risk's reads): undici parses HTTP with
 * llhttp compiled to WebAssembly, and V8 compiling that module leaves ~25 MB of RSS in the process (malloc
 * arenas of its compiler threads, measured with the service's modules loaded; node's own parser is native).
 * Both resolve and classify the same way, except that the 'node' engine has no separate connect timeout:
 * a connect that outlasts the request deadline is a timeout ('unknown'), not a connect timeout.
 */
export type HttpEngine = 'undici' | 'node';

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
 * Keep-alive HTTP to one venue origin (undici Pool, or node:http with the 'node' engine). Every call
 * resolves with the response for 2xx-4xx (the venue adapter maps the body's codes), and throws a VenueError
 * for transport failures:
 * - timeout, connection reset/closed mid-request, and any 5xx → category 'unknown' (may have executed);
 * - connection refused / DNS / connect timeout → 'unavailable' (never sent).
 */
export class HttpClient {
  readonly venue: VenueId;
  private readonly transport: Transport;
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
    const connections = opts.connections ?? 4;
    const keepAliveTimeoutMs = opts.keepAliveTimeoutMs ?? 30_000;
    this.transport =
      opts.engine === 'node'
        ? nodeTransport(url, connections, keepAliveTimeoutMs)
        : undiciTransport(url, connections, keepAliveTimeoutMs);
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
      const res = await this.transport.send(
        req.method,
        this.basePath + req.path + (req.query ? `?${req.query}` : ''),
        { 'user-agent': this.userAgent, ...req.headers },
        req.body,
        ac.signal,
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
    await this.transport.close();
  }
}

interface Transport {
  send(
    method: HttpMethod,
    path: string,
    headers: Record<string, string>,
    body: string | undefined,
    signal: AbortSignal,
  ): Promise<{ status: number; headers: HttpResponse['headers']; body: string }>;
  close(): Promise<void>;
}

/*
 * undici's index module loads all of undici (fetch, WebSocket, EventSource, cache stores, mocks,
 * interceptors): about 2.8 MB more heap and 8 MB more RSS in every process that has a venue REST client
 * than the two files this client uses, the Pool class and the request API that the index mixes into
 * every dispatcher. Loading those two directly runs the same code (undici is pinned to an exact version).
 * Loaded on first use: a process on the 'node' engine never loads undici.
 */
function undiciTransport(url: URL, connections: number, keepAliveTimeoutMs: number): Transport {
  const UndiciPool = requireLazily('undici/lib/dispatcher/pool.js') as typeof Pool;
  const poolRequest = requireLazily('undici/lib/api/api-request.js') as (
    this: Dispatcher,
    options: Dispatcher.RequestOptions,
  ) => Promise<Dispatcher.ResponseData>;
  const pool = new UndiciPool(url.origin, {
    connections,
    keepAliveTimeout: keepAliveTimeoutMs,
    keepAliveMaxTimeout: 600_000,
    pipelining: 1,
  });
  return {
    async send(method, path, headers, body, signal) {
      const res = await poolRequest.call(pool, { method, path, headers, body, signal });
      return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
    },
    close: () => pool.close(),
  };
}

/** node:http(s) with a keep-alive Agent (idle sockets closed after keepAliveTimeoutMs). */
function nodeTransport(url: URL, connections: number, keepAliveTimeoutMs: number): Transport {
  const agent = new (nodeHttpModule(url).Agent)({
    keepAlive: true,
    maxSockets: connections,
    timeout: keepAliveTimeoutMs,
  });
  return {
    send(method, path, headers, body, signal) {
      return nodeHttpText(new URL(path, url.origin), { method, headers, body, signal, agent });
    },
    async close() {
      agent.destroy();
    },
  };
}

/** node:https only when the origin needs it (it loads tls). */
function nodeHttpModule(url: URL): typeof import('node:http') {
  return requireLazily(url.protocol === 'https:' ? 'node:https' : 'node:http') as typeof import('node:http');
}

/**
 * One request with node:http(s), the whole body as text: for a process that needs no undici (see
 * HttpEngine). Rejects on a transport error, an abort (the caller's deadline) or a body cut before its end
 * (code ECONNRESET).
 */
export function nodeHttpText(
  url: URL,
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
    const req = nodeHttpModule(url).request(
      url,
      { method: o.method, headers, signal: o.signal, ...(o.agent ? { agent: o.agent } : {}) },
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
    req.on('error', reject);
    req.end(o.body);
  });
}

function plainHeaders(h: IncomingHttpHeaders): HttpResponse['headers'] {
  return h as HttpResponse['headers'];
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
