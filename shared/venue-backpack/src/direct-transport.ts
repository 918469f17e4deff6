import { type HttpMethod as NetHttpMethod, HttpClient, headerValue } from '@arb/net/http-client';
import { VenueError } from '@arb/net/venue-error';
import { BACKPACK_BROKER_ID, BACKPACK_INSTRUCTIONS, BACKPACK_WINDOW_MS } from './constants';
import { classifyHttpFailure } from './error-map';
import {
  type BackpackRestOptions,
  type BackpackRestTransport,
  endpointName,
  type HttpMethod,
  type RestCallOptions,
  type RestParams,
} from './rest-transport';
import { BackpackSigner } from './signer';

/**
 * A direct signed Backpack REST client: ED25519 via node:crypto, keep-alive HTTP via @arb/net's
 * HttpClient (keep-alive node:http; it classifies timeouts, resets and 5xx as unknown). Sends exactly what CCXT
 * sends (sorted JSON body or sorted query, same headers), minus CCXT's per-call machinery.
 */
export class DirectBackpackTransport implements BackpackRestTransport {
  readonly kind = 'direct' as const;
  readonly #http: HttpClient;
  readonly #signer: BackpackSigner | null;
  readonly #windowMs: number;
  readonly #now: () => number;

  constructor(opts: BackpackRestOptions) {
    this.#http = new HttpClient({
      venue: 'backpack',
      baseUrl: opts.restUrl,
      timeoutMs: opts.timeoutMs ?? 10_000,
    });
    this.#signer = opts.apiKey && opts.secret ? new BackpackSigner(opts.apiKey, opts.secret) : null;
    this.#windowMs = Math.min(opts.windowMs ?? BACKPACK_WINDOW_MS.default, BACKPACK_WINDOW_MS.max);
    this.#now = opts.now ?? Date.now;
  }

  async call(
    method: HttpMethod,
    path: string,
    params: RestParams,
    isPrivate: boolean,
    opts: RestCallOptions = {},
  ): Promise<unknown> {
    const endpoint = endpointName(method, path);
    const sorted: RestParams = {};
    for (const k of Object.keys(params).sort()) sorted[k] = params[k] as string | number | boolean;
    const headers: Record<string, string> = {};
    if (isPrivate) {
      const instruction = BACKPACK_INSTRUCTIONS[`${method} ${path}`];
      if (instruction === undefined) {
        throw new VenueError({ venue: 'backpack', endpoint, code: 'NO_INSTRUCTION', category: 'bug' });
      }
      if (this.#signer === null) {
        throw new VenueError({
          venue: 'backpack',
          endpoint,
          code: 'MISSING_CREDENTIALS',
          category: 'config',
          detail: 'apiKey and secret are required for private calls',
        });
      }
      Object.assign(headers, this.#signer.headers(instruction, sorted, this.#now(), this.#windowMs));
      headers['X-Broker-Id'] = BACKPACK_BROKER_ID;
    }
    let query: string | undefined;
    let body: string | undefined;
    if (method === 'GET') {
      const qs = new URLSearchParams(
        Object.entries(sorted).map(([k, v]): [string, string] => [k, String(v)]),
      );
      query = qs.toString() || undefined;
    } else {
      body = JSON.stringify(sorted);
      headers['Content-Type'] = 'application/json';
    }
    // The shared client's method type lacks PATCH (PATCH /api/v1/account sets leverage); node:http sends it as is.
    const res = await this.#http.request({
      method: method as NetHttpMethod,
      path: `/${path}`,
      ...(query === undefined ? {} : { query }),
      ...(body === undefined ? {} : { body }),
      headers,
      ...(opts.sendGate ? { sendGate: opts.sendGate } : {}),
    });
    if (res.status >= 400) {
      throw classifyHttpFailure(
        endpoint,
        res.status,
        res.body,
        headerValue(res.headers, 'retry-after') ?? null,
      );
    }
    if (res.body === '') return null;
    try {
      return JSON.parse(res.body);
    } catch {
      return res.body;
    }
  }

  async close(): Promise<void> {
    await this.#http.close();
  }
}
