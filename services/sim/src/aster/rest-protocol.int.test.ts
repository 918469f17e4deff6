import { createHmac } from 'node:crypto';
import { Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AsterHarness,
  CCXT_WALLET,
  DOC_HMAC,
  hmacRequest,
  rawRequest,
  SIM_ACCOUNT,
  startAsterHarness,
  v3Request,
} from './test-harness';

let h: AsterHarness;
let base: string;

beforeAll(async () => {
  h = await startAsterHarness();
  base = h.venue.restUrl;
});

afterAll(async () => {
  await h?.close();
});

const order = (extra: Record<string, string> = {}) => ({
  symbol: 'BTCUSDT',
  side: 'BUY',
  type: 'MARKET',
  quantity: '0.001',
  ...extra,
});

describe('public REST', () => {
  it('serves time, ping, depth, tickers and premiumIndex with weight headers', async () => {
    const t = await rawRequest(`${base}/fapi/v1/time`);
    expect(t.status).toBe(200);
    expect(Math.abs((t.body.serverTime as number) - Date.now())).toBeLessThan(60_000);
    expect(t.headers.get('x-mbx-used-weight-1m')).toMatch(/^\d+$/);
    expect((await rawRequest(`${base}/fapi/v1/ping`)).body).toEqual({});
    const d = await rawRequest(`${base}/fapi/v1/depth?symbol=BTCUSDT&limit=10`);
    expect(Object.keys(d.body)).toEqual(['lastUpdateId', 'E', 'T', 'bids', 'asks']);
    expect((d.body.bids as unknown[]).length).toBe(10);
    const before = Number(d.headers.get('x-mbx-used-weight-1m'));
    const d1000 = await rawRequest(`${base}/fapi/v1/depth?symbol=BTCUSDT&limit=1000`);
    expect(Number(d1000.headers.get('x-mbx-used-weight-1m'))).toBe(before + 20);
    const bad = await rawRequest(`${base}/fapi/v1/depth?symbol=BTCUSDT&limit=7`);
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ code: -4021, msg: "'7' is not valid depth limit." });
    const bt = await rawRequest(`${base}/fapi/v1/ticker/bookTicker?symbol=BTCUSDT`);
    expect(Object.keys(bt.body)).toEqual(['symbol', 'bidPrice', 'bidQty', 'askPrice', 'askQty', 'time']);
    const tk = await rawRequest(`${base}/fapi/v1/ticker/24hr?symbol=BTCUSDT`);
    expect(tk.body.symbol).toBe('BTCUSDT');
    expect(tk.body.lastPrice).toMatch(/^\d+\.\d$/);
    const pi = await rawRequest(`${base}/fapi/v1/premiumIndex?symbol=BTCUSDT`);
    expect(pi.body.markPrice).toMatch(/^\d+\.\d{8}$/);
    const sym = await rawRequest(`${base}/fapi/v1/depth?symbol=ETHUSDT`);
    expect(sym.body).toEqual({ code: -1121, msg: 'Invalid symbol.' });
  });

  it('exchangeInfo carries the symbol filters', async () => {
    const r = await rawRequest(`${base}/fapi/v1/exchangeInfo`);
    const sym = (r.body.symbols as Record<string, unknown>[])[0] as { filters: Record<string, string>[] };
    const byType = Object.fromEntries(sym.filters.map((f) => [f.filterType, f]));
    expect(byType.PRICE_FILTER).toMatchObject({ tickSize: '0.1', minPrice: '1', maxPrice: '1000000' });
    expect(byType.LOT_SIZE).toMatchObject({ minQty: '0.001', maxQty: '100.000', stepSize: '0.001' });
    expect(byType.MARKET_LOT_SIZE).toMatchObject({ maxQty: '10.000' });
    expect(byType.MIN_NOTIONAL).toMatchObject({ notional: '5' });
    expect(byType.PERCENT_PRICE).toMatchObject({ multiplierUp: '1.0200', multiplierDown: '0.9800' });
  });
});

