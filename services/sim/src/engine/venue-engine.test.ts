import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock';
import { buildSimCore, type SimCore } from './sim-core';
import { parseScenario } from '../market/scenario';
import type { SimOrderInput } from './types';

const A = 'acct-1';

function core(seed = 7, paused = true): { sim: SimCore; clock: ManualClock } {
  const clock = new ManualClock();
  const sim = buildSimCore({ clock, seed, scenario: parseScenario({ name: 'unit' }) });
  if (paused) sim.market.setPaused(true);
  clock.advance(100);
  return { sim, clock };
}

const market = (side: 'buy' | 'sell', qty: number, extra: Partial<SimOrderInput> = {}): SimOrderInput => ({
  side,
  type: 'market',
  tif: 'IOC',
  qty,
  reduceOnly: false,
  clientOrderId: null,
  ...extra,
});

const limit = (
  side: 'buy' | 'sell',
  qty: number,
  price: number,
  tif: 'GTC' | 'IOC' | 'FOK',
): SimOrderInput => ({
  side,
  type: 'limit',
  tif,
  qty,
  price,
  reduceOnly: false,
  clientOrderId: null,
});

function placed(r: ReturnType<SimCore['engines']['aster']['placeOrder']>) {
  if (!r.ok) throw new Error(`rejected: ${r.reason} ${r.message}`);
  return r.order;
}

describe('VenueEngine matching', () => {
  it('walks depth for a market order: one fill per level, slippage, taker fee per fill', () => {
    const { sim } = core();
    const e = sim.engines.aster;
    const book = e.book();
    const l0 = book.asks[0]!;
    const l1 = book.asks[1]!;
    expect(l0.qty).toBeGreaterThan(0.02);
    const qty = Math.round((l0.qty + l1.qty / 2) * 1000) / 1000;
    const order = placed(e.placeOrder(A, market('buy', qty)));
    expect(order.status).toBe('filled');
    expect(order.executedQty).toBeCloseTo(qty, 8);
    const fills = e.fills(A).reverse();
    expect(fills.map((f) => f.price)).toEqual([l0.price, l1.price]);
    expect(fills[0]!.qty).toBe(l0.qty);
    expect(order.avgPrice).toBeGreaterThan(l0.price);
    expect(order.avgPrice).toBeLessThan(l1.price);
    const fee = fills.reduce((s, f) => s + f.qty * f.price * e.rules.takerFee, 0);
    expect(order.fee).toBeCloseTo(fee, 6);
    expect(fills.every((f) => !f.isMaker && f.feeAsset === 'USDT')).toBe(true);
    // Taken liquidity stays taken until the next market change.
    expect(e.book().asks[0]!.price).toBe(l1.price);
    expect(e.position(A).qty).toBeCloseTo(qty, 8);
  });

  it('IOC limit fills what crosses and expires the remainder', () => {
    const { sim } = core();
    const e = sim.engines.backpack;
    const top = e.book().asks[0]!;
    const order = placed(e.placeOrder(A, limit('buy', top.qty + 0.5, top.price, 'IOC')));
    expect(order.status).toBe('expired');
    expect(order.expiryReason).toBe('ImmediateOrCancel');
    expect(order.executedQty).toBe(top.qty);
    expect(e.openOrders(A)).toHaveLength(0);
  });

  it('IOC limit that does not cross expires with nothing executed', () => {
    const { sim } = core();
    const e = sim.engines.aster;
    const bid = e.book().bids[0]!;
    const order = placed(e.placeOrder(A, limit('buy', 0.01, bid.price, 'IOC')));
    expect(order).toMatchObject({ status: 'expired', executedQty: 0, expiryReason: 'ImmediateOrCancel' });
  });

  it('FOK is all or nothing', () => {
    const { sim } = core();
    const e = sim.engines.aster;
    const top = e.book().asks[0]!;
    const no = placed(e.placeOrder(A, limit('buy', top.qty + 0.001, top.price, 'FOK')));
    expect(no).toMatchObject({ status: 'expired', executedQty: 0, expiryReason: 'FillOrKill' });
    expect(e.fills(A)).toHaveLength(0);
    const yes = placed(e.placeOrder(A, limit('buy', top.qty, top.price, 'FOK')));
    expect(yes.status).toBe('filled');
  });

  it('a quantity that is a step multiple only up to float rounding fills completely (step units, exact)', () => {
    const { sim } = core();
    const e = sim.engines.backpack;
    const step = e.rules.stepSize;
    const qty = 0.0014900000000000002; // 149 steps of 0.00001, as a float sum can produce it
    expect(Math.round(qty / step)).toBe(Math.round(0.00149 / step));
    const top = e.book().asks[0]!;
    expect(top.qty).toBeGreaterThan(0.0015);
    const mkt = placed(e.placeOrder(A, market('buy', qty)));
    expect(mkt.executedQty).toBeCloseTo(0.00149, 10);
    expect(mkt.status).toBe('filled');
    expect(mkt.expiryReason).toBeNull();
    const ioc = placed(e.placeOrder(A, limit('buy', qty, top.price, 'IOC')));
    expect(ioc.status).toBe('filled');
    const fok = placed(e.placeOrder(A, limit('buy', qty, top.price, 'FOK')));
    expect(fok.status).toBe('filled');
  });

  it('GTC limit rests, then fills as maker when the market crosses it', () => {
    const { sim, clock } = core();
    const e = sim.engines.aster;
    const bid = e.book().bids[0]!;
    const price = Math.round((bid.price - 50) * 10) / 10;
    const order = placed(e.placeOrder(A, { ...limit('buy', 0.02, price, 'GTC'), clientOrderId: 'rest-1' }));
    expect(order.status).toBe('new');
    expect(e.openOrders(A).map((o) => o.orderId)).toEqual([order.orderId]);
    expect(e.balance(A).initialMargin).toBeGreaterThan(0);
    sim.market.jump({ deltaUsd: -200 });
    clock.advance(200);
    const after = e.getOrder(A, { clientOrderId: 'rest-1' })!;
    expect(after.status).toBe('filled');
    expect(after.avgPrice).toBe(price);
    const fill = e.fills(A)[0]!;
    expect(fill.isMaker).toBe(true);
    expect(fill.fee).toBeCloseTo(0.02 * price * e.rules.makerFee, 8);
  });

  it('cancels a resting order and frees its client order id', () => {
    const { sim } = core();
    const e = sim.engines.aster;
    const price = Math.round((e.book().bids[0]!.price - 100) * 10) / 10;
    const o = placed(e.placeOrder(A, { ...limit('buy', 0.01, price, 'GTC'), clientOrderId: 'dup' }));
    const dup = e.placeOrder(A, { ...limit('buy', 0.01, price, 'GTC'), clientOrderId: 'dup' });
    expect(dup).toMatchObject({ ok: false, reason: 'duplicate_client_order_id' });
    expect(e.cancelOrder(A, { orderId: o.orderId })?.status).toBe('canceled');
    expect(e.cancelOrder(A, { orderId: o.orderId })).toBeNull();
    expect(e.placeOrder(A, { ...limit('buy', 0.01, price, 'GTC'), clientOrderId: 'dup' }).ok).toBe(true);
  });
});

