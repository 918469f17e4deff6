import { randomUUID } from 'node:crypto';
import { AlertSchema } from '@arb/bus/alert';
import { bullConnection } from '@arb/bus/bull-connection';
import { ControlCommandSchema, type ControlCommandKind } from '@arb/bus/control-command';
import { readControlFlags } from '@arb/bus/control-flags';
import type { HedgeIntent } from '@arb/bus/hedge-intent';
import { markLegsEnqueued, readHedge, recordOpenIntent } from '@arb/bus/hedge-store';
import { type RedisNames, redisNames } from '@arb/bus/keys';
import { acquireLease } from '@arb/bus/leader-lease';
import { type OrderOutcomeEvent, OrderOutcomeEventSchema } from '@arb/bus/order-outcome-event';
import { closeOrderQueues, createOrderQueues, type OrderQueues } from '@arb/bus/order-queues';
import { QuotePublisher } from '@arb/bus/quote-bus';
import { appendMessage, readRange } from '@arb/bus/stream';
import { SIM_CREDENTIALS } from '@arb/config/sim-credentials';
import { makeHedgeId } from '@arb/core/hedge';
import type { OrderOutcome, Side } from '@arb/core/order';
import type { VenueId } from '@arb/core/venue';
import { createLogger } from '@arb/log/logger';
import { SimAdminClient } from '@arb/sim/admin/client';
import { type RunningSim, startSim } from '@arb/sim/start-sim';
import { type RedisFixture, redisFixture } from '@arb/testkit/redis';
import { waitFor } from '@arb/testkit/wait';
import { AsterVenueClient } from '@arb/venue-aster/venue-client';
import { BackpackVenueClient } from '@arb/venue-backpack/backpack-venue-client';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportLedger } from '@arb/bus/ledger-export';
import { type RiskServiceOptions, type RunningRisk, startRisk } from './risk-service';

/**
 * Risk in-process against a real Redis and the simulator over real HTTP (positions, open orders, order
 * look-ups). The strategy and the order workers are played by the test: it records intents through the
 * real hedge store and appends order outcomes to the real outcome stream, and reads the leg jobs risk
 * puts on the real BullMQ queues.
 */
let fx: RedisFixture;
let names: RedisNames;
let sim: RunningSim;
let queues: OrderQueues;
const log = createLogger({ service: 'risk-test', level: 'warn' });
const venues = () => ({
  aster: new AsterVenueClient({
    baseUrl: sim.aster.restUrl,
    credentials: {
      kind: 'hmac',
      apiKey: SIM_CREDENTIALS.asterHmac.apiKey,
      apiSecret: SIM_CREDENTIALS.asterHmac.secret,
    },
    recvWindowMs: 5000,
    timeoutMs: 5000,
    log,
  }),
  backpack: new BackpackVenueClient({
    restUrl: sim.backpack.restUrl,
    apiKey: SIM_CREDENTIALS.backpack.apiKey,
    secret: SIM_CREDENTIALS.backpack.secret,
    windowMs: 5000,
    timeoutMs: 5000,
  }),
});

function riskOptions(extra: Partial<RiskServiceOptions> = {}): RiskServiceOptions {
  return {
    redisUrl: fx.url,
    namespace: fx.ns,
    pair: 'BTC',
    venues: venues(),
    forceCloseMs: 3000,
    maxQuoteAgeMs: 2000,
    reconcileIntervalMs: 500,
    driftTolerance: 0.001,
    flattenOnDrift: false,
    dailyLossLimit: 1,
    cleanupPolicy: 'unwind',
    tradingTimeZone: 'UTC',
    nakedAlertMs: 5000,
    stuckLegMs: 30_000,
    tickMs: 200,
    reclaimIdleMs: 2000,
    log,
    metrics: new Registry(),
    ...extra,
  };
}

/** The strategy's open intent as the test records it: buy Aster, sell Backpack, 0.02 BTC. */
function openIntent(
  hedgeId: string,
  fence: number,
  createdAt: number,
  over: Partial<HedgeIntent> = {},
): HedgeIntent {
  return {
    v: 1,
    hedgeId,
    pair: 'BTC',
    action: 'open',
    direction: 'buy_aster_sell_backpack',
    qty: 0.02,
    expectedEdge: 150,
    reason: 'spread',
    quoteSeqs: { aster: 1, backpack: 1 },
    priceGuards: { aster: 100_500, backpack: 99_500 },
    fence,
    createdAt,
    ...over,
  };
}

