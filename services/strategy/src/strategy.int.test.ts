import { makeHedgeId } from '@arb/core/hedge';
import { bullConnection } from '@arb/bus/bull-connection';
import { writeControlFlags } from '@arb/bus/control-flags';
import { HedgeIntentSchema } from '@arb/bus/hedge-intent';
import {
  checkLegJob,
  listHedgeIds,
  readActiveHedge,
  recordOpenIntent,
  writeHedgeStatus,
} from '@arb/bus/hedge-store';
import { redisNames } from '@arb/bus/keys';
import { acquireLease, currentLeader } from '@arb/bus/leader-lease';
import { writeOrderHealth } from '@arb/bus/order-health';
import { closeOrderQueues, createOrderQueues, type OrderQueues } from '@arb/bus/order-queues';
import { QuotePublisher } from '@arb/bus/quote-bus';
import { readRange } from '@arb/bus/stream';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killAllServices, type ServiceProcess, spawnService } from '@arb/testkit/process';
import { deleteNamespace, type RedisFixture, redisFixture, testNamespace } from '@arb/testkit/redis';
import { testQuote } from './test-quote';

/**
 * The strategy as REAL processes (tsx), fed by quotes published to a real Redis, observed through Redis:
 * hedge records, the intent stream, and the BullMQ leg queues.
 */
const PAIR = 'BTC';
const TIMEOUT = 90_000;

let fx: RedisFixture;
let redis: Redis;
let healthTimer: NodeJS.Timeout | undefined;

function setup() {
  const ns = testNamespace();
  const names = redisNames(ns);
  const queues: OrderQueues = createOrderQueues(bullConnection(fx.url), names);
  const pubs = {
    aster: new QuotePublisher(redis, names, 'aster', PAIR),
    backpack: new QuotePublisher(redis, names, 'backpack', PAIR),
  };
  let seq = 0;
  /** Both venues' books: aster around `a`, backpack around `b` (1 USD wide). */
  const publish = async (a: number, b: number) => {
    await pubs.aster.publish(testQuote('aster', a, ++seq, Date.now(), PAIR));
    await pubs.backpack.publish(testQuote('backpack', b, ++seq, Date.now(), PAIR));
  };
  /** What the (played) order workers report of their order path; tests may degrade one. */
  const orderPaths: Record<'aster' | 'backpack', 'ok' | 'degraded'> = { aster: 'ok', backpack: 'ok' };
  /** Feeds and order workers report (the test plays both). */
  const writeHealth = async () => {
    for (const venue of ['aster', 'backpack'] as const) {
      await redis.hset(names.feedHealthKey(venue), { venue, connected: '1', updatedAt: String(Date.now()) });
      const degraded = orderPaths[venue] === 'degraded';
      await writeOrderHealth(
        redis,
        names,
        {
          v: 1,
          venue,
          state: orderPaths[venue],
          reason: degraded ? `${venue} GET /order: rate_limited (code HTTP_429, HTTP 429)` : null,
          until: degraded ? Date.now() + 1000 : null,
          updatedAt: Date.now(),
        },
        15_000,
      );
    }
  };
  const spawn = (extraEnv: Record<string, string> = {}) => {
    return spawnService({
      entry: 'services/strategy/src/main.ts',
      name: 'strategy',
      env: {
        REDIS_URL: fx.url,
        ARB_NAMESPACE: ns,
        PAIR,
        MODE: 'sim',
        LOG_LEVEL: 'info',
        PRICE_VALIDITY_MS: '10000',
        MAX_QUOTE_SKEW_MS: '10000',
        MIN_TRADE_INTERVAL: '100',
        TRADE_AMOUNT: '0.02',
        ARB_THRESHOLD: '120',
        CLOSE_DIFF: '80',
        HEALTH_PORT: '0',
        ...extraEnv,
      },
    });
  };
  /** Both feeds report healthy now and every 500 ms until the test ends. */
  const healthyFeeds = async () => {
    await writeHealth();
    healthTimer = setInterval(() => void writeHealth(), 500);
  };
  /** Risk's `reconciled` flag, which every open needs. */
  const reconcile = () =>
    writeControlFlags(redis, names, { reconciled: true }, { by: 'test', reason: 'test', at: Date.now() });
  const cleanup = async () => {
    await closeOrderQueues(queues);
    await deleteNamespace(redis, ns);
  };
  return { ns, names, queues, publish, healthyFeeds, reconcile, spawn, cleanup, orderPaths, writeHealth };
}

