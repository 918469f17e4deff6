import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BackpackTestVenue, startBackpackTestVenue, waitFor } from './test-harness';

const SYMBOL = 'BTC/USDC:USDC';
let t: BackpackTestVenue;
let ex: ReturnType<BackpackTestVenue['rest']>;

beforeAll(async () => {
  t = await startBackpackTestVenue();
  ex = t.rest();
  await ex.loadMarkets();
});
afterAll(async () => {
  await t?.stop();
});

async function historyByClientId(clientId: number): Promise<Record<string, unknown>[]> {
  const rows = (await ex.privateGetWapiV1HistoryOrders({ symbol: 'BTC_USDC_PERP' })) as Record<
    string,
    unknown
  >[];
  return rows.filter((r) => r.clientId === clientId);
}

describe('Backpack simulator REST faults, observed from CCXT and fetch', () => {
  it('latency: the answer comes no sooner than the added delay', async () => {
    t.fault({ kind: 'latency', venue: 'backpack', route: 'GET /api/v1/ticker', ms: 400, count: 1 });
    const started = Date.now();
    await ex.fetchTicker(SYMBOL);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  });

  it('5xx: 500 SERVER_ERROR (CCXT NetworkError) and the order is NOT executed', async () => {
    t.fault({ kind: 'http_error', venue: 'backpack', route: 'POST /api/v1/order', status: 500, count: 1 });
    await expect(
      ex.createOrder(SYMBOL, 'market', 'buy', 0.001, undefined, { clientOrderId: 1001 }),
    ).rejects.toBeInstanceOf(ccxt.NetworkError);
    expect(await historyByClientId(1001)).toEqual([]);
  });

  it('429 with Retry-After (CCXT RateLimitExceeded)', async () => {
    t.fault({
      kind: 'rate_limit',
      venue: 'backpack',
      route: 'GET /api/v1/depth',
      retryAfterSec: 3,
      count: 2,
    });
    const res = await fetch(`${t.venue.restUrl}/api/v1/depth?symbol=BTC_USDC_PERP`);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(await res.json()).toEqual({ code: 'TOO_MANY_REQUESTS', message: expect.any(String) });
    await expect(ex.fetchOrderBook(SYMBOL)).rejects.toBeInstanceOf(ccxt.RateLimitExceeded);
    expect((await ex.fetchOrderBook(SYMBOL)).bids.length).toBeGreaterThan(0);
  });

  it('maintenance: 503 MAINTENANCE on every route, /status says Maintenance, then recovery', async () => {
    t.fault({ kind: 'maintenance', venue: 'backpack', durationMs: 1500 });
    const res = await fetch(`${t.venue.restUrl}/api/v1/ticker?symbol=BTC_USDC_PERP`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ code: 'MAINTENANCE', message: 'System under maintenance' });
    await expect(
      ex.createOrder(SYMBOL, 'market', 'buy', 0.001, undefined, { clientOrderId: 1002 }),
    ).rejects.toBeInstanceOf(ccxt.ExchangeError);
    expect((await ex.fetchStatus()).status).toBe('maintenance');
    await waitFor(() => (t.core.faults.active().length === 0 ? true : undefined), 'maintenance to end');
    expect((await ex.fetchStatus()).status).toBe('ok');
    expect(await historyByClientId(1002)).toEqual([]);
  });

  it('timeout after execution (drop): the client sees a network failure, the order did execute', async () => {
    t.fault({
      kind: 'timeout_after_execution',
      venue: 'backpack',
      route: 'POST /api/v1/order',
      drop: true,
      count: 1,
    });
    await expect(
      ex.createOrder(SYMBOL, 'market', 'buy', 0.001, undefined, { clientOrderId: 1003 }),
    ).rejects.toBeInstanceOf(ccxt.NetworkError);
    const rows = await historyByClientId(1003);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.status).toBe('Filled');
  });

  it('timeout after execution (delay past the client timeout): RequestTimeout, the order did execute', async () => {
    t.fault({
      kind: 'timeout_after_execution',
      venue: 'backpack',
      route: 'POST /api/v1/order',
      delayMs: 3000,
      count: 1,
    });
    const impatient = t.rest({ timeout: 1000 });
    await impatient.loadMarkets();
    await expect(
      impatient.createOrder(SYMBOL, 'market', 'sell', 0.001, undefined, { clientOrderId: 1004 }),
    ).rejects.toBeInstanceOf(ccxt.RequestTimeout);
    const rows = await historyByClientId(1004);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.status).toBe('Filled');
  });

  it('reject the next order: INSUFFICIENT_MARGIN (CCXT InsufficientFunds), then orders pass again', async () => {
    t.fault({ kind: 'reject_orders', venue: 'backpack', count: 1, reason: 'insufficient_margin' });
    await expect(
      ex.createOrder(SYMBOL, 'market', 'buy', 0.001, undefined, { clientOrderId: 1005 }),
    ).rejects.toBeInstanceOf(ccxt.InsufficientFunds);
    const ok = await ex.createOrder(SYMBOL, 'market', 'buy', 0.001, undefined, { clientOrderId: 1006 });
    expect(ok.status).toBe('closed');
  });
});
