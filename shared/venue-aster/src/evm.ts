import { keccak_256 } from '@noble/hashes/sha3.js';
import { isPrivate, pointFromScalar } from 'tiny-secp256k1';

/**
 * The few Ethereum primitives Aster V3 auth needs, on keccak (@noble/hashes) and libsecp256k1
 * (tiny-secp256k1) instead of ethers: loading ethers cost ~+21 MB RSS per process for work done once at
 * start. Each function is property-tested against its ethers counterpart (evm.property.test.ts).
 */

const utf8 = new TextEncoder();
const HEX_ADDRESS = /^(0x)?[0-9a-fA-F]{40}$/;
const HEX_PRIVATE_KEY = /^(0x)?[0-9a-fA-F]{64}$/;
// Mixed case means the writer claimed an EIP-55 checksum, which must then hold (ethers' rule).
const MIXED_CASE = /([A-F].*[a-f])|([a-f].*[A-F])/;

/** EIP-55 checksum form of a 20-byte hex address (nibble i upper-cased when nibble i of keccak(lowercase hex) ≥ 8). */
function toChecksum(lowerHex40: string): string {
  const hash = keccak_256(utf8.encode(lowerHex40));
  let out = '0x';
  for (let i = 0; i < 40; i++) {
    const nibble = i % 2 === 0 ? hash[i >> 1]! >> 4 : hash[i >> 1]! & 0x0f;
    out += nibble >= 8 ? lowerHex40[i]!.toUpperCase() : lowerHex40[i]!;
  }
  return out;
}

/**
 * Same contract as ethers' getAddress for hex input: accepts 40 hex digits with or without 0x, returns the
 * EIP-55 form, throws on a mixed-case address whose checksum is wrong. (ICAP "XE…" addresses are not accepted.)
 */
export function checksumAddress(address: string): string {
  if (!HEX_ADDRESS.test(address)) throw new Error(`invalid address: ${address}`);
  const hex = address.startsWith('0x') ? address.slice(2) : address;
  const result = toChecksum(hex.toLowerCase());
  if (MIXED_CASE.test(hex) && result !== `0x${hex}`) throw new Error(`bad address checksum: ${address}`);
  return result;
}

/** 32-byte secp256k1 private key from hex (with or without 0x); throws unless it is a scalar in [1, n-1]. */
export function privateKeyBytes(hex: string): Uint8Array {
  if (!HEX_PRIVATE_KEY.test(hex)) throw new Error('private key must be 32 bytes of hex');
  const d = Buffer.from(hex.startsWith('0x') ? hex.slice(2) : hex, 'hex');
  if (!isPrivate(d)) throw new Error('private key is not a valid secp256k1 scalar');
  return new Uint8Array(d);
}

/** Ethereum address of a private key: last 20 bytes of keccak256(uncompressed public key without 0x04), EIP-55. */
export function addressOfPrivateKey(privateKey: Uint8Array): string {
  const pub = pointFromScalar(privateKey, false);
  if (!pub) throw new Error('private key is not a valid secp256k1 scalar');
  const hash = keccak_256(pub.subarray(1));
  return toChecksum(Buffer.from(hash.subarray(12)).toString('hex'));
}

export interface Eip712Domain {
  name: string;
  version: string;
  chainId: number;
  verifyingContract: string;
}

/** keccak256 of an EIP-712 type string such as "Message(string msg)". */
export function eip712TypeHash(encodedType: string): Uint8Array {
  return keccak_256(utf8.encode(encodedType));
}

const DOMAIN_TYPE_HASH = eip712TypeHash(
  'EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)',
);

/**
 * EIP-712 domain separator for a domain with all four of name, version, chainId, verifyingContract:
 * keccak256(typeHash ‖ keccak256(name) ‖ keccak256(version) ‖ uint256(chainId) ‖ address left-padded to 32 bytes).
 */
export function eip712DomainSeparator(domain: Eip712Domain): Uint8Array {
  if (!Number.isSafeInteger(domain.chainId) || domain.chainId < 0) throw new Error('invalid chainId');
  const buf = new Uint8Array(160);
  buf.set(DOMAIN_TYPE_HASH, 0);
  buf.set(keccak_256(utf8.encode(domain.name)), 32);
  buf.set(keccak_256(utf8.encode(domain.version)), 64);
  const chainId = Buffer.from(domain.chainId.toString(16).padStart(64, '0'), 'hex');
  buf.set(chainId, 96);
  const contract = Buffer.from(checksumAddress(domain.verifyingContract).slice(2), 'hex');
  buf.set(contract, 160 - 20);
  return keccak_256(buf);
}