describe('VenueEngine accounts', () => {
  it('enforces reduce-only: rejects growing a position, clips to the position', () => {
    const { sim } = core();
    const e = sim.engines.backpack;
    expect(e.placeOrder(A, market('sell', 0.01, { reduceOnly: true }))).toMatchObject({
      ok: false,
      reason: 'reduce_only_rejected',
    });
    placed(e.placeOrder(A, market('buy', 0.01)));
    expect(e.placeOrder(A, market('buy', 0.01, { reduceOnly: true }))).toMatchObject({
      ok: false,
      reason: 'reduce_only_rejected',
    });
    const close = placed(e.placeOrder(A, market('sell', 0.05, { reduceOnly: true })));
    expect(close.qty).toBe(0.01);
    expect(close.status).toBe('filled');
    expect(e.position(A).qty).toBe(0);
  });

  it('rejects an order whose margin exceeds the available balance', () => {
    const { sim } = core();
    const e = sim.engines.aster;
    sim.engines.aster.setWallet(A, 50);
    expect(e.setLeverage(A, 5)).toBe(5);
    const r = e.placeOrder(A, market('buy', 0.02));
    expect(r).toMatchObject({ ok: false, reason: 'insufficient_margin' });
    expect(e.setLeverage(A, 126)).toBeNull();
    expect(e.setLeverage(A, 125)).toBe(125);
    expect(e.placeOrder(A, market('buy', 0.02)).ok).toBe(true);
  });

  it('applies venue filters (step, min qty, min notional, tick)', () => {
    const { sim } = core();
    const e = sim.engines.aster;
    expect(e.placeOrder(A, market('buy', 0.0005))).toMatchObject({ ok: false, reason: 'qty_not_step' });
    expect(e.placeOrder(A, market('buy', 11))).toMatchObject({ ok: false, reason: 'qty_above_max' });
    expect(e.placeOrder(A, limit('buy', 0.001, 1000, 'GTC'))).toMatchObject({
      ok: false,
      reason: 'min_notional',
    });
    expect(e.placeOrder(A, limit('buy', 0.001, 99000.05, 'GTC'))).toMatchObject({
      ok: false,
      reason: 'price_not_tick',
    });
    // Backpack: fine step, no min notional.
    expect(sim.engines.backpack.placeOrder(A, market('buy', 0.00001)).ok).toBe(true);
  });

  it('realizes PnL, charges fees and moves the wallet; unrealized PnL follows the mark', () => {
    const { sim, clock } = core();
    const e = sim.engines.aster;
    const start = e.balance(A).wallet;
    expect(start).toBe(100_000);
    const buy = placed(e.placeOrder(A, market('buy', 0.02)));
    sim.market.jump({ deltaUsd: 1000 });
    clock.advance(200);
    const pos = e.position(A);
    expect(pos.entryPrice).toBeCloseTo(buy.avgPrice, 6);
    expect(pos.unrealizedPnl).toBeCloseTo(0.02 * (pos.markPrice - buy.avgPrice), 6);
    expect(pos.unrealizedPnl).toBeGreaterThan(15);
    const sell = placed(e.placeOrder(A, market('sell', 0.02)));
    const realized = 0.02 * (sell.avgPrice - buy.avgPrice);
    expect(e.position(A)).toMatchObject({ qty: 0, unrealizedPnl: 0 });
    expect(e.position(A).realizedPnl).toBeCloseTo(realized, 6);
    expect(e.balance(A).wallet).toBeCloseTo(start + realized - buy.fee - sell.fee, 6);
  });

  it('admin can set a position and a balance directly', () => {
    const { sim } = core();
    const e = sim.engines.backpack;
    e.setPosition(A, -0.05, 99_000);
    e.setWallet(A, 1234);
    const pos = e.position(A);
    expect(pos).toMatchObject({ qty: -0.05, entryPrice: 99_000 });
    expect(pos.unrealizedPnl).toBeCloseTo(-0.05 * (pos.markPrice - 99_000), 6);
    expect(e.balance(A)).toMatchObject({ asset: 'USDC', wallet: 1234 });
  });

  it('rejects the next N orders when a reject fault is injected', () => {
    const { sim } = core();
    sim.faults.add({ kind: 'reject_orders', venue: 'aster', count: 2, reason: 'insufficient_margin' });
    const e = sim.engines.aster;
    expect(e.placeOrder(A, market('buy', 0.01))).toMatchObject({ ok: false, reason: 'insufficient_margin' });
    expect(sim.engines.backpack.placeOrder(A, market('buy', 0.01)).ok).toBe(true);
    expect(e.placeOrder(A, market('buy', 0.01)).ok).toBe(false);
    expect(e.placeOrder(A, market('buy', 0.01)).ok).toBe(true);
    expect(e.rejects()).toHaveLength(2);
  });
});

