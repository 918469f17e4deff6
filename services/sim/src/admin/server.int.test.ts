import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimDriver, type SimDriver } from '../engine/driver';
import { createSimCore, type SimCore } from '../engine/sim-core';
import { SimAdminClient, SimAdminError } from './client';
import { type RunningAdmin, startAdminServer } from './server';

let core: SimCore;
let driver: SimDriver;
let admin: RunningAdmin;
let client: SimAdminClient;

const until = async <T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> => {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

beforeAll(async () => {
  core = await createSimCore({ seed: 5, scenario: { name: 'admin-test' } });
  driver = startSimDriver(core);
  admin = await startAdminServer({ core, host: '127.0.0.1', port: 0 });
  client = new SimAdminClient(admin.url);
});

afterAll(async () => {
  await admin.close();
  driver.stop();
  core.close();
});

describe('admin API over HTTP', () => {
  it('reports health with live books that move in real time', async () => {
    const h = await client.health();
    expect(h).toMatchObject({ ok: true, seed: 5, scenario: 'admin-test', paused: false });
    expect(h.books.aster.bid!.price).toBeLessThan(h.books.aster.ask!.price);
    await until(
      () => client.health(),
      (x) => x.books.aster.updateId > h.books.aster.updateId + 5,
    );
  });

  it('pauses the market (frozen prices) and jumps the price', async () => {
    expect(await client.setPaused(true)).toBe(true);
    // The first re-publish after the pause shows the true price as frozen (the walk ran between books).
    const first = await client.book('aster', 3);
    const a = await until(
      () => client.book('aster', 3),
      (x) => x.updateId > first.updateId + 1,
    );
    await new Promise((r) => setTimeout(r, 200));
    const b = await client.book('aster', 3);
    // Prices frozen; top sizes alternate by one step so change-driven streams keep ticking.
    expect(b.bids.map((l) => l.price)).toEqual(a.bids.map((l) => l.price));
    expect(b.bids.slice(1)).toEqual(a.bids.slice(1));
    expect(b.updateId).toBeGreaterThan(a.updateId);
    const before = (await client.health()).truePrice;
    expect(await client.price({ deltaUsd: 500 })).toBeCloseTo(before + 500, 6);
    const c = await until(
      () => client.book('aster', 1),
      (x) => x.bids[0]!.price > a.bids[0]!.price + 400,
    );
    expect(c.asks[0]!.price).toBeGreaterThan(c.bids[0]!.price);
    await client.price({ price: 100_000 });
  });

  it('scripts a dislocation now, in either direction', async () => {
    await client.dislocation({ direction: 'buy_backpack_sell_aster', sizeUsd: 150, durationMs: 1500 });
    const peak = await until(
      async () => {
        const [a, b] = await Promise.all([client.book('aster', 1), client.book('backpack', 1)]);
        return a.bids[0]!.price - b.asks[0]!.price;
      },
      (edge) => edge > 120,
    );
    expect(peak).toBeGreaterThan(120);
    expect((await client.health()).dislocations.map((d) => d.direction)).toContain('buy_backpack_sell_aster');
    await until(
      async () => {
        const [a, b] = await Promise.all([client.book('aster', 1), client.book('backpack', 1)]);
        return a.bids[0]!.price - b.asks[0]!.price;
      },
      (edge) => edge < 80,
    );
  });

  it('sets accounts (balance, position) and lists positions', async () => {
    const r = await client.setAccount('backpack', 'acct-x', {
      balance: 5000,
      position: { qty: 0.03, entryPrice: 99_500 },
    });
    expect(r.position).toMatchObject({ qty: 0.03, entryPrice: 99_500 });
    expect(r.balance.wallet).toBe(5000);
    const list = await client.positions({ venue: 'backpack', account: 'acct-x' });
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ venue: 'backpack', account: 'acct-x', qty: 0.03 });
    await expect(client.setAccount('aster', 'acct-x', { leverage: 500 })).rejects.toThrow(SimAdminError);
  });

  it('lists orders, fills and rejects the engines recorded', async () => {
    const e = core.engines.aster;
    const ok = e.placeOrder('acct-y', {
      side: 'buy',
      type: 'market',
      tif: 'IOC',
      qty: 0.01,
      reduceOnly: false,
      clientOrderId: 'c1',
    });
    expect(ok.ok).toBe(true);
    e.placeOrder('acct-y', {
      side: 'sell',
      type: 'market',
      tif: 'IOC',
      qty: 0.5,
      reduceOnly: true,
      clientOrderId: 'c2',
    });
    const orders = await client.orders({ venue: 'aster', account: 'acct-y' });
    expect(orders.map((o) => o.clientOrderId)).toEqual(['c2', 'c1']);
    const fills = await client.fills({ venue: 'aster' });
    expect(fills.length).toBeGreaterThan(0);
    expect(fills.every((f) => f.venue === 'aster')).toBe(true);
    await client.addFault({ kind: 'reject_orders', venue: 'aster', count: 1 });
    expect(
      e.placeOrder('acct-y', {
        side: 'buy',
        type: 'market',
        tif: 'IOC',
        qty: 0.01,
        reduceOnly: false,
        clientOrderId: null,
      }),
    ).toMatchObject({
      ok: false,
      reason: 'insufficient_margin',
    });
    const rejects = await client.rejects({ account: 'acct-y' });
    expect(rejects.map((r) => r.reason)).toEqual(['insufficient_margin']);
  });

  it('adds, lists and clears faults; rejects invalid specs with 400', async () => {
    const f = await client.addFault({
      kind: 'http_error',
      venue: 'aster',
      route: 'POST /fapi/v1/order',
      status: 503,
      count: 1,
    });
    expect(f).toMatchObject({ remaining: 1 });
    await client.addFaults([
      { kind: 'latency', ms: 100 },
      { kind: 'maintenance', venue: 'backpack', durationMs: 60_000 },
    ]);
    expect((await client.faults()).active).toHaveLength(3);
    expect(core.faults.route('backpack', 'GET /api/v1/depth').failStatus).toBe(503);
    expect(await client.clearFaults('backpack')).toBe(2);
    expect(await client.clearFaults()).toBe(1);
    const err = await client.addFault({ kind: 'ws_stall' } as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SimAdminError);
    expect((err as SimAdminError).status).toBe(400);
  });

  it('resets everything', async () => {
    await client.addFault({ kind: 'latency', ms: 5 });
    const r = await client.reset();
    expect(r.faultsCleared).toBe(1);
    expect(await client.orders()).toEqual([]);
    expect(await client.positions()).toEqual([]);
  });
});
