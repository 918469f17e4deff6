import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Decision } from '@arb/core/decide';
import type { StrategyParams } from '@arb/core/params';
import { VENUES } from '@arb/core/venue';
import { bullConnection } from '@arb/bus/bull-connection';
import { readControlFlags } from '@arb/bus/control-flags';
import { FEED_REPORT_MAX_AGE_MS, feedHealthy } from '@arb/bus/feed-health';
import type { HedgeIntent } from '@arb/bus/hedge-intent';
import {
  type HedgeRecord,
  readActiveHedge,
  readHedge,
  recordCloseIntent,
  recordOpenIntent,
} from '@arb/bus/hedge-store';
import { legsForIntent, type OrderJob } from '@arb/bus/job-registry';
import { redisNames } from '@arb/bus/keys';
import { LeaderLease } from '@arb/bus/leader-lease';
import { ORDER_HEALTH_MAX_AGE_MS, orderPathHealthy, readOrderHealth } from '@arb/bus/order-health';
import { createSharedOrderQueues, enqueueJob } from '@arb/bus/order-queues';
import { type QuoteReject, readLatestQuote, subscribeQuotes } from '@arb/bus/quote-bus';
import { markLegsEnqueued } from '@arb/bus/hedge-store';
import type { Logger } from '@arb/log/logger';
import { Redis } from 'ioredis';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { type IntentExecutor, StrategyEngine } from './strategy-engine';

export interface StrategyServiceOptions {
  redisUrl: string;
  namespace: string;
  pair: string;
  params: StrategyParams;
  /** Timer for time-based decisions when no tick arrives (TRADE_INTERVAL). */
  checkIntervalMs: number;
  /** Price/spread status line period (info log), while leader. */
  statusIntervalMs: number;
  /** STRATEGY_LEASE_MS: a dead leader is replaced within about this (plus a third of it). */
  leaseMs: number;
  /** Re-read the active hedge and control flags this often, besides state notices (backstop). */
  refreshMs?: number;
  /** Re-read feed health hashes this often; a report older than healthMaxAgeMs is unhealthy. */
  healthRefreshMs?: number;
  healthMaxAgeMs?: number;
  /** An order-path health report (written by the order workers) older than this is stale: no opens. */
  orderHealthMaxAgeMs?: number;
  /** OPEN_COOLDOWN_AFTER_FAILURE_MS: no new open for this long after a hedge of ours ended failed. */
  openCooldownAfterFailureMs?: number;
  openGuardBps?: number;
  closeGuardBps?: number;
  /** Unique per process; default host-pid-random. */
  owner?: string;
  log: Logger;
  metrics?: Registry;
}

export interface RunningStrategy {
  readonly engine: StrategyEngine;
  readonly lease: LeaderLease;
  readonly owner: string;
  stop(): Promise<void>;
}

