import { randomBytes } from 'node:crypto';
import { AlertSchema } from '@arb/bus/alert';
import { bullConnection } from '@arb/bus/bull-connection';
import { writeControlFlags } from '@arb/bus/control-flags';
import { parseExecMarker } from '@arb/bus/exec-marker';
import type { HedgeIntent } from '@arb/bus/hedge-intent';
import { recordOpenIntent } from '@arb/bus/hedge-store';
import { jobOptions, legsForIntent, makeLegJob, type OrderJob } from '@arb/bus/job-registry';
import { orderQueueFor, type RedisNames, redisNames } from '@arb/bus/keys';
import type { LegJob } from '@arb/bus/leg-job';
import { acquireLease, type LeaseHolder } from '@arb/bus/leader-lease';
import { type OrderOutcomeEvent, OrderOutcomeEventSchema } from '@arb/bus/order-outcome-event';
import { createSharedOrderQueues, enqueueJob, type OrderQueues } from '@arb/bus/order-queues';
import { readRange } from '@arb/bus/stream';
import { makeHedgeId } from '@arb/core/hedge';
import type { VenueId } from '@arb/core/venue';
import { SimAdminClient } from '@arb/sim/admin/client';
import { type RunningSim, startSim } from '@arb/sim/start-sim';
import { type ServiceProcess, spawnService } from '@arb/testkit/process';
import { type RedisFixture, redisFixture } from '@arb/testkit/redis';
import { waitFor } from '@arb/testkit/wait';
import { backpackClientId } from '@arb/venue-backpack/client-id';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ORDER_ROUTE: Record<VenueId, string> = { aster: 'POST /fapi/v3/order', backpack: 'POST /api/v1/order' };

/**
 * The real-process checks of one order service's main.ts (services/order-<venue>/src/main.ts) against
 * the simulator in-process and a real Redis: ready after leverage is verified, /healthz and /metrics, one
 * fill, an invalid payload counted and alerted, legs granted by their recorded intent (sent without a
 * claim, once; a refused intent's legs never; a missed grant notice falls back to the claim), SIGTERM
 * finishing the in-flight order before exiting, and SIGKILL between send and report (one order).
 * Called from each service's main.int.test.ts.
 */
