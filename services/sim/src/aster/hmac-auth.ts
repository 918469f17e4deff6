import { createHmac, timingSafeEqual } from 'node:crypto';
import { AsterApiError } from './api-error';
import {
  ASTER_ERRORS,
  ASTER_RECV_WINDOW_DEFAULT_MS,
  ASTER_RECV_WINDOW_MAX_MS,
  ASTER_TIMESTAMP_AHEAD_MS,
} from './constants';

/** hex(HMAC_SHA256(secret, payload)) [DOC §SIGNED Endpoint Examples]. */
export function asterHmacSignature(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
}

export interface HmacKey {
  apiKey: string;
  secret: string;
  account: string;
}

export interface HmacCheckInput {
  apiKeyHeader: string | undefined;
  params: Map<string, string>;
  signedPayload: string;
  signature: string | null;
  serverTime: number;
  keys: readonly HmacKey[];
}

/**
 * Legacy V1 auth, in the venue's order: API key (-2014 missing/-2015 unknown), timestamp and recvWindow
 * (-1102/-1130/-1021), then the signature (-1022, compared case-insensitively). Returns the account id.
 */
export function checkHmacAuth(input: HmacCheckInput): string {
  const apiKey = input.apiKeyHeader;
  if (apiKey === undefined || apiKey === '') throw new AsterApiError(ASTER_ERRORS.badApiKeyFormat);
  const key = input.keys.find((k) => k.apiKey === apiKey);
  if (!key) throw new AsterApiError(ASTER_ERRORS.rejectedKey);

  const tsRaw = input.params.get('timestamp');
  if (tsRaw === undefined || tsRaw === '')
    throw new AsterApiError(ASTER_ERRORS.mandatoryParam, ['timestamp']);
  if (!/^\d{1,16}$/.test(tsRaw)) throw new AsterApiError(ASTER_ERRORS.invalidParameter, ['timestamp']);
  const timestamp = Number(tsRaw);
  const rwRaw = input.params.get('recvWindow');
  let recvWindow = ASTER_RECV_WINDOW_DEFAULT_MS;
  if (rwRaw !== undefined) {
    if (!/^\d{1,10}$/.test(rwRaw) || Number(rwRaw) > ASTER_RECV_WINDOW_MAX_MS) {
      throw new AsterApiError(ASTER_ERRORS.invalidParameter, ['recvWindow']);
    }
    recvWindow = Number(rwRaw);
  }
  if (timestamp >= input.serverTime + ASTER_TIMESTAMP_AHEAD_MS)
    throw new AsterApiError(ASTER_ERRORS.timestampAhead);
  if (input.serverTime - timestamp > recvWindow) throw new AsterApiError(ASTER_ERRORS.invalidTimestamp);

  if (input.signature === null || input.signature === '') {
    throw new AsterApiError(ASTER_ERRORS.mandatoryParam, ['signature']);
  }
  const expected = Buffer.from(asterHmacSignature(key.secret, input.signedPayload), 'hex');
  const given = /^[0-9a-fA-F]{64}$/.test(input.signature) ? Buffer.from(input.signature, 'hex') : null;
  if (given === null || !timingSafeEqual(expected, given))
    throw new AsterApiError(ASTER_ERRORS.invalidSignature);
  return key.account;
}
