import { createPrivateKey, sign } from 'node:crypto';
import { SIM_CREDENTIALS } from '@arb/config/sim-credentials';
import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BackpackTestVenue, startBackpackTestVenue, waitForAsync as waitFor } from './test-harness';

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

async function getJson(path: string): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(t.venue.restUrl + path);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, body, headers: res.headers };
}

/** A signed request built by the test itself (independent of the simulator's signing code). */
async function signedFetch(
  method: string,
  path: string,
  instruction: string,
  params: Record<string, string | number | boolean>,
  opts: { timestamp?: number; window?: number; tamper?: boolean } = {},
): Promise<{ status: number; body: unknown }> {
  const seed = Buffer.from(SIM_CREDENTIALS.backpack.secret, 'base64');
  const key = createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const ts = opts.timestamp ?? Date.now();
  const window = opts.window ?? 5000;
  const sorted = Object.keys(params)
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
  const message = `instruction=${instruction}&${sorted ? `${sorted}&` : ''}timestamp=${ts}&window=${window}`;
  let signature = sign(null, Buffer.from(message), key).toString('base64');
  if (opts.tamper) signature = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
  const headers: Record<string, string> = {
    'X-API-Key': SIM_CREDENTIALS.backpack.apiKey,
    'X-Signature': signature,
    'X-Timestamp': String(ts),
    'X-Window': String(window),
    'X-Broker-Id': '1400',
  };
  let url = t.venue.restUrl + path;
  let body: string | undefined;
  if (method === 'GET') {
    if (sorted) url += `?${sorted}`;
  } else {
    body = JSON.stringify(params);
    headers['Content-Type'] = 'application/json; charset=utf-8';
  }
  const res = await fetch(url, { method, headers, body });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

describe('Backpack simulator REST with CCXT backpack (unmodified, URLs pointed at the simulator)', () => {
  it('loadMarkets: the perp with its filters', () => {
    const m = ex.market(SYMBOL);
    expect(m.id).toBe('BTC_USDC_PERP');
    expect(m.swap).toBe(true);
    expect(m.active).toBe(true);
    expect(m.precision).toEqual({ amount: 0.00001, price: 0.1 });
    expect(m.limits.amount?.min).toBe(0.00001);
  });

  it('fetchOrderBook; raw depth has ascending bids (best bid LAST), string lastUpdateId, µs timestamp', async () => {
    const book = await ex.fetchOrderBook(SYMBOL);
    const bestBid = book.bids[0]?.[0] ?? 0;
    const bestAsk = book.asks[0]?.[0] ?? 0;
    expect(bestBid).toBeGreaterThan(0);
    expect(bestAsk).toBeGreaterThan(bestBid);
    expect(typeof book.nonce).toBe('number');
    expect(Math.abs((book.timestamp ?? 0) - Date.now())).toBeLessThan(600_000);

    const raw = (await getJson('/api/v1/depth?symbol=BTC_USDC_PERP&limit=5')).body as {
      bids: [string, string][];
      asks: [string, string][];
      lastUpdateId: unknown;
      timestamp: number;
    };
    expect(Object.keys(raw).sort()).toEqual(['asks', 'bids', 'lastUpdateId', 'timestamp']);
    expect(raw.bids).toHaveLength(5);
    const bidPrices = raw.bids.map(([p]) => Number(p));
    const askPrices = raw.asks.map(([p]) => Number(p));
    expect(bidPrices).toEqual([...bidPrices].sort((a, b) => a - b));
    expect(askPrices).toEqual([...askPrices].sort((a, b) => a - b));
    expect(Number(raw.bids.at(-1)?.[0])).toBeLessThan(Number(raw.asks[0]?.[0]));
    expect(typeof raw.lastUpdateId).toBe('string');
    expect(raw.timestamp).toBeGreaterThan(1e15);
    expect(raw.bids[0]?.[0]).toMatch(/^\d+\.\d$/);
    expect(raw.bids[0]?.[1]).toMatch(/^\d+\.\d{5}$/);
  });

  it('fetchTicker, time, status, ping, markPrices', async () => {
    const ticker = await ex.fetchTicker(SYMBOL);
    expect(ticker.last).toBeGreaterThan(0);
    expect(ticker.bid).toBeUndefined();
    const time = await getJson('/api/v1/time');
    expect(String(time.body)).toMatch(/^\d{13}$/);
    expect(time.headers.get('content-type')).toContain('text/plain');
    expect((await getJson('/api/v1/ping')).body).toBe('pong');
    expect((await ex.fetchStatus()).status).toBe('ok');
    const marks = (await getJson('/api/v1/markPrices?symbol=BTC_USDC_PERP')).body as Record<
      string,
      unknown
    >[];
    expect(Object.keys(marks[0] ?? {}).sort()).toEqual([
      'fundingRate',
      'indexPrice',
      'markPrice',
      'nextFundingTimestamp',
      'symbol',
    ]);
  });

  it('market order with a uint32 client id: the 200 carries the final fill; history and fills agree', async () => {
    const order = await ex.createOrder(SYMBOL, 'market', 'buy', 0.01, undefined, {
      clientOrderId: 4294967295,
    });
    expect(order.status).toBe('closed');
    expect(order.filled).toBe(0.01);
    expect(order.clientOrderId).toBe('4294967295');
    expect(order.fee).toBeUndefined();
    expect(order.info).not.toHaveProperty('price');

    await expect(ex.fetchOpenOrder(String(order.id), SYMBOL)).rejects.toBeInstanceOf(
      ccxt.ExchangeNotAvailable,
    );

    const history = await ex.fetchOrders(SYMBOL, undefined, undefined, { orderId: order.id });
    expect(history).toHaveLength(1);
    expect(history[0]?.status).toBe('closed');
    expect(history[0]?.info.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$/);

    const trades = await ex.fetchMyTrades(SYMBOL);
    const mine = trades.filter((tr) => tr.order === order.id);
    expect(mine.reduce((s, tr) => s + (tr.amount ?? 0), 0)).toBeCloseTo(0.01, 8);
    for (const tr of mine) {
      expect(tr.fee?.currency).toBe('USDC');
      expect(tr.fee?.cost).toBeGreaterThan(0);
      expect(tr.takerOrMaker).toBe('taker');
      expect(tr.info.clientId).toBe('4294967295');
    }
  });

  it('market buy by quote quantity (CCXT cost): spends at most the quote, answers quoteQuantity', async () => {
    const order = await ex.createOrder(SYMBOL, 'market', 'buy', 0, undefined, {
      cost: 150,
      clientOrderId: 79,
    });
    expect(order.status).toBe('closed');
    expect(order.info.quoteQuantity).toBe('150');
    expect(order.info.quantity).toBeNull();
    expect(order.cost).toBeLessThanOrEqual(150);
    expect(order.cost).toBeGreaterThan(149);
    await ex.createOrder(SYMBOL, 'market', 'sell', order.filled ?? 0, undefined, { clientOrderId: 80 });
  });

  it('IOC limit orders: one that crosses fills, one that does not expires with ImmediateOrCancel', async () => {
    const book = await ex.fetchOrderBook(SYMBOL);
    const bid = book.bids[0]?.[0] ?? 0;
    const filled = await ex.createOrder(SYMBOL, 'limit', 'sell', 0.002, bid - 200, {
      timeInForce: 'IOC',
      clientOrderId: 77,
    });
    expect(filled.status).toBe('closed');
    expect(filled.filled).toBe(0.002);

    const missed = await ex.createOrder(SYMBOL, 'limit', 'buy', 0.002, bid - 500, {
      timeInForce: 'IOC',
      clientOrderId: 78,
    });
    expect(missed.status).toBe('canceled');
    expect(missed.info.status).toBe('Expired');
    expect(missed.filled).toBe(0);
    const [hist] = await ex.fetchOrders(SYMBOL, undefined, undefined, { orderId: missed.id });
    expect(hist?.info.expiryReason).toBe('ImmediateOrCancel');
    await expect(ex.fetchOpenOrder(String(missed.id), SYMBOL)).rejects.toBeInstanceOf(
      ccxt.ExchangeNotAvailable,
    );
  });

  it('a resting limit order: fetchOpenOrder, open orders, cancelOrder, then 404', async () => {
    const book = await ex.fetchOrderBook(SYMBOL);
    const price = Math.round(((book.bids[0]?.[0] ?? 0) - 1000) * 10) / 10;
    const order = await ex.createOrder(SYMBOL, 'limit', 'buy', 0.001, price, { clientOrderId: 123 });
    expect(order.status).toBe('open');
    const open = await ex.fetchOpenOrder(String(order.id), SYMBOL);
    expect(open.id).toBe(order.id);
    expect(open.price).toBe(price);
    const byClientId = await ex.privateGetApiV1Order({ symbol: 'BTC_USDC_PERP', clientId: 123 });
    expect(byClientId.id).toBe(order.id);
    expect((await ex.fetchOpenOrders(SYMBOL)).map((o) => o.id)).toContain(order.id);
    const cancelled = await ex.cancelOrder(String(order.id), SYMBOL);
    expect(cancelled.status).toBe('canceled');
    await expect(ex.fetchOpenOrder(String(order.id), SYMBOL)).rejects.toBeInstanceOf(
      ccxt.ExchangeNotAvailable,
    );
    await expect(ex.cancelOrder(String(order.id), SYMBOL)).rejects.toBeInstanceOf(ccxt.ExchangeNotAvailable);
    const [hist] = await ex.fetchOrders(SYMBOL, undefined, undefined, { orderId: order.id });
    expect(hist?.info.status).toBe('Cancelled');
  });

  it('a GTC limit that crosses part of the book answers PartiallyFilled with the crossed quantity', async () => {
    // Paused: prices cannot move between reading the book and crossing it. (The engine restores taken liquidity
    // on its next re-publish, so the resting remainder may fill as maker soon after; only the answer is checked.)
    t.core.market.setPaused(true);
    try {
      // The first re-publish after pausing still carries the price drift since the last book change.
      const paused = t.core.engines.backpack.book().updateId;
      await waitFor(
        async () => (t.core.engines.backpack.book().updateId > paused ? true : undefined),
        'a paused book',
      );
      const raw = (await ex.publicGetApiV1Depth({ symbol: 'BTC_USDC_PERP', limit: '5' })) as {
        asks: [string, string][];
      };
      const [askPrice, askQty] = raw.asks[0] ?? ['0', '0'];
      const qty = Math.round((Number(askQty) + 0.005) * 1e5) / 1e5;
      const order = await ex.createOrder(SYMBOL, 'limit', 'buy', qty, Number(askPrice), {
        clientOrderId: 456,
      });
      expect(order.info.status).toBe('PartiallyFilled');
      // While paused the market still re-publishes, flipping the top size by one step.
      expect(Math.abs((order.filled ?? 0) - Number(askQty))).toBeLessThanOrEqual(0.00001 + 1e-9);
      expect(order.status).toBe('open');
      await ex.cancelAllOrders(SYMBOL);
      const [final] = await ex.fetchOrders(SYMBOL, undefined, undefined, { orderId: order.id });
      expect(['Cancelled', 'Filled']).toContain(final?.info.status);
      // Flatten what it bought so the position checks below start from the earlier market buy only.
      await ex.createOrder(SYMBOL, 'market', 'sell', final?.filled ?? 0, undefined, { clientOrderId: 457 });
    } finally {
      t.core.market.setPaused(false);
    }
  });

  it('a resting order the market moves through fills as maker at its own price with the maker fee', async () => {
    const book = await ex.fetchOrderBook(SYMBOL);
    const price = Math.round(((book.bids[0]?.[0] ?? 0) - 30) * 10) / 10;
    const order = await ex.createOrder(SYMBOL, 'limit', 'buy', 0.002, price, { clientOrderId: 458 });
    expect(order.status).toBe('open');
    t.core.market.jump({ deltaUsd: -400 });
    const filled = await waitFor(async () => {
      const [o] = await ex.fetchOrders(SYMBOL, undefined, undefined, { orderId: order.id });
      return o?.status === 'closed' ? o : undefined;
    }, 'the resting order to fill');
    expect(filled.info.status).toBe('Filled');
    const fills = (await ex.fetchMyTrades(SYMBOL)).filter((f) => f.order === order.id);
    expect(fills.every((f) => f.takerOrMaker === 'maker' && f.price === price)).toBe(true);
    const fee = fills.reduce((sum, f) => sum + (f.fee?.cost ?? 0), 0);
    expect(fee).toBeCloseTo(0.002 * price * 0.0002, 6);
    await ex.createOrder(SYMBOL, 'market', 'sell', 0.002, undefined, { clientOrderId: 459 });
  });

  it('positions, balance, reduce-only (clipped to the position, refused when it would not reduce)', async () => {
    const positions = await ex.fetchPositions([SYMBOL]);
    expect(positions).toHaveLength(1);
    const p = positions[0];
    expect(p?.side).toBe('long');
    expect(Number(p?.contracts)).toBeCloseTo(0.008, 8);
    expect(Number(p?.info.netQuantity)).toBeCloseTo(0.008, 8);
    expect(Number(p?.entryPrice)).toBeGreaterThan(0);

    const balance = await ex.fetchBalance();
    expect(balance.USDC?.free).toBeGreaterThan(0);

    const close = await ex.createOrder(SYMBOL, 'market', 'sell', 0.02, undefined, {
      reduceOnly: true,
      timeInForce: 'IOC',
      clientOrderId: 900,
    });
    expect(close.status).toBe('closed');
    expect(close.filled).toBeCloseTo(0.008, 8);
    expect(close.reduceOnly).toBe(true);
    expect(await ex.fetchPositions()).toEqual([]);
    await expect(
      ex.createOrder(SYMBOL, 'market', 'sell', 0.001, undefined, { reduceOnly: true, clientOrderId: 901 }),
    ).rejects.toBeInstanceOf(ccxt.InvalidOrder);
  });

  it('history paging: limit, offset, sortDirection and the pagination headers', async () => {
    const all = (await ex.privateGetWapiV1HistoryOrders({ symbol: 'BTC_USDC_PERP' })) as { id: string }[];
    expect(all.length).toBeGreaterThanOrEqual(4);
    const pageTwo = (await ex.privateGetWapiV1HistoryOrders({
      symbol: 'BTC_USDC_PERP',
      limit: 2,
      offset: 2,
    })) as {
      id: string;
    }[];
    expect(pageTwo.map((o) => o.id)).toEqual(all.slice(2, 4).map((o) => o.id));
    const headers = ex.last_response_headers as Record<string, string>;
    const header = (name: string) => Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
    expect(header('x-total')).toBe(String(all.length));
    expect(header('x-current-page')).toBe('2');
    const asc = (await ex.privateGetWapiV1HistoryOrders({
      symbol: 'BTC_USDC_PERP',
      sortDirection: 'Asc',
    })) as {
      id: string;
    }[];
    expect(asc.map((o) => o.id)).toEqual([...all].reverse().map((o) => o.id));
  });

  it('funding history exists and is empty (funding is not simulated)', async () => {
    expect(await ex.fetchFundingHistory(SYMBOL)).toEqual([]);
  });

  it('leverage limit through PATCH /api/v1/account; fees in bps', async () => {
    await ex.privatePatchApiV1Account({ leverageLimit: '5' });
    const account = await ex.privateGetApiV1Account();
    expect(account.leverageLimit).toBe('5');
    expect(account.futuresTakerFee).toBe('5');
    expect(account.futuresMakerFee).toBe('2');
    await expect(ex.privatePatchApiV1Account({ leverageLimit: '500' })).rejects.toBeInstanceOf(
      ccxt.BadRequest,
    );
  });

  it('insufficient margin and filter violations get the documented codes', async () => {
    await expect(
      ex.createOrder(SYMBOL, 'market', 'buy', 900, undefined, { clientOrderId: 5 }),
    ).rejects.toBeInstanceOf(ccxt.InsufficientFunds);
    const near = Math.round(t.core.engines.backpack.markPrice()) - 100;
    const r = await signedFetch('POST', '/api/v1/order', 'orderExecute', {
      symbol: 'BTC_USDC_PERP',
      side: 'Bid',
      orderType: 'Limit',
      price: `${near}.05`,
      quantity: '0.001',
    });
    expect(r).toEqual({
      status: 400,
      body: { code: 'INVALID_PRICE', message: expect.stringMatching(/tick/) },
    });
    const far = await signedFetch('POST', '/api/v1/order', 'orderExecute', {
      symbol: 'BTC_USDC_PERP',
      side: 'Bid',
      orderType: 'Limit',
      price: String(Math.round(near * 0.5)),
      quantity: '0.001',
    });
    expect(far).toEqual({
      status: 400,
      body: { code: 'INVALID_PRICE', message: 'Price is too far from the last active price' },
    });
    const q = await signedFetch('POST', '/api/v1/order', 'orderExecute', {
      symbol: 'BTC_USDC_PERP',
      side: 'Bid',
      orderType: 'Market',
      quantity: '0.000001',
    });
    expect(q).toEqual({ status: 400, body: { code: 'INVALID_QUANTITY', message: expect.any(String) } });
    const c = await signedFetch('POST', '/api/v1/order', 'orderExecute', {
      symbol: 'BTC_USDC_PERP',
      side: 'Bid',
      orderType: 'Market',
      quantity: '0.001',
      clientId: 4294967296,
    });
    expect(c).toEqual({ status: 400, body: { code: 'INVALID_CLIENT_REQUEST', message: expect.any(String) } });
  });
});

describe('Backpack simulator batch orders (POST /api/v1/orders)', () => {
  it('CCXT createOrders: per-order results, Ok orders executed, Err entries carry the code', async () => {
    const results = await ex.createOrders([
      { symbol: SYMBOL, type: 'market', side: 'buy', amount: 0.001, params: { clientOrderId: 3001 } },
      { symbol: SYMBOL, type: 'market', side: 'sell', amount: 0.001, params: { clientOrderId: 3002 } },
    ]);
    expect(results.map((o) => o.info.operation)).toEqual(['Ok', 'Ok']);
    expect(results.map((o) => o.status)).toEqual(['closed', 'closed']);
    const raw = (await ex.privatePostApiV1Orders([
      { symbol: 'BTC_USDC_PERP', side: 'Bid', orderType: 'Market', quantity: '0.001', clientId: 3003 },
      { symbol: 'BTC_USDC_PERP', side: 'Bid', orderType: 'Market', quantity: '0.000001', clientId: 3004 },
    ])) as Record<string, unknown>[];
    expect(raw[0]).toMatchObject({ operation: 'Ok', status: 'Filled', clientId: 3003 });
    expect(raw[1]).toEqual({ operation: 'Err', code: 'INVALID_QUANTITY', message: expect.any(String) });
  });
});

describe('Backpack simulator bad input', () => {
  it('malformed bodies, unknown routes, both order ids, binary junk: clear errors, nothing crashes', async () => {
    const post = (path: string, body: string) =>
      fetch(t.venue.restUrl + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
    const broken = await post('/api/v1/order', '{"symbol":');
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { code: string }).code).toBe('INVALID_CLIENT_REQUEST');
    const unknown = await fetch(`${t.venue.restUrl}/api/v9/nothing`);
    expect(unknown.status).toBe(404);
    const both = await signedFetch('GET', '/api/v1/order', 'orderQuery', {
      symbol: 'BTC_USDC_PERP',
      orderId: '1',
      clientId: 1,
    });
    expect(both).toEqual({
      status: 400,
      body: { code: 'INVALID_CLIENT_REQUEST', message: expect.any(String) },
    });
    const badDepth = await fetch(`${t.venue.restUrl}/api/v1/depth?symbol=BTC_USDC_PERP&limit=7`);
    expect(badDepth.status).toBe(400);
    const badSymbol = await fetch(`${t.venue.restUrl}/api/v1/depth?symbol=ETH_USDC_PERP`);
    expect(((await badSymbol.json()) as { code: string }).code).toBe('INVALID_SYMBOL');
    expect((await ex.fetchStatus()).status).toBe('ok');
  });
});

