import { SigningKey, TypedDataEncoder, computeAddress, getAddress, hexlify, id } from 'ethers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ASTER_V3_DOMAIN, ASTER_V3_TYPES } from './constants';
import {
  addressOfPrivateKey,
  checksumAddress,
  eip712DomainSeparator,
  eip712TypeHash,
  privateKeyBytes,
} from './evm';

// secp256k1 group order: a private key is a scalar in [1, n-1].
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const privateKey = fc.uint8Array({ minLength: 32, maxLength: 32 }).filter((b) => {
  const d = BigInt(hexlify(b));
  return d > 0n && d < N;
});
const hex40 = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => Buffer.from(b).toString('hex'));
// Every spelling a config may hold: lower, upper, checksummed, any mixed case (mostly a bad checksum), with
// and without 0x.
const addressSpelling = fc
  .tuple(hex40, fc.constantFrom('lower', 'upper', 'checksum', 'random'), fc.boolean(), fc.array(fc.boolean()))
  .map(([h, kind, prefix, flips]) => {
    let body = h;
    if (kind === 'upper') body = h.toUpperCase();
    if (kind === 'checksum') body = getAddress(`0x${h}`).slice(2);
    if (kind === 'random')
      body = [...h].map((c, i) => (flips[i % Math.max(flips.length, 1)] ? c.toUpperCase() : c)).join('');
    return prefix ? `0x${body}` : body;
  });

/** ethers' answer or its refusal, to compare behaviour including errors. */
const outcome = (f: () => string): string => {
  try {
    return f();
  } catch {
    return 'throws';
  }
};

describe('EVM primitives against ethers', () => {
  it('address of a private key equals computeAddress(SigningKey.publicKey)', () => {
    fc.assert(
      fc.property(privateKey, (d) => {
        expect(addressOfPrivateKey(d)).toBe(computeAddress(new SigningKey(d).publicKey));
      }),
      { numRuns: 500 },
    );
  });

  it('checksumAddress equals getAddress for any spelling, refusals included', () => {
    fc.assert(
      fc.property(addressSpelling, (a) => {
        expect(outcome(() => checksumAddress(a))).toBe(outcome(() => getAddress(a)));
      }),
      { numRuns: 2000 },
    );
  });

  it('domain separator equals TypedDataEncoder.hashDomain for any domain', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.string({ unit: 'binary', maxLength: 10 }),
        fc.nat(),
        hex40,
        (name, version, chainId, contract) => {
          const domain = { name, version, chainId, verifyingContract: `0x${contract}` };
          expect(hexlify(eip712DomainSeparator(domain))).toBe(TypedDataEncoder.hashDomain(domain));
        },
      ),
      { numRuns: 500 },
    );
    expect(hexlify(eip712DomainSeparator(ASTER_V3_DOMAIN))).toBe(
      TypedDataEncoder.hashDomain(ASTER_V3_DOMAIN),
    );
  });

  it('Message type hash equals ethers id(encodeType)', () => {
    const encoded = TypedDataEncoder.from(ASTER_V3_TYPES).encodeType('Message');
    expect(encoded).toBe('Message(string msg)');
    expect(hexlify(eip712TypeHash(encoded))).toBe(id(encoded));
  });

  it('refuses malformed or out-of-range private keys', () => {
    expect(() => privateKeyBytes('0x1234')).toThrow(/32 bytes/);
    expect(() => privateKeyBytes(`0x${'00'.repeat(32)}`)).toThrow(/scalar/);
    expect(() => privateKeyBytes(N.toString(16))).toThrow(/scalar/);
    expect(privateKeyBytes(`${'00'.repeat(31)}01`)).toEqual(new Uint8Array([...Array(31).fill(0), 1]));
  });
});
