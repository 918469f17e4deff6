import { randomUUID } from 'node:crypto';
import { SIM_ACCOUNT, SIM_CREDENTIALS } from '@arb/config/sim-credentials';
import type { OrderRequest } from '@arb/core/order';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BackpackSim, startBackpackSim } from '@arb/sim/testing/backpack-sim';
import { BackpackVenueClient } from './backpack-venue-client';
import { backpackClientId } from './client-id';

/**
 * The adapter against the simulator's Backpack front-end over real HTTP: signed orders, outcomes
 * (filled / rejected with the venue code / unknown on timeout, 5xx and reset), order lookup by client
 * id through open orders and history, positions, collateral and leverage. Once through CCXT (default)
 * and once through the direct signed client.
 */

const SYMBOL = 'BTC_USDC_PERP';
const run = randomUUID().slice(0, 8);
let n = 0;
const cid = () => `t-${run}-${++n}`;

describe.each(['ccxt', 'direct'] as const)(
  'BackpackVenueClient via %s against the simulator',
  (transport) => {
    let sim: BackpackSim;
    let client: BackpackVenueClient;
    let slowClient: BackpackVenueClient;
    const order = (over: Partial<OrderRequest> = {}): OrderRequest => ({
      venue: 'backpack',
      symbol: SYMBOL,
      side: 'buy',
      qty: 0.001,
      reduceOnly: false,
      clientOrderId: cid(),
      ...over,
    });

    beforeAll(async () => {
      sim = await startBackpackSim();
      const opts = {
        restUrl: sim.restUrl,
        apiKey: SIM_CREDENTIALS.backpack.apiKey,
        secret: SIM_CREDENTIALS.backpack.secret,
        transport,
      };
      client = new BackpackVenueClient({ ...opts, timeoutMs: 10_000 });
      slowClient = new BackpackVenueClient({ ...opts, timeoutMs: 300 });
    });
    afterAll(async () => {
      await client?.close();
      await slowClient?.close();
      await sim?.close();
    });

    it('reads market rules and sets the account leverage limit (PATCH, verified by GET)', async () => {
      const rules = await client.marketRules(SYMBOL);
      const simRules = sim.core.engines.backpack.rules;
      expect(rules).toEqual({
        symbol: SYMBOL,
        tickSize: simRules.tickSize,
        stepSize: simRules.stepSize,
        minQty: simRules.minQty,
        minNotional: 0,
      });
      expect(await client.ensureLeverage(SYMBOL, 5)).toBe(5);
      expect(await client.ensureLeverage(SYMBOL, 3)).toBe(3);
      expect(await client.ensureLeverage(SYMBOL, 5)).toBe(5);
    });

    it('an order held at its send gate leaves only when the gate opens; a closed gate sends nothing', async () => {
      const simOrders = (clientOrderId: string) =>
        sim.core.engines.backpack
          .orderHistory(SIM_ACCOUNT)
          .filter((o) => o.clientOrderId === String(backpackClientId(clientOrderId)));
      const withdrawnReq = order();
      const withdrawn = await client.placeOrder(withdrawnReq, { sendGate: Promise.resolve(false) });
      expect(withdrawn).toMatchObject({ kind: 'rejected', code: 'NOT_SENT' });
      expect(simOrders(withdrawnReq.clientOrderId)).toEqual([]);

      let open!: (mayLeave: boolean) => void;
      const gate = new Promise<boolean>((r) => {
        open = r;
      });
      const heldReq = order();
      const held = client.placeOrder(heldReq, { sendGate: gate });
      await new Promise((r) => setTimeout(r, 100));
      expect(simOrders(heldReq.clientOrderId)).toEqual([]);
      open(true);
      expect((await held).kind).toBe('filled');
      expect(simOrders(heldReq.clientOrderId)).toHaveLength(1);
      await client.placeOrder(order({ side: 'sell', reduceOnly: true }));
    });

    it('places a signed market order: filled with qty, avg price, fee and venue order id', async () => {
      const req = order({ qty: 0.0123456 });
      const outcome = await client.placeOrder(req);
      expect(outcome.kind).toBe('filled');
      if (outcome.kind !== 'filled') return;
      const simOrder = sim.core.engines.backpack
        .orderHistory(SIM_ACCOUNT)
        .find((o) => o.clientOrderId === String(backpackClientId(req.clientOrderId)));
      expect(simOrder).toBeDefined();
      const fills = sim.core.engines.backpack
        .fills(SIM_ACCOUNT)
        .filter((f) => f.orderId === simOrder!.orderId);
      expect(outcome).toMatchObject({
        venue: 'backpack',
        clientOrderId: req.clientOrderId,
        venueOrderId: String(simOrder!.orderId),
        side: 'buy',
        qty: 0.01234, // rounded down to the 0.00001 step
        feeAsset: 'USDC',
      });
      expect(outcome.avgPrice).toBeCloseTo(simOrder!.avgPrice, 6);
      expect(outcome.fee).toBeCloseTo(
        fills.reduce((s, f) => s + f.fee, 0),
        6,
      );
      expect(outcome.fee).toBeGreaterThan(0);
      // findOrder by the product's client order id: not resting any more -> found in history.
      expect(await client.findOrder(SYMBOL, req.clientOrderId)).toEqual(outcome);
      expect(await client.findOrder(SYMBOL, cid())).toBeNull();
    });

    it('IOC limit and reduce-only orders; positions signed; collateral', async () => {
      const before = await client.position(SYMBOL);
      const book = sim.core.engines.backpack.book(1);
      const ask = book.asks[0]!.price;
      const ioc = await client.placeOrder(order({ qty: 0.002, limitPrice: ask + 50 }));
      expect(ioc).toMatchObject({ kind: 'filled', qty: 0.002 });
      const pos = await client.position(SYMBOL);
      expect(pos.qty).toBeCloseTo(before.qty + 0.002, 8);
      expect(pos.leverage).toBe(5);
      // An IOC limit far below the book executes nothing: expired, classified rejected.
      const far = await client.placeOrder(order({ qty: 0.002, limitPrice: book.bids[0]!.price - 5000 }));
      expect(far).toMatchObject({ kind: 'rejected' });
      // Flatten with a reduce-only sell of the whole position.
      const flat = await client.placeOrder(order({ side: 'sell', qty: pos.qty, reduceOnly: true }));
      expect(flat).toMatchObject({ kind: 'filled', side: 'sell' });
      expect((await client.position(SYMBOL)).qty).toBeCloseTo(0, 8);
      // Reduce-only with no position: the venue refuses.
      const ro = await client.placeOrder(order({ side: 'sell', qty: 0.001, reduceOnly: true }));
      expect(ro.kind).toBe('rejected');
      const bal = await client.balance();
      expect(bal.asset).toBe('USDC');
      expect(bal.equity).toBeGreaterThan(0);
      expect(bal.available).toBeGreaterThan(0);
      expect(await client.openOrders(SYMBOL)).toEqual([]);
      await expect(client.cancelOrder(SYMBOL, cid())).resolves.toBeUndefined();
    });

    it('documented rejection (insufficient margin) is rejected with the venue code', async () => {
      sim.fault({ kind: 'reject_orders', venue: 'backpack', count: 1, reason: 'insufficient_margin' });
      const outcome = await client.placeOrder(order());
      expect(outcome).toMatchObject({ kind: 'rejected', code: 'INSUFFICIENT_MARGIN' });
    });

    it('5xx is unknown, and the order is resolved at the venue afterwards (not executed here)', async () => {
      sim.fault({
        kind: 'http_error',
        venue: 'backpack',
        route: 'POST /api/v1/order',
        status: 500,
        count: 1,
      });
      const req = order();
      expect(await client.placeOrder(req)).toMatchObject({
        kind: 'unknown',
        clientOrderId: req.clientOrderId,
      });
      expect(await client.findOrder(SYMBOL, req.clientOrderId)).toBeNull();
      sim.fault({ kind: 'maintenance', venue: 'backpack', durationMs: 300 });
      expect((await client.placeOrder(order())).kind).toBe('unknown');
      await new Promise((r) => setTimeout(r, 400));
    });

    it('a timeout after execution is unknown; findOrder then finds it filled', async () => {
      sim.fault({
        kind: 'timeout_after_execution',
        venue: 'backpack',
        route: 'POST /api/v1/order',
        delayMs: 1500,
        count: 1,
      });
      const req = order();
      const outcome = await slowClient.placeOrder(req);
      expect(outcome).toMatchObject({ kind: 'unknown', clientOrderId: req.clientOrderId });
      expect(await client.findOrder(SYMBOL, req.clientOrderId)).toMatchObject({ kind: 'filled', qty: 0.001 });
    });

    it('a connection dropped after execution is unknown; findOrder then finds it filled', async () => {
      sim.fault({
        kind: 'timeout_after_execution',
        venue: 'backpack',
        route: 'POST /api/v1/order',
        drop: true,
        count: 1,
      });
      const req = order({ side: 'sell' });
      const outcome = await client.placeOrder(req);
      expect(outcome).toMatchObject({ kind: 'unknown' });
      expect(await client.findOrder(SYMBOL, req.clientOrderId)).toMatchObject({
        kind: 'filled',
        side: 'sell',
      });
    });

    it('rate limit (429) is a rejection (nothing executed) carrying the code', async () => {
      sim.fault({
        kind: 'rate_limit',
        venue: 'backpack',
        route: 'POST /api/v1/order',
        retryAfterSec: 1,
        count: 1,
      });
      const outcome = await client.placeOrder(order());
      expect(outcome.kind).toBe('rejected');
      // the venue's Retry-After travels with the rejection (risk backs the retry off by it)
      expect(outcome).toMatchObject({ retryAfterMs: 1000 });
    });

    it('a bad signature is rejected with INVALID_SIGNATURE; errors name venue, endpoint and code', async () => {
      const wrong = new BackpackVenueClient({
        restUrl: sim.restUrl,
        apiKey: SIM_CREDENTIALS.backpack.apiKey,
        secret: Buffer.alloc(32, 9).toString('base64'),
        transport,
      });
      try {
        expect(await wrong.placeOrder(order())).toMatchObject({
          kind: 'rejected',
          code: 'INVALID_SIGNATURE',
        });
        await expect(wrong.balance()).rejects.toMatchObject({
          name: 'VenueError',
          venue: 'backpack',
          category: 'auth',
          code: 'INVALID_SIGNATURE',
          endpoint: 'GET /api/v1/capital/collateral',
        });
      } finally {
        await wrong.close();
      }
    });
  },
);
