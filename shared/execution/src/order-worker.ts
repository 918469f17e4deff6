import { randomBytes } from 'node:crypto';
import { type Alert, AlertSchema } from '@arb/bus/alert';
import { bullConnection } from '@arb/bus/bull-connection';
import {
  ALL_JOB_NAMES,
  createJobRouter,
  type HandlerRegistration,
  InvalidJobError,
} from '@arb/bus/job-registry';
import { orderQueueFor, type RedisNames } from '@arb/bus/keys';
import type { LegJob } from '@arb/bus/leg-job';
import { ORDER_HEALTH_MAX_AGE_MS, writeOrderHealth } from '@arb/bus/order-health';
import { type OrderOutcomeEvent, OrderOutcomeEventSchema } from '@arb/bus/order-outcome-event';
import { appendMessage } from '@arb/bus/stream';
import { QuoteSchema } from '@arb/core/quote';
import type { VenueClient } from '@arb/core/venue-client';
import { type VenueId, venueSymbol } from '@arb/core/venue';
import { retryTransient } from '@arb/service/retry-transient';
import type { HealthReport } from '@arb/service/run-service';
import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from '@arb/log/logger';
import type { Registry } from 'prom-client';
import { AccountLock, AccountLockTimeoutError } from './account-lock';
import { createExecutionMetrics, type ExecutionMetrics } from './execution-metrics';
import { type LegExecutorIo, LegExecutor, REFUSAL_CODES } from './leg-executor';
import { trySendClaim } from './send-claim';
import { VenueHealth } from './venue-health';

const DEFAULT_LOCK_MS = 10_000;
const DEFAULT_STALLED_INTERVAL_MS = 5_000;

export interface OrderWorkerOptions {
  /** The venue account this worker writes to (a VenueClient from shared/venue-*). */
  venue: VenueClient;
  pair: string;
  redisUrl: string;
  names: RedisNames;
  /** Set on the venue at start and verified (default config: 5). */
  leverage: number;
  /** Quote freshness budget: open/complete legs decided longer ago are refused (STALE_DECISION). */
  maxDecisionAgeMs: number;
  /** The venue client's per-request timeout (bounds the settle period of a never-placed order). */
  requestTimeoutMs: number;
  unknownResolveTimeoutMs: number;
  metrics: Registry;
  log: Logger;
  /** Service name, for alerts. */
  source: string;
  /**
   * How long after its timestamp the venue still accepts a signed request (Aster HMAC recvWindow, Aster V3
   * nonce window, Backpack X-Window). Past it an order that did not arrive can never execute.
   */
  venueWindowMs: number;
  /** "Not found" must last this long after a send to mean never placed. Default max(requestTimeout, venueWindow) + 1 s. */
  settleMs?: number;
  /** Default 0.1 (10 %). */
  marginBuffer?: number;
  /**
   * BullMQ job lock (default 10 s, renewed every 5 s) and stalled-job check interval (default 5 s): a
   * crashed worker's in-flight leg is re-run (probe first) within about 10-15 s.
   */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** How often a stalled job is re-run (each re-run goes to the venue probe); default 5. */
  maxStalledCount?: number;
  /** Idle venue health refresh (a balance read) when no venue call happened for this long; default 15 s. */
  healthRefreshMs?: number;
  /** Upper bound on finishing the in-flight order at stop; default requestTimeout + unknownResolve + 5 s. */
  closeTimeoutMs?: number;
  /** The per-account lock's lease (renewed while held); default the BullMQ lock duration. */
  accountLockTtlMs?: number;
  /**
   * The order-path health report (`names.orderHealthKey(venue)`, read by the strategy): written on every
   * change and re-written this often (default 1 s), with a TTL of 3x the bus's max age so a dead worker's
   * report expires. A degraded path is re-checked with a balance read once its retry time has come.
   */
  orderHealthRefreshMs?: number;
  /** Degraded period after a venue failure without a Retry-After (5xx, maintenance, timeout); default 5 s. */
  degradedCooldownMs?: number;
}

export interface RunningOrderWorker {
  readonly worker: Worker<LegJob, OrderOutcomeEvent>;
  readonly queue: Queue<LegJob>;
  readonly metrics: ExecutionMetrics;
  health(): HealthReport;
  stop(): Promise<void>;
}

/** The venue refused the leverage or margin settings the product needs: the worker does not start. */
export class LeverageMismatchError extends Error {
  override readonly name = 'LeverageMismatchError';
}

/** The Redis key of a venue account's send lock (value: the holding run's owner, `<pid>-<random>/<n>`). */
export function accountLockKey(names: RedisNames, venue: VenueId): string {
  return `${names.bullPrefix}:${orderQueueFor(venue)}:account-lock`;
}

