import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Ccxt from 'ccxt';
import { notSentError } from '@arb/net/http-client';
import { VenueError } from '@arb/net/venue-error';
import { BACKPACK_INSTRUCTIONS, BACKPACK_WINDOW_MS } from './constants';
import { classifyHttpFailure, classifyTransportFailure } from './error-map';
import {
  type BackpackRestOptions,
  type BackpackRestTransport,
  endpointName,
  type HttpMethod,
  type RestCallOptions,
  type RestParams,
} from './rest-transport';

/**
 * Only CCXT's `backpack` class and its error classes, not the package root: the root statically imports
 * every exchange (+78 MB RSS in each process using this transport; the backpack class alone: +26 MB).
 * The package exports only its root, so the two modules are loaded by path next to it (the same module
 * instances the class itself imports, so `instanceof` on its errors holds).
 */
const ccxtSrc = join(dirname(createRequire(import.meta.url).resolve('ccxt')), '../js/src'); // from <ccxt>/dist/ccxt.cjs
const ccxtModule = (path: string) => import(pathToFileURL(join(ccxtSrc, path)).href);
const ccxt = {
  backpack: ((await ccxtModule('backpack.js')) as { default: typeof Ccxt.backpack }).default,
  ...((await ccxtModule('base/errors.js')) as Pick<
    typeof Ccxt,
    'RequestTimeout' | 'NetworkError' | 'AuthenticationError'
  >),
};

/** Carries an HTTP failure out of CCXT untouched (status, body, Retry-After), before CCXT maps it. */
class BackpackHttpFailure extends Error {
  override readonly name = 'BackpackHttpFailure';
  constructor(
    readonly status: number,
    readonly body: string,
    readonly retryAfter: string | null,
  ) {
    super(`HTTP ${status}`);
  }
}

/**
 * CCXT's `backpack` class with one change: any HTTP status >= 400 (or an error body) throws the raw
 * status and body instead of CCXT's mapping, which loses the status and calls a 404 "exchange not
 * available" (a filled order that is no longer resting answers 404).
 */
class BackpackCcxt extends ccxt.backpack {
  override handleErrors(
    statusCode: number,
    _statusText: string,
    _url: string,
    _method: string,
    responseHeaders: Record<string, string>,
    responseBody: string,
    response: unknown,
  ): undefined {
    const hasCode = typeof response === 'object' && response !== null && 'code' in response;
    if (statusCode >= 400 || (hasCode && !Array.isArray(response))) {
      const retryAfter = responseHeaders['Retry-After'] ?? responseHeaders['retry-after'] ?? null;
      throw new BackpackHttpFailure(statusCode, responseBody, retryAfter);
    }
    return undefined;
  }
}

/**
 * REST through CCXT's `backpack` class (as the original bot did): CCXT builds the URL, signs with
 * ED25519 (its sorted-params + instruction scheme) and sends. The adapter calls CCXT's generic
 * `request(path, api, method, params)` and parses the raw JSON itself, so CCXT structures never leave
 * this file. CCXT's own 50 ms throttle is off: rate limits are the product's shared budget.
 */
export class CcxtBackpackTransport implements BackpackRestTransport {
  readonly kind = 'ccxt' as const;
  readonly #ex: BackpackCcxt;

  constructor(opts: BackpackRestOptions) {
    const windowMs = Math.min(opts.windowMs ?? BACKPACK_WINDOW_MS.default, BACKPACK_WINDOW_MS.max);
    this.#ex = new BackpackCcxt({
      apiKey: opts.apiKey,
      secret: opts.secret,
      enableRateLimit: false,
      timeout: opts.timeoutMs ?? 10_000,
      options: { recvWindow: String(windowMs) },
    });
    this.#ex.urls.api = { public: opts.restUrl, private: opts.restUrl };
    if (opts.now !== undefined) {
      const now = opts.now;
      this.#ex.milliseconds = () => now();
    }
  }

  async call(
    method: HttpMethod,
    path: string,
    params: RestParams,
    isPrivate: boolean,
    opts: RestCallOptions = {},
  ): Promise<unknown> {
    const endpoint = endpointName(method, path);
    if (isPrivate && BACKPACK_INSTRUCTIONS[`${method} ${path}`] === undefined) {
      throw new VenueError({ venue: 'backpack', endpoint, code: 'NO_INSTRUCTION', category: 'bug' });
    }
    // CCXT signs inside its request call: the gate is awaited before it (no overlap, same guarantee).
    if (opts.sendGate && !(await opts.sendGate)) throw notSentError('backpack', endpoint);
    try {
      return await this.#ex.request(path, isPrivate ? 'private' : 'public', method, params);
    } catch (e) {
      throw this.#classify(endpoint, e);
    }
  }

  #classify(endpoint: string, e: unknown): VenueError {
    if (e instanceof VenueError) return e;
    if (e instanceof BackpackHttpFailure)
      return classifyHttpFailure(endpoint, e.status, e.body, e.retryAfter);
    if (e instanceof ccxt.RequestTimeout) return classifyTransportFailure(endpoint, 'timeout', e);
    if (e instanceof ccxt.NetworkError) return classifyTransportFailure(endpoint, 'network', e);
    if (e instanceof ccxt.AuthenticationError) {
      return new VenueError({
        venue: 'backpack',
        endpoint,
        code: 'MISSING_CREDENTIALS',
        category: 'config',
        detail: 'apiKey and secret are required for private calls',
      });
    }
    return new VenueError({
      venue: 'backpack',
      endpoint,
      code: 'CLIENT_ERROR',
      category: 'bug',
      detail: e instanceof Error ? e.message : String(e),
      cause: e,
    });
  }

  async close(): Promise<void> {
    await this.#ex.close();
  }
}
