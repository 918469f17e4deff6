import { createHmac } from 'node:crypto';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { signRecoverable } from 'tiny-secp256k1';
import {
  ASTER_API_KEY_HEADER,
  ASTER_RECV_WINDOW_MAX_MS,
  ASTER_V3_DOMAIN,
  ASTER_V3_TYPES,
  type AsterAuthScheme,
} from './constants';
import {
  addressOfPrivateKey,
  checksumAddress,
  eip712DomainSeparator,
  eip712TypeHash,
  privateKeyBytes,
} from './evm';

/** Which keys are configured decides the scheme (same shape as @arb/config's AsterAuth). */
export type AsterCredentials =
  | { kind: 'v3'; user: string; signer: string; signerPrivateKey: string }
  | { kind: 'hmac'; apiKey: string; apiSecret: string };

/** Request params in send order; values are already venue strings (exact decimals). */
export type AsterParams = [string, string][];

export interface SignedPayload {
  /** The full encoded param string, signature last: goes in the query (GET/DELETE) or form body (POST). */
  payload: string;
  headers: Record<string, string>;
}

/** Auth only signs: it turns params + a time into the exact bytes to send. */
export interface AsterSigner {
  readonly scheme: AsterAuthScheme;
  sign(params: AsterParams, serverNowMs: number): SignedPayload;
}

export function encodeParams(params: AsterParams): string {
  let s = '';
  for (const [k, v] of params) s += `${s ? '&' : ''}${k}=${encodeURIComponent(v)}`;
  return s;
}

/**
 * Legacy V1: HMAC-SHA256 over the exact param string with timestamp and recvWindow, signature last,
 * API key in X-MBX-APIKEY [DOC §SIGNED Endpoint Security].
 */
export class AsterHmacSigner implements AsterSigner {
  readonly scheme = 'hmac' as const;
  private readonly headers: Record<string, string>;

  constructor(
    private readonly creds: { apiKey: string; apiSecret: string },
    private readonly recvWindowMs: number,
  ) {
    if (recvWindowMs <= 0 || recvWindowMs > ASTER_RECV_WINDOW_MAX_MS) {
      throw new Error(`recvWindow must be in 1..${ASTER_RECV_WINDOW_MAX_MS} ms`);
    }
    this.headers = { [ASTER_API_KEY_HEADER]: creds.apiKey };
  }

  sign(params: AsterParams, serverNowMs: number): SignedPayload {
    const base = encodeParams([
      ...params,
      ['timestamp', String(Math.floor(serverNowMs))],
      ['recvWindow', String(this.recvWindowMs)],
    ]);
    const signature = createHmac('sha256', this.creds.apiSecret).update(base).digest('hex');
    return { payload: `${base}&signature=${signature}`, headers: this.headers };
  }
}

/**
 * V3: EIP-712 typed-data signature by the API wallet (`signer`) over Message{msg: <param string>} under the
 * domain {AsterSignTransaction, 1, chainId 1666, 0x0…0}; params gain nonce (µs, strictly increasing),
 * user (main wallet) and signer [DOC3; CCXT 4.5.84 `sign()`]. Signing is synchronous (libsecp256k1 via tiny-secp256k1).
 */
export class AsterV3Signer implements AsterSigner {
  readonly scheme = 'v3' as const;
  private readonly privateKey: Uint8Array;
  private readonly user: string;
  private readonly signer: string;
  private lastNonce = 0;

  constructor(creds: { user: string; signer: string; signerPrivateKey: string }) {
    this.privateKey = privateKeyBytes(creds.signerPrivateKey);
    this.user = checksumAddress(creds.user);
    this.signer = checksumAddress(creds.signer);
    if (addressOfPrivateKey(this.privateKey) !== this.signer) {
      throw new Error('ASTER_SIGNER does not match the address of ASTER_SIGNER_PRIVATE_KEY');
    }
  }

  /** Microsecond nonce from the (server-aligned) clock, strictly increasing within this process. */
  nextNonce(serverNowMs: number): number {
    const n = Math.max(Math.floor(serverNowMs * 1000), this.lastNonce + 1);
    this.lastNonce = n;
    return n;
  }

  sign(params: AsterParams, serverNowMs: number): SignedPayload {
    const msg = encodeParams([
      ['nonce', String(this.nextNonce(serverNowMs))],
      ['user', this.user],
      ['signer', this.signer],
      ...params,
    ]);
    const signature = signAsterV3Message(this.privateKey, msg);
    return { payload: `${msg}&signature=${signature}`, headers: {} };
  }
}

// EIP-712 pieces that do not depend on the message, derived once from the documented domain and type: the
// domain separator and typeHash = keccak256("Message(string msg)") (Message references no other struct, so
// its encodeType is just its own fields).
const V3_DOMAIN_SEPARATOR = eip712DomainSeparator(ASTER_V3_DOMAIN);
const V3_MESSAGE_TYPE_HASH = eip712TypeHash(
  `Message(${ASTER_V3_TYPES.Message.map((f) => `${f.type} ${f.name}`).join(',')})`,
);
// Reused buffers with the constant prefixes in place (signing is synchronous, so no caller can interleave).
const structBuf = new Uint8Array(64); // typeHash ‖ keccak256(utf8(msg))
structBuf.set(V3_MESSAGE_TYPE_HASH, 0);
const digestBuf = new Uint8Array(66); // 0x19 0x01 ‖ domainSeparator ‖ hashStruct
digestBuf.set([0x19, 0x01], 0);
digestBuf.set(V3_DOMAIN_SEPARATOR, 2);

/**
 * EIP-712 digest of Message{msg} under Aster's V3 domain: keccak256(0x1901 ‖ domainSeparator ‖
 * keccak256(typeHash ‖ keccak256(utf8(msg)))), equal to ethers' TypedDataEncoder.hash (property-tested) at
 * a fraction of its cost (≈150 µs there, mostly re-deriving the type and domain on every call).
 */
export function asterV3Digest(msg: string): Uint8Array {
  structBuf.set(keccak_256(Buffer.from(msg, 'utf8')), 32);
  digestBuf.set(keccak_256(structBuf), 34);
  return keccak_256(digestBuf);
}

/**
 * The EIP-712 signature (0x + r‖s‖v hex) of Message{msg} under Aster's V3 domain by a 32-byte private key.
 * libsecp256k1 (WASM) signs with RFC 6979 deterministic k and low-S like ethers, so the bytes are the same as
 * ethers' SigningKey.sign (property-tested); v = 27 + recovery id.
 */
export function signAsterV3Message(privateKey: Uint8Array, msg: string): string {
  const { signature, recoveryId } = signRecoverable(asterV3Digest(msg), privateKey);
  // Ids 2/3 need r ≥ n (probability ~2^-127); an Ethereum signature has no way to carry them.
  if (recoveryId > 1) throw new Error('unrepresentable secp256k1 recovery id');
  return `0x${Buffer.from(signature.buffer, signature.byteOffset, 64).toString('hex')}${recoveryId === 0 ? '1b' : '1c'}`;
}

export function createAsterSigner(creds: AsterCredentials, recvWindowMs: number): AsterSigner {
  return creds.kind === 'v3' ? new AsterV3Signer(creds) : new AsterHmacSigner(creds, recvWindowMs);
}