describe('determinism', () => {
  function run(seed: number): unknown[] {
    const { sim, clock } = core(seed, false);
    const out: unknown[] = [];
    for (let i = 0; i < 30; i++) {
      clock.advance(337);
      const venue = i % 2 === 0 ? sim.engines.aster : sim.engines.backpack;
      const side = i % 3 === 0 ? 'sell' : 'buy';
      const r = venue.placeOrder(A, market(side, 0.05 + (i % 5) * 0.1));
      out.push(r.ok ? [r.order.orderId, r.order.executedQty, r.order.avgPrice] : r.reason);
    }
    for (const v of [sim.engines.aster, sim.engines.backpack]) {
      out.push(v.fills(A).map((f) => [f.tradeId, f.price, f.qty, f.fee, f.time]));
      out.push(v.position(A));
    }
    return out;
  }

  it('the same seed and the same orders give the same fills', () => {
    const a = run(1234);
    expect(run(1234)).toEqual(a);
    expect(run(4321)).not.toEqual(a);
  });
});

describe('publishing', () => {
  it('after a long clock jump, clients get only recent books but resting orders see every one', () => {
    const { sim, clock } = core(3, false);
    const e = sim.engines.aster;
    const start = clock.now();
    const price = Math.round((e.book().bids[0]!.price - 40) * 10) / 10;
    placed(e.placeOrder(A, { ...limit('buy', 0.01, price, 'GTC'), clientOrderId: 'deep' }));
    const times: number[] = [];
    e.onBook((b) => times.push(b.time));
    sim.market.addDislocation({
      direction: 'buy_aster_sell_backpack',
      sizeUsd: 200,
      durationMs: 500,
      rampMs: 100,
      revertMs: 500,
      startAt: start + 1000,
    });
    clock.advance(10_000);
    e.book();
    expect(times.length).toBeGreaterThan(20);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(clock.now() - 2_000);
    // The dislocation at +1 s crossed the resting bid although no client saw that book.
    expect(e.getOrder(A, { clientOrderId: 'deep' })?.status).toBe('filled');
  });

  it('a listener that reads the book while it is published does not advance the market inside it', () => {
    const { sim, clock } = core(3, false);
    const e = sim.engines.backpack;
    const seen: number[] = [];
    e.onBook((b) => {
      seen.push(b.time);
      e.book();
      e.position(A);
    });
    clock.advance(3_000);
    e.book();
    const sorted = [...seen].sort((x, y) => x - y);
    expect(seen).toEqual(sorted);
    expect(seen.length).toBeGreaterThan(20);
  });
});
