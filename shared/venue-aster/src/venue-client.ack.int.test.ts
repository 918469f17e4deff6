import { readFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AsterVenueClient } from './venue-client';

/**
 * Paths the simulator never takes (it honours newOrderRespType=RESULT): a venue answering the ACK state
 * (NEW, nothing executed yet), an unreadable 200 body, and an order that stays open. A small real HTTP
 * server plays recorded doc bodies.
 */
const bodies = JSON.parse(readFileSync(new URL('../test-data/rest-bodies.json', import.meta.url), 'utf8'));
let server: Server;
let base: string;
let mode: 'ack-then-filled' | 'garbage' | 'stays-open' | 'time-down' = 'ack-then-filled';
let orderPosts = 0;
let queries = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const json = (b: unknown) => res.setHeader('content-type', 'application/json').end(JSON.stringify(b));
    if (path === '/fapi/v1/time') {
      if (mode === 'time-down') {
        res.statusCode = 503;
        return json({ code: -1001, msg: 'Internal error' });
      }
      return json({ serverTime: Date.now() });
    }
    if (path === '/fapi/v1/exchangeInfo')
      return json({ serverTime: Date.now(), symbols: [bodies.symbolInfo] });
    if (path === '/fapi/v1/order' && req.method === 'POST') {
      orderPosts++;
      if (mode === 'garbage') return res.end('<html>oops</html>');
      return json(bodies.orderAck);
    }
    if (path === '/fapi/v1/order' && req.method === 'GET') {
      queries++;
      if (mode === 'stays-open' || queries < 2) return json(bodies.orderAck);
      return json({ ...bodies.orderFilled, orderId: bodies.orderAck.orderId, side: 'SELL' });
    }
    if (path === '/fapi/v1/userTrades') {
      return json(
        bodies.userTrades.map((t: { orderId: number }) => ({ ...t, orderId: bodies.orderAck.orderId })),
      );
    }
    res.statusCode = 404;
    json({ code: -1000, msg: 'not here' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const client = () =>
  new AsterVenueClient({
    baseUrl: base,
    credentials: { kind: 'hmac', apiKey: 'k', apiSecret: 's' },
    recvWindowMs: 5000,
    timeoutMs: 2000,
    fillPollAttempts: 4,
    fillPollDelayMs: 20,
  });

const req = {
  venue: 'aster' as const,
  symbol: 'BTCUSDT',
  side: 'sell' as const,
  qty: 0.02,
  reduceOnly: false,
  clientOrderId: 'h-abc-aster-open',
};

describe('AsterVenueClient before anything is sent', () => {
  it('a failed server-time sync before the first order is "not sent" (rejected), not unknown', async () => {
    mode = 'time-down';
    orderPosts = 0;
    const c = client();
    const o = await c.placeOrder(req);
    expect(o).toMatchObject({ kind: 'rejected', code: '-1001' });
    expect((o as { reason: string }).reason).toContain('not sent');
    expect(orderPosts).toBe(0);
    await c.close();
  });
});

describe('AsterVenueClient when the order answer lacks the fill', () => {
  it('an ACK (NEW) answer is followed by queries until the final state, with the fee from userTrades', async () => {
    mode = 'ack-then-filled';
    queries = 0;
    const c = client();
    const o = await c.placeOrder(req);
    expect(o).toMatchObject({
      kind: 'filled',
      venueOrderId: String(bodies.orderAck.orderId),
      qty: 0.02,
      avgPrice: 60020,
      side: 'sell',
      feeAsset: 'USDT',
    });
    expect((o as { fee: number }).fee).toBeCloseTo(0.48016 + 9, 9);
    expect(queries).toBe(2);
    await c.close();
  });

  it('an order still open after the queries is unknown, never failed', async () => {
    mode = 'stays-open';
    const c = client();
    expect(await c.placeOrder(req)).toMatchObject({
      kind: 'unknown',
      reason: expect.stringContaining('NEW'),
    });
    await c.close();
  });

  it('an unreadable 200 answer to an order is unknown', async () => {
    mode = 'garbage';
    const c = client();
    const o = await c.placeOrder(req);
    expect(o.kind).toBe('unknown');
    expect((o as { reason: string }).reason).toContain('BAD_BODY');
    await c.close();
  });
});
