import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AsterHarness, CCXT_WALLET, startAsterHarness, v3Request } from './test-harness';

/**
 * CCXT 4.5.84's `aster` class, unmodified, with only its URLs pointed at the simulator. It signs V3
 * (EIP-712, user = signer = its key's address). Its `signIn()` also reads /fapi/v3/builder and approves
 * its builder once (served).
 */
const SYMBOL = 'BTC/USDT:USDT';
let h: AsterHarness;
let ex: InstanceType<typeof ccxt.aster>;

beforeAll(async () => {
  h = await startAsterHarness();
  const base = h.venue.restUrl;
  ex = new ccxt.aster({
    privateKey: CCXT_WALLET.privateKey,
    walletAddress: CCXT_WALLET.address,
    options: { defaultType: 'swap' },
    urls: {
      api: {
        fapiPublic: `${base}/fapi`,
        fapiPrivate: `${base}/fapi`,
        sapiPublic: `${base}/api`,
        sapiPrivate: `${base}/api`,
      },
    },
  });
});

afterAll(async () => {
  await h?.close();
});

describe('CCXT aster (V3) against the simulator', () => {
  it('loadMarkets: BTC/USDT:USDT with the venue filters', async () => {
    const markets = await ex.loadMarkets();
    const m = markets[SYMBOL];
    expect(m).toBeDefined();
    expect(m?.id).toBe('BTCUSDT');
    expect(m?.swap).toBe(true);
    expect(m?.linear).toBe(true);
    expect(m?.precision.amount).toBe(0.001);
    expect(m?.precision.price).toBe(0.1);
    expect(m?.limits.amount?.min).toBe(0.001);
    expect(m?.limits.cost?.min).toBe(5);
    expect(m?.limits.market?.max).toBe(10);
    // signIn() approved CCXT's builder through POST /fapi/v3/approveBuilder (EIP-712 ApproveBuilder).
    const builders = await v3Request(h.venue.restUrl, 'GET', '/fapi/v3/builder', {}, { wallet: CCXT_WALLET });
    expect(builders.status).toBe(200);
    expect(builders.body).toEqual([expect.objectContaining({ builderName: 'ccxt' })]);
  });

  it('fetchOrderBook: 5 levels each side, best first', async () => {
    const ob = await ex.fetchOrderBook(SYMBOL, 5);
    expect(ob.bids).toHaveLength(5);
    expect(ob.asks).toHaveLength(5);
    const bid0 = ob.bids[0]?.[0] as number;
    const bid1 = ob.bids[1]?.[0] as number;
    const ask0 = ob.asks[0]?.[0] as number;
    const ask1 = ob.asks[1]?.[0] as number;
    expect(bid0).toBeGreaterThan(bid1);
    expect(ask0).toBeLessThan(ask1);
    expect(bid0).toBeLessThan(ask0);
    expect(typeof ob.timestamp).toBe('number');
  });

  it('setLeverage', async () => {
    const r = (await ex.setLeverage(5, SYMBOL)) as { leverage: number; symbol: string };
    expect(r.leverage).toBe(5);
    expect(r.symbol).toBe('BTCUSDT');
    expect(h.core.engines.aster.position('ccxt').leverage).toBe(5);
  });

  it('createOrder (market, client order id) then fetchOrder by that id: filled at book prices', async () => {
    const book = h.core.engines.aster.book(5);
    const created = await ex.createOrder(SYMBOL, 'market', 'buy', 0.002, undefined, {
      clientOrderId: 'h-1-aster-open',
    });
    expect(created.clientOrderId).toBe('h-1-aster-open');
    expect(created.id).toMatch(/^\d+$/);
    // newOrderRespType defaults to ACK: the just-accepted state.
    expect(created.status).toBe('open');
    const o = await ex.fetchOrder('', SYMBOL, { clientOrderId: 'h-1-aster-open' });
    expect(o.id).toBe(created.id);
    expect(o.status).toBe('closed');
    expect(o.filled).toBe(0.002);
    expect(o.side).toBe('buy');
    expect(o.type).toBe('market');
    const avg = o.average as number;
    expect(avg).toBeGreaterThan((book.bids[0]?.price ?? 0) - 500);
    expect(avg).toBeLessThan((book.asks[0]?.price ?? 0) + 500);
    const engineOrder = h.core.engines.aster.getOrder('ccxt', { clientOrderId: 'h-1-aster-open' });
    expect(engineOrder?.status).toBe('filled');
    expect(o.average).toBeCloseTo(engineOrder?.avgPrice ?? 0, 5);
  });

  it('fetchPositions: the long 0.002 with its entry price', async () => {
    const positions = await ex.fetchPositions([SYMBOL]);
    expect(positions).toHaveLength(1);
    const p = positions[0];
    expect(p?.symbol).toBe(SYMBOL);
    expect(p?.side).toBe('long');
    expect(p?.contracts).toBe(0.002);
    expect(p?.leverage).toBe(5);
    const engine = h.core.engines.aster.position('ccxt');
    expect(p?.entryPrice).toBeCloseTo(engine.entryPrice, 4);
  });

  it('fetchBalance (swap): USDT wallet = start - taker fee', async () => {
    // Freeze prices: `free` includes unrealized PnL, which would move between the two reads.
    h.core.market.setPaused(true);
    await new Promise((r) => setTimeout(r, 50)); // let the paused re-publish catch up on drift first
    const bal = await ex.fetchBalance();
    const usdt = bal.USDT;
    expect(usdt).toBeDefined();
    const engineBal = h.core.engines.aster.balance('ccxt');
    expect(usdt?.total).toBeCloseTo(engineBal.wallet, 6);
    expect(engineBal.wallet).toBeLessThan(100_000);
    const fee = h.core.engines.aster.fills('ccxt').reduce((s, f) => s + f.fee, 0);
    expect(100_000 - engineBal.wallet).toBeCloseTo(fee, 6);
    expect(usdt?.free).toBeCloseTo(engineBal.available, 6);
    h.core.market.setPaused(false);
  });

  it('cancelOrder on a resting GTC limit', async () => {
    const bid = h.core.engines.aster.book(1).bids[0]?.price ?? 0;
    const price = Math.floor(bid * 0.99);
    const created = await ex.createOrder(SYMBOL, 'limit', 'buy', 0.002, price, { clientOrderId: 'rest-1' });
    const id = created.id as string;
    const open = await ex.fetchOrder(id, SYMBOL);
    expect(open.status).toBe('open');
    expect(open.price).toBe(price);
    const canceled = await ex.cancelOrder(id, SYMBOL);
    expect(canceled.status).toBe('canceled');
    expect(canceled.id).toBe(created.id);
    await expect(ex.cancelOrder(id, SYMBOL)).rejects.toBeInstanceOf(ccxt.OrderNotFound);
    await expect(ex.fetchOrder('', SYMBOL, { clientOrderId: 'never-sent' })).rejects.toBeInstanceOf(
      ccxt.OrderNotFound,
    );
  });

  it('reduce-only IOC limit closes the position', async () => {
    const bid = h.core.engines.aster.book(1).bids[0]?.price ?? 0;
    await ex.createOrder(SYMBOL, 'limit', 'sell', 0.002, bid - 50, {
      timeInForce: 'IOC',
      reduceOnly: true,
      clientOrderId: 'h-1-aster-close',
    });
    const o = await ex.fetchOrder('', SYMBOL, { clientOrderId: 'h-1-aster-close' });
    expect(o.status).toBe('closed');
    expect(o.reduceOnly).toBe(true);
    expect(h.core.engines.aster.position('ccxt').qty).toBe(0);
    await expect(
      ex.createOrder(SYMBOL, 'market', 'sell', 0.002, undefined, { reduceOnly: true }),
    ).rejects.toBeInstanceOf(ccxt.OperationRejected);
  });
});
