import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Quote } from '@arb/core/quote';
import { VenueError } from '@arb/net/venue-error';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { BackpackQuoteSource, type BackpackQuoteSourceOptions } from './backpack-quote-source';
import type { DepthSnapshot } from './parser';

/**
 * Frame handling over a real local socket with recorded-shape payloads (the simulator tests live in
 * the feed service's integration tests). The depth snapshot provider is injected.
 */

const SYM = 'BTC_USDC_PERP';
const ticker = (b: string, a: string, E = 1_700_000_000_123_456) =>
  JSON.stringify({
    stream: `bookTicker.${SYM}`,
    data: { e: 'bookTicker', E, s: SYM, a, A: '0.5', b, B: '1.25', u: 1, T: E - 1 },
  });
const depth = (U: number, u: number, b: [string, string][], a: [string, string][] = []) =>
  JSON.stringify({
    stream: `depth.${SYM}`,
    data: { e: 'depth', E: 1_700_000_000_000_000, s: SYM, a, b, U, u },
  });

async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function serve(): Promise<{ url: string; clients: WebSocket[]; subs: string[]; pings: number[] }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((r) => wss.once('listening', r));
  const clients: WebSocket[] = [];
  const subs: string[] = [];
  const pings: number[] = [];
  wss.on('connection', (ws) => {
    clients.push(ws);
    ws.on('ping', () => pings.push(Date.now()));
    ws.on('message', (m) => subs.push(m.toString()));
  });
  cleanup.push(() => new Promise((r) => wss.close(() => r(undefined))));
  const addr = wss.address() as { port: number };
  return { url: `ws://127.0.0.1:${addr.port}`, clients, subs, pings };
}

/** A source with a 5-level depth book, no stall or heartbeat timers, fast reconnects. */
function depthSource(
  wsUrl: string,
  o: Pick<BackpackQuoteSourceOptions, 'restUrl'> & Partial<BackpackQuoteSourceOptions>,
): BackpackQuoteSource {
  return new BackpackQuoteSource({
    wsUrl,
    symbol: SYM,
    depthLevels: 5,
    stallMs: 0,
    reconnectBaseMs: 100,
    reconnectMaxMs: 1000,
    heartbeatMs: 0,
    ...o,
  });
}

