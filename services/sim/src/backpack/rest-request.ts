/** A REST request after parsing, as the route handlers see it. */
export interface RestRequest {
  /** Query parameters (last value wins for repeated keys). */
  query: Readonly<Record<string, string>>;
  /** JSON body key/values ({} when there is none or it is an array). */
  body: Readonly<Record<string, unknown>>;
  /** The JSON body when it is an array (batch order execution), else null. */
  batch: readonly Readonly<Record<string, unknown>>[] | null;
  /** Engine account of a signed request; null on public routes. */
  account: string | null;
}

/** A handler's answer: JSON, or plain text for /time and /ping; `status` defaults to 200. */
export type RestResult =
  | { status?: number; json: unknown; headers?: Record<string, string> }
  | { status?: number; text: string }
  | { status?: number; empty: true };

export type RestHandler = (req: RestRequest) => RestResult;
