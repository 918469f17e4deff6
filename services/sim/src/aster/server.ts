import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningVenue } from '../engine/types';
import type { AsterVenueState } from './handler-context';
import { ASTER_TUNING_DEFAULTS, type AsterTuning, type AsterVenueOptions } from './options';
import { AsterRateLimiter } from './rate-limiter';
import { createRestHandler } from './rest-handler';
import { V3NonceStore } from './v3-nonce-store';
import { asterDecimals } from './wire-market';
import { AsterWsServer } from './ws-server';
import { afterPoll } from '../engine/after-poll';

export type { AsterVenueOptions } from './options';

function urlHost(host: string): string {
  if (host === '' || host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Starts the AsterDex protocol front-end: one HTTP server on `opts.port` serving the REST API (V1 HMAC and
 * V3 EIP-712, plus the spot host's exchangeInfo) and the market-stream WebSocket upgrade (`/ws`, `/stream`).
 * Point a client's futures and spot base URLs at `restUrl` and its stream base at `wsUrl`.
 */
export async function startAsterVenue(opts: AsterVenueOptions): Promise<RunningVenue> {
  const tuning: AsterTuning = { ...ASTER_TUNING_DEFAULTS, ...opts.aster };
  const decimals = asterDecimals(opts.engine.rules);
  const state: AsterVenueState = {
    engine: opts.engine,
    tuning,
    decimals,
    builders: new Map(),
    autoClientId: { next: 1 },
  };
  const wallNow = () => Date.now();
  const rest = createRestHandler({
    state,
    faults: opts.faults,
    credentials: opts.credentials,
    limiter: new AsterRateLimiter({
      weightPerMinute: tuning.weightPerMinute,
      ordersPerMinute: tuning.ordersPerMinute,
      banAfter429s: tuning.banAfter429s,
      banMs: tuning.banMs,
    }),
    nonces: new V3NonceStore(tuning.v3NonceMemory),
    wallNow,
  });
  const ws = new AsterWsServer({ engine: opts.engine, faults: opts.faults, tuning, decimals, wallNow });
  const server = createServer(
    { keepAliveTimeout: 65_000 },
    afterPoll((req: IncomingMessage, res: ServerResponse) => {
      void rest(req, res);
    }),
  );
  server.on('upgrade', (req, socket, head) => ws.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = urlHost(opts.host);
  return {
    venue: 'aster',
    restUrl: `http://${host}:${port}`,
    wsUrl: `ws://${host}:${port}`,
    async close() {
      await ws.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
