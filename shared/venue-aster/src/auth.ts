import { createHmac } from 'node:crypto';
import { SigningKey, TypedDataEncoder, computeAddress, getAddress } from 'ethers';
import {
  ASTER_API_KEY_HEADER,
  ASTER_RECV_WINDOW_MAX_MS,
  ASTER_V3_DOMAIN,
  ASTER_V3_TYPES,
  type AsterAuthScheme,
} from './constants';

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
 * user (main wallet) and signer [DOC3; CCXT 4.5.84 `sign()`]. Signing is synchronous (ethers SigningKey).
 */
export class AsterV3Signer implements AsterSigner {
  readonly scheme = 'v3' as const;
  private readonly key: SigningKey;
  private readonly user: string;
  private readonly signer: string;
  private lastNonce = 0;

  constructor(creds: { user: string; signer: string; signerPrivateKey: string }) {
    const pk = creds.signerPrivateKey.startsWith('0x')
      ? creds.signerPrivateKey
      : `0x${creds.signerPrivateKey}`;
    this.key = new SigningKey(pk);
    this.user = getAddress(creds.user);
    this.signer = getAddress(creds.signer);
    if (computeAddress(this.key.publicKey) !== this.signer) {
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
    const signature = signAsterV3Message(this.key, msg);
    return { payload: `${msg}&signature=${signature}`, headers: {} };
  }
}

/** The EIP-712 signature (0x + r‖s‖v hex) of Message{msg} under Aster's V3 domain. */
export function signAsterV3Message(key: SigningKey, msg: string): string {
  return key.sign(TypedDataEncoder.hash(ASTER_V3_DOMAIN, ASTER_V3_TYPES, { msg })).serialized;
}

export function createAsterSigner(creds: AsterCredentials, recvWindowMs: number): AsterSigner {
  return creds.kind === 'v3' ? new AsterV3Signer(creds) : new AsterHmacSigner(creds, recvWindowMs);
}
