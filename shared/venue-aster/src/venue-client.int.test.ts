import { deleteNamespace } from '@arb/testkit/redis';
import { randomBytes } from 'node:crypto';
import type { OrderOutcome, OrderRequest } from '@arb/core/order';
import { SIM_CREDENTIALS } from '@arb/config/sim-credentials';
import { RateBudget } from '@arb/net/rate-budget';
import { VenueError } from '@arb/net/venue-error';
import { SimAdminClient } from '@arb/sim/admin/client';
import { type RunningSim, startSim } from '@arb/sim/start-sim';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AsterCredentials } from './auth';
import { AsterVenueClient } from './venue-client';

// Real simulator over real HTTP, real Redis for the shared weight budget. No mocks.
let sim: RunningSim;
let admin: SimAdminClient;
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const ns = `t-${randomBytes(4).toString('hex')}`;
const SYMBOL = 'BTCUSDT';

beforeAll(async () => {
  sim = await startSim({ host: '127.0.0.1', asterPort: 0, backpackPort: 0, adminPort: 0, seed: 7 });
  admin = new SimAdminClient(sim.adminUrl);
});

afterAll(async () => {
  await sim?.close();
  await deleteNamespace(redis, ns);
  redis.disconnect();
});

const SCHEMES: { name: 'v3' | 'hmac'; creds: AsterCredentials }[] = [
  { name: 'v3', creds: { kind: 'v3', ...SIM_CREDENTIALS.asterV3 } },
  {
    name: 'hmac',
    creds: {
      kind: 'hmac',
      apiKey: SIM_CREDENTIALS.asterHmac.apiKey,
      apiSecret: SIM_CREDENTIALS.asterHmac.secret,
    },
  },
];

let cid = 0;
const nextCid = (tag: string) => `t-${tag}-${Date.now().toString(36)}-${cid++}`;

function client(creds: AsterCredentials, timeoutMs = 2000, budget?: RateBudget) {
  return new AsterVenueClient({
    baseUrl: sim.aster.restUrl,
    credentials: creds,
    recvWindowMs: 5000,
    timeoutMs,
    fillPollDelayMs: 50,
    ...(budget ? { budget } : {}),
  });
}

const order = (over: Partial<OrderRequest>): OrderRequest => ({
  venue: 'aster',
  symbol: SYMBOL,
  side: 'buy',
  qty: 0.02,
  reduceOnly: false,
  clientOrderId: nextCid('o'),
  ...over,
});

function expectFilled(o: OrderOutcome): asserts o is Extract<OrderOutcome, { kind: 'filled' }> {
  if (o.kind !== 'filled') throw new Error(`expected filled, got ${JSON.stringify(o)}`);
}

