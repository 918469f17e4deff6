import { readFileSync } from 'node:fs';
import { VenueError } from '@arb/net/venue-error';
import { describe, expect, it } from 'vitest';
import { BackpackVenueClient } from './backpack-venue-client';
import { classifyHttpFailure } from './error-map';
import type { BackpackRestTransport, HttpMethod, RestParams } from './rest-transport';

/** Request shapes and outcome paths with an injected transport answering recorded payloads. */

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../test-data/${name}`, import.meta.url), 'utf8'));

const MARKETS = [
  {
    symbol: 'BTC_USDC_PERP',
    marketType: 'PERP',
    filters: {
      price: { tickSize: '0.1', minPrice: '0.1' },
      quantity: { stepSize: '0.00001', minQuantity: '0.00001', maxQuantity: null },
    },
  },
];

type Handler = (params: RestParams) => unknown;

class ScriptedTransport implements BackpackRestTransport {
  readonly kind = 'direct' as const;
  readonly calls: { method: HttpMethod; path: string; params: RestParams; isPrivate: boolean }[] = [];
  constructor(private readonly routes: Record<string, Handler>) {}
  async call(method: HttpMethod, path: string, params: RestParams, isPrivate: boolean): Promise<unknown> {
    this.calls.push({ method, path, params, isPrivate });
    const h = this.routes[`${method} ${path}`];
    if (!h) throw new Error(`unexpected ${method} ${path}`);
    return h(params);
  }
  async close(): Promise<void> {}
}

const client = (routes: Record<string, Handler>) => {
  const rest = new ScriptedTransport({ 'GET api/v1/markets': () => MARKETS, ...routes });
  return { rest, c: new BackpackVenueClient({ restUrl: 'http://unused', rest, sleep: async () => {} }) };
};

const req = {
  venue: 'backpack' as const,
  symbol: 'BTC_USDC_PERP',
  side: 'sell' as const,
  qty: 0.0200049,
  reduceOnly: true,
  clientOrderId: '1234567',
};

describe('BackpackVenueClient transport choice', () => {
  it("is the direct client by default; 'ccxt' is CCXT's, closed cleanly even before any call", async () => {
    const direct = new BackpackVenueClient({ restUrl: 'http://unused' });
    expect(direct.transportKind).toBe('direct');
    await direct.close();
    const ccxt = new BackpackVenueClient({ restUrl: 'http://unused', transport: 'ccxt' });
    expect(ccxt.transportKind).toBe('ccxt');
    await ccxt.close();
  });
});

describe('BackpackVenueClient (injected transport)', () => {
  it('sends the documented order body: uint32 clientId, step-rounded quantity, IOC, reduce-only', async () => {
    const { rest, c } = client({
      'POST api/v1/order': () => fixture('order-market-filled.json'),
      'GET wapi/v1/history/fills': () => fixture('fills.json'),
    });
    const outcome = await c.placeOrder(req);
    const post = rest.calls.find((x) => x.method === 'POST')!;
    expect(post).toEqual({
      method: 'POST',
      path: 'api/v1/order',
      isPrivate: true,
      params: {
        symbol: 'BTC_USDC_PERP',
        side: 'Ask',
        orderType: 'Market',
        quantity: '0.02000',
        clientId: 1234567,
        reduceOnly: true,
        timeInForce: 'IOC',
      },
    });
    expect(outcome).toMatchObject({ kind: 'filled', qty: 0.02, venueOrderId: '11197446312' });
    const limit = await c.orderBody({ ...req, side: 'buy', limitPrice: 113000.07 });
    expect(limit).toMatchObject({ orderType: 'Limit', price: '113000.0', side: 'Bid' });
    expect((await c.orderBody({ ...req, limitPrice: 113000.01 })).price).toBe('113000.1');
  });

  it('keeps a filled outcome when the fee lookup fails (fee estimated from the account taker fee)', async () => {
    const { c } = client({
      'POST api/v1/order': () => fixture('order-market-filled.json'),
      'GET wapi/v1/history/fills': () => {
        throw classifyHttpFailure('GET /wapi/v1/history/fills', 503, '');
      },
      'GET api/v1/account': () => ({ leverageLimit: '5', futuresTakerFee: '5' }),
    });
    const outcome = await c.placeOrder(req);
    expect(outcome).toMatchObject({ kind: 'filled', qty: 0.02 });
    if (outcome.kind === 'filled') expect(outcome.fee).toBeCloseTo((2259.9 * 5) / 10_000, 9);
  });

  it('an unreadable 200 on an order is unknown (it may have executed); qty below min is rejected locally', async () => {
    const { c } = client({ 'POST api/v1/order': () => ({ hello: 'world' }) });
    expect(await c.placeOrder(req)).toMatchObject({ kind: 'unknown' });
    expect(await c.placeOrder({ ...req, qty: 0.000001 })).toMatchObject({
      kind: 'rejected',
      code: 'QTY_BELOW_MIN',
    });
  });

  it('findOrder: open orders first (404 = not resting), then history by clientId, newest first', async () => {
    const history = [
      {
        ...(fixture('order-market-filled.json') as object),
        id: '1',
        clientId: 1234567,
        createdAt: '2025-07-21T12:00:00',
      },
      {
        ...(fixture('order-market-filled.json') as object),
        id: '11197446312',
        clientId: 1234567,
        createdAt: '2025-07-21T12:54:07.307',
      },
      {
        ...(fixture('order-market-filled.json') as object),
        id: '3',
        clientId: 99,
        createdAt: '2025-07-21T13:00:00',
      },
    ];
    const { rest, c } = client({
      'GET api/v1/order': () => {
        throw classifyHttpFailure(
          'GET /api/v1/order',
          404,
          '{"code":"RESOURCE_NOT_FOUND","message":"Order not found"}',
        );
      },
      'GET wapi/v1/history/orders': () => history,
      'GET wapi/v1/history/fills': () => fixture('fills.json'),
    });
    expect(await c.findOrder('BTC_USDC_PERP', '1234567')).toMatchObject({
      kind: 'filled',
      venueOrderId: '11197446312',
    });
    expect(rest.calls.find((x) => x.path === 'api/v1/order')?.params).toEqual({
      symbol: 'BTC_USDC_PERP',
      clientId: 1234567,
    });
    expect(await c.findOrder('BTC_USDC_PERP', '555')).toBeNull();
  });

  it('other lookup failures surface as VenueError (not "not found")', async () => {
    const { c } = client({
      'GET api/v1/order': () => {
        throw classifyHttpFailure('GET /api/v1/order', 500, '');
      },
    });
    await expect(c.findOrder('BTC_USDC_PERP', '1')).rejects.toBeInstanceOf(VenueError);
  });
});