async function waitFor<T>(
  what: string,
  cond: () => T | Promise<T>,
  timeoutMs = 60_000,
): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await cond();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function waitReady(p: ServiceProcess): Promise<void> {
  await p.waitForLine(/"msg":"ready"/, 60_000);
}

async function healthz(p: ServiceProcess): Promise<Record<string, unknown>> {
  const ready = p.jsonLines().find((l) => l.msg === 'ready');
  const res = await fetch(`${String(ready?.healthUrl)}/healthz`);
  return (await res.json()) as Record<string, unknown>;
}

function hasLog(p: ServiceProcess, msg: string): boolean {
  return p.jsonLines().some((l) => l.msg === msg);
}

async function jobsOf(queues: OrderQueues) {
  const [a, b] = await Promise.all([queues.aster.getJobs(['waiting']), queues.backpack.getJobs(['waiting'])]);
  return { aster: a, backpack: b };
}

beforeAll(async () => {
  fx = await redisFixture();
  redis = fx.redis;
});
afterEach(async () => {
  if (healthTimer) clearInterval(healthTimer);
  await killAllServices();
});
afterAll(async () => {
  await fx.cleanup();
});

describe('strategy process', () => {
  it(
    "no open while a venue's order path is degraded; opens once ok; after a failed hedge, none for the cooldown",
    async () => {
      const t = setup();
      t.orderPaths.aster = 'degraded';
      await t.healthyFeeds();
      await t.reconcile();
      const p = t.spawn({ OPEN_COOLDOWN_AFTER_FAILURE_MS: '4000' });
      await waitReady(p);
      await waitFor('leadership', () => currentLeader(redis, t.names, PAIR));
      await waitFor('order path warning', () =>
        hasLog(p, 'order path not healthy (degraded, stale or unreported): no opens'),
      );
      // A dislocation for 1.5 s while Aster's order path is degraded: nothing opens.
      for (let i = 0; i < 15; i++) {
        await t.publish(100_000, 100_200);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await listHedgeIds(redis, t.names, PAIR)).toEqual([]);
      // The order path recovers: the same dislocation opens.
      t.orderPaths.aster = 'ok';
      await t.writeHealth();
      const hedge = await waitFor('a hedge once the order path is ok', async () => {
        await t.publish(100_000, 100_200);
        return readActiveHedge(redis, t.names, PAIR);
      });
      // Risk reports the open failed (one leg rejected, the other unwound): the slot is free again.
      const failedAt = Date.now();
      await writeHedgeStatus(redis, t.names, {
        v: 1,
        hedgeId: hedge.hedgeId,
        pair: PAIR,
        phase: 'failed',
        openedAt: null,
        closedAt: Date.now(),
        exposure: { aster: 0, backpack: 0 },
        note: 'aster leg rejected: HTTP_429',
        updatedAt: Date.now(),
      });
      await waitFor('cooldown log', () => hasLog(p, 'hedge failed: no new open for the cooldown'));
      // Within the 4 s cooldown (it starts when the strategy sees the failure, after the write): no open.
      while (Date.now() - failedAt < 2000) {
        await t.publish(100_000, 100_200);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await listHedgeIds(redis, t.names, PAIR)).toEqual([hedge.hedgeId]);
      // After it, the dislocation opens again.
      const next = await waitFor('a hedge after the cooldown', async () => {
        await t.publish(100_000, 100_200);
        return readActiveHedge(redis, t.names, PAIR);
      });
      expect(next.hedgeId).not.toBe(hedge.hedgeId);
      expect(next.open!.createdAt - failedAt).toBeGreaterThanOrEqual(4000);
      expect((await p.stop('SIGTERM')).code).toBe(0);
      await t.cleanup();
    },
    TIMEOUT,
  );

  it(
    'one dislocation -> one intent + two leg jobs; a second one while active -> nothing; reversion -> close legs',
    async () => {
      const t = setup();
      await t.healthyFeeds();
      await t.reconcile();
      const p = t.spawn();
      await waitReady(p);
      await waitFor('leadership', () => currentLeader(redis, t.names, PAIR));

      // Backpack bid 100200 vs Aster ask 100001: 199 USD >= 120 -> buy Aster, sell Backpack.
      const publishedAt = Date.now();
      await t.publish(100_000, 100_200);
      const hedge = await waitFor('active hedge', () => readActiveHedge(redis, t.names, PAIR));
      const jobs = await waitFor('both legs queued', async () => {
        const j = await jobsOf(t.queues);
        return j.aster.length === 1 && j.backpack.length === 1 ? j : null;
      });
      expect(hedge.open).toMatchObject({ action: 'open', direction: 'buy_aster_sell_backpack', qty: 0.02 });
      expect(hedge.open!.expectedEdge).toBeCloseTo(199, 6);
      const [a, b] = [jobs.aster[0]!, jobs.backpack[0]!];
      expect(a.id).toBe(`${hedge.hedgeId}-aster-open1`);
      expect(a.name).toBe('open-leg');
      expect(a.data).toMatchObject({
        side: 'buy',
        qty: 0.02,
        reduceOnly: false,
        fence: hedge.fence,
        symbol: 'BTCUSDT',
      });
      expect(b.id).toBe(`${hedge.hedgeId}-backpack-open1`);
      expect(b.data).toMatchObject({ side: 'sell', qty: 0.02, reduceOnly: false, symbol: 'BTC_USDC_PERP' });
      expect(a.opts.attempts).toBe(1);
      console.info(
        `tick -> intent recorded: ${hedge.open!.createdAt - publishedAt} ms; tick -> legs queued: ` +
          `${Math.max(a.timestamp, b.timestamp) - publishedAt} ms (one sample, shared machine)`,
      );
      await waitFor('open log', () => hasLog(p, 'hedge open: intent recorded, legs enqueued'));

      // A second, larger dislocation (both directions over time) while the hedge is active: nothing new.
      for (let i = 0; i < 10; i++) {
        await t.publish(100_000, 100_400 + i);
        await t.publish(100_500 + i, 100_000);
        await new Promise((r) => setTimeout(r, 30));
      }
      await new Promise((r) => setTimeout(r, 1000));
      expect(await listHedgeIds(redis, t.names, PAIR)).toEqual([hedge.hedgeId]);
      const again = await jobsOf(t.queues);
      expect([again.aster.length, again.backpack.length]).toEqual([1, 1]);
      const intents = await readRange(redis, t.names.intentStream, HedgeIntentSchema);
      expect(intents.entries).toHaveLength(1);

      // Risk reports both legs filled; the spread reverts below the close threshold -> close legs.
      await writeHedgeStatus(redis, t.names, {
        v: 1,
        hedgeId: hedge.hedgeId,
        pair: PAIR,
        phase: 'open',
        openedAt: Date.now(),
        closedAt: null,
        exposure: { aster: 0.02, backpack: -0.02 },
        updatedAt: Date.now(),
      });
      // Ticks until the strategy has seen risk's status (state notice) and closes.
      const closed = await waitFor('close legs queued', async () => {
        await t.publish(100_100, 100_110);
        const j = await jobsOf(t.queues);
        return j.aster.length === 2 && j.backpack.length === 2 ? j : null;
      });
      const closeA = closed.aster.find((j) => j.name === 'close-leg')!;
      const closeB = closed.backpack.find((j) => j.name === 'close-leg')!;
      expect(closeA.id).toBe(`${hedge.hedgeId}-aster-close1`);
      expect(closeA.data).toMatchObject({ side: 'sell', qty: 0.02, reduceOnly: true });
      expect(closeB.data).toMatchObject({ side: 'buy', qty: 0.02, reduceOnly: true });
      expect((await readActiveHedge(redis, t.names, PAIR))?.close?.reason).toBe('spread_converged');

      // SIGTERM: clean stop, lease released.
      expect((await p.stop('SIGTERM')).code).toBe(0);
      expect(await currentLeader(redis, t.names, PAIR)).toBeNull();
      await t.cleanup();
    },
    TIMEOUT,
  );

  it(
    'tick-to-legs latency over repeated hedges (measured, not asserted)',
    async () => {
      const t = setup();
      await t.healthyFeeds();
      await t.reconcile();
      // Each sample's hedge ends `failed` (the fastest way to free the slot): no open cooldown between them.
      const p = t.spawn({ OPEN_COOLDOWN_AFTER_FAILURE_MS: '0' });
      await waitReady(p);
      await waitFor('leadership', () => currentLeader(redis, t.names, PAIR));
      const toIntent: number[] = [];
      const toLegs: number[] = [];
      for (let i = 0; i < 20; i++) {
        const publishedAt = Date.now();
        await t.publish(100_000, 100_200);
        const hedge = await waitFor('hedge', async () => {
          const h = await readActiveHedge(redis, t.names, PAIR);
          return h?.enqueued.open ? h : null;
        });
        const [a, b] = await Promise.all([
          t.queues.aster.getJob(`${hedge.hedgeId}-aster-open1`),
          t.queues.backpack.getJob(`${hedge.hedgeId}-backpack-open1`),
        ]);
        toIntent.push(hedge.open!.createdAt - publishedAt);
        toLegs.push(Math.max(a!.timestamp, b!.timestamp) - publishedAt);
        // Calm market, then risk frees the slot (both legs rejected): the next dislocation tick opens again.
        await t.publish(100_000, 100_000);
        await writeHedgeStatus(redis, t.names, {
          v: 1,
          hedgeId: hedge.hedgeId,
          pair: PAIR,
          phase: 'failed',
          openedAt: null,
          closedAt: Date.now(),
          exposure: { aster: 0, backpack: 0 },
          updatedAt: Date.now(),
        });
        await waitFor('slot free', async () => (await readActiveHedge(redis, t.names, PAIR)) === null);
        await new Promise((r) => setTimeout(r, 150)); // past MIN_TRADE_INTERVAL
      }
      expect(await listHedgeIds(redis, t.names, PAIR)).toHaveLength(20);
      const ready = p.jsonLines().find((l) => l.msg === 'ready');
      const scrape = async () => (await fetch(`${String(ready?.healthUrl)}/metrics`)).text();
      const metrics = await scrape();
      expect(metrics).toMatch(/strategy_tick_to_legs_ms_count\{[^}]*action="open"[^}]*\} 20/);
      // Decisions are counted per tick off the counter and added at each scrape: once, not per scrape.
      const opens = (text: string) =>
        Number(/strategy_decisions_total\{[^}]*kind="open"[^}]*\} (\d+)/.exec(text)?.[1] ?? Number.NaN);
      expect(opens(metrics)).toBeGreaterThanOrEqual(20);
      expect(opens(await scrape())).toBe(opens(metrics));
      const q = (xs: number[], f: number) =>
        [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor(f * xs.length))];
      console.info(
        `tick->intent ms p50 ${q(toIntent, 0.5)} p95 ${q(toIntent, 0.95)} max ${Math.max(...toIntent)}; ` +
          `tick->legs queued ms p50 ${q(toLegs, 0.5)} p95 ${q(toLegs, 0.95)} max ${Math.max(...toLegs)} (n=20, shared machine)`,
      );
      await t.cleanup();
    },
    TIMEOUT,
  );

  it(
    'an intent Redis refuses (the view was stale): its legs, sent in the same flight, are removed',
    async () => {
      const t = setup();
      await t.healthyFeeds();
      await t.reconcile();
      const p = t.spawn();
      await waitReady(p);
      await waitFor('leadership', () => currentLeader(redis, t.names, PAIR));
      for (let i = 0; i < 3; i++) await t.publish(100_000, 100_010);
      // Paused behind the strategy's back (no state notice): its next decision is refused by the script.
      await redis.hset(t.names.controlKey, 'paused', '1');
      const refused = await waitFor('a refused open', async () => {
        await t.publish(100_000, 100_300);
        return p.jsonLines().find((l) => l.msg === 'hedge open refused');
      });
      expect(refused).toMatchObject({ refused: 'paused' });
      await new Promise((r) => setTimeout(r, 300));
      for (const venue of ['aster', 'backpack'] as const) {
        const counts = await t.queues[venue].getJobCounts();
        expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(0);
      }
      expect(await listHedgeIds(redis, t.names, PAIR)).toEqual([]);
      await t.cleanup();
    },
    TIMEOUT,
  );

  it(
    'nothing opens while risk has not reconciled, or while paused',
    async () => {
      const t = setup();
      await t.healthyFeeds();
      const p = t.spawn();
      await waitReady(p);
      await waitFor('leadership', () => currentLeader(redis, t.names, PAIR));
      for (let i = 0; i < 5; i++) await t.publish(100_000, 100_300);
      await writeControlFlags(
        redis,
        t.names,
        { reconciled: true, paused: true },
        { by: 't', reason: 't', at: 1 },
      );
      for (let i = 0; i < 5; i++) await t.publish(100_000, 100_300);
      await new Promise((r) => setTimeout(r, 1000));
      expect(await listHedgeIds(redis, t.names, PAIR)).toEqual([]);
      // Resume: the next tick opens.
      await writeControlFlags(redis, t.names, { paused: false }, { by: 't', reason: 't', at: 2 });
      await waitFor('hedge after resume', async () => {
        await t.publish(100_000, 100_300);
        return readActiveHedge(redis, t.names, PAIR);
      });
      await t.cleanup();
    },
    TIMEOUT,
  );

  it(
    'an intent recorded by a leader that died before enqueueing gets its legs from the next leader',
    async () => {
      const t = setup();
      await t.healthyFeeds();
      await t.reconcile();
      const ghost = { owner: 'ghost', fence: (await acquireLease(redis, t.names, PAIR, 'ghost', 1500))! };
      const hedgeId = makeHedgeId(Date.now(), 77);
      const res = await recordOpenIntent(
        redis,
        t.names,
        {
          v: 1,
          hedgeId,
          pair: PAIR,
          action: 'open',
          direction: 'buy_backpack_sell_aster',
          qty: 0.02,
          expectedEdge: 150,
          reason: 'spread',
          quoteSeqs: { aster: 1, backpack: 1 },
          priceGuards: { aster: 99_000, backpack: 101_000 },
          fence: ghost.fence,
          createdAt: Date.now(),
        },
        ghost,
      );
      expect(res.ok).toBe(true);
      const p = t.spawn();
      await waitReady(p);
      const jobs = await waitFor('recovered legs', async () => {
        const j = await jobsOf(t.queues);
        return j.aster.length === 1 && j.backpack.length === 1 ? j : null;
      });
      expect(jobs.aster[0]!.id).toBe(`${hedgeId}-aster-open1`);
      // Stamped with the new leader's fence, which downstream accepts for an older recorded intent.
      const fence = (await currentLeader(redis, t.names, PAIR))?.fence ?? 0;
      expect(fence).toBeGreaterThan(ghost.fence);
      expect(jobs.aster[0]!.data).toMatchObject({ side: 'sell', fence });
      expect(jobs.backpack[0]!.data).toMatchObject({ side: 'buy', fence });
      await waitFor('recovery log', () => hasLog(p, 'recorded legs enqueued on recovery'));
      expect(await checkLegJob(redis, t.names, jobs.aster[0]!.data)).toEqual({ ok: true });
      await t.cleanup();
    },
    TIMEOUT,
  );

  it(
    'two replicas: exactly one acts; killing it hands over to the other, whose jobs carry a newer fence',
    async () => {
      const t = setup();
      await t.healthyFeeds();
      await t.reconcile();
      // A lease other than the 3 s default: STRATEGY_LEASE_MS reaches the lease (its TTL exceeds 3 s).
      const leaseMs = 4000;
      const [p1, p2] = [
        t.spawn({ STRATEGY_LEASE_MS: String(leaseMs) }),
        t.spawn({ STRATEGY_LEASE_MS: String(leaseMs) }),
      ];
      await Promise.all([waitReady(p1), waitReady(p2)]);
      const leader = await waitFor('leadership', () => currentLeader(redis, t.names, PAIR));
      await waitFor('configured lease time', async () => (await redis.pttl(t.names.leaderKey(PAIR))) > 3000);
      const [lead, standby] = leader.owner.includes(`-${p1.pid}-`) ? [p1, p2] : [p2, p1];
      expect(leader.owner).toContain(`-${lead.pid}-`);
      // /healthz tells which replica leads.
      expect(await healthz(lead)).toMatchObject({ ok: true, details: { leader: true } });
      expect(await healthz(standby)).toMatchObject({ ok: true, details: { leader: false } });

      await t.publish(100_000, 100_200);
      const first = await waitFor('first hedge', () => readActiveHedge(redis, t.names, PAIR));
      await new Promise((r) => setTimeout(r, 500));
      expect(first.fence).toBe(leader.fence);
      await waitFor('open log', () => hasLog(lead, 'hedge open: intent recorded, legs enqueued'));
      expect(hasLog(standby, 'hedge open: intent recorded, legs enqueued')).toBe(false);
      expect(await listHedgeIds(redis, t.names, PAIR)).toHaveLength(1);
      await waitFor('first legs', async () => {
        const j = await jobsOf(t.queues);
        return j.aster.length === 1 && j.backpack.length === 1;
      });

      // The leader dies without releasing anything; the standby takes over after the lease expires.
      const killedAt = Date.now();
      await lead.kill();
      const next = await waitFor('takeover', async () => {
        const l = await currentLeader(redis, t.names, PAIR);
        return l?.owner.includes(`-${standby.pid}-`) ? l : null;
      });
      console.info(
        `strategy takeover after SIGKILL of the leader: ${Date.now() - killedAt} ms (lease ${leaseMs} ms)`,
      );
      expect(next.fence).toBeGreaterThan(leader.fence);

      // Risk closes the first hedge; the new leader opens the next one, with its own fence.
      await writeHedgeStatus(redis, t.names, {
        v: 1,
        hedgeId: first.hedgeId,
        pair: PAIR,
        phase: 'failed',
        openedAt: null,
        closedAt: Date.now(),
        exposure: { aster: 0, backpack: 0 },
        updatedAt: Date.now(),
      });
      const second = await waitFor('second hedge', async () => {
        await t.publish(100_000, 100_200);
        const h = await readActiveHedge(redis, t.names, PAIR);
        return h && h.hedgeId !== first.hedgeId ? h : null;
      });
      expect(second.fence).toBe(next.fence);
      const j2 = await waitFor('second legs', async () => {
        const j = await jobsOf(t.queues);
        return j.aster.length === 2 && j.backpack.length === 2 ? j : null;
      });
      const secondLeg = j2.aster.find((j) => j.id === `${second.hedgeId}-aster-open1`)!;
      expect(secondLeg.data.fence).toBe(next.fence);
      await waitFor('open log', () => hasLog(standby, 'hedge open: intent recorded, legs enqueued'));
      await t.cleanup();
    },
    TIMEOUT,
  );
});