export function orderServiceSuite(venue: VenueId, entry: string): void {
  describe(`${entry} as a real process`, () => {
    let sim: RunningSim;
    let admin: SimAdminClient;
    let fx: RedisFixture;
    let names: RedisNames;
    let queue: Queue<LegJob>;
    let proc: ServiceProcess;
    let healthUrl: string;
    /** As the strategy does: intents and their legs on one connection (record first, adds right behind). */
    let orders: { queues: OrderQueues; connection: Redis };
    let leader: LeaseHolder;
    let hedgeSeq = 0;

    const outcomes = async (): Promise<OrderOutcomeEvent[]> =>
      (await readRange(fx.redis, names.outcomeStream, OrderOutcomeEventSchema)).entries.map((e) => e.message);
    const outcomeOf = (legId: string) =>
      waitFor(async () => (await outcomes()).find((e) => e.jobId === legId), { timeoutMs: 30_000 });
    const simOrders = async (cid: string) => {
      const vcid = venue === 'backpack' ? String(backpackClientId(cid)) : cid;
      return (await admin.orders({ venue })).filter((o) => o.clientOrderId === vcid);
    };
    const leg = async (side: 'buy' | 'sell'): Promise<OrderJob> => {
      const book = await admin.book(venue);
      const ref =
        side === 'buy' ? (book.asks[0]?.price ?? book.markPrice) : (book.bids[0]?.price ?? book.markPrice);
      return makeLegJob({
        hedgeId: `h${randomBytes(5).toString('hex')}`,
        pair: 'BTC',
        role: 'open',
        attempt: 1,
        venue,
        side,
        qty: 0.01,
        reduceOnly: false,
        fence: 0,
        limitPrice: Math.round(side === 'buy' ? ref * 1.01 : ref * 0.99),
        createdAt: Date.now(),
      });
    };
    const enqueue = (job: OrderJob) => queue.add(job.name, job.data, jobOptions(job));

    /**
     * An open intent recorded as the strategy records it (by `holder`, granting its legs) with this
     * venue's leg added right behind it on the same connection. `missedNotice`: recorded without grants,
     * then the leg's granted marker saved as the record saves it (before the add): a worker that missed
     * the grant's notice. The hedge is not left active.
     */
    const recordAndEnqueue = async (
      o: { holder?: LeaseHolder; missedNotice?: boolean; createdAt?: number } = {},
    ): Promise<{ job: OrderJob; recorded: boolean }> => {
      const [sec, usec] = await fx.redis.time();
      const redisNow = Number(sec) * 1000 + Math.floor(Number(usec) / 1000);
      const [aster, backpack] = [await admin.book('aster'), await admin.book('backpack')];
      const intent: HedgeIntent = {
        v: 1,
        hedgeId: makeHedgeId(Date.now(), ++hedgeSeq),
        pair: 'BTC',
        action: 'open',
        direction: 'buy_aster_sell_backpack',
        qty: 0.01,
        expectedEdge: 1,
        reason: 'test',
        quoteSeqs: { aster: 1, backpack: 1 },
        priceGuards: {
          aster: Math.round((aster.asks[0]?.price ?? aster.markPrice) * 1.01),
          backpack: Math.round((backpack.bids[0]?.price ?? backpack.markPrice) * 0.99),
        },
        fence: leader.fence,
        createdAt: o.createdAt ?? Date.now(),
      };
      const jobs = legsForIntent(intent);
      const job = jobs.find((j) => j.data.venue === venue);
      if (!job) throw new Error(`no ${venue} leg`);
      const grants = o.missedNotice ? [] : jobs.map((j) => j.data);
      const recording = recordOpenIntent(orders.connection, names, intent, o.holder ?? leader, grants);
      const granting = o.missedNotice
        ? orders.connection.set(
            names.execMarkerKey(venue, job.id),
            JSON.stringify({ stage: 'granted', grantedAt: redisNow, fence: intent.fence }),
          )
        : null;
      const adding = enqueueJob(orders.queues, job);
      const [res] = await Promise.all([recording, adding, granting]);
      await fx.redis.del(names.activeHedgeKey('BTC'));
      return { job, recorded: res.ok };
    };
    const freshSends = async (by: 'grant' | 'claim'): Promise<number> => {
      const text = await (await fetch(`${healthUrl}/metrics`)).text();
      const m = text.match(new RegExp(`arb_order_fresh_sends_total\\{[^}]*by="${by}"[^}]*\\} (\\d+)`));
      return m ? Number(m[1]) : 0;
    };
    const markerOf = async (legId: string) => {
      const raw = await fx.redis.get(names.execMarkerKey(venue, legId));
      return raw === null ? null : parseExecMarker(raw);
    };

    const spawn = () =>
      spawnService({
        entry,
        env: {
          MODE: 'sim',
          REDIS_URL: fx.url,
          ARB_NAMESPACE: fx.ns,
          SIM_HOST: '127.0.0.1',
          SIM_ASTER_PORT: String(new URL(sim.aster.restUrl).port),
          SIM_BACKPACK_PORT: String(new URL(sim.backpack.restUrl).port),
          SIM_ADMIN_PORT: String(new URL(sim.adminUrl).port),
          ORDER_TIMEOUT_MS: '5000',
          // Above the settle period of the slowest venue window (Aster V3: 10 s + 1 s).
          UNKNOWN_RESOLVE_TIMEOUT_MS: '15000',
          PRICE_VALIDITY_MS: '20000',
          LOG_LEVEL: 'info',
          HEALTH_PORT: '0',
        },
      });

    beforeAll(async () => {
      sim = await startSim({ host: '127.0.0.1', asterPort: 0, backpackPort: 0, adminPort: 0 });
      admin = new SimAdminClient(sim.adminUrl);
      fx = await redisFixture({ prefix: `t-svc-${venue}` });
      names = redisNames(fx.ns);
      queue = new Queue<LegJob>(orderQueueFor(venue), {
        connection: bullConnection(fx.url),
        prefix: names.bullPrefix,
      });
      orders = await createSharedOrderQueues(bullConnection(fx.url), names);
      await writeControlFlags(
        fx.redis,
        names,
        { reconciled: true },
        { by: 'test', reason: 'order service suite', at: Date.now() },
      );
      const fence = await acquireLease(fx.redis, names, 'BTC', 'test-strategy', 600_000);
      if (fence === null) throw new Error('strategy lease not acquired');
      leader = { owner: 'test-strategy', fence };
      proc = spawn();
      const ready = await proc.waitForLine(/"msg":"ready"/, 60_000);
      healthUrl = String((JSON.parse(ready) as { healthUrl: string }).healthUrl);
    });

    afterAll(async () => {
      await proc?.stop('SIGTERM', 20_000);
      await queue?.close();
      if (orders) await Promise.all(Object.values(orders.queues).map((q) => q.close()));
      await fx?.cleanup();
      await sim?.close();
    });

    it('is ready only after leverage is set and verified; /healthz reflects the venue', async () => {
      expect(proc.jsonLines().find((l) => l.msg === 'leverage set and verified')).toMatchObject({
        leverage: 5,
      });
      const res = await fetch(`${healthUrl}/healthz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ ok: true, details: { venue, ok: true } });
    });

    it('fills a leg and exposes outcome and latency metrics', async () => {
      const job = await leg('buy');
      await enqueue(job);
      const ev = await outcomeOf(job.id);
      expect(ev.outcome.kind).toBe('filled');
      expect(await simOrders(job.id)).toHaveLength(1);
      const metrics = await (await fetch(`${healthUrl}/metrics`)).text();
      expect(metrics).toMatch(/arb_order_outcomes_total\{[^}]*kind="filled"[^}]*\} 1/);
      expect(metrics).toMatch(
        new RegExp(`arb_order_decision_to_ack_seconds_count\\{[^}]*venue="${venue}"[^}]*\\} 1`),
      );
    });

    it('an invalid payload is not executed, counted and alerted', async () => {
      const job = await leg('sell');
      await queue.add(job.name, { ...job.data, qty: -1 }, jobOptions(job));
      await waitFor(async () => (await queue.getJob(job.id))?.isFailed());
      const alerts = (await readRange(fx.redis, names.alertStream, AlertSchema)).entries.map(
        (e) => e.message,
      );
      expect(alerts.find((a) => a.code === 'invalid_leg_job')).toBeDefined();
      const metrics = await (await fetch(`${healthUrl}/metrics`)).text();
      expect(metrics).toMatch(/arb_order_jobs_refused_total\{[^}]*reason="INVALID_JOB"[^}]*\} 1/);
      expect(await simOrders(job.id)).toHaveLength(0);
    });

    it('a leg granted by its recorded intent is sent at once, without a claim, once; a re-added job sends nothing', async () => {
      const before = await freshSends('grant');
      const { job, recorded } = await recordAndEnqueue();
      expect(recorded).toBe(true);
      const ev = await outcomeOf(job.id);
      expect(ev).toMatchObject({ probed: false, outcome: { kind: 'filled' } });
      expect(await simOrders(job.id)).toHaveLength(1);
      expect(await freshSends('grant')).toBe(before + 1);
      const answered = proc.jsonLines().find((l) => l.msg === 'order answered' && l.legId === job.id);
      expect(answered).toMatchObject({ clearedBy: 'grant', claimMs: 0 });
      // The grant became this run's sent marker (with the venue account taken and released).
      expect(await markerOf(job.id)).toMatchObject({ stage: 'sent', byJobId: job.id });
      // Duplicate delivery: the job removed and added again is a fresh run without a grant; it finds the
      // marker, asks the venue and sends nothing.
      await waitFor(async () => (await queue.getJob(job.id))?.isCompleted());
      await queue.remove(job.id);
      await enqueue(job);
      const again = await waitFor(async () => (await outcomes()).filter((e) => e.jobId === job.id)[1], {
        timeoutMs: 30_000,
      });
      expect(again).toMatchObject({ probed: true, outcome: { kind: 'filled' } });
      expect(await simOrders(job.id)).toHaveLength(1);
    });

    it("a refused intent's leg never executes; a missed or late grant falls back to the claim, one order each", async () => {
      const refused = await recordAndEnqueue({ holder: { owner: 'not-the-leader', fence: leader.fence } });
      expect(refused.recorded).toBe(false);
      const ev = await outcomeOf(refused.job.id);
      expect(ev.outcome).toMatchObject({ kind: 'rejected', code: 'NO_INTENT' });
      expect(await simOrders(refused.job.id)).toHaveLength(0);
      expect(await markerOf(refused.job.id)).toBeNull();

      const grants = await freshSends('grant');
      const claims = await freshSends('claim');
      // Missed notice: the fresh run finds the grant's marker and claims it (within its window).
      const { job: missed } = await recordAndEnqueue({ missedNotice: true });
      expect((await outcomeOf(missed.id)).outcome.kind).toBe('filled');
      expect(await simOrders(missed.id)).toHaveLength(1);
      expect(await markerOf(missed.id)).toMatchObject({ stage: 'sent', byJobId: missed.id });
      // Late: delivered past maxPreSendMs (1 s) after its decision; the grant no longer clears a send.
      const { job: late } = await recordAndEnqueue({ createdAt: Date.now() - 1500 });
      // An open leg that old is stale for the quote budget too (PRICE_VALIDITY_MS 20 s here: it is not).
      expect((await outcomeOf(late.id)).outcome.kind).toBe('filled');
      expect(await simOrders(late.id)).toHaveLength(1);
      expect(await freshSends('grant')).toBe(grants);
      expect(await freshSends('claim')).toBe(claims + 2);
    });

    it('SIGTERM while an order is in flight: the order is finished and reported, then a clean exit', async () => {
      await admin.addFault({ kind: 'latency', venue, route: ORDER_ROUTE[venue], ms: 1500, count: 1 });
      const job = await leg('sell');
      await enqueue(job);
      // The leg's send marker: saved right before the order request leaves.
      await waitFor(async () => (await fx.redis.exists(names.execMarkerKey(venue, job.id))) === 1);
      const exit = await proc.stop('SIGTERM', 30_000);
      expect(exit).toEqual({ code: 0, signal: null });
      const ev = (await outcomes()).find((e) => e.jobId === job.id);
      expect(ev?.outcome.kind).toBe('filled');
      expect(await simOrders(job.id)).toHaveLength(1);
    });

    it('SIGKILL between send and report of a granted leg: the restarted service re-runs the job (default stall timings), one order', async () => {
      // The venue executes at once and answers 9 s later; the request times out at 5 s: killed meanwhile.
      await admin.addFault({
        kind: 'timeout_after_execution',
        venue,
        route: ORDER_ROUTE[venue],
        delayMs: 9000,
        count: 1,
      });
      proc = spawn();
      await proc.waitForLine(/"msg":"ready"/, 60_000);
      const { job } = await recordAndEnqueue();
      await waitFor(async () => (await simOrders(job.id)).length === 1);
      await proc.kill();
      expect((await outcomes()).find((e) => e.jobId === job.id)).toBeUndefined();
      const killedAt = Date.now();
      proc = spawn();
      const ev = await waitFor(async () => (await outcomes()).find((e) => e.jobId === job.id), {
        timeoutMs: 90_000,
      });
      expect(ev).toMatchObject({ probed: true, outcome: { kind: 'filled' } });
      expect(await simOrders(job.id)).toHaveLength(1);
      console.log(`${venue}: leg reported ${Date.now() - killedAt} ms after the worker was SIGKILLed`);
    });
  });
}
