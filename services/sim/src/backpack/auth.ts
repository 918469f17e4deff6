import { createPublicKey, type KeyObject, verify } from 'node:crypto';

/**
 * Backpack ED25519 request signing, server side: rebuild the signing string and verify it.
 * Signing string [OAS Authentication]: `instruction=<name>&<params sorted by key as k=v>&timestamp=<ms>&window=<ms>`;
 * with no params it is `instruction=<name>&timestamp=<ms>&window=<ms>`.
 */

export type SignParams = Readonly<Record<string, unknown>>;

function valueText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (value === null || value === undefined) return '';
  return JSON.stringify(value);
}

/** `k=v&k=v` of the params sorted by key; `encode` applies URL encoding to values as CCXT's urlencode does. */
function sortedQuery(params: SignParams, encode: boolean): string {
  return Object.keys(params)
    .sort()
    .map((key) => {
      const text = valueText(params[key]);
      return `${key}=${encode ? encodeURIComponent(text) : text}`;
    })
    .join('&');
}

export function buildSigningString(
  instruction: string,
  params: SignParams,
  timestamp: string,
  window: string,
  encodeValues = false,
): string {
  const query = sortedQuery(params, encodeValues);
  const middle = query.length > 0 ? `${query}&` : '';
  return `instruction=${instruction}&${middle}timestamp=${timestamp}&window=${window}`;
}

/**
 * Batch order execution (POST /api/v1/orders): each order's sorted query prefixed with its own
 * `instruction=orderExecute&`, joined with `&`, then `&timestamp=..&window=..` once at the end. [OAS]
 */
export function buildBatchSigningString(
  instruction: string,
  batch: readonly SignParams[],
  timestamp: string,
  window: string,
  encodeValues = false,
): string {
  const parts = batch.map((params) => `instruction=${instruction}&${sortedQuery(params, encodeValues)}`);
  return `${parts.join('&')}&timestamp=${timestamp}&window=${window}`;
}

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const keyCache = new Map<string, KeyObject | null>();

/** The verifying key for a base64 32-byte ED25519 public key, or null when it is not one. */
export function publicKeyFromBase64(apiKey: string): KeyObject | null {
  const cached = keyCache.get(apiKey);
  if (cached !== undefined) return cached;
  let key: KeyObject | null = null;
  const raw = Buffer.from(apiKey, 'base64');
  if (raw.length === 32) {
    try {
      key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
    } catch {
      key = null;
    }
  }
  keyCache.set(apiKey, key);
  return key;
}

export function verifySignature(apiKey: string, message: string, signatureB64: string): boolean {
  const key = publicKeyFromBase64(apiKey);
  if (key === null) return false;
  const signature = Buffer.from(signatureB64, 'base64');
  if (signature.length !== 64) return false;
  try {
    return verify(null, Buffer.from(message, 'utf8'), key, signature);
  } catch {
    return false;
  }
}

/**
 * Verifies a request's signature. Values are signed as sent [OAS, Rust client]; CCXT URL-encodes them first,
 * so that form is accepted too (identical for every value set the venue's endpoints take).
 */
export function verifyRequestSignature(
  apiKey: string,
  signatureB64: string,
  instruction: string,
  params: SignParams | readonly SignParams[],
  timestamp: string,
  window: string,
): boolean {
  const build = (encode: boolean) =>
    Array.isArray(params)
      ? buildBatchSigningString(instruction, params, timestamp, window, encode)
      : buildSigningString(instruction, params as SignParams, timestamp, window, encode);
  const plain = build(false);
  if (verifySignature(apiKey, plain, signatureB64)) return true;
  const encoded = build(true);
  return encoded !== plain && verifySignature(apiKey, encoded, signatureB64);
}