/** Builds and starts the strategy: state rebuilt from Redis, quote subscription, lease, timers. */
export async function startStrategy(o: StrategyServiceOptions): Promise<RunningStrategy> {
  const names = redisNames(o.namespace);
  const log = o.log;
  const owner = o.owner ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const leaseMs = o.leaseMs;
  const refreshMs = o.refreshMs ?? 1000;
  const healthRefreshMs = o.healthRefreshMs ?? 500;
  const healthMaxAgeMs = o.healthMaxAgeMs ?? FEED_REPORT_MAX_AGE_MS;
  const orderHealthMaxAgeMs = o.orderHealthMaxAgeMs ?? ORDER_HEALTH_MAX_AGE_MS;

  const redis = new Redis(o.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  const sub = new Redis(o.redisUrl, { lazyConnect: true, maxRetriesPerRequest: null });
  const connectionError = rateLimited(5000, (err: unknown, conn: string) =>
    log.warn({ err, conn }, 'redis connection error (retrying)'),
  );
  redis.on('error', (err) => connectionError(err, 'commands'));
  sub.on('error', (err) => connectionError(err, 'subscriber'));
  await Promise.all([redis.connect(), sub.connect()]);
  // Intents and their legs share one connection (connected now, not on the first trade): Redis runs an
  // intent's record before its legs' adds.
  const { queues, connection: orders } = await createSharedOrderQueues(
    bullConnection(o.redisUrl),
    names,
    (err, venue) => connectionError(err, `queue ${venue}`),
  );
  const m = o.metrics ? makeMetrics(o.metrics) : null;

  /** Enqueues an intent's legs; `fence` stamps them (the current leader's, when recovering an older intent). */
  const enqueue = async (
    intent: HedgeIntent,
    hedge: HedgeRecord | null,
    fence = intent.fence,
  ): Promise<string[]> => {
    const jobs = legsForIntent({ ...intent, fence }, intent.action === 'close' ? hedge?.status : null);
    await Promise.all(jobs.map((j) => enqueueJob(queues, j)));
    await markLegsEnqueued(redis, names, intent.hedgeId, intent.action);
    return jobs.map((j) => j.id);
  };
  /**
   * Records an intent and enqueues its legs in ONE flight: the record script and the two adds leave back
   * to back on the `orders` connection, so Redis runs the record first; a worker sends a leg only when its
   * intent is recorded (execution's send claim), so the legs of a refused intent never execute. They are
   * removed right after (best effort; a worker that took one already refuses it, NO_INTENT).
   */
  const execute = async (
    kind: 'open' | 'close',
    intent: HedgeIntent,
    record: () => ReturnType<typeof recordOpenIntent>,
    hedge: HedgeRecord | null,
  ) => {
    // The tick that triggered the decision: the newest quote held when the action started.
    const tickAt = Math.max(engine.quotes.aster?.receivedAt ?? 0, engine.quotes.backpack?.receivedAt ?? 0);
    const jobs = legsForIntent(intent, kind === 'close' ? hedge?.status : null);
    const recorded = record(); // sent now, before the adds below
    const added = Promise.allSettled(jobs.map((j) => enqueueJob(queues, j)));
    const res = await recorded.catch(async (err: unknown) => {
      await added;
      await removeLegs(jobs);
      throw err;
    });
    m?.intents.inc({ action: kind, result: res.ok ? 'recorded' : res.reason });
    const adds = await added;
    if (!res.ok) {
      await removeLegs(jobs);
      return res;
    }
    m?.tickToIntent.observe({ action: kind }, Date.now() - tickAt);
    const failed = adds.find((a) => a.status === 'rejected');
    if (failed) {
      // Recorded but not (fully) enqueued: the refresh loop re-enqueues it (deterministic ids).
      log.error(
        { err: failed.reason, hedgeId: intent.hedgeId, action: kind },
        'intent recorded but legs not enqueued yet',
      );
      return res;
    }
    m?.tickToLegs.observe({ action: kind }, Date.now() - tickAt);
    await markLegsEnqueued(redis, names, intent.hedgeId, intent.action).catch((err: unknown) =>
      log.warn({ err, hedgeId: intent.hedgeId }, 'legs enqueued, mark not saved (re-enqueue is a no-op)'),
    );
    return { ...res, jobIds: jobs.map((j) => j.id) };
  };
  const removeLegs = async (jobs: OrderJob[]): Promise<void> => {
    await Promise.all(
      jobs.map((j) =>
        queues[j.data.venue].remove(j.id).catch((err: unknown) => {
          log.warn({ err, jobId: j.id }, 'leg of a refused intent not removed (its worker refuses it)');
        }),
      ),
    );
  };
  const executor: IntentExecutor = {
    open: (intent, holder) =>
      execute('open', intent, () => recordOpenIntent(orders, names, intent, holder), null),
    close: (intent, holder, hedge) =>
      execute('close', intent, () => recordCloseIntent(orders, names, intent, holder), hedge),
  };

  let refreshQueued = false;
  const engine = new StrategyEngine({
    pair: o.pair,
    params: o.params,
    openGuardBps: o.openGuardBps ?? 2,
    closeGuardBps: o.closeGuardBps ?? 10,
    executor,
    lease: { holder: () => lease.holder() },
    log,
    now: Date.now,
    random: Math.random,
    onDecision: m ? (d: Decision) => m.countDecision(d.kind === 'hold' ? d.reason : d.kind) : undefined,
    onStale: () => requestRefresh(),
    ...(o.openCooldownAfterFailureMs === undefined
      ? {}
      : { openCooldownAfterFailureMs: o.openCooldownAfterFailureMs }),
  });

  const lease = new LeaderLease({
    redis,
    names,
    pair: o.pair,
    owner,
    ttlMs: leaseMs,
    onAcquired: (fence) => {
      log.info({ owner, fence, pair: o.pair }, 'leader: acting for the pair');
      m?.leader.set(1);
      requestRefresh();
    },
    onLost: (reason) => {
      log.warn({ owner, reason, pair: o.pair }, 'standby: leadership lost');
      m?.leader.set(0);
    },
    onError: (err) => log.warn({ err }, 'lease renewal error'),
  });

  /** Re-reads the active hedge and control flags; the leader also re-enqueues recorded legs not yet queued. */
  let refreshing: Promise<void> | null = null;
  const refresh = async (): Promise<void> => {
    const token = engine.snapshotToken();
    const prev = engine.hedge;
    const [flags, hedge] = await Promise.all([
      readControlFlags(redis, names),
      readActiveHedge(redis, names, o.pair),
    ]);
    // Our hedge left the active slot: read how it ended BEFORE the slot looks free to the engine, so a
    // failed one starts the open cooldown before any tick could open again.
    const ended =
      prev && prev.hedgeId !== hedge?.hedgeId ? await readHedge(redis, names, prev.hedgeId) : null;
    const applied = engine.applySnapshot({ flags, hedge }, token);
    if (applied && ended) engine.hedgeEnded(ended);
    const holder = lease.holder();
    // An intent recorded but not marked enqueued, read while no action of ours was under way: its leader
    // died (or failed) between recording and enqueueing. Enqueue its legs (deterministic ids: no doubles).
    if (hedge && holder && applied) {
      for (const intent of [hedge.open, hedge.close]) {
        if (intent && !hedge.enqueued[intent.action]) {
          const jobIds = await enqueue(intent, hedge, holder.fence);
          log.info(
            {
              hedgeId: hedge.hedgeId,
              action: intent.action,
              jobIds,
              intentFence: intent.fence,
              fence: holder.fence,
            },
            'recorded legs enqueued on recovery',
          );
        }
      }
    }
  };
  function requestRefresh(): void {
    if (refreshing) {
      refreshQueued = true;
      return;
    }
    // A snapshot read while an action is in flight would be discarded (applySnapshot), and its reads
    // would compete with the action's own round trips: read once the action is done.
    if (engine.busy) {
      if (!refreshQueued) {
        refreshQueued = true;
        void engine.idle().then(() => {
          refreshQueued = false;
          requestRefresh();
        });
      }
      return;
    }
    refreshing = refresh()
      .catch((err: unknown) => log.warn({ err }, 'state refresh failed'))
      .finally(() => {
        refreshing = null;
        if (refreshQueued) {
          refreshQueued = false;
          requestRefresh();
        } else engine.evaluate();
      });
  }
  let lastOrderPaths: Record<string, boolean> = {};
  const badOrderHealth = rateLimited(5000, (err: unknown, venue: string) =>
    log.warn({ err, venue }, 'order health report unreadable (counts as unhealthy)'),
  );
  const refreshHealth = async (): Promise<void> => {
    const now = Date.now();
    const [hashes, paths] = await Promise.all([
      Promise.all(VENUES.map((v) => redis.hgetall(names.feedHealthKey(v)))),
      Promise.all(
        VENUES.map((v) =>
          readOrderHealth(redis, names, v).catch((err: unknown) => {
            // Unreadable counts as unhealthy (no opens); a malformed report is a bug worth seeing.
            badOrderHealth(err, v);
            return null;
          }),
        ),
      ),
    ]);
    const feeds = {
      aster: feedHealthy(hashes[0] ?? null, now, healthMaxAgeMs),
      backpack: feedHealthy(hashes[1] ?? null, now, healthMaxAgeMs),
    };
    const orderPaths = {
      aster: orderPathHealthy(paths[0] ?? null, now, orderHealthMaxAgeMs),
      backpack: orderPathHealthy(paths[1] ?? null, now, orderHealthMaxAgeMs),
    };
    for (const [i, v] of VENUES.entries()) {
      if (orderPaths[v] !== lastOrderPaths[v]) {
        const report = paths[i] ?? null;
        if (orderPaths[v]) log.info({ venue: v }, 'order path healthy: opens allowed');
        else
          log.warn({ venue: v, report }, 'order path not healthy (degraded, stale or unreported): no opens');
      }
    }
    lastOrderPaths = orderPaths;
    engine.setVenuesHealthy(feeds, orderPaths);
  };

  // Rebuild state from Redis before acting: latest quotes, active hedge, control flags, feed health.
  await Promise.all([refresh(), refreshHealth()]);
  for (const v of VENUES) {
    const q = await readLatestQuote(redis, names, v, o.pair);
    if (q) engine.quotes[v] = q;
  }

  // Counted always (metric), logged at most once per 5 s with the running count.
  let rejectedQuotes = 0;
  const logReject = rateLimited(5000, (r: QuoteReject) =>
    log.warn({ channel: r.channel, reason: r.reason, detail: r.detail, rejectedQuotes }, 'quote rejected'),
  );
  const quoteRejected = (r: QuoteReject) => {
    rejectedQuotes++;
    logReject(r);
  };

  // State notices (hedge/control changes) and quotes share the subscriber connection.
  const onState = (channel: string) => {
    if (channel === names.stateChannel) requestRefresh();
  };
  sub.on('message', onState);
  await sub.subscribe(names.stateChannel);
  const quotes = await subscribeQuotes(
    sub,
    names,
    VENUES,
    o.pair,
    (q) => engine.onQuote(q),
    (r) => {
      m?.quoteRejects.inc({ reason: r.reason });
      quoteRejected(r);
    },
  );

  await lease.start();
  const timers = [
    setInterval(() => engine.evaluate(), o.checkIntervalMs),
    setInterval(() => requestRefresh(), refreshMs),
    setInterval(
      () => void refreshHealth().catch((err: unknown) => log.warn({ err }, 'health read failed')),
      healthRefreshMs,
    ),
    setInterval(() => statusLine(), o.statusIntervalMs),
  ];
  function statusLine(): void {
    if (!lease.holder()) return;
    const { aster: a, backpack: b } = engine.quotes;
    const view = engine.riskView();
    log.info(
      {
        aster: a ? { bid: a.bid, ask: a.ask } : null,
        backpack: b ? { bid: b.bid, ask: b.ask } : null,
        spreadBuyAsterSellBackpack: a && b ? round2(b.bid - a.ask) : null,
        spreadBuyBackpackSellAster: a && b ? round2(a.bid - b.ask) : null,
        hold: engine.lastHold,
        hedge: view.activeHedge,
        venuesHealthy: view.venuesHealthy,
        openCooldownUntil: engine.openCooldownUntil > Date.now() ? engine.openCooldownUntil : undefined,
      },
      'status',
    );
  }
  log.info(
    { owner, pair: o.pair, leader: lease.isLeader(), hedge: engine.hedge?.hedgeId ?? null },
    'strategy started',
  );

  return {
    engine,
    lease,
    owner,
    async stop() {
      // Reverse order of start; a failing step (Redis down) is logged and the next one still runs.
      const step = async (what: string, fn: () => Promise<unknown>) => {
        try {
          await fn();
        } catch (err) {
          log.warn({ err, step: what }, 'stop step failed');
        }
      };
      for (const t of timers) clearInterval(t);
      await step('quote subscription', () => quotes.close());
      sub.off('message', onState);
      await step('subscriber', () => sub.quit().catch(() => sub.disconnect()));
      await step('in-flight action', () => engine.idle());
      await step('refresh', async () => refreshing);
      // The backpack queue borrows the aster queue's connection: close it first.
      await step('queues', async () => {
        await queues.backpack.close();
        await queues.aster.close();
      });
      await step('lease release', () => lease.stop());
      await step('redis', () => redis.quit().catch(() => redis.disconnect()));
    },
  };
}

const LATENCY_BUCKETS_MS = [0.5, 1, 2, 5, 10, 20, 50, 100, 250, 500, 1000];

function makeMetrics(registry: Registry) {
  // One decision per tick (2000/s): counted in a plain map, added to the counter when it is scraped
  // (prom-client hashes and validates the labels on every inc).
  const decisionCounts = new Map<string, number>();
  return {
    countDecision(kind: string): void {
      decisionCounts.set(kind, (decisionCounts.get(kind) ?? 0) + 1);
    },
    decisions: new Counter({
      name: 'strategy_decisions_total',
      help: 'Decisions by kind (open/close) or hold reason',
      labelNames: ['kind'],
      registers: [registry],
      collect() {
        for (const [kind, n] of decisionCounts) this.inc({ kind }, n);
        decisionCounts.clear();
      },
    }),
    intents: new Counter({
      name: 'strategy_intents_total',
      help: 'Hedge intents by action and result (recorded or the refusal reason)',
      labelNames: ['action', 'result'],
      registers: [registry],
    }),
    quoteRejects: new Counter({
      name: 'strategy_quote_rejects_total',
      help: 'Quote messages rejected on entry',
      labelNames: ['reason'],
      registers: [registry],
    }),
    leader: new Gauge({
      name: 'strategy_leader',
      help: '1 while this replica holds the lease',
      registers: [registry],
    }),
    tickToIntent: new Histogram({
      name: 'strategy_tick_to_intent_ms',
      help: 'Quote receive time to hedge intent recorded in Redis (ms)',
      labelNames: ['action'],
      buckets: LATENCY_BUCKETS_MS,
      registers: [registry],
    }),
    tickToLegs: new Histogram({
      name: 'strategy_tick_to_legs_ms',
      help: 'Quote receive time to both leg jobs enqueued (ms)',
      labelNames: ['action'],
      buckets: LATENCY_BUCKETS_MS,
      registers: [registry],
    }),
  };
}

/** At most one call per `everyMs`; the rest are dropped (errors repeat on every reconnect attempt). */
function rateLimited<A extends unknown[]>(everyMs: number, fn: (...args: A) => void): (...args: A) => void {
  let last = 0;
  return (...args: A) => {
    const now = Date.now();
    if (now - last < everyMs) return;
    last = now;
    fn(...args);
  };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
