import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunningVenue, VenueFrontEndOptions } from '../engine/types';
import { BackpackApiError } from './api-error';
import { authenticate } from './authenticate';
import {
  BACKPACK_ERROR,
  BACKPACK_INSTRUCTIONS,
  BACKPACK_PATHS,
  BACKPACK_STATUS_MAINTENANCE,
  BACKPACK_WS,
} from './constants';
import { DEFAULT_ORDER_EXTRAS, type OrderExtras } from './order-json';
import type { RestRequest, RestResult } from './rest-request';
import { buildRoutes } from './rest-routes';
import { wirePrecision } from './wire-precision';
import { type BackpackWsTuning, BackpackWsHub, DEFAULT_WS_TUNING } from './ws-hub';
import { afterPoll } from '../engine/after-poll';

export interface BackpackVenueOptions extends VenueFrontEndOptions {
  /** WS heartbeat/ticker periods; the venue's defaults (60 s ping, 120 s pong deadline, 1 s ticker) if unset. */
  ws?: Partial<BackpackWsTuning>;
}

const MAX_BODY_BYTES = 64 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BackpackApiError(400, BACKPACK_ERROR.invalidClientRequest, 'Request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJsonBody(text: string): Record<string, unknown> | Record<string, unknown>[] {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BackpackApiError(400, BACKPACK_ERROR.invalidClientRequest, 'Invalid JSON body');
  }
  const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (Array.isArray(value) && value.every(isObject)) return value as Record<string, unknown>[];
  if (!isObject(value)) {
    throw new BackpackApiError(
      400,
      BACKPACK_ERROR.invalidClientRequest,
      'Request body must be a JSON object',
    );
  }
  return value as Record<string, unknown>;
}

function send(res: ServerResponse, result: RestResult, headers: Record<string, string> = {}): void {
  if (res.destroyed || res.headersSent) return;
  const status = result.status ?? 200;
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  if ('json' in result) {
    for (const [k, v] of Object.entries(result.headers ?? {})) res.setHeader(k, v);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(result.json));
  } else if ('text' in result) {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(result.text);
  } else {
    res.writeHead(status, { 'content-length': '0' });
    res.end();
  }
}

function sendError(res: ServerResponse, err: BackpackApiError): void {
  send(res, { status: err.status, json: err.body() }, { ...err.headers });
}

/** The error body for an injected failure status. */
function injectedFailure(status: number): BackpackApiError {
  if (status === 503)
    return new BackpackApiError(503, BACKPACK_ERROR.maintenance, 'System under maintenance');
  if (status === 429) return new BackpackApiError(429, BACKPACK_ERROR.tooManyRequests, 'Too many requests');
  if (status === 404) return new BackpackApiError(404, BACKPACK_ERROR.resourceNotFound, 'Not found');
  if (status >= 500) return new BackpackApiError(status, BACKPACK_ERROR.serverError, 'Internal server error');
  return new BackpackApiError(status, BACKPACK_ERROR.invalidClientRequest, 'Request failed');
}

/**
 * Starts the Backpack protocol front-end: one HTTP server serving the REST API and, on path "/", the
 * WebSocket API, over the venue-neutral engine.
 */
export async function startBackpackVenue(opts: BackpackVenueOptions): Promise<RunningVenue> {
  const { engine, faults, credentials } = opts;
  const wp = wirePrecision(engine.rules);
  const extras = new Map<number, OrderExtras>();
  const routes = buildRoutes({ engine, wp, extras });
  const hub = new BackpackWsHub(
    engine,
    faults,
    wp,
    { ...DEFAULT_WS_TUNING, ...opts.ws },
    credentials,
    (orderId) => extras.get(orderId) ?? DEFAULT_ORDER_EXTRAS,
  );

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    const method = (req.method ?? 'GET').toUpperCase();
    const routeId = `${method} ${url.pathname}`;
    const handler = routes.get(routeId);
    const bodyText = await readBody(req);
    if (!handler) {
      sendError(res, new BackpackApiError(404, BACKPACK_ERROR.resourceNotFound, `No route ${routeId}`));
      return;
    }
    const fault = faults.route('backpack', routeId);
    if (fault.latencyMs > 0) await sleep(fault.latencyMs);
    if (fault.rateLimitRetryAfterSec !== null) {
      const err = new BackpackApiError(429, BACKPACK_ERROR.tooManyRequests, 'Too many requests', {
        'retry-after': String(fault.rateLimitRetryAfterSec),
      });
      sendError(res, err);
      return;
    }
    if (fault.failStatus !== null) {
      if (routeId === `GET ${BACKPACK_PATHS.status}` && fault.failStatus === 503) {
        send(res, { json: BACKPACK_STATUS_MAINTENANCE });
      } else {
        sendError(res, injectedFailure(fault.failStatus));
      }
      return;
    }
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = v;
    const parsed = method === 'GET' ? {} : parseJsonBody(bodyText);
    const batch = Array.isArray(parsed) ? parsed : null;
    const body = Array.isArray(parsed) ? {} : parsed;
    const instruction = BACKPACK_INSTRUCTIONS[routeId];
    const account =
      instruction === undefined
        ? null
        : authenticate(
            { headers: req.headers, instruction, params: method === 'GET' ? query : (batch ?? body) },
            credentials,
            Date.now(),
          );
    const request: RestRequest = { query, body, batch, account };
    let result: RestResult;
    try {
      result = handler(request);
    } catch (err) {
      if (!(err instanceof BackpackApiError)) throw err;
      result = { status: err.status, json: err.body() };
    }
    if (account !== null && method !== 'GET') hub.pollAccounts();
    const after = fault.afterExecution;
    if (after === 'drop') {
      req.socket.destroy();
      return;
    }
    if (after !== null) await sleep(after.delayMs);
    send(res, result);
  }

  const server = createServer(
    afterPoll((req: IncomingMessage, res: ServerResponse) => {
      handle(req, res).catch((err: unknown) => {
        if (err instanceof BackpackApiError) {
          sendError(res, err);
          return;
        }
        const message = err instanceof Error ? err.message : String(err);
        sendError(
          res,
          new BackpackApiError(500, BACKPACK_ERROR.serverError, `Internal server error: ${message}`),
        );
      });
    }),
  );
  server.keepAliveTimeout = 65_000;
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://sim').pathname;
    if (path !== BACKPACK_WS.path) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    hub.handleUpgrade(req, socket, head);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;

  return {
    venue: 'backpack',
    restUrl: `http://${host}:${port}`,
    wsUrl: `ws://${host}:${port}`,
    async close() {
      await hub.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
