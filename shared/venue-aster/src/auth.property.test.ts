import { SigningKey, TypedDataEncoder, hexlify } from 'ethers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asterV3Digest, signAsterV3Message } from './auth';
import { ASTER_V3_DOMAIN, ASTER_V3_TYPES } from './constants';

// secp256k1 group order: a private key is a scalar in [1, n-1].
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const privateKey = fc.uint8Array({ minLength: 32, maxLength: 32 }).filter((b) => {
  const d = BigInt(hexlify(b));
  return d > 0n && d < N;
});
// Messages as the adapter builds them (percent-encoded ASCII) and arbitrary Unicode, empty included.
const message = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc
    .array(fc.tuple(fc.string({ minLength: 1, maxLength: 12 }), fc.string({ maxLength: 24 })))
    .map((kv) => kv.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')),
);

describe('Aster V3 fast EIP-712 path against ethers', () => {
  it('digest equals TypedDataEncoder.hash for any message', () => {
    fc.assert(
      fc.property(message, (msg) => {
        expect(hexlify(asterV3Digest(msg))).toBe(
          TypedDataEncoder.hash(ASTER_V3_DOMAIN, ASTER_V3_TYPES, { msg }),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('signature is byte-identical to ethers SigningKey.sign (RFC 6979 k, low-S, v = 27 + recid)', () => {
    fc.assert(
      fc.property(privateKey, message, (d, msg) => {
        const expected = new SigningKey(d).sign(
          TypedDataEncoder.hash(ASTER_V3_DOMAIN, ASTER_V3_TYPES, { msg }),
        ).serialized;
        expect(signAsterV3Message(d, msg)).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });
});
