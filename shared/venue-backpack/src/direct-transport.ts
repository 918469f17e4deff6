import { VenueError } from '@arb/net/venue-error';
import { BACKPACK_BROKER_ID, BACKPACK_INSTRUCTIONS, BACKPACK_WINDOW_MS } from './constants';
import { classifyHttpFailure, classifyTransportFailure } from './error-map';
import {
  type BackpackRestOptions,
  type BackpackRestTransport,
  endpointName,
  type HttpMethod,
  type RestParams,
} from './rest-transport';
import { BackpackSigner } from './signer';

/**
 * A direct signed Backpack REST client: ED25519 via node:crypto, keep-alive HTTP via Node's built-in
 * fetch (undici). Sends exactly what CCXT sends (sorted JSON body or sorted query, same headers), minus
 * CCXT's per-call machinery; used where the overhead measurement says it matters.
 */
export class DirectBackpackTransport implements BackpackRestTransport {
  readonly kind = 'direct' as const;
  readonly #baseUrl: string;
  readonly #signer: BackpackSigner | null;
  readonly #windowMs: number;
  readonly #timeoutMs: number;
  readonly #now: () => number;

  constructor(opts: BackpackRestOptions) {
    this.#baseUrl = opts.restUrl.replace(/\/+$/, '');
    this.#signer = opts.apiKey && opts.secret ? new BackpackSigner(opts.apiKey, opts.secret) : null;
    this.#windowMs = Math.min(opts.windowMs ?? BACKPACK_WINDOW_MS.default, BACKPACK_WINDOW_MS.max);
    this.#timeoutMs = opts.timeoutMs ?? 10_000;
    this.#now = opts.now ?? Date.now;
  }

  async call(method: HttpMethod, path: string, params: RestParams, isPrivate: boolean): Promise<unknown> {
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
    let url = `${this.#baseUrl}/${path}`;
    let body: string | undefined;
    if (method === 'GET') {
      const qs = new URLSearchParams(
        Object.entries(sorted).map(([k, v]): [string, string] => [k, String(v)]),
      ).toString();
      if (qs) url += `?${qs}`;
    } else {
      body = JSON.stringify(sorted);
      headers['Content-Type'] = 'application/json';
    }
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(this.#timeoutMs) });
      text = await res.text();
    } catch (e) {
      const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
      throw classifyTransportFailure(endpoint, timedOut ? 'timeout' : 'network', e);
    }
    if (res.status >= 400)
      throw classifyHttpFailure(endpoint, res.status, text, res.headers.get('retry-after'));
    if (text === '') return null;
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }

  async close(): Promise<void> {}
}
