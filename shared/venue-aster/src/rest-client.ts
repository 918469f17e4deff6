import { HttpClient, type HttpMethod, type HttpResponse, headerValue } from '@arb/net/http-client';
import type { RateBudget } from '@arb/net/rate-budget';
import { VenueError } from '@arb/net/venue-error';
import {
  type AsterCredentials,
  type AsterParams,
  type AsterSigner,
  createAsterSigner,
  encodeParams,
} from './auth';
import {
  ASTER_CODES,
  ASTER_PRIVATE_PATHS,
  ASTER_PUBLIC_PATHS,
  ASTER_USED_WEIGHT_HEADER,
  type AsterPrivatePaths,
} from './constants';
import { asterErrorCategory, isKnownAsterCode } from './errors';
import type { AsterLogger } from './market-data';

export interface AsterRestOptions {
  /** e.g. "https://fapi.asterdex.com" or the simulator's "http://127.0.0.1:port". */
  baseUrl: string;
  credentials: AsterCredentials;
  /** HMAC recvWindow (ms). */
  recvWindowMs: number;
  /** Per-request deadline (ms); past it the outcome is unknown. */
  timeoutMs: number;
  /** Shared request-weight budget (Redis); optional. */
  budget?: RateBudget;
  log?: AsterLogger;
  /** Wall clock in ms; the default has sub-ms resolution so V3 nonces (µs) rarely collide across processes. */
  now?: () => number;
  /** Re-measures the server-time offset this often in the background once a signed call was made (default 5 min). */
  clockResyncMs?: number;
}

/** Epoch ms with sub-millisecond resolution. */
export const preciseNow = (): number => performance.timeOrigin + performance.now();

export interface AsterCallOptions {
  timeoutMs?: number;
  /** Held until this resolves (after signing); false: not sent (HttpRequest.sendGate). */
  sendGate?: Promise<boolean>;
}

/**
 * The raw AsterDex REST endpoint client: signing (V3 or HMAC, by the configured keys), server-time offset,
 * shared weight budget (taken before sending, corrected from X-MBX-USED-WEIGHT-1M), and error mapping to
 * VenueError. Returns raw venue bodies; the domain client parses them.
 */
export class AsterRestClient {
  readonly http: HttpClient;
  readonly signer: AsterSigner;
  readonly paths: AsterPrivatePaths;
  private readonly o: AsterRestOptions;
  private readonly now: () => number;
  private offsetMs = 0;
  private syncedAt = 0;
  private resyncTimer: NodeJS.Timeout | null = null;
  private budgetWarnedAt = 0;

  constructor(opts: AsterRestOptions) {
    this.o = opts;
    this.now = opts.now ?? preciseNow;
    this.http = new HttpClient({
      venue: 'aster',
      baseUrl: opts.baseUrl,
      timeoutMs: opts.timeoutMs,
    });
    this.signer = createAsterSigner(opts.credentials, opts.recvWindowMs);
    this.paths = ASTER_PRIVATE_PATHS[this.signer.scheme];
  }

  get scheme() {
    return this.signer.scheme;
  }

  /** Server time minus local time (ms), from the last sync. */
  get clockOffsetMs(): number {
    return this.offsetMs;
  }

  serverNow(): number {
    return this.now() + this.offsetMs;
  }

  /** Measures the server-time offset with one round trip (midpoint of send and receive). */
  async syncTime(): Promise<number> {
    const t0 = this.now();
    const body = await this.publicGet<{ serverTime: number }>(ASTER_PUBLIC_PATHS.time, [], 1);
    const t1 = this.now();
    if (typeof body.serverTime !== 'number') {
      throw new VenueError({
        venue: 'aster',
        endpoint: `GET ${ASTER_PUBLIC_PATHS.time}`,
        code: 'BAD_BODY',
        category: 'bug',
        detail: 'serverTime missing',
      });
    }
    this.offsetMs = Math.round(body.serverTime - (t0 + t1) / 2);
    this.syncedAt = t1;
    if (!this.resyncTimer) {
      this.resyncTimer = setInterval(() => {
        this.syncTime().catch((e: unknown) =>
          this.o.log?.warn({ err: e instanceof Error ? e.message : String(e) }, 'aster clock resync failed'),
        );
      }, this.o.clockResyncMs ?? 300_000);
      this.resyncTimer.unref();
    }
    return this.offsetMs;
  }

  /**
   * Takes weight from the shared budget. A budget refusal (VenueError rate_limited) propagates; a Redis
   * failure does not stop trading (the venue enforces its own limit): it is logged and the call proceeds.
   */
  private async takeBudget(weight: number, endpoint: string): Promise<void> {
    if (!this.o.budget) return;
    try {
      await this.o.budget.take(weight, endpoint);
    } catch (e) {
      if (e instanceof VenueError) throw e;
      const t = this.now();
      if (t - this.budgetWarnedAt > 10_000) {
        this.budgetWarnedAt = t;
        this.o.log?.warn(
          { endpoint, err: e instanceof Error ? e.message : String(e) },
          'rate budget unavailable',
        );
      }
    }
  }