describe('Backpack simulator auth, with signatures computed by the test', () => {
  it('a correctly signed request passes; JSON body parsed on DELETE', async () => {
    expect((await signedFetch('GET', '/api/v1/capital', 'balanceQuery', {})).status).toBe(200);
    const del = await signedFetch('DELETE', '/api/v1/order', 'orderCancel', {
      orderId: '1',
      symbol: 'BTC_USDC_PERP',
    });
    expect(del).toEqual({ status: 404, body: { code: 'RESOURCE_NOT_FOUND', message: 'Order not found' } });
  });

  it('tampered signature -> 400 INVALID_SIGNATURE (CCXT AuthenticationError)', async () => {
    expect(await signedFetch('GET', '/api/v1/capital', 'balanceQuery', {}, { tamper: true })).toEqual({
      status: 400,
      body: { code: 'INVALID_SIGNATURE', message: 'Invalid signature' },
    });
    const wrong = t.rest({ secret: 'AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=' });
    await expect(wrong.fetchBalance()).rejects.toBeInstanceOf(ccxt.AuthenticationError);
  });

  it('stale or future timestamp -> 401 UNAUTHORIZED "Request has expired"; window > 60000 refused', async () => {
    const expired = { status: 401, body: { code: 'UNAUTHORIZED', message: 'Request has expired' } };
    expect(
      await signedFetch('GET', '/api/v1/capital', 'balanceQuery', {}, { timestamp: Date.now() - 10_000 }),
    ).toEqual(expired);
    expect(
      await signedFetch('GET', '/api/v1/capital', 'balanceQuery', {}, { timestamp: Date.now() + 10_000 }),
    ).toEqual(expired);
    const wide = await signedFetch('GET', '/api/v1/capital', 'balanceQuery', {}, { window: 60_001 });
    expect(wide.status).toBe(400);
    const stale = t.rest();
    stale.nonce = () => Date.now() - 60_000;
    await expect(stale.fetchBalance()).rejects.toBeInstanceOf(ccxt.AuthenticationError);
  });

  it('missing key -> 401 UNAUTHORIZED', async () => {
    const res = await fetch(`${t.venue.restUrl}/api/v1/capital`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe('UNAUTHORIZED');
  });
});