describe.each(SCHEMES)('AsterVenueClient against the simulator ($name auth)', ({ name, creds }) => {
  it('signed orders are accepted: leverage, market buy filled with fee, find by client id, reduce-only close', async () => {
    const budget = new RateBudget({
      redis,
      venue: 'aster',
      key: `${ns}:rate:${name}`,
      limit: 2000,
      windowMs: 60_000,
    });
    const c = client(creds, 2000, budget);
    await c.init(SYMBOL);
    expect(Math.abs(c.rest.clockOffsetMs)).toBeLessThan(1000);
    expect(await c.ensureLeverage(SYMBOL, 5)).toBe(5);
    const start = await c.position(SYMBOL);

    const book = await admin.book('aster');
    const req = order({ qty: 0.0219 });
    const t0 = performance.now();
    const buy = await c.placeOrder(req);
    const placeMs = performance.now() - t0;
    expectFilled(buy);
    expect(buy.qty).toBe(0.021);
    expect(buy.side).toBe('buy');
    expect(buy.avgPrice).toBeGreaterThanOrEqual((book.asks[0]?.price ?? 0) * 0.99);
    expect(buy.fee).toBeGreaterThan(0);
    expect(buy.feeAsset).toBe('USDT');
    const simFills = (await admin.fills({ venue: 'aster' })).filter(
      (f) => f.clientOrderId === req.clientOrderId,
    );
    expect(simFills.reduce((s, f) => s + f.qty, 0)).toBeCloseTo(0.021, 9);
    expect(buy.fee).toBeCloseTo(
      simFills.reduce((s, f) => s + f.fee, 0),
      9,
    );
    console.log(`[measured] ${name}: market order placed + fee read in ${placeMs.toFixed(1)} ms`);

    const found = await c.findOrder(SYMBOL, req.clientOrderId);
    expect(found).toEqual(buy);
    expect(await c.findOrder(SYMBOL, nextCid('none'))).toBeNull();

    const pos = await c.position(SYMBOL);
    expect(pos.qty).toBeCloseTo(start.qty + 0.021, 9);
    expect(pos.leverage).toBe(5);

    const close = await c.placeOrder(order({ side: 'sell', qty: 0.021, reduceOnly: true }));
    expectFilled(close);
    expect((await c.position(SYMBOL)).qty).toBeCloseTo(start.qty, 9);

    const bal = await c.balance();
    expect(bal).toMatchObject({ venue: 'aster', asset: 'USDT' });
    expect(bal.equity).toBeGreaterThan(0);
    expect(await c.openOrders(SYMBOL)).toEqual([]);
    expect(await budget.used()).toBeGreaterThan(0);
    await c.close();
  });

  it('an order held at its send gate is signed but leaves only when the gate opens; a closed gate sends nothing', async () => {
    const c = client(creds);
    await c.init(SYMBOL);
    const withdrawnReq = order({});
    const withdrawn = await c.placeOrder(withdrawnReq, { sendGate: Promise.resolve(false) });
    expect(withdrawn).toMatchObject({ kind: 'rejected', code: 'NOT_SENT' });
    expect(await c.findOrder(SYMBOL, withdrawnReq.clientOrderId)).toBeNull();

    let open!: (mayLeave: boolean) => void;
    const gate = new Promise<boolean>((r) => {
      open = r;
    });
    const heldReq = order({});
    const held = c.placeOrder(heldReq, { sendGate: gate });
    await new Promise((r) => setTimeout(r, 100));
    // Signed and waiting, not at the venue: the simulator has no such order yet.
    expect(await c.findOrder(SYMBOL, heldReq.clientOrderId)).toBeNull();
    open(true);
    expectFilled(await held);
    expect((await c.findOrder(SYMBOL, heldReq.clientOrderId))?.kind).toBe('filled');
    expectFilled(await c.placeOrder(order({ side: 'sell', qty: 0.02, reduceOnly: true })));
    await c.close();
  });

  it('IOC limit that cannot fill is rejected with the venue status; cancel of an unknown order throws -2011', async () => {
    const c = client(creds);
    const book = await admin.book('aster');
    const far = (book.bids[0]?.price ?? 60000) * 0.985;
    const r = await c.placeOrder(order({ limitPrice: far }));
    expect(r).toMatchObject({ kind: 'rejected', code: 'EXPIRED' });
    const e = await c.cancelOrder(SYMBOL, nextCid('nope')).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(VenueError);
    expect(e).toMatchObject({ code: '-2011', category: 'rejected', venue: 'aster' });
    await c.close();
  });

  it('documented rejections are classified rejected with the venue code', async () => {
    const c = client(creds);
    await admin.addFault({ kind: 'reject_orders', venue: 'aster', count: 1, reason: 'insufficient_margin' });
    const r = await c.placeOrder(order({}));
    expect(r).toMatchObject({ kind: 'rejected', code: '-2019' });
    const flat = (await c.position(SYMBOL)).qty === 0;
    if (flat) {
      const ro = await c.placeOrder(order({ side: 'sell', reduceOnly: true }));
      expect(ro).toMatchObject({ kind: 'rejected', code: '-2022' });
    }
    await c.close();
  });

  it('5xx and maintenance are unknown (and the simulator did not execute)', async () => {
    const c = client(creds);
    await c.init(SYMBOL);
    const route = `POST ${c.rest.paths.order}`;
    const before = (await admin.orders({ venue: 'aster' })).length;
    await admin.addFault({ kind: 'http_error', venue: 'aster', route, status: 500, count: 1 });
    const r1 = await c.placeOrder(order({}));
    expect(r1.kind).toBe('unknown');
    await admin.addFault({ kind: 'http_error', venue: 'aster', route, status: 503, count: 1 });
    const req2 = order({});
    const r2 = await c.placeOrder(req2);
    expect(r2.kind).toBe('unknown');
    expect((await admin.orders({ venue: 'aster' })).length).toBe(before);
    expect(await c.findOrder(SYMBOL, req2.clientOrderId)).toBeNull();
    await c.close();
  });

  it('a timeout after execution is unknown, then resolved at the venue by client order id', async () => {
    const c = client(creds, 500);
    await c.init(SYMBOL);
    const route = `POST ${c.rest.paths.order}`;
    await admin.addFault({ kind: 'timeout_after_execution', venue: 'aster', route, delayMs: 2000, count: 1 });
    const req = order({});
    const r = await c.placeOrder(req);
    expect(r).toMatchObject({ kind: 'unknown', clientOrderId: req.clientOrderId });
    expect((r as { reason: string }).reason).toMatch(/TIMEOUT/);
    const resolved = await c.findOrder(SYMBOL, req.clientOrderId);
    expectFilled(resolved!);
    expect(resolved.qty).toBe(0.02);

    await admin.addFault({ kind: 'timeout_after_execution', venue: 'aster', route, drop: true, count: 1 });
    const req2 = order({ side: 'sell', reduceOnly: true });
    const r2 = await c.placeOrder(req2);
    expect(r2.kind).toBe('unknown');
    expectFilled((await c.findOrder(SYMBOL, req2.clientOrderId))!);
    await c.close();
  });

  it('a venue 429 is rate_limited (not executed) and blocks every process through the shared budget', async () => {
    const budget = new RateBudget({
      redis,
      venue: 'aster',
      key: `${ns}:rate:429:${name}`,
      limit: 2000,
      windowMs: 60_000,
    });
    const c = client(creds, 2000, budget);
    await c.init(SYMBOL);
    await admin.addFault({
      kind: 'rate_limit',
      venue: 'aster',
      route: `POST ${c.rest.paths.order}`,
      retryAfterSec: 2,
      count: 1,
    });
    const r = await c.placeOrder(order({}));
    expect(r).toMatchObject({ kind: 'rejected' });
    expect((r as { code: string }).code).toMatch(/^-1003$|^HTTP_429$/);
    // the venue's Retry-After travels with the rejection (risk backs the retry off by it)
    expect(r).toMatchObject({ retryAfterMs: 2000 });
    await new Promise((res) => setTimeout(res, 50));
    expect(await budget.tryTake(1)).toMatchObject({ ok: false, reason: 'blocked' });
    await c.close();
  });

  it('an order refused by the local weight budget is rejected with the wait until its window ends', async () => {
    const budget = new RateBudget({
      redis,
      venue: 'aster',
      key: `${ns}:rate:full:${name}`,
      limit: 2000,
      windowMs: 60_000,
      allowance: 0, // every take asks Redis: no weight held locally from init()
    });
    const c = client(creds, 2000, budget);
    await c.init(SYMBOL);
    while ((await budget.tryTake(1)).ok) {} // the window's weight is spent
    const r = await c.placeOrder(order({}));
    expect(r).toMatchObject({ kind: 'rejected', code: 'LOCAL_RATE_BUDGET' });
    const wait = (r as { retryAfterMs?: number }).retryAfterMs ?? 0;
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(60_000);
    await c.close();
  });
});

