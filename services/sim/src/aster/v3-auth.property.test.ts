import {
  SigningKey,
  TypedDataEncoder,
  computeAddress,
  concat,
  hexlify,
  toBeHex,
  verifyTypedData,
} from 'ethers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { recoverV3Signer } from './v3-auth';

// The documented domain and type, written out here so the reference does not come from the code under test.
const DOMAIN = {
  name: 'AsterSignTransaction',
  version: '1',
  chainId: 1666,
  verifyingContract: '0x0000000000000000000000000000000000000000',
};
const TYPES = { Message: [{ name: 'msg', type: 'string' }] };
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** What ethers answers, with a throw (malformed or unrecoverable) as null. */
function ethersRecover(msg: string, signature: string): string | null {
  try {
    return verifyTypedData(DOMAIN, TYPES, { msg }, signature);
  } catch {
    return null;
  }
}

const privateKey = fc.bigInt({ min: 1n, max: N - 1n }).map((d) => new SigningKey(toBeHex(d, 32)));
const message = fc.string({ unit: 'binary', maxLength: 300 });
const sign = (key: SigningKey, msg: string) =>
  key.sign(TypedDataEncoder.hash(DOMAIN, TYPES, { msg })).serialized;

describe('recoverV3Signer against ethers verifyTypedData', () => {
  it('recovers the signer of any message, and agrees on a different message', () => {
    fc.assert(
      fc.property(privateKey, message, message, (key, msg, other) => {
        const sig = sign(key, msg);
        expect(recoverV3Signer(msg, sig)).toBe(ethersRecover(msg, sig));
        expect(recoverV3Signer(msg, sig)).toBe(computeAddress(key.publicKey));
        // A tampered message recovers some other address (or none), exactly as ethers does.
        const tampered = recoverV3Signer(other, sig);
        expect(tampered).toBe(ethersRecover(other, sig));
        if (other !== msg) expect(tampered).not.toBe(ethersRecover(msg, sig));
        // The malleated twin (n - s, other parity) is high-S yet below 2^255: ethers accepts it, so must we.
        const high = `${sig.slice(0, 66)}${toBeHex(N - BigInt(`0x${sig.slice(66, 130)}`), 32).slice(2)}${sig.endsWith('1b') ? '1c' : '1b'}`;
        expect(recoverV3Signer(msg, high)).toBe(ethersRecover(msg, high));
      }),
      { numRuns: 200 },
    );
  });

  it('agrees on arbitrary and mutated signatures (v 0/1/27/28/other, high s, r off the curve, 64 bytes)', () => {
    const v = fc.oneof(fc.constantFrom(0, 1, 27, 28), fc.integer({ min: 0, max: 255 }));
    const raw = fc
      .tuple(fc.uint8Array({ minLength: 64, maxLength: 64 }), v)
      .map(([rs, vb]) => hexlify(concat([rs, new Uint8Array([vb])])));
    const mutated = fc
      .tuple(privateKey, message, fc.nat(64), fc.integer({ min: 1, max: 255 }))
      .map(([key, msg, i, x]) => {
        const b = Uint8Array.from(Buffer.from(sign(key, msg).slice(2), 'hex'));
        b[i] = b[i]! ^ x;
        return hexlify(b);
      });
    const compact = fc.uint8Array({ minLength: 64, maxLength: 64 }).map((b) => hexlify(b));
    const odd = fc.constantFrom('', '0x', '0x1b', 'zz', `0X${'11'.repeat(65)}`, `0x${'ff'.repeat(65)}`);
    fc.assert(
      fc.property(message, fc.oneof(raw, mutated, compact, odd), (msg, sig) => {
        expect(recoverV3Signer(msg, sig)).toBe(ethersRecover(msg, sig));
      }),
      { numRuns: 1000 },
    );
  });
});