/**
 * Starts the order worker of one venue account: startup checks (job handler registry, leverage and
 * margin type set and verified), then a BullMQ worker on the venue's queue with ONE order in flight per
 * venue account across every process (BullMQ global concurrency 1 plus a Redis lock per account held
 * from probe to report), each job executed by LegExecutor and reported to the outcome stream.
 */
export async function runOrderWorker(opts: OrderWorkerOptions): Promise<RunningOrderWorker> {
  const venueId = opts.venue.venue;
  const symbol = venueSymbol(venueId, opts.pair);
  const log = opts.log.child({ venue: venueId });
  const health = new VenueHealth(Date.now, { cooldownMs: opts.degradedCooldownMs });
  const metrics = createExecutionMetrics(opts.metrics);
  const queueName = orderQueueFor(venueId);

  // 1. Every job name has exactly one handler (throws otherwise), before anything else.
  let executor: LegExecutor | null = null;
  const handler = async (data: LegJob, job: Job): Promise<OrderOutcomeEvent> => {
    const enteredAt = Date.now();
    if (data.venue !== venueId) {
      throw new InvalidJobError(`job ${job.id} is a ${data.venue} leg on the ${venueId} queue`);
    }
    if (!executor) throw new Error('order worker not started');
    const exec = executor;
    const fresh = isFreshDelivery(job, connectedSince);
    // No log line before a fresh leg's send: a write to stdout wakes the log reader, which competes with
    // this process on a busy machine (the executor logs the outcome with `fresh`). A re-run probes first.
    if (!fresh)
      log.info(
        { jobId: job.id, legId: data.clientOrderId, starts: job.attemptsStarted, stalls: job.stalledCounter },
        'leg job not provably its first run; asking the venue before any send',
      );
    const session = lock.session();
    const keys = {
      lock: lock.key,
      marker: opts.names.execMarkerKey(venueId, data.clientOrderId),
      hedge: opts.names.hedgeKey(data.hedgeId),
    };
    const intentField = data.role === 'open' || data.role === 'close' ? data.role : null;
    // Whether the leg's marker existed when the account was last seen busy (for ACCOUNT_BUSY below).
    let markerSeen = false;
    try {
      return await exec.execute(data, {
        jobId: String(job.id),
        fresh,
        ...(job.processedOn === undefined
          ? {}
          : { queuedMs: job.processedOn - job.timestamp, fetchMs: enteredAt - job.processedOn }),
        claim: (marker) =>
          session.acquire(async () => {
            const r = await trySendClaim(redis, keys, {
              owner: session.owner,
              lockTtlMs: lock.ttlMs,
              jobFence: data.fence,
              intentField,
              claim: marker,
            });
            if (!r.held && 'markerExists' in r) markerSeen = r.markerExists;
            if (r.held && r.value.kind === 'marked') markerSeen = true;
            return r;
          }),
      });
    } catch (err) {
      // Never got the account: this run sent nothing; without an earlier send, that is a clean rejection.
      if (err instanceof AccountLockTimeoutError && !markerSeen) {
        return exec.refuseUnsent(data, REFUSAL_CODES.accountBusy, err.message);
      }
      throw err;
    } finally {
      await session.release();
    }
  };
  const registrations = ALL_JOB_NAMES.map((name) => ({
    name,
    handler,
  })) as HandlerRegistration<OrderOutcomeEvent>[];
  const route = createJobRouter<OrderOutcomeEvent>(registrations);

  const redis = new Redis(opts.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
  redis.on('error', (err) => log.warn({ err }, 'redis error'));
  // Since when this connection is up (epoch ms): a Redis restart drops it, so a job enqueued before the
  // current connection may have lost recent writes (its send marker) with that restart; see isFreshDelivery.
  let connectedSince = Number.POSITIVE_INFINITY;
  redis.on('ready', () => {
    connectedSince = Date.now();
  });
  redis.on('close', () => {
    connectedSince = Number.POSITIVE_INFINITY;
  });
  const closers: (() => Promise<unknown>)[] = [() => redis.quit().catch(() => redis.disconnect())];
  const closeAll = async () => {
    for (const c of closers.splice(0).reverse()) await c().catch((err) => log.warn({ err }, 'close failed'));
  };

  const alert = async (a: Omit<Alert, 'v' | 'source' | 'at'>): Promise<void> => {
    try {
      await appendMessage(
        redis,
        opts.names.alertStream,
        AlertSchema,
        { v: 1, source: opts.source, at: Date.now(), ...a },
        { maxLen: 10_000 },
      );
    } catch (err) {
      log.error({ err, alert: a.code }, 'alert not recorded');
    }
  };
  const io: LegExecutorIo = {
    async referencePrice(leg) {
      const raw = await redis.get(opts.names.latestQuoteKey(leg.venue, leg.pair));
      if (raw === null) return null;
      try {
        const q = QuoteSchema.parse(JSON.parse(raw));
        return leg.side === 'buy' ? q.ask : q.bid;
      } catch (err) {
        log.warn({ err }, 'latest quote unreadable; no reference price');
        return null;
      }
    },
    async report(event) {
      await appendMessage(redis, opts.names.outcomeStream, OrderOutcomeEventSchema, event);
    },
    alert,
  };

  const lock = new AccountLock({
    redis,
    key: accountLockKey(opts.names, venueId),
    owner: `${process.pid}-${randomBytes(4).toString('hex')}`,
    ttlMs: opts.accountLockTtlMs ?? opts.lockDurationMs ?? DEFAULT_LOCK_MS,
    log,
  });

  try {
    await redis.connect();
    // 2. Leverage and margin type on the venue, verified; refuse to start when the venue disagrees.
    const reported = await retryTransient(() => opts.venue.ensureLeverage(symbol, opts.leverage), log);
    if (reported !== opts.leverage) {
      throw new LeverageMismatchError(
        `${venueId} reports leverage ${reported} on ${symbol} after setting ${opts.leverage}`,
      );
    }
    // Read back independently: the position snapshot carries the leverage the venue applies to the symbol.
    const applied = (await retryTransient(() => opts.venue.position(symbol), log)).leverage;
    if (applied !== opts.leverage) {
      throw new LeverageMismatchError(
        `${venueId} applies leverage ${applied} on ${symbol}, not the configured ${opts.leverage}`,
      );
    }
    health.ok();
    log.info({ symbol, leverage: reported, applied }, 'leverage set and verified');

    executor = new LegExecutor({
      venue: opts.venue,
      io,
      metrics,
      health,
      log,
      leverage: opts.leverage,
      maxDecisionAgeMs: opts.maxDecisionAgeMs,
      unknownResolveTimeoutMs: opts.unknownResolveTimeoutMs,
      settleMs: opts.settleMs ?? Math.max(opts.requestTimeoutMs, opts.venueWindowMs) + 1000,
      marginBuffer: opts.marginBuffer ?? 0.1,
    });
    const exec = executor;
    // The margin check's first balance, read now rather than on the first order.
    const firstBalance = await exec.refreshBalance();
    if (!firstBalance.ok)
      log.warn({ error: firstBalance.error }, 'balance not readable at start; read again per order');

    // 3. One order in flight per venue account, whatever the number of worker processes.
    const connection = bullConnection(opts.redisUrl);
    const queue = new Queue<LegJob>(queueName, { connection, prefix: opts.names.bullPrefix });
    closers.push(() => queue.close());
    await queue.setGlobalConcurrency(1);

    const processor = async (job: Job): Promise<OrderOutcomeEvent> => {
      try {
        return await route(job);
      } catch (err) {
        if (err instanceof UnrecoverableError) {
          metrics.refused.inc({ venue: venueId, reason: 'INVALID_JOB' });
          log.error({ err, jobId: job.id, name: job.name }, 'invalid leg job; not executed');
          await alert({
            level: 'warn',
            code: 'invalid_leg_job',
            message: `${venueId} job ${job.id} (${job.name}) is invalid: ${err.message}`.slice(0, 500),
          });
        }
        throw err;
      }
    };
    const worker = new Worker<LegJob, OrderOutcomeEvent>(queueName, processor, {
      connection,
      prefix: opts.names.bullPrefix,
      concurrency: 1,
      autorun: false,
      lockDuration: opts.lockDurationMs ?? DEFAULT_LOCK_MS,
      stalledInterval: opts.stalledIntervalMs ?? DEFAULT_STALLED_INTERVAL_MS,
      maxStalledCount: opts.maxStalledCount ?? 5,
    });
    worker.on('error', (err) => log.error({ err }, 'worker error'));
    worker.on('failed', (job, err) => {
      log.error({ err, jobId: job?.id }, 'leg job failed');
      if (job && !(err instanceof UnrecoverableError)) {
        void alert({
          level: 'critical',
          code: 'leg_job_failed',
          message: `${venueId} job ${job.id} failed without an outcome: ${err.message}`.slice(0, 500),
        });
      }
    });
    worker.on('stalled', (jobId) => log.warn({ jobId }, 'leg job stalled; it will be re-run (probe first)'));
    void worker.run().catch((err) => log.error({ err }, 'worker loop ended'));
    await worker.waitUntilReady();
    closers.push(async () => {
      const timeoutMs = opts.closeTimeoutMs ?? opts.requestTimeoutMs + opts.unknownResolveTimeoutMs + 5_000;
      const graceful = worker.close().then(() => 'closed' as const);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((r) => {
        timer = setTimeout(() => r('timeout'), timeoutMs);
      });
      const how = await Promise.race([graceful, timeout]);
      clearTimeout(timer);
      if (how === 'timeout') {
        log.error({ timeoutMs }, 'in-flight leg did not finish in time; closing (a re-run probes first)');
        await worker.close(true);
      }
    });

    // The order path's health for the strategy: published on change and refreshed; re-checked when due.
    const healthRefreshMs = opts.orderHealthRefreshMs ?? 1000;
    const healthTtlMs = 3 * ORDER_HEALTH_MAX_AGE_MS;
    let publishing: Promise<void> = Promise.resolve();
    let publishedAt = 0;
    let lastState: string | null = null;
    const publish = (): void => {
      publishing = publishing.then(async () => {
        const h = health.orderHealth(venueId);
        try {
          await writeOrderHealth(redis, opts.names, h, healthTtlMs);
          publishedAt = Date.now();
          if (h.state !== lastState) {
            if (h.state === 'ok') log.info({ orderHealth: h }, 'order path ok');
            else log.warn({ orderHealth: h }, 'order path degraded: no new opens until it recovers');
            lastState = h.state;
          }
        } catch (err) {
          log.warn({ err }, 'order health not published');
        }
      });
    };
    let rechecking = false;
    const healthTimer = setInterval(
      () => {
        if (health.recheckDue() && !rechecking) {
          rechecking = true;
          // Through the executor: the read also feeds the margin check's balance (health is updated there).
          void exec.refreshBalance().finally(() => {
            rechecking = false;
          });
        }
        if (Date.now() - publishedAt >= healthRefreshMs) publish();
      },
      Math.max(50, Math.min(250, healthRefreshMs)),
    );
    healthTimer.unref();
    health.onChange(publish);
    publish();
    closers.push(async () => {
      clearInterval(healthTimer);
      health.onChange(undefined);
      await publishing;
      // A stopped worker's venue takes no new opens: withdraw the report now rather than at its TTL.
      await redis.del(opts.names.orderHealthKey(venueId)).catch(() => {});
    });

    // Idle venue health refresh, so /healthz follows the venue even without orders.
    const refreshMs = opts.healthRefreshMs ?? 15_000;
    const timer = setInterval(() => {
      const last = health.lastCallAt();
      if (last !== null && Date.now() - last < refreshMs) return;
      void exec.refreshBalance();
    }, refreshMs);
    timer.unref();
    closers.push(async () => clearInterval(timer));

    log.info({ queue: queueName, prefix: opts.names.bullPrefix }, 'order worker started');
    let stopping: Promise<void> | null = null;
    return {
      worker,
      queue,
      metrics,
      health(): HealthReport {
        const h = health.snapshot();
        if (!worker.isRunning()) return { ok: false, reason: 'worker not running', details: { ...h } };
        return h.ok
          ? { ok: true, details: { ...h, venue: venueId } }
          : { ok: false, reason: `last ${venueId} call failed: ${h.lastError}`, details: { ...h } };
      },
      stop() {
        stopping ??= closeAll();
        return stopping;
      },
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/** Cross-host clock skew tolerated between the process that enqueued a job and this one. */
const FRESH_SKEW_MS = 1000;

/**
 * A delivery no earlier run can have acted on: the job's first start (BullMQ counts starts, stalls and
 * failed attempts in Redis), enqueued after this process's Redis connection came up. The last condition
 * covers Redis losing its most recent writes (a restart with AOF everysec, a failover): those drop every
 * client connection, so any job whose counters or send marker could have been lost was enqueued before
 * the current connection. Such a job, and every re-run, goes to the venue probe before any send.
 */
export function isFreshDelivery(
  job: Pick<Job, 'attemptsStarted' | 'attemptsMade' | 'stalledCounter' | 'timestamp'>,
  connectedSince: number,
): boolean {
  return (
    (job.attemptsStarted ?? 1) <= 1 &&
    (job.attemptsMade ?? 0) === 0 &&
    (job.stalledCounter ?? 0) === 0 &&
    job.timestamp - FRESH_SKEW_MS >= connectedSince
  );
}