  async publicGet<T>(
    path: string,
    params: AsterParams,
    weight: number,
    call: AsterCallOptions = {},
  ): Promise<T> {
    const endpoint = `GET ${path}`;
    await this.takeBudget(weight, endpoint);
    const res = await this.http.request({
      method: 'GET',
      path,
      query: encodeParams(params),
      ...(call.timeoutMs ? { timeoutMs: call.timeoutMs } : {}),
    });
    return this.handle<T>(res, endpoint);
  }

  /**
   * A signed call. Retries once, before anything could have executed, when the venue refused the
   * timestamp/nonce (-1021, -4225): re-syncs the clock and re-signs.
   */
  async signed<T>(
    method: HttpMethod,
    path: string,
    params: AsterParams,
    weight: number,
    call: AsterCallOptions = {},
  ): Promise<T> {
    const endpoint = `${method} ${path}`;
    if (this.syncedAt === 0) {
      try {
        await this.syncTime();
      } catch (e) {
        // Nothing of this call was sent: not an unknown outcome, whatever the time request's failure was.
        throw new VenueError({
          venue: 'aster',
          endpoint,
          code: e instanceof VenueError ? e.code : 'CLOCK_SYNC',
          category: 'unavailable',
          detail: `not sent: server time sync failed (${e instanceof Error ? e.message : String(e)})`,
          cause: e,
        });
      }
    }
    for (let attempt = 0; ; attempt++) {
      await this.takeBudget(weight, endpoint);
      const { payload, headers } = this.signer.sign(params, this.serverNow());
      const isQuery = method === 'GET' || method === 'DELETE';
      const res = await this.http.request({
        method,
        path,
        headers: isQuery ? headers : { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
        ...(isQuery ? { query: payload } : { body: payload }),
        ...(call.timeoutMs ? { timeoutMs: call.timeoutMs } : {}),
        ...(call.sendGate ? { sendGate: call.sendGate } : {}),
      });
      try {
        return this.handle<T>(res, endpoint);
      } catch (e) {
        const retryable =
          e instanceof VenueError &&
          (e.code === String(ASTER_CODES.invalidTimestamp) || e.code === String(ASTER_CODES.nonceExpired));
        if (!retryable || attempt > 0) throw e;
        this.o.log?.warn(
          { endpoint, code: (e as VenueError).code },
          'aster timing refused; re-syncing clock',
        );
        await this.syncTime();
      }
    }
  }

  private handle<T>(res: HttpResponse, endpoint: string): T {
    const used = headerValue(res.headers, ASTER_USED_WEIGHT_HEADER);
    if (used !== undefined && this.o.budget) {
      this.o.budget.observe(Number(used)).catch(() => {});
    }
    let body: unknown;
    try {
      body = res.body.length ? JSON.parse(res.body) : {};
    } catch {
      throw new VenueError({
        venue: 'aster',
        endpoint,
        code: 'BAD_BODY',
        httpStatus: res.status,
        // A non-JSON answer to a POST may still mean the order executed.
        category: res.status < 300 ? 'unknown' : asterErrorCategory(null, res.status),
        detail: `unreadable body: ${res.body.slice(0, 120)}`,
      });
    }
    const code = extractCode(body);
    if (res.status < 300 && (code === null || code === 200 || code === 0)) return body as T;
    const category = asterErrorCategory(code, res.status);
    let retryAfterMs: number | null = null;
    if (category === 'rate_limited') {
      const ra = Number(headerValue(res.headers, 'retry-after'));
      retryAfterMs = Number.isFinite(ra) && ra > 0 ? ra * 1000 : 60_000;
      this.o.budget?.blockUntil(this.now() + retryAfterMs).catch(() => {});
    }
    if (code !== null && !isKnownAsterCode(code)) {
      this.o.log?.warn(
        { endpoint, code, status: res.status },
        'unmapped aster error code (treated as unknown)',
      );
    }
    const msg = (body as { msg?: unknown }).msg;
    throw new VenueError({
      venue: 'aster',
      endpoint,
      code: code === null ? `HTTP_${res.status}` : String(code),
      httpStatus: res.status,
      category,
      detail: typeof msg === 'string' ? msg : '',
      retryAfterMs,
    });
  }

  async close(): Promise<void> {
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.resyncTimer = null;
    await this.http.close();
  }
}

function extractCode(body: unknown): number | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const c = (body as { code?: unknown }).code;
  if (typeof c === 'number') return c;
  if (typeof c === 'string' && /^-?\d+$/.test(c)) return Number(c);
  return null;
}