describe('V1 HMAC auth over HTTP', () => {
  it('accepts a documented-style signed order (body) and answers ACK with the order-count header', async () => {
    const r = await hmacRequest(base, 'POST', '/fapi/v1/order', order({ newClientOrderId: 'hmac-1' }));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      clientOrderId: 'hmac-1',
      status: 'NEW',
      executedQty: '0.000',
      symbol: 'BTCUSDT',
    });
    expect(r.headers.get('x-mbx-order-count-1m')).toBe('1');
    expect(r.headers.get('x-mbx-used-weight-1m')).toMatch(/^\d+$/);
    const q = await hmacRequest(base, 'GET', '/fapi/v1/order', {
      symbol: 'BTCUSDT',
      origClientOrderId: 'hmac-1',
    });
    expect(q.body).toMatchObject({
      status: 'FILLED',
      executedQty: '0.001',
      type: 'MARKET',
      reduceOnly: false,
    });
    expect(typeof q.body.time).toBe('number');
  });

  it("accepts the docs' example order, signed the documented way with the params split between query and body", async () => {
    // [DOC §SIGNED Endpoint Examples] example 3: query `symbol..timeInForce=GTC`, body `quantity..timestamp`;
    // the signature covers query + body concatenated with no '&'. Only the timestamp is fresh.
    const q = 'symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC';
    const b = `quantity=1&price=9000&recvWindow=5000&timestamp=${Date.now()}`;
    const sig = createHmac('sha256', DOC_HMAC.secret)
      .update(q + b)
      .digest('hex');
    const r = await rawRequest(`${base}/fapi/v1/order?${q}`, {
      method: 'POST',
      headers: { 'X-MBX-APIKEY': DOC_HMAC.apiKey, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `${b}&signature=${sig}`,
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      price: '9000.0',
      origQty: '1.000',
    });
    expect(h.core.engines.aster.openOrders('doc')).toHaveLength(1);
    // The same bytes with '&' between query and body do not verify.
    const wrong = createHmac('sha256', DOC_HMAC.secret).update(`${q}&${b}`).digest('hex');
    const r2 = await rawRequest(`${base}/fapi/v1/order?${q}`, {
      method: 'POST',
      headers: { 'X-MBX-APIKEY': DOC_HMAC.apiKey, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `${b}&signature=${wrong}`,
    });
    expect(r2.body.code).toBe(-1022);
  });

  it('newOrderRespType=RESULT answers the state after matching', async () => {
    const r = await hmacRequest(base, 'POST', '/fapi/v1/order', order({ newOrderRespType: 'RESULT' }));
    expect(r.body).toMatchObject({ status: 'FILLED', executedQty: '0.001' });
    expect(r.body.clientOrderId).toMatch(/^sim_\d+$/);
  });

  it('answers tampered signature -1022, stale timestamp -1021, missing key -2014, unknown key -2015', async () => {
    const tampered = await hmacRequest(base, 'POST', '/fapi/v1/order', order(), { tamper: true });
    expect([tampered.status, tampered.body]).toEqual([
      400,
      { code: -1022, msg: 'Signature for this request is not valid.' },
    ]);
    const stale = await hmacRequest(base, 'POST', '/fapi/v1/order', order(), {
      timestamp: Date.now() - 10_000,
    });
    expect([stale.status, stale.body.code]).toEqual([400, -1021]);
    const missing = await hmacRequest(base, 'POST', '/fapi/v1/order', order(), { apiKey: null });
    expect([missing.status, missing.body]).toEqual([401, { code: -2014, msg: 'API-key format invalid.' }]);
    const unknown = await hmacRequest(base, 'POST', '/fapi/v1/order', order(), { apiKey: 'x'.repeat(64) });
    expect([unknown.status, unknown.body.code]).toEqual([401, -2015]);
    // None of them reached the engine.
    const history = h.core.engines.aster.orderHistory(SIM_ACCOUNT);
    expect(history.every((o) => o.qty === 0.001)).toBe(true);
  });

  it('maps business errors to the documented codes', async () => {
    const e = async (p: Record<string, string>, method = 'POST', path = '/fapi/v1/order') =>
      (await hmacRequest(base, method, path, p)).body.code;
    const bid = h.core.engines.aster.book(1).bids[0]?.price ?? 0;
    expect(await e({ symbol: 'BTCUSDT', orderId: '1' }, 'GET')).toBe(-2013);
    expect(await e({ symbol: 'BTCUSDT', orderId: '1' }, 'DELETE')).toBe(-2011);
    expect(await e(order({ quantity: '0' }))).toBe(-4003);
    expect(await e(order({ quantity: '0.0005' }))).toBe(-1111);
    expect(await e(order({ quantity: '11' }))).toBe(-4005);
    expect(await e(order({ type: 'LIMIT', timeInForce: 'GTC', quantity: '101', price: String(bid) }))).toBe(
      -4005,
    );
    expect(await e(order({ type: 'LIMIT', timeInForce: 'GTC', price: '0.5' }))).toBe(-4013);
    expect(await e(order({ type: 'LIMIT', timeInForce: 'GTC', price: `${Math.floor(bid)}.05` }))).toBe(-1111); // two decimals on a 1-decimal tick
    expect(await e(order({ type: 'LIMIT', timeInForce: 'GTC', price: '1000' }))).toBe(-4164);
    expect(await e(order({ type: 'LIMIT', timeInForce: 'GTC', price: String(Math.round(bid * 1.05)) }))).toBe(
      -4016,
    );
    expect(await e(order({ newClientOrderId: 'bad id!' }))).toBe(-4015);
    expect(await e(order({ newClientOrderId: 'x'.repeat(37) }))).toBe(-4015);
    // The account is long from the orders above: a reduce-only BUY would grow it.
    expect(h.core.engines.aster.position(SIM_ACCOUNT).qty).toBeGreaterThan(0);
    expect(await e(order({ reduceOnly: 'true' }))).toBe(-2022);
    expect(await e({ symbol: 'BTCUSDT', leverage: '1' }, 'POST', '/fapi/v1/leverage')).toBeUndefined();
    expect(await e(order({ quantity: '5', type: 'LIMIT', timeInForce: 'GTC', price: String(bid) }))).toBe(
      -2019,
    );
    expect(await e({ symbol: 'BTCUSDT', leverage: '126' }, 'POST', '/fapi/v1/leverage')).toBe(-4028);
    expect(await e(order({ type: 'STOP' }))).toBe(-1116);
  });

  it('rejects a second open order with the same client order id (-4116)', async () => {
    const bid = h.core.engines.aster.book(1).bids[0]?.price ?? 0;
    const resting = order({ type: 'LIMIT', timeInForce: 'GTC', price: String(Math.floor(bid * 0.99)) });
    const a = await hmacRequest(base, 'POST', '/fapi/v1/order', { ...resting, newClientOrderId: 'dup-1' });
    expect(a.status).toBe(200);
    const b = await hmacRequest(base, 'POST', '/fapi/v1/order', { ...resting, newClientOrderId: 'dup-1' });
    expect([b.status, b.body]).toEqual([400, { code: -4116, msg: 'ClientOrderId is duplicated.' }]);
    const open = await hmacRequest(base, 'GET', '/fapi/v1/openOrders', { symbol: 'BTCUSDT' });
    expect((open.body as unknown as { clientOrderId: string }[]).map((o) => o.clientOrderId)).toContain(
      'dup-1',
    );
    const all = await hmacRequest(base, 'DELETE', '/fapi/v1/allOpenOrders', { symbol: 'BTCUSDT' });
    expect(all.body).toEqual({ code: '200', msg: 'The operation of cancel all open order is done.' });
    const again = await hmacRequest(base, 'POST', '/fapi/v1/order', {
      ...resting,
      newClientOrderId: 'dup-1',
    });
    expect(again.status).toBe(200);
    await hmacRequest(base, 'DELETE', '/fapi/v1/allOpenOrders', { symbol: 'BTCUSDT' });
  });

  it('serves account endpoints: positionRisk (with notional), balance, account, brackets, commission, trades', async () => {
    const pr = await hmacRequest(base, 'GET', '/fapi/v2/positionRisk', { symbol: 'BTCUSDT' });
    const row = (pr.body as unknown as Record<string, string>[])[0] as Record<string, string>;
    expect(Number(row.positionAmt)).toBeCloseTo(h.core.engines.aster.position(SIM_ACCOUNT).qty, 6);
    expect(row).toHaveProperty('notional');
    expect(row.positionSide).toBe('BOTH');
    const bal = await hmacRequest(base, 'GET', '/fapi/v2/balance', {});
    expect((bal.body as unknown as Record<string, string>[])[0]).toMatchObject({ asset: 'USDT' });
    const acct = await hmacRequest(base, 'GET', '/fapi/v4/account', {});
    expect(acct.body).toHaveProperty('assets');
    expect(acct.body).toHaveProperty('positions');
    const br = await hmacRequest(base, 'GET', '/fapi/v1/leverageBracket', {});
    expect((br.body as unknown as { brackets: unknown[] }[])[0]?.brackets.length).toBeGreaterThan(0);
    const cr = await hmacRequest(base, 'GET', '/fapi/v1/commissionRate', { symbol: 'BTCUSDT' });
    expect(cr.body).toEqual({
      symbol: 'BTCUSDT',
      makerCommissionRate: '0.0001',
      takerCommissionRate: '0.00035',
    });
    const tr = await hmacRequest(base, 'GET', '/fapi/v1/userTrades', { symbol: 'BTCUSDT' });
    const trades = tr.body as unknown as Record<string, unknown>[];
    expect(trades.length).toBe(h.core.engines.aster.fills(SIM_ACCOUNT).length);
    expect(trades[0]).toMatchObject({ symbol: 'BTCUSDT', commissionAsset: 'USDT', positionSide: 'BOTH' });
    const mt = await hmacRequest(base, 'POST', '/fapi/v1/marginType', {
      symbol: 'BTCUSDT',
      marginType: 'CROSSED',
    });
    expect(mt.body.code).toBe(-4046);
    const dual = await hmacRequest(base, 'GET', '/fapi/v1/positionSide/dual', {});
    expect(dual.body).toEqual({ dualSidePosition: false });
  });
});

