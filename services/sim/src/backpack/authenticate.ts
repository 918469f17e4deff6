import type { IncomingHttpHeaders } from 'node:http';
import type { SimCredentialDirectory } from '../engine/types';
import { BackpackApiError } from './api-error';
import { type SignParams, verifyRequestSignature } from './auth';
import {
  BACKPACK_DEFAULT_WINDOW_MS,
  BACKPACK_ERROR,
  BACKPACK_EXPIRED_MESSAGE,
  BACKPACK_HEADERS,
  BACKPACK_MAX_WINDOW_MS,
} from './constants';

export interface SignedRequest {
  headers: IncomingHttpHeaders;
  instruction: string;
  /** Query parameters (GET), JSON body key/values (other methods), or the orders of a batch body. */
  params: SignParams | readonly SignParams[];
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

const INTEGER_RE = /^\d{1,16}$/;

/**
 * Checks a signed request and returns the engine account its key maps to, or throws the venue's error:
 * missing/unknown key -> 401 UNAUTHORIZED; malformed timestamp/window or window > 60000 -> 400
 * INVALID_CLIENT_REQUEST; bad signature -> 400 INVALID_SIGNATURE; timestamp outside the window -> 401
 * UNAUTHORIZED "Request has expired" (see constants.ts for why).
 */
export function authenticate(req: SignedRequest, credentials: SimCredentialDirectory, nowMs: number): string {
  const apiKey = header(req.headers, BACKPACK_HEADERS.apiKey);
  const signature = header(req.headers, BACKPACK_HEADERS.signature);
  const timestamp = header(req.headers, BACKPACK_HEADERS.timestamp);
  if (!apiKey) throw new BackpackApiError(401, BACKPACK_ERROR.unauthorized, 'Missing X-API-Key header');
  if (!signature) throw new BackpackApiError(401, BACKPACK_ERROR.unauthorized, 'Missing X-Signature header');
  if (!timestamp) throw new BackpackApiError(401, BACKPACK_ERROR.unauthorized, 'Missing X-Timestamp header');
  const entry = credentials.backpack.find((c) => c.apiKey === apiKey);
  if (!entry) throw new BackpackApiError(401, BACKPACK_ERROR.unauthorized, 'Invalid API key');
  if (!INTEGER_RE.test(timestamp)) {
    throw new BackpackApiError(400, BACKPACK_ERROR.invalidClientRequest, 'Invalid X-Timestamp header');
  }
  const windowHeader = header(req.headers, BACKPACK_HEADERS.window);
  const window = windowHeader ?? String(BACKPACK_DEFAULT_WINDOW_MS);
  if (!INTEGER_RE.test(window) || Number(window) > BACKPACK_MAX_WINDOW_MS) {
    throw new BackpackApiError(
      400,
      BACKPACK_ERROR.invalidClientRequest,
      `Invalid X-Window header, maximum is ${BACKPACK_MAX_WINDOW_MS}`,
    );
  }
  if (!verifyRequestSignature(apiKey, signature, req.instruction, req.params, timestamp, window)) {
    throw new BackpackApiError(400, BACKPACK_ERROR.invalidSignature, 'Invalid signature');
  }
  const ts = Number(timestamp);
  const windowMs = Number(window);
  if (nowMs > ts + windowMs || ts > nowMs + windowMs) {
    throw new BackpackApiError(401, BACKPACK_ERROR.unauthorized, BACKPACK_EXPIRED_MESSAGE);
  }
  return entry.account;
}
