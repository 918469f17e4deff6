import { createHmac } from 'node:crypto';
import { SIM_ACCOUNT, SIM_CREDENTIALS } from '@arb/config/sim-credentials';
import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SimAdminClient } from './admin/client';
import { type RunningSim, startSim } from './start-sim';

let sim: RunningSim;
let admin: SimAdminClient;

const until = async <T>(fn: () => Promise<T> | T, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> => {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

/** A legacy V1 HMAC-signed Aster request, computed here independently of the simulator. */
async function asterSigned(
  method: 'POST' | 'GET',
  path: string,
  params: Record<string, string>,
): Promise<Response> {
  const qs = new URLSearchParams({ ...params, recvWindow: '5000', timestamp: String(Date.now()) }).toString();
  const signature = createHmac('sha256', SIM_CREDENTIALS.asterHmac.secret).update(qs).digest('hex');
  const body = `${qs}&signature=${signature}`;
  const headers = { 'X-MBX-APIKEY': SIM_CREDENTIALS.asterHmac.apiKey };
  return method === 'POST'
    ? fetch(`${sim.aster.restUrl}${path}`, {
        method,
        headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
        body,
      })
    : fetch(`${sim.aster.restUrl}${path}?${body}`, { method, headers });
}

function backpackClient(timeoutMs = 10_000) {
  const ex = new ccxt.backpack({
    apiKey: SIM_CREDENTIALS.backpack.apiKey,
    secret: SIM_CREDENTIALS.backpack.secret,
    timeout: timeoutMs,
  });
  ex.urls.api = { public: sim.backpack.restUrl, private: sim.backpack.restUrl };
  return ex;
}

/** Collects text frames of a WS connection. */
function collect(url: string, onOpen?: (ws: WebSocket) => void) {
  const ws = new WebSocket(url);
  const frames: { at: number; text: string }[] = [];
  let closed = false;
  ws.on('open', () => onOpen?.(ws));
  ws.on('message', (data) => frames.push({ at: Date.now(), text: String(data) }));
  ws.on('close', () => {
    closed = true;
  });
  ws.on('error', () => {});
  return { ws, frames, isClosed: () => closed };
}

beforeAll(async () => {
  sim = await startSim({
    host: '127.0.0.1',
    asterPort: 0,
    backpackPort: 0,
    adminPort: 0,
    seed: 11,
    scenario: { name: 'compose-test' },
  });
  admin = new SimAdminClient(sim.adminUrl);
});

afterAll(async () => {
  await sim?.close();
});

describe('startSim composition', () => {
  it('starts both venues and the admin API on free ports', async () => {
    const h = await admin.health();
    expect(h.venues.aster?.restUrl).toBe(sim.aster.restUrl);
    expect(h.venues.backpack?.wsUrl).toBe(sim.backpack.wsUrl);
    const a = (await (await fetch(`${sim.aster.restUrl}/fapi/v1/depth?symbol=BTCUSDT&limit=5`)).json()) as {
      bids: [string, string][];
    };
    expect(a.bids.length).toBe(5);
    const bp = backpackClient();
    const book = await bp.fetchOrderBook('BTC/USDC:USDC');
    expect(book.bids.length).toBeGreaterThan(5);
    expect(Math.abs(book.bids[0]![0]! - 100_000)).toBeLessThan(5_000);
  });

  it('orders from a real client show up in the admin API (orders, fills, positions)', async () => {
    const bp = backpackClient();
    const order = await bp.createOrder('BTC/USDC:USDC', 'market', 'buy', 0.01, undefined, {
      clientOrderId: 424242,
    });
    expect(order.id).toBeTruthy();
    const orders = await admin.orders({ venue: 'backpack', account: SIM_ACCOUNT });
    expect(orders[0]).toMatchObject({ clientOrderId: '424242', status: 'filled', executedQty: 0.01 });
    const fills = await admin.fills({ venue: 'backpack' });
    expect(fills[0]?.orderId).toBe(orders[0]?.orderId);
    const pos = await admin.positions({ venue: 'backpack', account: SIM_ACCOUNT });
    expect(pos[0]?.qty).toBeCloseTo(0.01, 8);
  });

  it('timeout-after-execution (drop): the client sees a network error but the order executed', async () => {
    await admin.addFault({
      kind: 'timeout_after_execution',
      venue: 'backpack',
      route: 'POST /api/v1/order',
      drop: true,
      count: 1,
    });
    const bp = backpackClient();
    const err = await bp
      .createOrder('BTC/USDC:USDC', 'market', 'buy', 0.002, undefined, { clientOrderId: 777 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ccxt.NetworkError);
    const orders = await admin.orders({ venue: 'backpack', account: SIM_ACCOUNT });
    expect(orders.find((o) => o.clientOrderId === '777')).toMatchObject({
      status: 'filled',
      executedQty: 0.002,
    });
  });

  it('timeout-after-execution (delay): a client timeout shorter than the delay, order executed', async () => {
    await admin.addFault({
      kind: 'timeout_after_execution',
      venue: 'backpack',
      route: '/api/v1/order',
      delayMs: 4000,
      count: 1,
    });
    const bp = backpackClient(1000);
    const err = await bp
      .createOrder('BTC/USDC:USDC', 'market', 'sell', 0.003, undefined, { clientOrderId: 778 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ccxt.RequestTimeout);
    const orders = await admin.orders({ venue: 'backpack' });
    expect(orders.find((o) => o.clientOrderId === '778')?.status).toBe('filled');
  });

  it('5xx on the order route: the order is NOT executed; one-shot', async () => {
    await admin.addFault({
      kind: 'http_error',
      venue: 'aster',
      route: 'POST /fapi/v1/order',
      status: 502,
      count: 1,
    });
    const params = {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '0.005',
      newClientOrderId: 'fx-1',
    };
    const r1 = await asterSigned('POST', '/fapi/v1/order', params);
    expect(r1.status).toBe(502);
    expect((await admin.orders({ venue: 'aster' })).some((o) => o.clientOrderId === 'fx-1')).toBe(false);
    const r2 = await asterSigned('POST', '/fapi/v1/order', params);
    expect(r2.status).toBe(200);
    expect((await admin.orders({ venue: 'aster' })).find((o) => o.clientOrderId === 'fx-1')?.status).toBe(
      'filled',
    );
  });

  it('reject-next-N: real clients get the venue margin error for exactly N orders', async () => {
    await admin.addFault({ kind: 'reject_orders', venue: 'aster', count: 2 });
    const params = { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.002' };
    for (const id of ['rj-1', 'rj-2']) {
      const r = await asterSigned('POST', '/fapi/v1/order', { ...params, newClientOrderId: id });
      expect(r.status).toBe(400);
      expect(await r.json()).toMatchObject({ code: -2019 });
    }
    const ok = await asterSigned('POST', '/fapi/v1/order', { ...params, newClientOrderId: 'rj-3' });
    expect(ok.status).toBe(200);
    await admin.addFault({ kind: 'reject_orders', venue: 'backpack', count: 1 });
    const err = await backpackClient()
      .createOrder('BTC/USDC:USDC', 'market', 'buy', 0.001, undefined, { clientOrderId: 31337 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ccxt.InsufficientFunds);
    expect((await admin.rejects({ venue: 'backpack' })).at(-1)?.reason).toBe('insufficient_margin');
  });

  it('429 with Retry-After, latency and maintenance 503 for a period', async () => {
    await admin.addFault({
      kind: 'rate_limit',
      venue: 'aster',
      route: '/fapi/v1/depth',
      retryAfterSec: 7,
      count: 1,
    });
    const limited = await fetch(`${sim.aster.restUrl}/fapi/v1/depth?symbol=BTCUSDT`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect((await fetch(`${sim.aster.restUrl}/fapi/v1/depth?symbol=BTCUSDT`)).status).toBe(200);

    await admin.addFault({
      kind: 'latency',
      venue: 'backpack',
      route: 'GET /api/v1/depth',
      ms: 400,
      count: 1,
    });
    const t0 = Date.now();
    expect((await fetch(`${sim.backpack.restUrl}/api/v1/depth?symbol=BTC_USDC_PERP`)).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(390);

    await admin.addFault({ kind: 'maintenance', venue: 'backpack', durationMs: 1500 });
    expect((await fetch(`${sim.backpack.restUrl}/api/v1/markets`)).status).toBe(503);
    expect((await fetch(`${sim.aster.restUrl}/fapi/v1/time`)).status).toBe(200);
    await until(
      async () => (await fetch(`${sim.backpack.restUrl}/api/v1/markets`)).status,
      (s) => s === 200,
    );
  });

  it('a paused market keeps prices fixed and the change-driven Aster bookTicker stream alive', async () => {
    await admin.setPaused(true);
    try {
      const c = collect(`${sim.aster.wsUrl}/ws/btcusdt@bookTicker`);
      const frames = await until(
        () => c.frames,
        (f) => f.length >= 10,
      );
      const prices = new Set(frames.slice(-5).map((f) => (JSON.parse(f.text) as { b: string; a: string }).b));
      expect(prices.size).toBe(1);
      c.ws.close();
    } finally {
      await admin.setPaused(false);
    }
  });

  it('WS faults from a real client: disconnect, silent stall, malformed frames, timestamp skew', async () => {
    const c = collect(`${sim.aster.wsUrl}/ws/btcusdt@bookTicker`);
    await until(
      () => c.frames.length,
      (n) => n >= 3,
    );
    const first = JSON.parse(c.frames.at(-1)!.text) as { E: number; b: string };
    expect(Math.abs(first.E - Date.now())).toBeLessThan(10_000);

    await admin.addFault({ kind: 'timestamp_skew', venue: 'aster', skewMs: -60_000, durationMs: 60_000 });
    const skewed = await until(
      () => c.frames.map((f) => JSON.parse(f.text) as { E: number }).filter((m) => m.E < Date.now() - 50_000),
      (l) => l.length > 0,
    );
    expect(skewed.length).toBeGreaterThan(0);
    await admin.clearFaults('aster');

    await admin.addFault({ kind: 'ws_malformed', venue: 'aster', count: 2 });
    const bad = await until(
      () =>
        c.frames.filter((f) => {
          try {
            JSON.parse(f.text);
            return false;
          } catch {
            return true;
          }
        }),
      (l) => l.length >= 2,
    );
    expect(bad).toHaveLength(2);

    await admin.addFault({ kind: 'ws_stall', venue: 'aster', durationMs: 1500 });
    const stallStart = Date.now();
    const before = c.frames.length;
    await new Promise((r) => setTimeout(r, 800));
    expect(c.frames.length - before).toBeLessThanOrEqual(1);
    expect(c.isClosed()).toBe(false);
    await until(
      () => c.frames.filter((f) => f.at > stallStart + 1500).length,
      (n) => n > 0,
    );

    await admin.addFault({ kind: 'ws_disconnect', venue: 'aster' });
    await until(c.isClosed, (x) => x);
  });
});