describe('V3 wallet auth over HTTP', () => {
  it('accepts the sim wallet (user + agent signer) and rejects a reused nonce with -4225', async () => {
    const nonce = String(Date.now() * 1000);
    const a = await v3Request(base, 'POST', '/fapi/v3/order', order({ newClientOrderId: 'v3-1' }), { nonce });
    expect(a.status).toBe(200);
    expect(a.body.clientOrderId).toBe('v3-1');
    const b = await v3Request(base, 'POST', '/fapi/v3/order', order({ newClientOrderId: 'v3-2' }), { nonce });
    expect([b.status, b.body]).toEqual([400, { code: -4225, msg: 'Nonce Expired' }]);
    const stale = await v3Request(
      base,
      'GET',
      '/fapi/v3/balance',
      {},
      { nonce: String((Date.now() - 60_000) * 1000) },
    );
    expect(stale.body.code).toBe(-1021);
    const stranger = Wallet.createRandom();
    const unknown = await v3Request(
      base,
      'GET',
      '/fapi/v3/balance',
      {},
      { wallet: new Wallet(stranger.privateKey) },
    );
    expect([unknown.status, unknown.body.code]).toEqual([401, -2015]);
    // A wallet registered with user = signer (what CCXT sends) is its own account.
    const self = await v3Request(base, 'GET', '/fapi/v3/balance', {}, { wallet: CCXT_WALLET });
    expect(self.status).toBe(200);
    const cancelAll = await v3Request(base, 'DELETE', '/fapi/v3/allOpenOrders', { symbol: 'BTCUSDT' });
    expect(cancelAll.body).toEqual({ code: 200, msg: 'The operation of cancel all open order is done.' });
  });

  it('answers -1022 when the signature does not recover the declared signer', async () => {
    const msg = new URLSearchParams({
      nonce: String(Date.now() * 1000),
      user: '0x957348E71C83137D67Bf5D4BeB6A063df8A24Bb9',
      signer: '0xc27E1c2C04eeb310AEBd2c506dd78D85c3eF3b4A',
    }).toString();
    const sig = await CCXT_WALLET.signTypedData(
      { name: 'AsterSignTransaction', version: '1', chainId: 1666, verifyingContract: `0x${'0'.repeat(40)}` },
      { Message: [{ name: 'msg', type: 'string' }] },
      { msg },
    );
    const r = await rawRequest(`${base}/fapi/v3/balance?${msg}&signature=${sig}`);
    expect([r.status, r.body.code]).toEqual([400, -1022]);
  });
});