describe.each(SCHEMES)('AsterVenueClient clock handling ($name auth)', ({ creds }) => {
  it('re-syncs the server-time offset and retries once when the venue refuses the timestamp/nonce', async () => {
    let skew = 0;
    const c = new AsterVenueClient({
      baseUrl: sim.aster.restUrl,
      credentials: creds,
      recvWindowMs: 5000,
      timeoutMs: 2000,
      now: () => Date.now() + skew,
    });
    await c.init(SYMBOL);
    skew = -30_000; // the local clock jumps 30 s back after the sync
    const pos = await c.position(SYMBOL);
    expect(pos.venue).toBe('aster');
    expect(Math.abs(c.rest.clockOffsetMs - 30_000)).toBeLessThan(1000);
    await c.close();
  });
});

describe('AsterVenueClient auth failures', () => {
  it('a wrong HMAC secret is an auth error naming venue, endpoint and code, without the secret', async () => {
    const c = client({ kind: 'hmac', apiKey: SIM_CREDENTIALS.asterHmac.apiKey, apiSecret: 'f'.repeat(64) });
    const e = await c.position(SYMBOL).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(VenueError);
    expect(e).toMatchObject({ category: 'auth', code: '-1022', endpoint: 'GET /fapi/v2/positionRisk' });
    expect((e as Error).message).not.toContain('f'.repeat(64));
    await c.close();
  });
});
