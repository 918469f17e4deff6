/**
 * Request parameters as the venue reads them [DOC §SIGNED Endpoint Security]: the query string and an
 * `application/x-www-form-urlencoded` body may both carry params; a param in both takes the query value.
 * The signed payload is the query string concatenated with the body (no `&` between), minus the trailing
 * `signature` param.
 */
export interface AsterRequestParams {
  /** Merged params, query winning over body. */
  params: Map<string, string>;
  /** The exact bytes that were signed: query + body without `signature`. */
  signedPayload: string;
  /** The `signature` param, if any. */
  signature: string | null;
}

function parseForm(raw: string): Map<string, string> {
  const out = new Map<string, string>();
  if (raw === '') return out;
  for (const [k, v] of new URLSearchParams(raw)) {
    if (!out.has(k)) out.set(k, v);
  }
  return out;
}

/** Removes a `signature=...` param (Binance requires it last) from one part; returns the rest. */
function stripSignature(part: string): { rest: string; signature: string | null } {
  const m = /(^|&)signature=([^&]*)$/.exec(part);
  if (!m) return { rest: part, signature: null };
  return { rest: part.slice(0, m.index), signature: decodeURIComponent(m[2] ?? '') };
}

export function readRequestParams(rawQuery: string, rawBody: string): AsterRequestParams {
  const q = stripSignature(rawQuery);
  const b = stripSignature(rawBody);
  const params = parseForm(rawBody);
  for (const [k, v] of parseForm(rawQuery)) params.set(k, v);
  // A signature that is not the last param stays inside the payload, so verification fails (-1022).
  const signature = q.signature ?? b.signature ?? params.get('signature') ?? null;
  params.delete('signature');
  return { params, signedPayload: q.rest + b.rest, signature };
}
