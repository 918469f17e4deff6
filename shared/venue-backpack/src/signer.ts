import { createPrivateKey, createPublicKey, type KeyObject, sign } from 'node:crypto';

/** PKCS#8 DER prefix for a raw 32-byte ED25519 seed. */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export type SignableValue = string | number | boolean;

/**
 * Backpack's ED25519 request signing: `instruction=<name>&<sorted k=v>&timestamp=<ms>&window=<ms>`,
 * signed with the base64 32-byte seed, signature base64. Auth only signs: it sends nothing.
 */
export class BackpackSigner {
  readonly apiKey: string;
  readonly #key: KeyObject;

  constructor(apiKey: string, secret: string) {
    const seed = Buffer.from(secret, 'base64').subarray(0, 32);
    if (seed.length !== 32) throw new Error('backpack secret must be a base64 32-byte ED25519 seed');
    this.#key = createPrivateKey({
      key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
      format: 'der',
      type: 'pkcs8',
    });
    this.apiKey = apiKey;
  }

  /** The base64 public key this secret yields (compare with apiKey to catch a mismatched pair early). */
  publicKey(): string {
    return createPublicKey(this.#key).export({ format: 'der', type: 'spki' }).subarray(12).toString('base64');
  }

  sign(message: string): string {
    return sign(null, Buffer.from(message, 'utf8'), this.#key).toString('base64');
  }

  /** Headers for one private request. `params` are the JSON body (non-GET) or the query (GET). */
  headers(
    instruction: string,
    params: Record<string, SignableValue>,
    timestamp: number,
    windowMs: number,
  ): Record<string, string> {
    const message = signingString(instruction, params, timestamp, windowMs);
    return {
      'X-API-Key': this.apiKey,
      'X-Timestamp': String(timestamp),
      'X-Window': String(windowMs),
      'X-Signature': this.sign(message),
    };
  }
}

export function signingString(
  instruction: string,
  params: Record<string, SignableValue>,
  timestamp: number,
  windowMs: number,
): string {
  const pairs = Object.keys(params)
    .sort()
    .map((k) => `${k}=${String(params[k])}`);
  return [`instruction=${instruction}`, ...pairs, `timestamp=${timestamp}`, `window=${windowMs}`].join('&');
}
