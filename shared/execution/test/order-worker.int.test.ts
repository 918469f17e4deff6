import { randomBytes } from 'node:crypto';
import { bullConnection } from '@arb/bus/bull-connection';
import { jobOptions, makeLegJob, type OrderJob } from '@arb/bus/job-registry';
import { orderQueueFor, type RedisNames, redisNames } from '@arb/bus/keys';
import type { LegJob } from '@arb/bus/leg-job';
import { type OrderOutcomeEvent, OrderOutcomeEventSchema } from '@arb/bus/order-outcome-event';
import { readRange } from '@arb/bus/stream';
import type { Side } from '@arb/core/order';
import { type VenueId, venueSymbol } from '@arb/core/venue';
import { type AdminOrder, SimAdminClient } from '@arb/sim/admin/client';
import { type RunningSim, startSim } from '@arb/sim/start-sim';
import { type ServiceProcess, spawnService } from '@arb/testkit/process';
import { type RedisFixture, redisFixture } from '@arb/testkit/redis';
import { waitFor } from '@arb/testkit/wait';
import { backpackClientId } from '@arb/venue-backpack/client-id';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOT_PLACED, REFUSAL_CODES } from '../src/leg-executor';
import { accountLockKey } from '../src/order-worker';

/**
 * The order worker end to end: the simulator in-process (real HTTP), a real Redis, and the workers as
 * REAL processes (test/worker-process.ts, the mains' wiring with short BullMQ stall timings). Every check
 * of "how many orders" reads the simulator's own order log through its admin API.
 */

const ORDER_ROUTE: Record<VenueId, string> = { aster: 'POST /fapi/v3/order', backpack: 'POST /api/v1/order' };
const LOCAL_CODES = new Set<string>([...Object.values(REFUSAL_CODES), NOT_PLACED]);