/** Records an open intent as the strategy still holding the lease acquired by the first hedge test. */
async function recordOpenAsStrategy(hedgeId: string, createdAt: number, over: Partial<HedgeIntent>) {
  const lease = { owner: 'test-strategy', fence: Number(await fx.redis.get(names.fencingKey('BTC'))) };
  return recordOpenIntent(fx.redis, names, openIntent(hedgeId, lease.fence, createdAt, over), lease);
}

async function command(command: ControlCommandKind, id: string = randomUUID()): Promise<string> {
  await appendMessage(fx.redis, names.commandStream, ControlCommandSchema, {
    v: 1,
    id,
    command,
    by: 'test',
    at: Date.now(),
  });
  return id;
}

/** An order worker's report on leg `legId` (`<hedgeId>-<venue>-<role><attempt>`) of a test hedge. */
function outcomeEvent(hedgeId: string, legId: string, outcome: OrderOutcome): OrderOutcomeEvent {
  const now = Date.now();
  const [, , roleAttempt] = legId.split('-');
  return {
    v: 1,
    hedgeId,
    pair: 'BTC',
    role: roleAttempt?.startsWith('close') ? 'close' : 'open',
    attempt: 1,
    jobId: legId,
    outcome,
    sentAt: now,
    ackAt: now,
    probed: false,
  };
}

function fill(hedgeId: string, legId: string, venue: VenueId, side: Side, price: number): OrderOutcomeEvent {
  return outcomeEvent(hedgeId, legId, {
    kind: 'filled',
    venue,
    clientOrderId: legId,
    venueOrderId: `v-${legId}`,
    side,
    qty: 0.02,
    avgPrice: price,
    fee: 0.5,
    feeAsset: venue === 'aster' ? 'USDT' : 'USDC',
    executedAt: Date.now(),
  });
}

