import { getAddress, isAddress, verifyTypedData } from 'ethers';
import { AsterApiError } from './api-error';
import {
  ASTER_ERRORS,
  ASTER_V3_APPROVE_BUILDER_TYPES,
  ASTER_V3_DOMAIN,
  ASTER_V3_MESSAGE_TYPES,
} from './constants';
import type { V3NonceStore } from './v3-nonce-store';

export interface V3Wallet {
  user: string;
  signer: string;
  account: string;
}

export interface V3CheckInput {
  params: Map<string, string>;
  signedPayload: string;
  signature: string | null;
  serverTime: number;
  wallets: readonly V3Wallet[];
  nonces: V3NonceStore;
  nonceWindowMs: number;
}

/** Recovers the address that signed `Message{msg}` under Aster's EIP-712 domain; null when malformed. */
export function recoverV3Signer(msg: string, signature: string): string | null {
  try {
    return verifyTypedData(ASTER_V3_DOMAIN, ASTER_V3_MESSAGE_TYPES, { msg }, signature);
  } catch {
    return null;
  }
}

function address(params: Map<string, string>, name: string): string {
  const raw = params.get(name);
  if (raw === undefined || raw === '' || !isAddress(raw))
    throw new AsterApiError(ASTER_ERRORS.badApiKeyFormat);
  return getAddress(raw);
}

function nonceOf(params: Map<string, string>, serverTime: number, windowMs: number): bigint {
  const raw = params.get('nonce');
  if (raw === undefined || raw === '') throw new AsterApiError(ASTER_ERRORS.mandatoryParam, ['nonce']);
  if (!/^\d{1,20}$/.test(raw)) throw new AsterApiError(ASTER_ERRORS.invalidParameter, ['nonce']);
  const nonce = BigInt(raw);
  const nowUs = BigInt(serverTime) * 1000n;
  const windowUs = BigInt(windowMs) * 1000n;
  // [DOC3]: "If it exceeds the system time or lags behind it by more than 10 seconds, the request is
  // considered invalid." No code is documented for this case; -1021 as for HMAC timestamps.
  if (nonce > nowUs + windowUs || nonce < nowUs - windowUs)
    throw new AsterApiError(ASTER_ERRORS.invalidTimestamp);
  return nonce;
}

/**
 * V3 wallet auth: `user` and `signer` registered together (-2014 malformed/missing, -2015 unknown), nonce
 * within the window (-1021), EIP-712 signature over the signed payload recovering `signer` (-1022), then
 * replay protection (-4225). Returns the account id.
 */
export function checkV3Auth(input: V3CheckInput): string {
  const user = address(input.params, 'user');
  const signer = address(input.params, 'signer');
  const wallet = input.wallets.find(
    (w) => w.user.toLowerCase() === user.toLowerCase() && w.signer.toLowerCase() === signer.toLowerCase(),
  );
  if (!wallet) throw new AsterApiError(ASTER_ERRORS.rejectedKey);
  const nonce = nonceOf(input.params, input.serverTime, input.nonceWindowMs);
  if (input.signature === null || input.signature === '') {
    throw new AsterApiError(ASTER_ERRORS.mandatoryParam, ['signature']);
  }
  const recovered = recoverV3Signer(input.signedPayload, input.signature);
  if (recovered === null || recovered.toLowerCase() !== signer.toLowerCase()) {
    throw new AsterApiError(ASTER_ERRORS.invalidSignature);
  }
  if (!input.nonces.accept(signer, nonce)) throw new AsterApiError(ASTER_ERRORS.nonceExpired);
  return wallet.account;
}

/**
 * `POST /fapi/v3/approveBuilder` (what CCXT's `signIn()` sends): an `ApproveBuilder` struct signed by the
 * main wallet itself, without `signer`. Returns the account id.
 */
export function checkV3ApproveBuilder(input: Omit<V3CheckInput, 'signedPayload'>): string {
  const user = address(input.params, 'user');
  const wallet = input.wallets.find((w) => w.user.toLowerCase() === user.toLowerCase());
  if (!wallet) throw new AsterApiError(ASTER_ERRORS.rejectedKey);
  const nonce = nonceOf(input.params, input.serverTime, input.nonceWindowMs);
  if (input.signature === null || input.signature === '') {
    throw new AsterApiError(ASTER_ERRORS.mandatoryParam, ['signature']);
  }
  const p = input.params;
  let recovered: string | null;
  try {
    recovered = verifyTypedData(
      ASTER_V3_DOMAIN,
      ASTER_V3_APPROVE_BUILDER_TYPES,
      {
        Builder: p.get('builder') ?? '',
        MaxFeeRate: p.get('maxFeeRate') ?? '',
        BuilderName: p.get('builderName') ?? '',
        AsterChain: p.get('asterChain') ?? '',
        User: p.get('user') ?? '',
        Nonce: nonce,
      },
      input.signature,
    );
  } catch {
    recovered = null;
  }
  if (recovered === null || recovered.toLowerCase() !== user.toLowerCase()) {
    throw new AsterApiError(ASTER_ERRORS.invalidSignature);
  }
  if (!input.nonces.accept(user, nonce)) throw new AsterApiError(ASTER_ERRORS.nonceExpired);
  return wallet.account;
}
