import { randomBytes } from 'node:crypto';
import { AlertSchema } from '@arb/bus/alert';
import { bullConnection } from '@arb/bus/bull-connection';
import { jobOptions, makeLegJob, type OrderJob } from '@arb/bus/job-registry';
import { orderQueueFor, type RedisNames, redisNames } from '@arb/bus/keys';
import type { LegJob } from '@arb/bus/leg-job';
import { type OrderOutcomeEvent, OrderOutcomeEventSchema } from '@arb/bus/order-outcome-event';
import { readRange } from '@arb/bus/stream';
import type { VenueId } from '@arb/core/venue';
import { SimAdminClient } from '@arb/sim/admin/client';
import { type RunningSim, startSim } from '@arb/sim/start-sim';
import { type ServiceProcess, spawnService } from '@arb/testkit/process';
import { type RedisFixture, redisFixture } from '@arb/testkit/redis';
import { waitFor } from '@arb/testkit/wait';
import { backpackClientId } from '@arb/venue-backpack/client-id';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ORDER_ROUTE: Record<VenueId, string> = { aster: 'POST /fapi/v3/order', backpack: 'POST /api/v1/order' };

/**
 * The real-process checks of one order service's main.ts (services/order-<venue>/src/main.ts) against
 * the simulator in-process and a real Redis: ready after leverage is verified, /healthz and /metrics, one
 * fill, an invalid payload counted and alerted, and SIGTERM finishing the in-flight order before exiting.
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
      proc = spawn();
      const ready = await proc.waitForLine(/"msg":"ready"/, 60_000);
      healthUrl = String((JSON.parse(ready) as { healthUrl: string }).healthUrl);
    });

    afterAll(async () => {
      await proc?.stop('SIGTERM', 20_000);
      await queue?.close();
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

    it('SIGKILL between send and report: the restarted service re-runs the job (default stall timings), one order', async () => {
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
      const job = await leg('buy');
      await enqueue(job);
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