function rejected(
  hedgeId: string,
  legId: string,
  venue: VenueId,
  code: string,
  reason: string,
  retryAfterMs?: number,
) {
  return outcomeEvent(hedgeId, legId, {
    kind: 'rejected',
    venue,
    clientOrderId: legId,
    code,
    reason,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

const report = (e: OrderOutcomeEvent) =>
  appendMessage(fx.redis, names.outcomeStream, OrderOutcomeEventSchema, e);
const flags = () => readControlFlags(fx.redis, names);

beforeAll(async () => {
  fx = await redisFixture({ prefix: 't-risk' });
  names = redisNames(fx.ns);
  sim = await startSim({ host: '127.0.0.1', asterPort: 0, backpackPort: 0, adminPort: 0, seed: 3 });
  queues = createOrderQueues(bullConnection(fx.url), names);
});

afterAll(async () => {
  await closeOrderQueues(queues);
  await sim?.close();
  await fx?.cleanup();
});

describe('risk (in-process, real Redis and simulator)', () => {
  let risk: RunningRisk | null = null;
  afterAll(async () => {
    await risk?.stop();
  });

  it('reconciles a flat account, then runs commands once each', async () => {
    risk = await startRisk(riskOptions());
    await waitFor(async () => (await flags()).reconciled, { timeoutMs: 30_000, message: 'reconciled' });
    expect(risk.health().ok).toBe(true);
    const id = await command('pause');
    await waitFor(async () => (await flags()).paused, { timeoutMs: 15_000, message: 'paused' });
    await command('resume');
    await waitFor(async () => !(await flags()).paused, { timeoutMs: 15_000, message: 'resumed' });
    // The same pause delivered again is not executed again.
    await command('pause', id);
    const marker = await command('resume');
    await waitFor(async () => (await fx.redis.sismember(names.riskCommandsDoneKey, marker)) === 1, {
      timeoutMs: 15_000,
      message: 'second resume done',
    });
    expect((await flags()).paused).toBe(false);
  });

  it('a second instance stays on standby until the active one stops', async () => {
    let standbyActive = false;
    const standby = startRisk(riskOptions()).then((r) => {
      standbyActive = true;
      return r;
    });
    // The active instance keeps its lease (renewed every 2 s): the standby does not start acting.
    const lease = names.riskLeaderKey('BTC');
    const holder = await fx.redis.get(lease);
    await waitFor(
      async () => (await fx.redis.pttl(lease)) > 0 && (await fx.redis.get(lease)) === holder,
      5000,
    );
    expect(standbyActive).toBe(false);
    await risk?.stop();
    risk = await standby;
    expect(await fx.redis.get(lease)).not.toBe(holder);
    await waitFor(async () => (await flags()).reconciled, { timeoutMs: 30_000, message: 'reconciled again' });
  });

  it('opens from outcomes, force-closes from the durable openedAt across a restart, kills on the loss limit', async () => {
    const lease = await acquireLease(fx.redis, names, 'BTC', 'test-strategy', 600_000);
    if (lease === null) throw new Error('no lease');
    const now = Date.now();
    const hedgeId = makeHedgeId(now, 1234);
    const intent = openIntent(hedgeId, lease, now, { priceGuards: { aster: 100_100, backpack: 99_900 } });
    expect(await recordOpenIntent(fx.redis, names, intent, { owner: 'test-strategy', fence: lease })).toEqual(
      {
        ok: true,
        existing: false,
      },
    );
    // Risk re-enqueues the strategy's own open legs (same ids, same payload: a no-op when queued).
    await waitFor(async () => (await queues.aster.getJob(`${hedgeId}-aster-open1`)) !== undefined, {
      timeoutMs: 15_000,
      message: 'open leg job',
    });
    const openJob = await queues.aster.getJob(`${hedgeId}-aster-open1`);
    expect(openJob?.data).toMatchObject({ fence: lease, limitPrice: 100_100, side: 'buy' });

    await report(fill(hedgeId, `${hedgeId}-aster-open1`, 'aster', 'buy', 100_000));
    await report(fill(hedgeId, `${hedgeId}-backpack-open1`, 'backpack', 'sell', 100_100));
    const opened = await waitFor(
      async () => {
        const h = await readHedge(fx.redis, names, hedgeId);
        return h?.status?.phase === 'open' ? h : null;
      },
      { timeoutMs: 15_000, message: 'open' },
    );
    // Risk crashes (stops) and comes back before FORCE_CLOSE_TIME; the forced close still happens.
    await risk?.stop();
    risk = await startRisk(riskOptions());
    const closeJob = await waitFor(() => queues.backpack.getJob(`${hedgeId}-backpack-close1`), {
      timeoutMs: 30_000,
      message: 'forced close legs',
    });
    const closingAt = Date.now();
    expect(closingAt - (opened.status?.openedAt ?? 0)).toBeGreaterThanOrEqual(3000);
    expect(closeJob.data).toMatchObject({ side: 'buy', qty: 0.02, reduceOnly: true, fence: 0 });
    expect((await queues.aster.getJob(`${hedgeId}-aster-close1`))?.data).toMatchObject({
      side: 'sell',
      reduceOnly: true,
    });

    // A close leg refused by a rate limit: its retry waits out the venue's Retry-After in BullMQ's delayed
    // set instead of coming straight back (a retry storm while the venue is known to refuse).
    const limitedAt = Date.now();
    await report(
      rejected(hedgeId, `${hedgeId}-backpack-close1`, 'backpack', 'HTTP_429', 'rate limited', 1500),
    );
    const retry = await waitFor(() => queues.backpack.getJob(`${hedgeId}-backpack-close2`), {
      timeoutMs: 15_000,
      message: 'the close leg retried',
    });
    expect(retry.data).toMatchObject({ side: 'buy', qty: 0.02, reduceOnly: true });
    expect(await retry.getState()).toBe('delayed');
    expect(retry.opts.delay).toBeGreaterThan(0);
    expect(retry.timestamp + (retry.opts.delay ?? 0)).toBeGreaterThanOrEqual(limitedAt + 1500);
    expect(retry.timestamp + (retry.opts.delay ?? 0)).toBeLessThanOrEqual(Date.now() + 1500);
    // (A worker would take it once due; this test plays the worker and reports its fill.)

    // A losing close: -4 USD before fees, past the 1 USD daily loss limit.
    await report(fill(hedgeId, `${hedgeId}-aster-close1`, 'aster', 'sell', 99_900));
    await report(fill(hedgeId, `${hedgeId}-backpack-close2`, 'backpack', 'buy', 100_200));
    await waitFor(async () => (await readHedge(fx.redis, names, hedgeId))?.status?.phase === 'closed', {
      timeoutMs: 15_000,
      message: 'closed',
    });
    await waitFor(async () => (await flags()).killed, {
      timeoutMs: 15_000,
      message: 'killed by the loss limit',
    });
    const day = new Date().toISOString().slice(0, 10);
    const stats = JSON.parse((await fx.redis.get(names.dailyStatsKey(day))) ?? '{}');
    expect(stats).toMatchObject({ trades: 4, hedgesOpened: 1, hedgesClosed: 1, openPositions: 0 });
    expect(stats.realizedPnl).toBeCloseTo(-4 - 2, 9);
    const alerts = (await readRange(fx.redis, names.alertStream, AlertSchema)).entries.map(
      (e) => e.message.code,
    );
    expect(alerts).toContain('daily_loss_limit');

    const csv = (await exportLedger(fx.redis, names, { format: 'csv' })).trimEnd().split('\n');
    expect(csv.filter((l) => l.includes(',fill,'))).toHaveLength(4);
    expect(csv.some((l) => l.includes(',hedge_opened,'))).toBe(true);
    expect(csv.find((l) => l.includes(',hedge_closed,'))).toContain('force_close_time');
    const json = JSON.parse(await exportLedger(fx.redis, names, { format: 'json' })) as { kind: string }[];
    expect(json.map((e) => e.kind)).toEqual(['fill', 'fill', 'hedge_opened', 'fill', 'fill', 'hedge_closed']);
  });

  it('resolves an unknown leg at the venue, unwinds a one-sided hedge, and detects drift from venue truth', async () => {
    // The previous test's close legs were "executed" by the test itself: take them off the queues.
    for (const q of [queues.aster, queues.backpack]) await q.obliterate({ force: true });
    await command('resume');
    await waitFor(async () => !(await flags()).killed, { timeoutMs: 15_000, message: 'resumed' });
    await waitFor(async () => (await flags()).reconciled, { timeoutMs: 30_000, message: 'reconciled' });
    const now = Date.now();
    const hedgeId = makeHedgeId(now, 77);
    const res = await recordOpenAsStrategy(hedgeId, now, { quoteSeqs: { aster: 2, backpack: 2 } });
    expect(res.ok).toBe(true);
    // The aster leg really executes at the simulator, but its worker only knows "unknown" (timeout).
    const aster = venues().aster;
    await aster.init('BTCUSDT');
    const legId = `${hedgeId}-aster-open1`;
    const placed = await aster.placeOrder({
      venue: 'aster',
      symbol: 'BTCUSDT',
      side: 'buy',
      qty: 0.02,
      reduceOnly: false,
      clientOrderId: legId,
    });
    expect(placed.kind).toBe('filled');
    await aster.close();
    await report(
      outcomeEvent(hedgeId, legId, {
        kind: 'unknown',
        venue: 'aster',
        clientOrderId: legId,
        reason: 'timeout',
      }),
    );
    await report(rejected(hedgeId, `${hedgeId}-backpack-open1`, 'backpack', 'INSUFFICIENT_MARGIN', 'test'));
    // Risk looked the unknown leg up, found it filled, and unwinds it reduce-only.
    const unwind = await waitFor(() => queues.aster.getJob(`${hedgeId}-aster-unwind1`), {
      timeoutMs: 30_000,
      message: 'unwind leg job',
    });
    expect(unwind.data).toMatchObject({ side: 'sell', qty: 0.02, reduceOnly: true, fence: 0 });
    const cleanup = await readHedge(fx.redis, names, hedgeId);
    expect(cleanup?.status).toMatchObject({ phase: 'cleanup', exposure: { aster: 0.02, backpack: 0 } });

    // Nobody executes the unwind: once the queue is empty, venue truth (long 0.02 on aster) shows drift.
    for (const q of [queues.aster, queues.backpack]) await q.obliterate({ force: true });
    await report(fill(hedgeId, `${hedgeId}-aster-unwind1`, 'aster', 'sell', 100_000));
    await waitFor(async () => (await readHedge(fx.redis, names, hedgeId))?.status?.phase === 'failed', {
      timeoutMs: 15_000,
      message: 'failed (flat by fills)',
    });
    await waitFor(async () => !(await flags()).reconciled, {
      timeoutMs: 30_000,
      message: 'drift un-reconciles',
    });
    const alerts = (await readRange(fx.redis, names.alertStream, AlertSchema)).entries.map((e) => e.message);
    const drift = alerts.find((a) => a.code === 'exposure_drift');
    expect(drift?.details).toMatchObject({ driftAster: 0.02, driftBackpack: 0, net: 0.02 });
    expect(risk?.health().ok).toBe(false);
  });

  it("cleanup policy 'complete' with fresh quotes re-places the missing leg instead of unwinding", async () => {
    await risk?.stop();
    risk = null;
    await new SimAdminClient(sim.adminUrl).setAccount('aster', 'main', {
      position: { qty: 0, entryPrice: 0 },
    });
    for (const q of [queues.aster, queues.backpack]) await q.obliterate({ force: true });
    risk = await startRisk(riskOptions({ cleanupPolicy: 'complete', maxQuoteAgeMs: 60_000 }));
    await waitFor(async () => (await flags()).reconciled, { timeoutMs: 30_000, message: 'reconciled' });
    const now = Date.now();
    let seq = 100;
    for (const venue of ['aster', 'backpack'] as const) {
      await new QuotePublisher(fx.redis, names, venue, 'BTC').publish({
        v: 1,
        venue,
        symbol: venue === 'aster' ? 'BTCUSDT' : 'BTC_USDC_PERP',
        bid: 100_000,
        bidQty: 1,
        ask: 100_001,
        askQty: 1,
        venueTime: now,
        receivedAt: now,
        seq: ++seq,
      });
    }
    const hedgeId = makeHedgeId(now, 999);
    const res = await recordOpenAsStrategy(hedgeId, now, { quoteSeqs: { aster: 101, backpack: 102 } });
    expect(res).toEqual({ ok: true, existing: false });
    // As the strategy does once its adds are acknowledged: risk then leaves the open legs to it.
    await markLegsEnqueued(fx.redis, names, hedgeId, 'open');
    await report(fill(hedgeId, `${hedgeId}-aster-open1`, 'aster', 'buy', 100_001));
    await report(
      rejected(hedgeId, `${hedgeId}-backpack-open1`, 'backpack', 'PRICE_GUARD', 'IOC limit not reached'),
    );
    const complete = await waitFor(() => queues.backpack.getJob(`${hedgeId}-backpack-complete1`), {
      timeoutMs: 30_000,
      message: 'complete leg job',
    });
    expect(complete.data).toMatchObject({ side: 'sell', qty: 0.02, reduceOnly: false, fence: 0 });
    expect(await queues.aster.getJob(`${hedgeId}-aster-unwind1`)).toBeUndefined();
    for (const venue of ['aster', 'backpack'] as const)
      expect(await queues[venue].getJob(`${hedgeId}-${venue}-open1`), 'not re-added').toBeUndefined();
    await report({
      ...fill(hedgeId, `${hedgeId}-backpack-complete1`, 'backpack', 'sell', 100_000),
      role: 'complete',
    });
    await waitFor(async () => (await readHedge(fx.redis, names, hedgeId))?.status?.phase === 'open', {
      timeoutMs: 15_000,
      message: 'open after completing',
    });
  });

  it('venue positions unreadable past the bound: reconciled goes false with an alert, and back when readable', async () => {
    await risk?.stop();
    risk = null;
    for (const q of [queues.aster, queues.backpack]) await q.obliterate({ force: true });
    const admin = new SimAdminClient(sim.adminUrl);
    // The venues hold what the open hedge of the previous test expects.
    await admin.setAccount('aster', 'main', { position: { qty: 0.02, entryPrice: 100_000 } });
    await admin.setAccount('backpack', 'main', { position: { qty: -0.02, entryPrice: 100_000 } });
    risk = await startRisk(riskOptions({ truthTimeoutMs: 1500, forceCloseMs: 3_600_000 }));
    await waitFor(async () => (await flags()).reconciled, { timeoutMs: 30_000, message: 'reconciled' });
    await admin.addFault({ kind: 'maintenance', venue: 'backpack', durationMs: 4000 });
    await waitFor(async () => !(await flags()).reconciled, { timeoutMs: 30_000, message: 'un-reconciled' });
    // The flag is written before the alert (it gates opens; the alert is for the operator), so wait for it.
    const alertCodes = async () =>
      (await readRange(fx.redis, names.alertStream, AlertSchema)).entries.map((e) => e.message.code);
    await waitFor(async () => (await alertCodes()).includes('reconcile_failed'), {
      timeoutMs: 10_000,
      message: 'reconcile_failed alert',
    });
    expect(risk.health()).toMatchObject({ ok: false });
    await waitFor(async () => (await flags()).reconciled, { timeoutMs: 30_000, message: 'reconciled again' });
  });
});
