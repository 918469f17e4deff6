/**
 * Secret scrubbing for anything that may be logged, shown or stored for humans (logs, job data on Bull
 * Board, dashboard payloads, error messages). Three layers:
 * - by key name, at any depth: values under keys such as apiKey, secret, password, signature,
 *   authorization, x-api-key... become "[REDACTED]";
 * - by pattern, inside any string: `signature=...` and other credential query parameters, auth headers
 *   written out, `scheme://user:password@host` URLs, 0x-prefixed 32+ byte hex (private keys, signatures),
 *   listen keys in `/ws/<key>` URL paths;
 * - by value: every secret registered with `registerSecrets` (configured keys), raw or URL-encoded, is
 *   replaced wherever it appears in a string.
 */

export const REDACTED = '[REDACTED]';

/** Key names (compared lower-case, without "-" and "_") whose values are always redacted. */
const SECRET_KEY_PARTS = [
  'secret',
  'password',
  'passwd',
  'passphrase',
  'privatekey',
  'signature',
  'authorization',
  'apikey',
  'mbxapikey',
  'token',
  'cookie',
  'listenkey',
  'credential',
];

const secretKeyCache = new Map<string, boolean>();

export function isSecretKey(key: string): boolean {
  let hit = secretKeyCache.get(key);
  if (hit === undefined) {
    const norm = key.toLowerCase().replace(/[-_\s]/g, '');
    hit = SECRET_KEY_PARTS.some((p) => norm.includes(p));
    if (secretKeyCache.size < 10_000) secretKeyCache.set(key, hit);
  }
  return hit;
}

const QUERY_PARAM =
  /\b(signature|sig|api[_-]?key|apikey|api[_-]?secret|secret(?:[_-]?key)?|password|passwd|token|access[_-]?token|private[_-]?key|listen[_-]?key)(=|%3D)([^&\s"',;}]+)/gi;
const HEADER_LINE =
  /\b(authorization|proxy-authorization|x-api-key|x-signature|x-mbx-apikey|cookie|set-cookie)(["']?\s*[:=]\s*["']?)(?:(bearer|basic)\s+)?([^\s"',;}]+)/gi;
const JSON_FIELD =
  /"([A-Za-z_-]*(?:secret|password|passwd|signature|api[_-]?key|private[_-]?key|token|passphrase|authorization)[A-Za-z_-]*)"(\s*:\s*)"(?:[^"\\]|\\.)*"/gi;
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^:/\s@]*:)([^@\s/]+)@/gi;
const LONG_HEX = /\b0x[0-9a-fA-F]{64,}\b/g;
/** A user-data-stream listen key in a WS URL path (wss://fstream.asterdex.com/ws/<listenKey>). */
const WS_LISTEN_KEY = /(\/ws\/)([A-Za-z0-9]{32,})/g;

const registered = new Set<string>();
let registeredSorted: string[] = [];

/**
 * Adds secret values (configured keys, passwords) to scrub from every string that is logged. Values
 * shorter than 6 characters are ignored (they would scrub ordinary text).
 */
export function registerSecrets(values: Iterable<string | undefined | null>): void {
  for (const v of values) {
    if (typeof v !== 'string' || v.length < 6) continue;
    registered.add(v);
    const encoded = encodeURIComponent(v);
    if (encoded !== v) registered.add(encoded);
  }
  // Longest first, so a secret containing another is replaced whole.
  registeredSorted = [...registered].sort((a, b) => b.length - a.length);
}

/** Removes every registered secret (tests). */
export function clearRegisteredSecrets(): void {
  registered.clear();
  registeredSorted = [];
}

/** Scrubs secrets out of one string. */
export function scrubString(s: string): string {
  let out = s;
  for (const secret of registeredSorted) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  if (out.length < 8) return out;
  return out
    .replace(QUERY_PARAM, (_m, k: string, eq: string) => `${k}${eq}${REDACTED}`)
    .replace(HEADER_LINE, (_m, k: string, sep: string, scheme: string | undefined) =>
      scheme ? `${k}${sep}${scheme} ${REDACTED}` : `${k}${sep}${REDACTED}`,
    )
    .replace(JSON_FIELD, (_m, k: string, sep: string) => `"${k}"${sep}"${REDACTED}"`)
    .replace(URL_PASSWORD, (_m, head: string) => `${head}${REDACTED}@`)
    .replace(LONG_HEX, `0x${REDACTED}`)
    .replace(WS_LISTEN_KEY, `$1${REDACTED}`);
}

const MAX_DEPTH = 10;

/**
 * A redacted deep copy of any value: secret-named keys censored at any depth, strings scrubbed, Errors
 * turned into plain objects (type, message, stack, code, cause, own fields), cycles cut.
 */
export function redact(value: unknown): unknown {
  return walk(value, 0, new WeakSet());
}

function walk(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return scrubString(value);
  if (value === null || typeof value !== 'object') {
    return typeof value === 'bigint' ? value.toString() : value;
  }
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Object]';
  seen.add(value);
  try {
    if (value instanceof Error) return walkError(value, depth, seen);
    if (value instanceof Date) return value;
    if (value instanceof URL) return scrubString(value.href);
    if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return `[binary ${value.byteLength} bytes]`;
    if (Array.isArray(value)) return value.map((v) => walk(v, depth + 1, seen));
    if (value instanceof Map) {
      const o: Record<string, unknown> = {};
      for (const [k, v] of value) o[String(k)] = isSecretKey(String(k)) ? REDACTED : walk(v, depth + 1, seen);
      return o;
    }
    if (value instanceof Set) return [...value].map((v) => walk(v, depth + 1, seen));
    if (isHeaders(value)) {
      const o: Record<string, unknown> = {};
      value.forEach((v, k) => {
        o[k] = isSecretKey(k) ? REDACTED : scrubString(v);
      });
      return o;
    }
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function' && !isPlain(value)) {
      return walk(toJSON.call(value), depth + 1, seen);
    }
    return walkObject(value as Record<string, unknown>, depth, seen);
  } finally {
    seen.delete(value);
  }
}

function walkObject(
  obj: Record<string, unknown>,
  depth: number,
  seen: WeakSet<object>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(obj)) {
    const v = obj[key];
    out[key] =
      isSecretKey(key) && v !== undefined && v !== null && v !== '' ? REDACTED : walk(v, depth + 1, seen);
  }
  return out;
}

function walkError(err: Error, depth: number, seen: WeakSet<object>): Record<string, unknown> {
  const out: Record<string, unknown> = {
    type: err.constructor?.name ?? err.name,
    message: scrubString(err.message),
  };
  if (err.name && err.name !== out.type) out.name = err.name;
  if (err.stack) out.stack = scrubString(err.stack);
  const rest = walkObject(err as unknown as Record<string, unknown>, depth, seen);
  for (const [k, v] of Object.entries(rest)) {
    if (!(k in out)) out[k] = v;
  }
  if (err.cause !== undefined) out.cause = walk(err.cause, depth + 1, seen);
  if (err instanceof AggregateError) out.errors = walk(err.errors, depth + 1, seen);
  return out;
}

function isPlain(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function isHeaders(v: object): v is { forEach(cb: (value: string, key: string) => void): void } {
  return typeof Headers !== 'undefined' && v instanceof Headers;
}
