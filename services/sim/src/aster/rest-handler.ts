import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SimCredentialDirectory, SimFaultControl } from '../engine/types';
import { AsterApiError } from './api-error';
import {
  ASTER_ERRORS,
  ASTER_HEADER_API_KEY,
  ASTER_HEADER_ORDER_COUNT,
  ASTER_HEADER_USED_WEIGHT,
  ASTER_NOT_FOUND,
} from './constants';
import type { AsterRequestContext, AsterVenueState } from './handler-context';
import { checkHmacAuth } from './hmac-auth';
import type { AsterRateLimiter } from './rate-limiter';
import { readRequestParams } from './request-params';
import { type ResolvedRoute, resolveRoute, routeWeight } from './rest-routes';
import { checkV3ApproveBuilder, checkV3Auth } from './v3-auth';
import type { V3NonceStore } from './v3-nonce-store';

export interface RestDeps {
  state: AsterVenueState;
  faults: SimFaultControl;
  credentials: SimCredentialDirectory;
  limiter: AsterRateLimiter;
  nonces: V3NonceStore;
  /** Wall clock for rate-limit windows. */
  wallNow: () => number;
  onError?: (err: unknown) => void;
}

const MAX_BODY = 1 << 20;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY) throw new AsterApiError(ASTER_ERRORS.invalidParameter, ['body']);
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  if (res.destroyed || res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

/** Auth scheme by path: `/fapi/v3` → EIP-712; v4/account accepts V3 when no API-key header is sent. */
function authenticate(
  deps: RestDeps,
  resolved: ResolvedRoute,
  req: IncomingMessage,
  p: ReturnType<typeof readRequestParams>,
  now: number,
): string {
  const header = req.headers[ASTER_HEADER_API_KEY];
  const apiKeyHeader = Array.isArray(header) ? header[0] : header;
  const v3 = resolved.version === 'v3' || (resolved.version === 'v4' && apiKeyHeader === undefined);
  const common = { params: p.params, signature: p.signature, serverTime: now };
  if (!v3) {
    return checkHmacAuth({
      ...common,
      apiKeyHeader,
      signedPayload: p.signedPayload,
      keys: deps.credentials.asterHmac,
    });
  }
  const v3Common = {
    ...common,
    wallets: deps.credentials.asterV3,
    nonces: deps.nonces,
    nonceWindowMs: deps.state.tuning.v3NonceWindowMs,
  };
  if (resolved.route.approveBuilder) return checkV3ApproveBuilder(v3Common);
  return checkV3Auth({ ...v3Common, signedPayload: p.signedPayload });
}

/** Body answered when a fault makes the venue fail a request without handling it. */
function failBody(status: number): { code: number; msg: string } {
  if (status === 503) return { code: ASTER_ERRORS.timeout.code, msg: ASTER_ERRORS.timeout.msg };
  if (status >= 500) return { code: ASTER_ERRORS.disconnected.code, msg: ASTER_ERRORS.disconnected.msg };
  return { code: ASTER_ERRORS.unknown.code, msg: ASTER_ERRORS.unknown.msg };
}

/**
 * The REST pipeline: route → weight budget (429/418) → faults (latency, fail status, 429) → auth → order
 * budget → handler → after-execution faults (delay or dropped connection).
 */
export function createRestHandler(
  deps: RestDeps,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const method = req.method ?? 'GET';
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1);
    const ip = req.socket.remoteAddress ?? 'unknown';
    const headers: Record<string, string> = {};
    const wall = deps.wallNow();
    try {
      const contentType = req.headers['content-type'] ?? '';
      const body = await readBody(req);
      const rawBody =
        contentType === '' || contentType.includes('application/x-www-form-urlencoded') ? body : '';
      const resolved = resolveRoute(method, path);
      const p = readRequestParams(rawQuery, rawBody);
      const weight = resolved ? routeWeight(resolved.route, p.params) : 1;
      const verdict = deps.limiter.charge(ip, weight, wall);
      headers[ASTER_HEADER_USED_WEIGHT] = String(verdict.used);
      if (verdict.kind === 'banned') {
        throw new AsterApiError(ASTER_ERRORS.ipBanned, [verdict.until], {
          'Retry-After': String(Math.ceil((verdict.until - wall) / 1000)),
        });
      }
      if (verdict.kind === 'limited') {
        throw new AsterApiError(ASTER_ERRORS.tooManyRequests, [deps.state.tuning.weightPerMinute], {
          'Retry-After': String(verdict.retryAfterSec),
        });
      }
      if (!resolved) {
        send(res, 404, ASTER_NOT_FOUND, headers);
        return;
      }
      const faults = deps.faults.route('aster', `${method} ${path}`);
      if (faults.latencyMs > 0) await sleep(faults.latencyMs);
      if (faults.failStatus !== null) {
        send(res, faults.failStatus, failBody(faults.failStatus), headers);
        return;
      }
      if (faults.rateLimitRetryAfterSec !== null) {
        throw new AsterApiError(ASTER_ERRORS.tooManyRequests, [deps.state.tuning.weightPerMinute], {
          'Retry-After': String(faults.rateLimitRetryAfterSec),
        });
      }
      const now = deps.state.engine.now();
      const account = resolved.route.signed ? authenticate(deps, resolved, req, p, now) : '';
      if (resolved.route.isNewOrder) {
        const count = deps.limiter.countOrder(account, wall);
        headers[ASTER_HEADER_ORDER_COUNT] = String(count.count);
        if (!count.ok)
          throw new AsterApiError(ASTER_ERRORS.tooManyOrders, [deps.state.tuning.ordersPerMinute]);
      }
      const ctx: AsterRequestContext = {
        state: deps.state,
        params: p.params,
        account,
        version: resolved.version,
        now,
      };
      let status = 200;
      let out: unknown;
      try {
        out = resolved.route.handler(ctx);
      } catch (err) {
        if (!(err instanceof AsterApiError)) throw err;
        status = err.status;
        out = err.body();
        Object.assign(headers, err.headers);
      }
      const after = faults.afterExecution;
      if (after === 'drop') {
        req.socket.destroy();
        return;
      }
      if (after !== null && after.delayMs > 0) await sleep(after.delayMs);
      send(res, status, out, headers);
    } catch (err) {
      if (err instanceof AsterApiError) {
        send(res, err.status, err.body(), { ...headers, ...err.headers });
        return;
      }
      deps.onError?.(err);
      send(res, 500, { code: ASTER_ERRORS.unknown.code, msg: ASTER_ERRORS.unknown.msg }, headers);
    }
  };
}