describe('BackpackQuoteSource', () => {
  it('normalizes bookTicker frames, counts malformed/unexpected ones and never emits them', async () => {
    const srv = await serve();
    const quotes: Quote[] = [];
    const src = new BackpackQuoteSource({
      wsUrl: srv.url,
      restUrl: 'http://127.0.0.1:1',
      symbol: SYM,
      stallMs: 0,
      reconnectBaseMs: 100,
      reconnectMaxMs: 1000,
      heartbeatMs: 0,
    });
    cleanup.push(() => src.stop());
    src.start((q) => quotes.push(q));
    await until(() => srv.subs.length === 1);
    expect(JSON.parse(srv.subs[0]!)).toEqual({ method: 'SUBSCRIBE', params: [`bookTicker.${SYM}`] });
    const ws = srv.clients[0]!;
    ws.send(ticker('112886.6', '112999.6'));
    ws.send('{not json');
    ws.send(JSON.stringify({ stream: `bookTicker.${SYM}`, data: { e: 'bookTicker', s: SYM } }));
    ws.send(ticker('113000', '112999.6')); // crossed
    ws.send(JSON.stringify({ stream: 'trade.BTC_USDC_PERP', data: {} }));
    ws.send(JSON.stringify({ id: null, error: { code: 4006, message: 'Invalid stream' } }));
    ws.send(ticker('112887.0', '112999.0', 1_700_000_000_200_999));
    await until(() => quotes.length === 2 && src.stats().malformed === 5);
    expect(quotes[0]).toEqual({
      v: 1,
      venue: 'backpack',
      symbol: SYM,
      bid: 112886.6,
      bidQty: 1.25,
      ask: 112999.6,
      askQty: 0.5,
      venueTime: 1_700_000_000_123,
      receivedAt: expect.any(Number),
      seq: 0,
    });
    expect(quotes[1]).toMatchObject({ seq: 1, bid: 112887, venueTime: 1_700_000_000_200 });
    expect(src.stats()).toMatchObject({ malformed: 5, quotes: 2, venueErrors: 1, connected: true });
  });

  it('keeps a local depth book from a snapshot + gapless deltas, resyncs on a gap, merges levels', async () => {
    const srv = await serve();
    const quotes: Quote[] = [];
    const snapshots: number[] = [];
    let snapshotId = 10;
    const fetchSnapshot = async (): Promise<DepthSnapshot> => {
      snapshots.push(snapshotId);
      return {
        lastUpdateId: snapshotId,
        venueTime: null,
        bids: [
          [100, 1],
          [99, 2],
        ],
        asks: [
          [101, 1],
          [102, 3],
        ],
      };
    };
    const src = depthSource(srv.url, { restUrl: 'http://127.0.0.1:1', fetchSnapshot });
    cleanup.push(() => src.stop());
    src.start((q) => quotes.push(q));
    await until(() => srv.subs.length === 1);
    expect(JSON.parse(srv.subs[0]!).params).toEqual([`bookTicker.${SYM}`, `depth.${SYM}`]);
    const ws = srv.clients[0]!;
    ws.send(depth(10, 11, [['100.5', '0.7']]));
    await until(() => src.stats().depthSnapshots === 1);
    ws.send(ticker('100.5', '101'));
    await until(() => quotes.length === 1);
    expect(quotes[0]!.bids).toEqual([
      [100.5, 0.7],
      [100, 1],
      [99, 2],
    ]);
    expect(quotes[0]!.asks).toEqual([
      [101, 1],
      [102, 3],
    ]);
    // Gap: 12 is missing. The book resets and resyncs from a new snapshot.
    snapshotId = 13;
    ws.send(depth(13, 14, [['100.5', '0']]));
    await until(() => src.stats().depthGaps === 1 && src.stats().depthSnapshots === 2);
    ws.send(ticker('100', '101'));
    await until(() => quotes.length === 2);
    expect(quotes[1]!.bids?.[0]).toEqual([100, 1]);
    expect(snapshots).toEqual([10, 13]);
  });

  it('gets the depth snapshot over HTTP: a 429 is a rate-limited failure (retried), then the book syncs', async () => {
    const srv = await serve();
    const requests: { url: string; ua: string | undefined }[] = [];
    const http = createServer((req, res) => {
      requests.push({ url: req.url ?? '', ua: req.headers['user-agent'] });
      if (requests.length === 1) {
        res.writeHead(429, { 'retry-after': '1', 'content-type': 'text/plain' }).end('Too many requests');
        return;
      }
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ asks: [['101', '1']], bids: [['100', '2']], lastUpdateId: '10' }));
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise((r) => http.close(() => r(undefined))));
    const warnings: { err?: unknown; attempt?: number }[] = [];
    const log = {
      info: () => {},
      warn: (obj: object) => warnings.push(obj as { err?: unknown; attempt?: number }),
      error: () => {},
    };
    const quotes: Quote[] = [];
    const src = depthSource(srv.url, {
      restUrl: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
      log,
    });
    cleanup.push(() => src.stop());
    src.start((q) => quotes.push(q));
    await until(() => srv.subs.length === 1);
    srv.clients[0]!.send(depth(10, 11, [['100.5', '0.7']]));
    await until(() => src.stats().depthSnapshots === 1);
    expect(requests).toHaveLength(2);
    expect(requests[0]!.url).toBe(`/api/v1/depth?symbol=${SYM}`);
    expect(requests[0]!.ua).toBe('arb/1');
    const failed = warnings.find((w) => w.attempt === 1);
    expect(failed?.err).toBeInstanceOf(VenueError);
    expect((failed?.err as VenueError | undefined)?.category).toBe('rate_limited');
    srv.clients[0]!.send(ticker('100.5', '101'));
    await until(() => quotes.length === 1);
    expect(quotes[0]!.bids).toEqual([
      [100.5, 0.7],
      [100, 2],
    ]);
  });

  it('pings the server on its heartbeat period and resubscribes after the server drops it', async () => {
    const srv = await serve();
    const src = new BackpackQuoteSource({
      wsUrl: srv.url,
      restUrl: 'http://127.0.0.1:1',
      symbol: SYM,
      stallMs: 0,
      reconnectBaseMs: 100,
      reconnectMaxMs: 1000,
      heartbeatMs: 150,
    });
    cleanup.push(() => src.stop());
    src.start(() => {});
    await until(() => srv.pings.length >= 2);
    srv.clients[0]!.terminate();
    await until(() => srv.subs.length === 2 && src.stats().connected);
    expect(JSON.parse(srv.subs[1]!)).toEqual({ method: 'SUBSCRIBE', params: [`bookTicker.${SYM}`] });
    expect(src.stats().reconnects).toBe(1);
  });
});
