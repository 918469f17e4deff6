/** How the adapter talks REST to Backpack: one call, raw JSON back, failures as VenueError. */
export type HttpMethod = 'GET' | 'POST' | 'DELETE' | 'PATCH';

export type RestParams = Record<string, string | number | boolean>;

export interface BackpackRestTransport {
  /** Which implementation (for logs and the overhead measurement). */
  readonly kind: 'ccxt' | 'direct';
  /**
   * Sends one request. `path` has no leading slash (e.g. "api/v1/order"); private calls are signed.
   * Resolves with the parsed JSON body (or the raw text when it is not JSON); rejects with VenueError.
   */
  call(
    method: HttpMethod,
    path: string,
    params: RestParams,
    isPrivate: boolean,
    opts?: RestCallOptions,
  ): Promise<unknown>;
  close(): Promise<void>;
}

export interface RestCallOptions {
  /** Held until this resolves (after signing); false: not sent (PlaceOrderOptions.sendGate in @arb/core). */
  sendGate?: Promise<boolean>;
}

export interface BackpackRestOptions {
  /** REST base URL (production, or the simulator's). */
  restUrl: string;
  apiKey?: string;
  secret?: string;
  /** X-Window (ms), default 5000, max 60000. */
  windowMs?: number;
  /** Per-request timeout (ms); a timed-out order is an unknown outcome. */
  timeoutMs?: number;
  /** Clock for X-Timestamp (ms). */
  now?: () => number;
}

export function endpointName(method: HttpMethod, path: string): string {
  return `${method} /${path}`;
}