describe.each(['aster', 'backpack'] as const)('order worker on %s', (venue) => {
  let sim: RunningSim;
  let admin: SimAdminClient;
  let fx: RedisFixture;
  let names: RedisNames;
  let queue: Queue<LegJob>;
  const procs: ServiceProcess[] = [];
  let seq = 0;

  const env = () => ({
    MODE: 'sim',
    REDIS_URL: fx.url,
    ARB_NAMESPACE: fx.ns,
    SIM_HOST: '127.0.0.1',
    SIM_ASTER_PORT: String(new URL(sim.aster.restUrl).port),
    SIM_BACKPACK_PORT: String(new URL(sim.backpack.restUrl).port),
    SIM_ADMIN_PORT: String(new URL(sim.adminUrl).port),
    ORDER_TIMEOUT_MS: '5000',
    UNKNOWN_RESOLVE_TIMEOUT_MS: '15000',
    PRICE_VALIDITY_MS: '20000',
    LOG_LEVEL: 'info',
    HEALTH_PORT: '0',
  });

  const startWorker = async (): Promise<ServiceProcess> => {
    const p = spawnService({
      entry: 'shared/execution/test/worker-process.ts',
      args: ['--venue', venue, '--lock-ms', '2000', '--stalled-ms', '1000'],
      env: env(),
      name: `worker-${venue}-${procs.length}`,
    });
    procs.push(p);
    await p.waitForLine(/"msg":"ready"/, 60_000);
    return p;
  };

  const venueCid = (cid: string) => (venue === 'backpack' ? String(backpackClientId(cid)) : cid);
  const simOrders = async (cid: string): Promise<AdminOrder[]> =>
    (await admin.orders({ venue })).filter((o) => o.clientOrderId === venueCid(cid));

  const outcomes = async (): Promise<OrderOutcomeEvent[]> =>
    (await readRange(fx.redis, names.outcomeStream, OrderOutcomeEventSchema)).entries.map((e) => e.message);
  const outcomeOf = (legId: string, timeoutMs = 30_000) =>
    waitFor(async () => (await outcomes()).find((e) => e.jobId === legId), { timeoutMs });

  const legJob = async (
    over: { side?: Side; fence?: number; createdAt?: number } = {},
  ): Promise<OrderJob> => {
    const side = over.side ?? (seq % 2 === 0 ? 'buy' : 'sell');
    const book = await admin.book(venue);
    const ref =
      side === 'buy' ? (book.asks[0]?.price ?? book.markPrice) : (book.bids[0]?.price ?? book.markPrice);
    const hedgeId = `h${randomBytes(4).toString('hex')}${(seq++).toString(36)}`;
    return makeLegJob({
      hedgeId,
      pair: 'BTC',
      role: 'open',
      attempt: 1,
      venue,
      side,
      qty: 0.01,
      reduceOnly: false,
      fence: over.fence ?? 0,
      limitPrice: Math.round(side === 'buy' ? ref * 1.01 : ref * 0.99),
      createdAt: over.createdAt ?? Date.now(),
    });
  };
  const enqueue = async (job: OrderJob) => {
    await queue.add(job.name, job.data, jobOptions(job));
    return job.id;
  };

  beforeAll(async () => {
    sim = await startSim({ host: '127.0.0.1', asterPort: 0, backpackPort: 0, adminPort: 0 });
    admin = new SimAdminClient(sim.adminUrl);
    fx = await redisFixture({ prefix: `t-exec-${venue}` });
    names = redisNames(fx.ns);
    queue = new Queue<LegJob>(orderQueueFor(venue), {
      connection: bullConnection(fx.url),
      prefix: names.bullPrefix,
    });
    await startWorker();
  });

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop('SIGTERM', 20_000)));
    await queue?.close();
    await fx?.cleanup();
    await sim?.close();
  });

  it('starts only after leverage is set and verified on the venue', () => {
    const line = procs[0]!.jsonLines().find((l) => l.msg === 'leverage set and verified');
    expect(line).toMatchObject({ leverage: 5, symbol: venueSymbol(venue, 'BTC') });
  });

  it('a leg job produces exactly one order and a filled outcome with qty, avg price, fee, venue order id', async () => {
    const job = await legJob();
    await enqueue(job);
    const ev = await outcomeOf(job.id);
    expect(ev).toMatchObject({ hedgeId: job.data.hedgeId, role: 'open', attempt: 1, probed: false });
    expect(ev.outcome.kind).toBe('filled');
    if (ev.outcome.kind !== 'filled') return;
    expect(ev.outcome.qty).toBeCloseTo(0.01, 10);
    expect(ev.outcome.avgPrice).toBeGreaterThan(0);
    expect(ev.outcome.fee).toBeGreaterThan(0);
    expect(ev.sentAt).toBeGreaterThan(0);
    expect(ev.ackAt).toBeGreaterThanOrEqual(ev.sentAt);
    const orders = await simOrders(job.id);
    expect(orders).toHaveLength(1);
    expect(String(orders[0]!.orderId)).toBe(ev.outcome.venueOrderId);
    expect(orders[0]!.executedQty).toBeCloseTo(ev.outcome.qty, 10);
    expect(orders[0]!.fee).toBeCloseTo(ev.outcome.fee, 6);
    // The job's return value is the outcome too (Bull Board shows it).
    const done = await waitFor(async () => (await queue.getJob(job.id))?.returnvalue);
    expect(done).toEqual(ev);
  });

  it('a backed-off retry (a delayed job, as risk enqueues one) is sent once due, not before', async () => {
    const job = await legJob();
    const queuedAt = Date.now();
    await queue.add(job.name, job.data, jobOptions(job, 1500));
    await new Promise((r) => setTimeout(r, 700));
    expect(await queue.getJobState(job.id)).toBe('delayed');
    expect(await simOrders(job.id)).toHaveLength(0);
    const ev = await outcomeOf(job.id);
    expect(ev.outcome.kind).toBe('filled');
    expect(ev.sentAt).toBeGreaterThanOrEqual(queuedAt + 1500);
    expect(await simOrders(job.id)).toHaveLength(1);
  });

  it('the same leg delivered again (job removed and re-added; or under another job id) sends nothing more', async () => {
    const job = await legJob();
    await enqueue(job);
    const first = await outcomeOf(job.id);
    expect(first.outcome.kind).toBe('filled');
    const old = await queue.getJob(job.id);
    await waitFor(async () => (await old?.isCompleted()) === true);
    await old!.remove();
    await enqueue(job); // same id, same client order id: a re-delivery
    const again = await waitFor(async () => (await outcomes()).filter((e) => e.jobId === job.id)[1]);
    expect(again).toMatchObject({ probed: true, outcome: { kind: 'filled' } });
    // Under a foreign BullMQ id the job is refused by the registry check as invalid: nothing sent either.
    await queue.add(job.name, job.data, { jobId: `dup-${job.id}`, attempts: 1 });
    // Read the job after it is failed: a job read before could still be active (no reason yet).
    await waitFor(async () => (await queue.getJob(`dup-${job.id}`))?.isFailed());
    const failed = await queue.getJob(`dup-${job.id}`);
    expect(failed?.failedReason).toMatch(/should have id/);
    expect(await simOrders(job.id)).toHaveLength(1);
  });

  it('measures decision -> venue ack over 10 sequential legs (reported, not asserted: shared machine)', async () => {
    const rows: { toSend: number; send: number; total: number }[] = [];
    for (let i = 0; i < 10; i++) {
      const job = await legJob({ side: i % 2 === 0 ? 'buy' : 'sell' });
      await enqueue(job);
      const ev = await outcomeOf(job.id);
      expect(ev.outcome.kind).toBe('filled');
      rows.push({
        toSend: ev.sentAt - job.data.createdAt,
        send: ev.ackAt - ev.sentAt,
        total: ev.ackAt - job.data.createdAt,
      });
    }
    const pct = (xs: number[], p: number) =>
      [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
    const line = (k: keyof (typeof rows)[number]) =>
      `${k} p50 ${pct(
        rows.map((r) => r[k]),
        0.5,
      )} ms, max ${Math.max(...rows.map((r) => r[k]))} ms`;
    console.log(`${venue} latency: ${line('toSend')}; ${line('send')}; ${line('total')}`);
  });

  it('a venue reject (insufficient margin) is reported rejected with the venue code', async () => {
    await admin.addFault({ kind: 'reject_orders', venue, count: 1, reason: 'insufficient_margin' });
    const job = await legJob();
    await enqueue(job);
    const ev = await outcomeOf(job.id);
    expect(ev.outcome.kind).toBe('rejected');
    if (ev.outcome.kind !== 'rejected') return;
    expect(ev.outcome.code.length).toBeGreaterThan(0);
    expect(LOCAL_CODES.has(ev.outcome.code)).toBe(false);
    expect(ev.probed).toBe(false);
  });

  it('a timeout after execution is unknown, resolved at the venue to filled (one order)', async () => {
    await admin.addFault({
      kind: 'timeout_after_execution',
      venue,
      route: ORDER_ROUTE[venue],
      drop: true,
      count: 1,
    });
    const job = await legJob();
    await enqueue(job);
    const ev = await outcomeOf(job.id);
    expect(ev).toMatchObject({ probed: true, outcome: { kind: 'filled' } });
    expect(await simOrders(job.id)).toHaveLength(1);
  });

  it('a 5xx before execution is unknown, resolved to NOT_PLACED after the settle period', async () => {
    await admin.addFault({ kind: 'http_error', venue, route: ORDER_ROUTE[venue], status: 500, count: 1 });
    const job = await legJob();
    await enqueue(job);
    const ev = await outcomeOf(job.id);
    expect(ev).toMatchObject({ probed: true, outcome: { kind: 'rejected', code: NOT_PLACED } });
    if (ev.outcome.kind === 'rejected') expect(ev.outcome.reason).toMatch(/never placed/);
    expect(await simOrders(job.id)).toHaveLength(0);
  });

  it('a strategy leg is sent only under its recorded intent (not without it, not with an older fence); a stale open decision is refused', async () => {
    // As hedge-store records it: the open intent JSON (with its fence) in the hedge's `open` field.
    const recordIntent = (hedgeId: string, fence: number) =>
      fx.redis.hset(names.hedgeKey(hedgeId), 'open', JSON.stringify({ hedgeId, action: 'open', fence }));
    const orphan = await legJob({ fence: 10 });
    await enqueue(orphan);
    expect((await outcomeOf(orphan.id)).outcome).toMatchObject({ kind: 'rejected', code: 'NO_INTENT' });
    const stale = await legJob({ fence: 9 });
    await recordIntent(stale.data.hedgeId, 10);
    await enqueue(stale);
    const a = await outcomeOf(stale.id);
    expect(a.outcome).toMatchObject({ kind: 'rejected', code: 'STALE_FENCE' });
    const current = await legJob({ fence: 10 });
    await recordIntent(current.data.hedgeId, 10);
    await enqueue(current);
    expect((await outcomeOf(current.id)).outcome.kind).toBe('filled');
    const old = await legJob({ createdAt: Date.now() - 60_000 });
    await enqueue(old);
    const b = await outcomeOf(old.id);
    expect(b.outcome).toMatchObject({ kind: 'rejected', code: 'STALE_DECISION' });
    for (const j of [orphan, stale, old]) expect(await simOrders(j.id)).toHaveLength(0);
  });

  it('a job re-run after SIGKILL of the worker between send and report sends nothing again', async () => {
    // The venue executes at once and answers 9 s later (the request times out after 5 s): the worker is killed while it waits.
    await admin.addFault({
      kind: 'timeout_after_execution',
      venue,
      route: ORDER_ROUTE[venue],
      delayMs: 9000,
      count: 1,
    });
    const job = await legJob();
    await enqueue(job);
    await waitFor(async () => (await simOrders(job.id)).length === 1);
    const marker = await fx.redis.get(names.execMarkerKey(venue, job.id));
    expect(JSON.parse(marker ?? '{}')).toMatchObject({ stage: 'sent', byJobId: job.id });
    const killed = await procs[0]!.kill();
    expect(killed.signal).toBe('SIGKILL');
    expect((await outcomes()).find((e) => e.jobId === job.id)).toBeUndefined();
    await startWorker();
    const ev = await outcomeOf(job.id, 60_000);
    expect(ev).toMatchObject({ probed: true, outcome: { kind: 'filled' } });
    expect(await simOrders(job.id)).toHaveLength(1);
  });

  it('a worker paused mid-order (not dead) whose job another process re-runs: one order, truth reported', async () => {
    await startWorker();
    const live = procs.filter((p) => p.exit === undefined);
    expect(live).toHaveLength(2);
    // The venue holds the order request 4 s before executing it; the taker is paused meanwhile.
    await admin.addFault({ kind: 'latency', venue, route: ORDER_ROUTE[venue], ms: 4000, count: 1 });
    const job = await legJob();
    await enqueue(job);
    // The taker holds the venue account while its order is at the venue: the lock's owner starts with its pid.
    const lockKey = accountLockKey(names, venue);
    const taker = await waitFor(async () => {
      const owner = await fx.redis.get(lockKey);
      return owner ? live.find((p) => owner.startsWith(`${p.pid}-`)) : undefined;
    });
    await waitFor(async () => (await admin.faults()).active.length === 0); // the request reached the venue
    taker.signal('SIGSTOP');
    let ev: OrderOutcomeEvent;
    try {
      ev = await outcomeOf(job.id, 60_000);
    } finally {
      taker.signal('SIGCONT');
    }
    expect(ev).toMatchObject({ probed: true, outcome: { kind: 'filled' } });
    const other = live.find((p) => p !== taker)!;
    expect(
      other
        .jsonLines()
        .some((l) => l.msg === 're-run of a leg that may have sent; asking the venue' && l.jobId === job.id),
    ).toBe(true);
    // The paused one wakes up and finishes its own run: it reports the same fill, and sends nothing more.
    const events = await waitFor(async () => {
      const all = (await outcomes()).filter((e) => e.jobId === job.id);
      return all.length >= 2 ? all : null;
    });
    for (const e of events)
      expect(e.outcome).toMatchObject({
        kind: 'filled',
        venueOrderId: (ev.outcome as { venueOrderId: string }).venueOrderId,
      });
    expect(await simOrders(job.id)).toHaveLength(1);
    expect(taker.exit).toBeUndefined();
    if (process.env.DEBUG_EXEC) console.log(taker.stdout.slice(-12).join('\n'));
  });

  it('two worker processes on one venue never have two orders in flight at once', async () => {
    if (procs.filter((p) => p.exit === undefined).length < 2) await startWorker();
    const live = procs.filter((p) => p.exit === undefined);
    expect(live).toHaveLength(2);
    await admin.addFault({ kind: 'latency', venue, route: ORDER_ROUTE[venue], ms: 250, durationMs: 120_000 });
    // A burst (the busy worker chains the next job; the idle one cannot take one meanwhile), then legs
    // one at a time (both workers idle: either may take it).
    const burst: OrderJob[] = [];
    for (let i = 0; i < 4; i++) burst.push(await legJob({ side: i % 2 === 0 ? 'buy' : 'sell' }));
    await Promise.all(burst.map(enqueue));
    const evs = await Promise.all(burst.map((j) => outcomeOf(j.id, 60_000)));
    const single: OrderJob[] = [];
    for (let i = 0; i < 4; i++) {
      const j = await legJob({ side: i % 2 === 0 ? 'buy' : 'sell' });
      single.push(j);
      await enqueue(j);
      evs.push(await outcomeOf(j.id, 60_000));
    }
    await admin.clearFaults(venue);
    const jobs = [...burst, ...single];
    for (const e of evs) expect(e.outcome.kind).toBe('filled');
    const spans = evs.map((e) => [e.sentAt, e.ackAt] as const).sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
    for (const j of jobs) expect(await simOrders(j.id)).toHaveLength(1);
    const handledBy = live.map(
      (p) =>
        p.jsonLines().filter((l) => l.msg === 'order answered' && jobs.some((j) => j.id === l.legId)).length,
    );
    expect(handledBy.reduce((a, b) => a + b, 0)).toBe(8);
    console.log(`${venue}: legs handled per worker process ${JSON.stringify(handledBy)}`);
  });
});
