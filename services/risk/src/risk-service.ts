import { randomBytes, randomInt } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Alert, AlertSchema } from '@arb/bus/alert';
import { bullConnection } from '@arb/bus/bull-connection';
import { ControlCommandSchema, type ControlCommand } from '@arb/bus/control-command';
import { readControlFlags, writeControlFlags } from '@arb/bus/control-flags';
import { HedgeIntentSchema, type HedgeIntent } from '@arb/bus/hedge-intent';
import { type HedgeRecord, listHedgeIds, parseHedgeRecord, writeHedgeStatus } from '@arb/bus/hedge-store';
import { legJobFromOrder, legsForIntent, makeLegJob, type OrderJob } from '@arb/bus/job-registry';
import { redisNames } from '@arb/bus/keys';
import { LeaderLease } from '@arb/bus/leader-lease';
import { LedgerEntrySchema, type LedgerEntry } from '@arb/bus/ledger-entry';
import { OrderOutcomeEventSchema, type OrderOutcomeEvent } from '@arb/bus/order-outcome-event';
import { closeOrderQueues, createOrderQueues, enqueueJob, type OrderQueues } from '@arb/bus/order-queues';
import { readLatestQuote } from '@arb/bus/quote-bus';
import { appendMessage, queueAppend, StreamConsumer } from '@arb/bus/stream';
import { writeDailyStats } from '@arb/bus/daily-stats-record';
import { DailyStatsTracker, tradingDay } from '@arb/core/daily-stats';
import { quoteAgeProblem } from '@arb/core/decide';
import {
  type CleanupPolicy,
  type CloseReason,
  eventFromOutcome,
  type HedgeAction,
  type HedgeEvent,
  type HedgeResult,
  type HedgeState,
  isTerminal,
  type LegOrder,
  newHedge,
  reduceHedge,
} from '@arb/core/hedge';
import { parseHedgeState } from '@arb/core/hedge-schema';
import type { FilledOutcome, OrderOutcome, Side } from '@arb/core/order';
import { type VenueId, VENUES, venueSymbol } from '@arb/core/venue';
import type { VenueClient } from '@arb/core/venue-client';
import type { Logger } from '@arb/log/logger';
import type { HealthReport } from '@arb/service/run-service';
import { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import { checkExposure, type ExposureVerdict, type FlattenOrder } from './exposure-check';
import { ledgerEntriesFor, statusOf } from './hedge-ledger';
import { RISK_CONSUMER_GROUP, RISK_STATE_FIELD, riskLeaseNames } from './risk-keys';
import { createRiskMetrics, type RiskMetrics } from './risk-metrics';
import { REFUSAL_CODES } from '@arb/execution/leg-executor';

export interface RiskServiceOptions {
  redisUrl: string;
  namespace: string;
  pair: string;
  /** Read-only use: positions, open orders, findOrder (resolving unknown legs). */
  venues: Record<VenueId, VenueClient>;
  forceCloseMs: number;
  /** Quote freshness limit: cleanup policy 'complete' applies only with fresh quotes on both venues. */
  maxQuoteAgeMs: number;
  reconcileIntervalMs: number;
  driftTolerance: number;
  flattenOnDrift: boolean;
  /** USD; 0 = off. */
  dailyLossLimit: number;
  cleanupPolicy: CleanupPolicy;
  tradingTimeZone: string;
  /** A hedge naked longer than this raises a critical alert (NAKED_ALERT_MS). */
  nakedAlertMs: number;
  /** Period of the forced-close / stuck-leg check and of unknown-leg resolution (default 1 s). */
  tickMs?: number;
  /** STUCK_LEG_MS: a pending leg is looked up at its venue after this; not found so long after: rejected. */
  stuckLegMs: number;
  /** Venue positions unreadable this long → reconciled=false (default max(10 s, 5 reconcile intervals)). */
  truthTimeoutMs?: number;
  /** Stream entries pending this long in a dead consumer are taken over (default 10 s). */
  reclaimIdleMs?: number;
  /** Lease time of the single active risk instance; a standby takes over within about this. Default 6 s. */
  leaseMs?: number;
  /** Called when this instance loses the lease while active (main.ts exits so a fresh start re-checks). */
  onLeadershipLost?: (reason: string) => void;
  log: Logger;
  metrics?: Registry;
}

export interface RunningRisk {
  health(): HealthReport;
  /** One reconciliation round now (tests, CLI). */
  reconcile(): Promise<ExposureVerdict | { kind: 'error'; message: string }>;
  stop(): Promise<void>;
}

interface FlattenRecord {
  jobId: string;
  hedgeId: string;
  venue: VenueId;
  side: Side;
  qty: number;
  createdAt: number;
  reason: string;
}

interface Resolving {
  hedgeId: string;
  legId: string;
  venue: VenueId;
  clientOrderId: string;
  since: number;
  flatten: boolean;
}

const SOURCE = 'risk';

/** Risk follows a new open intent once it is this old (ms): its legs have been sent (p99 ~15 ms). */
const FOLLOW_OPEN_INTENT_AFTER_MS = 50;

/**
 * The risk service: folds recorded intents and order outcomes into the core hedge reducer (state and
 * ledger persisted before the stream entry is acknowledged), executes the reducer's actions (leg jobs with
 * deterministic ids, venue look-ups of unknown legs, alerts), forces the close of old hedges, reconciles
 * both venues' positions with the ledger (the `reconciled` flag gates every open), runs operator commands
 * and the daily loss limit, and keeps daily stats.
 */
export async function startRisk(o: RiskServiceOptions): Promise<RunningRisk> {
  const names = redisNames(o.namespace);
  const log = o.log;
  const tickMs = o.tickMs ?? 1000;
  const { stuckLegMs, nakedAlertMs } = o;
  const m: RiskMetrics | null = o.metrics ? createRiskMetrics(o.metrics) : null;

  const redis = new Redis(o.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 });
  const streamConns = [0, 1, 2].map(
    () => new Redis(o.redisUrl, { lazyConnect: true, maxRetriesPerRequest: null }),
  );
  for (const c of [redis, ...streamConns]) c.on('error', (err) => log.warn({ err }, 'redis error'));
  await Promise.all([redis, ...streamConns].map((c) => c.connect()));

  // One active risk per pair: a second instance waits here on standby until the lease is free.
  const owner = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  let active = false;
  const lease = new LeaderLease({
    redis,
    names: riskLeaseNames(names),
    pair: o.pair,
    owner,
    ttlMs: o.leaseMs ?? 6000,
    onAcquired: (fence) => log.info({ owner, fence }, 'risk lease acquired: active'),
    onLost: (reason) => {
      if (!active) return;
      log.error({ owner, reason }, 'risk lease lost');
      o.onLeadershipLost?.(reason);
    },
    onError: (err) => log.warn({ err }, 'risk lease renewal error'),
  });
  await lease.start();
  if (!lease.isLeader()) log.info({ owner }, 'standby: another risk instance is active');
  while (!lease.isLeader()) await new Promise((r) => setTimeout(r, 200));
  active = true;
  const queues: OrderQueues = createOrderQueues(bullConnection(o.redisUrl), names);
  await Promise.all(VENUES.map((v) => queues[v].waitUntilReady()));

  /** Live (not ended) hedges, as last persisted. */
  const live = new Map<string, HedgeState>();
  const flattens = new Map<string, FlattenRecord>();
  const resolving = new Map<string, Resolving>();
  const needsRedrive = new Set<string>();
  const nakedSince = new Map<string, { since: number; alerted: boolean }>();
  const venueOk: Record<VenueId, boolean> = { aster: false, backpack: false };
  let reconciled = false;
  let lastReconcileOkAt: number | null = null;
  let lastTruthAt: number | null = null;
  const startedAt = Date.now();
  let lastVerdict: ExposureVerdict | null = null;
  let driftStreak = 0;
  let driftAlerted = false;
  let flattenRequested = false;
  let foldSeq = 0;
  let lossKilledDay: string | null = null;
  let stopping = false;
  // Every persisted hedge state also goes here, so daily stats never re-read the hedges from Redis.
  const statsTracker = new DailyStatsTracker(o.tradingTimeZone);

  // Every change of hedge state goes through one queue: folds never interleave.
  let tail: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = tail.then(fn);
    tail = p.catch(() => undefined);
    return p;
  };

  const alert = async (a: Omit<Alert, 'v' | 'source' | 'at' | 'pair'>): Promise<void> => {
    const lvl = a.level === 'critical' ? 'error' : a.level === 'warn' ? 'warn' : 'info';
    log[lvl]({ alert: a.code, hedgeId: a.hedgeId, details: a.details }, a.message);
    try {
      await appendMessage(
        redis,
        names.alertStream,
        AlertSchema,
        { v: 1, source: SOURCE, at: Date.now(), pair: o.pair, ...a },
        { maxLen: 10_000 },
      );
    } catch (err) {
      log.error({ err, alert: a.code }, 'alert not recorded');
    }
  };

  // ---- hedge state: load, fold, persist, act

  async function loadHedge(
    hedgeId: string,
  ): Promise<{ state: HedgeState | null; record: HedgeRecord } | null> {
    const hash = await redis.hgetall(names.hedgeKey(hedgeId));
    if (Object.keys(hash).length === 0) return null;
    const record = parseHedgeRecord(hedgeId, hash);
    const raw = hash[RISK_STATE_FIELD];
    return { state: raw === undefined ? null : parseHedgeState(raw), record };
  }

  /** The hedge's reducer state; on first sight, started from its recorded open intent (legs placed). */
  async function ensureHedge(hedgeId: string): Promise<{ state: HedgeState; record: HedgeRecord } | null> {
    const loaded = await loadHedge(hedgeId);
    if (!loaded) return null;
    if (loaded.state) return { state: loaded.state, record: loaded.record };
    const intent = loaded.record.open;
    if (!intent) return null;
    const res = newHedge(
      {
        id: hedgeId,
        pair: intent.pair,
        direction: intent.direction,
        qty: intent.qty,
        expectedEdge: intent.expectedEdge,
        cleanupPolicy: o.cleanupPolicy,
      },
      intent.createdAt,
    );
    log.info({ hedgeId, direction: intent.direction, qty: intent.qty }, 'hedge: following a new open intent');
    await commit(null, res, loaded.record, []);
    return { state: res.state, record: loaded.record };
  }

  async function fold(
    hedgeId: string,
    eventFor: (s: HedgeState) => HedgeEvent | null,
    fills: { legId: string; outcome: FilledOutcome }[] = [],
  ): Promise<HedgeState | null> {
    const loaded = await ensureHedge(hedgeId);
    if (!loaded) return null;
    const event = eventFor(loaded.state);
    if (!event) return loaded.state;
    const res = reduceHedge(loaded.state, event, Date.now());
    await commit(loaded.state, res, loaded.record, fills);
    return res.state;
  }

  /** Persists the new state with its ledger entries (one MULTI), writes the status, then acts. */
  async function commit(
    before: HedgeState | null,
    res: HedgeResult,
    record: HedgeRecord,
    fills: { legId: string; outcome: FilledOutcome }[],
  ): Promise<void> {
    const after = res.state;
    if (after !== before) {
      foldSeq++;
      const entries: LedgerEntry[] = ledgerEntriesFor(before, after, fills);
      const tx = redis.multi().hset(names.hedgeKey(after.id), RISK_STATE_FIELD, JSON.stringify(after));
      for (const e of entries) queueAppend(tx, names.ledgerStream, LedgerEntrySchema, e);
      const naked = Math.abs(after.netExposure) > after.dustQty;
      const wasNaked = nakedSince.get(after.id);
      if (naked && !wasNaked) tx.hset(names.riskNakedSinceKey, after.id, String(Date.now()));
      if (!naked && wasNaked) tx.hdel(names.riskNakedSinceKey, after.id);
      const results = await tx.exec();
      const failed = results?.find(([err]) => err !== null);
      if (!results || failed)
        throw new Error(`hedge ${after.id} not persisted: ${failed?.[0]?.message ?? 'aborted'}`);
      statsTracker.upsert(after, Date.now());
      if (naked && !wasNaked) nakedSince.set(after.id, { since: Date.now(), alerted: false });
      if (!naked && wasNaked) {
        nakedSince.delete(after.id);
        m?.nakedEpisodes.observe((Date.now() - wasNaked.since) / 1000);
        log.info({ hedgeId: after.id, nakedMs: Date.now() - wasNaked.since }, 'hedge no longer naked');
      }
      await writeHedgeStatus(redis, names, statusOf(after));
      const ended = isTerminal(after.phase) && !(before && isTerminal(before.phase));
      if (isTerminal(after.phase)) live.delete(after.id);
      else live.set(after.id, after);
      if (before?.phase !== after.phase) {
        log.info(
          { hedgeId: after.id, from: before?.phase ?? null, to: after.phase, exposure: after.exposure },
          'hedge phase',
        );
      }
      if (ended) {
        m?.hedgesEnded.inc({
          outcome: after.writtenOff !== null ? 'written_off' : after.phase,
          reason: after.closeReason ?? 'none',
        });
        log.info(
          { hedgeId: after.id, phase: after.phase, realizedPnl: after.realizedPnl, fees: after.fees },
          'hedge ended',
        );
      }
      updateLiveGauge();
      if (entries.length > 0) void updateDailyStats().catch((err) => log.warn({ err }, 'daily stats failed'));
    }
    try {
      await execute(after, res.actions, record);
    } catch (err) {
      // The state is persisted, so a retried input is a no-op: re-emit the in-flight legs on the next tick.
      needsRedrive.add(after.id);
      log.error({ err, hedgeId: after.id }, 'hedge actions failed; redriving on the next tick');
    }
  }

  async function execute(state: HedgeState, actions: HedgeAction[], record: HedgeRecord): Promise<void> {
    for (const a of actions) {
      m?.actions.inc({ kind: a.kind });
      switch (a.kind) {
        case 'place_leg': {
          const { job, isStrategyLeg } = jobFor(a.order, state, record);
          // The strategy's own legs, marked enqueued in the record: queued already (re-adding is a no-op
          // that costs two BullMQ scripts while the legs are being sent).
          if (isStrategyLeg && record.enqueued[a.order.role === 'close' ? 'close' : 'open']) break;
          // A backed-off retry waits in BullMQ's delayed set (a redrive after a restart keeps its time).
          const delayMs = a.order.notBefore === undefined ? 0 : Math.max(0, a.order.notBefore - Date.now());
          await enqueueJob(queues, job, delayMs);
          log.info(
            { hedgeId: a.order.hedgeId, jobId: job.id, side: job.data.side, qty: job.data.qty, delayMs },
            'leg job enqueued',
          );
          break;
        }
        case 'resolve_leg':
          resolving.set(a.legId, {
            hedgeId: a.hedgeId,
            legId: a.legId,
            venue: a.venue,
            clientOrderId: a.clientOrderId,
            since: Date.now(),
            flatten: false,
          });
          break;
        case 'alert':
          await alert({
            level: a.severity === 'warning' ? 'warn' : 'critical',
            code: a.code,
            message: a.message,
            hedgeId: a.hedgeId,
          });
          break;
      }
    }
  }

  /** The strategy's own job for a recorded intent's first legs (same id: a no-op if queued), else risk's. */
  function jobFor(
    order: LegOrder,
    state: HedgeState,
    record: HedgeRecord,
  ): { job: OrderJob; isStrategyLeg: boolean } {
    if (order.attempt === 1 && (order.role === 'open' || order.role === 'close')) {
      const intent = order.role === 'open' ? record.open : record.close;
      if (intent) {
        const same = legsForIntent(intent, order.role === 'close' ? statusOf(state) : null).find(
          (j) => j.id === order.legId && j.data.qty === order.qty && j.data.side === order.side,
        );
        if (same) return { job: same, isStrategyLeg: true };
      }
    }
    return { job: legJobFromOrder(order, { fence: 0, createdAt: Date.now() }), isStrategyLeg: false };
  }

  function updateLiveGauge(): void {
    if (!m) return;
    m.hedgesLive.reset();
    for (const h of live.values()) m.hedgesLive.inc({ phase: h.phase });
  }

  /** 'complete' only when configured and both venues' latest quotes are fresh; else 'unwind'. */
  async function cleanupPolicyNow(): Promise<CleanupPolicy> {
    if (o.cleanupPolicy !== 'complete') return 'unwind';
    const now = Date.now();
    for (const v of VENUES) {
      const q = await readLatestQuote(redis, names, v, o.pair);
      if (!q || quoteAgeProblem(q, now, o.maxQuoteAgeMs) !== null) return 'unwind';
    }
    return 'complete';
  }

  // ---- inputs: intents, outcomes, commands

  async function onIntent(intent: HedgeIntent): Promise<void> {
    if (intent.pair !== o.pair) return;
    // A new open's legs left with its record and are being sent right now: risk's bookkeeping (reads,
    // state and status writes, logs) waits until they are out instead of competing with them for the
    // CPU and Redis (bench, 1 ms pacing: tick -> order p50 7.3 -> 6.1-6.5 ms). An outcome arriving
    // first starts the hedge from its record just the same (ensureHedge). A backlog entry waits no more.
    const wait = FOLLOW_OPEN_INTENT_AFTER_MS - Math.max(0, Date.now() - intent.createdAt);
    if (intent.action === 'open' && !stopping && wait > 0) await sleep(wait);
    await serial(async () => {
      const loaded = await ensureHedge(intent.hedgeId);
      if (!loaded) {
        log.warn({ hedgeId: intent.hedgeId, action: intent.action }, 'intent of an unknown hedge; ignored');
        return;
      }
      if (intent.action === 'close') {
        const reason: CloseReason =
          intent.reason === 'force_close_time' ? 'force_close_time' : 'spread_converged';
        await fold(intent.hedgeId, () => ({ type: 'close_requested', reason }));
      }
    });
  }

  async function onOutcome(ev: OrderOutcomeEvent): Promise<void> {
    m?.outcomes.inc({ kind: ev.outcome.kind });
    if (flattens.has(ev.jobId)) {
      await serial(() => onFlattenOutcome(ev.jobId, ev.outcome));
      return;
    }
    const policy = ev.outcome.kind === 'unknown' ? undefined : await cleanupPolicyNow();
    await serial(async () => {
      const state = await fold(
        ev.hedgeId,
        (s) => {
          const e = eventFromOutcome(ev.jobId, ev.outcome);
          return s.phase === 'opening' && policy !== undefined && e.type !== 'leg_unknown'
            ? { ...e, policy }
            : e;
        },
        ev.outcome.kind === 'filled' ? [{ legId: ev.jobId, outcome: ev.outcome }] : [],
      );
      if (state === null && ev.outcome.kind === 'rejected' && ev.outcome.code === REFUSAL_CODES.noIntent) {
        // A leg sent in the same flight as an intent Redis refused: never executed, nothing to track.
        log.info({ hedgeId: ev.hedgeId, legId: ev.jobId }, 'leg of a refused intent refused by its worker');
      } else if (state === null) {
        await alert({
          level: 'critical',
          code: 'outcome_unknown_hedge',
          message: `outcome ${ev.outcome.kind} of ${ev.jobId} for a hedge risk does not know`,
          hedgeId: ev.hedgeId,
        });
      }
      if (ev.outcome.kind !== 'unknown') resolving.delete(ev.jobId);
    });
  }

  async function onFlattenOutcome(jobId: string, outcome: OrderOutcome): Promise<void> {
    const rec = flattens.get(jobId);
    if (!rec) return;
    if (outcome.kind === 'unknown') {
      resolving.set(jobId, {
        hedgeId: rec.hedgeId,
        legId: jobId,
        venue: rec.venue,
        clientOrderId: jobId,
        since: Date.now(),
        flatten: true,
      });
      return;
    }
    const tx = redis.multi().hdel(names.riskFlattenKey, jobId);
    if (outcome.kind === 'filled') {
      const entry: LedgerEntry = {
        v: 1,
        kind: 'fill',
        hedgeId: rec.hedgeId,
        pair: o.pair,
        at: outcome.executedAt,
        role: 'unwind',
        attempt: 1,
        legId: jobId,
        venue: rec.venue,
        symbol: venueSymbol(rec.venue, o.pair),
        side: outcome.side,
        qty: outcome.qty,
        price: outcome.avgPrice,
        fee: outcome.fee,
        feeAsset: outcome.feeAsset,
        clientOrderId: jobId,
        venueOrderId: outcome.venueOrderId,
      };
      queueAppend(tx, names.ledgerStream, LedgerEntrySchema, entry);
    }
    await tx.exec();
    flattens.delete(jobId);
    resolving.delete(jobId);
    foldSeq++;
    await alert({
      level: outcome.kind === 'filled' ? 'info' : 'critical',
      code: outcome.kind === 'filled' ? 'flatten_filled' : 'flatten_rejected',
      message:
        outcome.kind === 'filled'
          ? `flatten ${jobId}: ${outcome.side} ${outcome.qty} @ ${outcome.avgPrice} on ${rec.venue}`
          : `flatten ${jobId} on ${rec.venue} rejected: ${outcome.code} ${outcome.reason}`,
      hedgeId: rec.hedgeId,
    });
  }

  async function onCommand(cmd: ControlCommand): Promise<void> {
    if (cmd.pair !== undefined && cmd.pair !== o.pair) return;
    if ((await redis.sismember(names.riskCommandsDoneKey, cmd.id)) === 1) return;
    const meta = { by: cmd.by, reason: cmd.reason ?? `${cmd.command} command`, at: Date.now() };
    switch (cmd.command) {
      case 'pause':
        await writeControlFlags(redis, names, { paused: true }, meta);
        break;
      case 'resume':
        await writeControlFlags(redis, names, { paused: false, killed: false }, meta);
        break;
      case 'flatten':
        flattenRequested = true;
        await closeAll('flatten');
        break;
      case 'kill':
        await writeControlFlags(redis, names, { killed: true }, meta);
        flattenRequested = true;
        await closeAll('kill');
        break;
    }
    await redis.sadd(names.riskCommandsDoneKey, cmd.id);
    await alert({
      level: cmd.command === 'kill' ? 'critical' : 'warn',
      code: `command_${cmd.command}`,
      message: `${cmd.command} by ${cmd.by}${cmd.reason ? `: ${cmd.reason}` : ''}`,
    });
    if (cmd.command === 'flatten' || cmd.command === 'kill') void runReconcile();
  }

  async function closeAll(reason: CloseReason): Promise<void> {
    for (const id of [...live.keys()]) {
      await serial(() =>
        fold(id, (s) =>
          s.phase === 'open' || s.phase === 'opening' ? { type: 'close_requested', reason } : null,
        ),
      );
    }
  }

  // ---- timers: forced close, naked time, unknown and stuck legs

  async function tick(): Promise<void> {
    const now = Date.now();
    for (const id of [...needsRedrive]) {
      needsRedrive.delete(id);
      await serial(async () => {
        const loaded = await loadHedge(id);
        if (!loaded?.state || isTerminal(loaded.state.phase)) return;
        const redrive = reduceHedge(loaded.state, { type: 'redrive' }, Date.now());
        await commit(loaded.state, redrive, loaded.record, []);
      });
    }
    for (const h of [...live.values()]) {
      if (h.phase === 'open' && h.openedAt !== null && now - h.openedAt >= o.forceCloseMs) {
        log.info({ hedgeId: h.id, ageMs: now - h.openedAt }, 'forced close: hedge past FORCE_CLOSE_TIME');
        await serial(() =>
          fold(h.id, (s) =>
            s.phase === 'open' ? { type: 'close_requested', reason: 'force_close_time' } : null,
          ),
        );
      }
      for (const leg of h.legs) {
        // A backed-off retry is not due before its notBefore: it cannot be stuck before then.
        const due = Math.max(leg.updatedAt, leg.notBefore ?? 0);
        if (leg.status === 'pending' && now - due >= stuckLegMs && !resolving.has(leg.id)) {
          resolving.set(leg.id, {
            hedgeId: h.id,
            legId: leg.id,
            venue: leg.venue,
            clientOrderId: leg.clientOrderId,
            since: now,
            flatten: false,
          });
        }
      }
    }
    let longest = 0;
    for (const [id, n] of nakedSince) {
      const age = now - n.since;
      longest = Math.max(longest, age);
      if (age > nakedAlertMs && !n.alerted) {
        n.alerted = true;
        await alert({
          level: 'critical',
          code: 'naked_leg',
          message: `hedge ${id} naked for ${age} ms (bound ${nakedAlertMs} ms)`,
          hedgeId: id,
          details: { nakedMs: age },
        });
      }
    }
    m?.nakedSeconds.set(longest / 1000);
    m?.reconcileAge.set(lastReconcileOkAt === null ? -1 : (now - lastReconcileOkAt) / 1000);
    await resolveLegs();
  }

  /** Looks unknown (or stuck) legs up at their venue by client order id and folds what the venue says. */
  async function resolveLegs(): Promise<void> {
    for (const r of [...resolving.values()]) {
      let found: OrderOutcome | null;
      try {
        found = await o.venues[r.venue].findOrder(venueSymbol(r.venue, o.pair), r.clientOrderId);
        venueOk[r.venue] = true;
      } catch (err) {
        venueOk[r.venue] = false;
        log.warn({ err, legId: r.legId }, 'resolving a leg at the venue failed');
        continue;
      }
      if (found && found.kind !== 'unknown') {
        log.info({ legId: r.legId, kind: found.kind }, 'leg resolved at the venue');
        if (r.flatten) await serial(() => onFlattenOutcome(r.legId, found));
        else {
          const outcome = found;
          await serial(() =>
            fold(
              r.hedgeId,
              () => eventFromOutcome(r.legId, outcome),
              outcome.kind === 'filled' ? [{ legId: r.legId, outcome }] : [],
            ),
          );
        }
        resolving.delete(r.legId);
        continue;
      }
      if (found === null && Date.now() - r.since >= stuckLegMs) {
        // Not at the venue: never placed, unless its job is still queued or running.
        const state = await queues[r.venue].getJobState(r.legId);
        if (state === 'waiting' || state === 'active' || state === 'delayed' || state === 'prioritized')
          continue;
        const outcome: OrderOutcome = {
          kind: 'rejected',
          venue: r.venue,
          clientOrderId: r.clientOrderId,
          code: 'NOT_PLACED',
          reason: `no order at the venue ${Date.now() - r.since} ms after risk began looking (job ${state})`,
        };
        log.warn({ legId: r.legId, jobState: state }, 'leg never placed');
        if (r.flatten) await serial(() => onFlattenOutcome(r.legId, outcome));
        else await serial(() => fold(r.hedgeId, () => eventFromOutcome(r.legId, outcome)));
        resolving.delete(r.legId);
      }
    }
  }

  // ---- reconciliation

  async function readTruth() {
    const read = async (v: VenueId) => {
      const symbol = venueSymbol(v, o.pair);
      try {
        const [pos, orders] = await Promise.all([
          o.venues[v].position(symbol),
          o.venues[v].openOrders(symbol),
        ]);
        venueOk[v] = true;
        return { position: pos.qty, openOrders: orders.length };
      } catch (err) {
        venueOk[v] = false;
        throw new Error(
          `${v}: positions/open orders unavailable: ${err instanceof Error ? err.message : err}`,
          {
            cause: err,
          },
        );
      }
    };
    const [a, b] = await Promise.all([read('aster'), read('backpack')]);
    return {
      position: { aster: a.position, backpack: b.position },
      openOrders: { aster: a.openOrders, backpack: b.openOrders },
    };
  }

  async function queuesBusy(): Promise<boolean> {
    for (const v of VENUES) {
      const c = await queues[v].getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      if (Object.values(c).some((n) => n > 0)) return true;
    }
    return false;
  }

  let reconciling: Promise<ExposureVerdict | { kind: 'error'; message: string }> | null = null;
  function runReconcile(): Promise<ExposureVerdict | { kind: 'error'; message: string }> {
    reconciling ??= reconcileOnce()
      .catch(async (err: unknown) => {
        m?.reconciles.inc({ result: 'error' });
        const message = err instanceof Error ? err.message : String(err);
        log.warn({ err }, 'reconciliation failed');
        await onTruthUnavailable(message).catch((e) => log.warn({ err: e }, 'un-reconciling failed'));
        return { kind: 'error' as const, message };
      })
      .finally(() => {
        reconciling = null;
      });
    return reconciling;
  }

  /** Venue truth unknown for several rounds in a row: exposure cannot be vouched for, so no new opens. */
  async function onTruthUnavailable(message: string): Promise<void> {
    const since = lastTruthAt ?? startedAt;
    const bound = o.truthTimeoutMs ?? Math.max(10_000, 5 * o.reconcileIntervalMs);
    if (Date.now() - since < bound || !reconciled) return;
    reconciled = false;
    await writeControlFlags(
      redis,
      names,
      { reconciled: false },
      { by: SOURCE, reason: `venue truth unavailable: ${message}`.slice(0, 300), at: Date.now() },
    );
    await alert({ level: 'critical', code: 'reconcile_failed', message: `opens paused: ${message}` });
  }

  async function reconcileOnce(): Promise<ExposureVerdict> {
    const seq = foldSeq;
    const busyBefore = await queuesBusy();
    const truth = await readTruth();
    lastTruthAt = Date.now();
    const active = await redis.get(names.activeHedgeKey(o.pair));
    const verdict = await serial(async () => {
      if (busyBefore || (await queuesBusy()))
        return { kind: 'busy', reason: 'leg jobs queued or running' } as const;
      if (seq !== foldSeq)
        return { kind: 'busy', reason: 'hedge state changed while reading the venues' } as const;
      if (active !== null && !live.has(active)) {
        const known = await redis.hexists(names.hedgeKey(active), RISK_STATE_FIELD);
        if (!known) return { kind: 'busy', reason: `active hedge ${active} not folded yet` } as const;
      }
      return checkExposure({
        truth,
        hedges: [...live.values()],
        tolerance: o.driftTolerance,
        flattenInFlight: flattens.size,
      });
    });
    lastVerdict = verdict;
    m?.reconciles.inc({ result: verdict.kind });
    if (verdict.kind === 'busy') return verdict;
    for (const v of VENUES) m?.drift.set({ venue: v }, verdict.drift[v]);
    m?.netBtc.set(verdict.net);
    const flags = await readControlFlags(redis, names);
    const at = Date.now();
    if (verdict.kind === 'ok') {
      lastReconcileOkAt = at;
      driftStreak = 0;
      flattenRequested = false;
      if (driftAlerted) {
        driftAlerted = false;
        await alert({ level: 'info', code: 'exposure_reconciled', message: verdict.message });
      }
      if (!flags.reconciled) {
        await writeControlFlags(
          redis,
          names,
          { reconciled: true },
          { by: SOURCE, reason: verdict.message, at },
        );
        log.info(
          { expected: verdict.expected, net: verdict.net },
          'reconciled: venues match the ledger; trading allowed',
        );
      }
      reconciled = true;
      return verdict;
    }
    driftStreak++;
    reconciled = false;
    if (flags.reconciled) {
      await writeControlFlags(
        redis,
        names,
        { reconciled: false },
        { by: SOURCE, reason: `drift: ${verdict.message}`, at },
      );
    }
    if (!driftAlerted) {
      driftAlerted = true;
      await alert({
        level: 'critical',
        code: 'exposure_drift',
        message: `opens paused: ${verdict.message}`,
        details: {
          driftAster: verdict.drift.aster,
          driftBackpack: verdict.drift.backpack,
          net: verdict.net,
          flatten: o.flattenOnDrift || flattenRequested,
        },
      });
    }
    // Act on drift seen twice in a row (a fill landing between two reads is not drift).
    if ((o.flattenOnDrift || flattenRequested) && driftStreak >= 2) {
      for (const f of verdict.flatten) await enqueueFlatten(f, verdict.message);
      if (verdict.unfixable.length > 0) {
        await alert({
          level: 'critical',
          code: 'drift_unfixable',
          message: `reduce-only orders cannot fix the drift on ${verdict.unfixable.join(', ')}: ${verdict.message}`,
        });
      }
    }
    return verdict;
  }

  async function enqueueFlatten(f: FlattenOrder, reason: string): Promise<void> {
    const now = Date.now();
    const hedgeId = `f${now.toString(36)}${randomInt(36 ** 4)
      .toString(36)
      .padStart(4, '0')}`;
    const job = makeLegJob({
      hedgeId,
      pair: o.pair,
      role: 'unwind',
      attempt: 1,
      venue: f.venue,
      side: f.side,
      qty: f.qty,
      reduceOnly: true,
      fence: 0,
      createdAt: now,
    });
    const rec: FlattenRecord = {
      jobId: job.id,
      hedgeId,
      venue: f.venue,
      side: f.side,
      qty: f.qty,
      createdAt: now,
      reason,
    };
    await redis.hset(names.riskFlattenKey, job.id, JSON.stringify(rec));
    flattens.set(job.id, rec);
    await enqueueJob(queues, job);
    await alert({
      level: 'warn',
      code: 'flatten_sent',
      message: `flatten: reduce-only ${f.side} ${f.qty} on ${f.venue} (${reason})`,
      hedgeId,
      details: { jobId: job.id },
    });
  }

  // ---- daily stats and the loss limit

  async function updateDailyStats(): Promise<void> {
    const now = Date.now();
    const day = tradingDay(now, o.tradingTimeZone);
    const stats = statsTracker.statsAt(now);
    await writeDailyStats(redis, names, stats, now);
    m?.realizedPnl.set(stats.realizedPnl);
    if (o.dailyLossLimit > 0 && stats.realizedPnl <= -o.dailyLossLimit && lossKilledDay !== day) {
      lossKilledDay = day;
      // Once per trading day (also across restarts): an operator's resume afterwards holds for the day.
      if ((await redis.set(names.riskLossKilledDayKey, day, 'GET')) === day) return;
      await writeControlFlags(
        redis,
        names,
        { killed: true },
        {
          by: SOURCE,
          reason: `daily loss limit: realized ${stats.realizedPnl} <= -${o.dailyLossLimit}`,
          at: now,
        },
      );
      await alert({
        level: 'critical',
        code: 'daily_loss_limit',
        message: `killed: realized PnL today ${stats.realizedPnl.toFixed(2)} reached the limit -${o.dailyLossLimit}`,
        details: { realizedPnl: stats.realizedPnl, limit: o.dailyLossLimit },
      });
      flattenRequested = true;
      void closeAll('kill').catch((err) => log.error({ err }, 'closing after the loss limit failed'));
    }
  }

  // ---- start: block trading, rebuild, redrive, consume, reconcile

  await writeControlFlags(
    redis,
    names,
    { reconciled: false },
    { by: SOURCE, reason: 'risk starting', at: Date.now() },
  );

  for (const [jobId, raw] of Object.entries(await redis.hgetall(names.riskFlattenKey))) {
    try {
      flattens.set(jobId, JSON.parse(raw) as FlattenRecord);
    } catch {
      await redis.hdel(names.riskFlattenKey, jobId);
    }
  }
  for (const [id, at] of Object.entries(await redis.hgetall(names.riskNakedSinceKey))) {
    nakedSince.set(id, { since: Number(at), alerted: false });
  }
  for (const id of await listHedgeIds(redis, names, o.pair)) {
    const loaded = await loadHedge(id);
    if (!loaded) continue;
    if (!loaded.state) {
      if (loaded.record.open && !loaded.record.status) await serial(() => ensureHedge(id));
      continue;
    }
    const s = loaded.state;
    statsTracker.upsert(s, Date.now());
    if (
      loaded.record.status?.phase !== s.phase ||
      loaded.record.status.updatedAt !== Math.trunc(s.updatedAt)
    ) {
      await writeHedgeStatus(redis, names, statusOf(s));
    }
    if (isTerminal(s.phase)) {
      nakedSince.delete(id);
      continue;
    }
    live.set(id, s);
    // After a restart: re-place pending legs (same ids: no-op if queued) and resolve unknown ones.
    const redrive = reduceHedge(s, { type: 'redrive' }, Date.now());
    await execute(s, redrive.actions, loaded.record);
  }
  for (const rec of flattens.values()) {
    resolving.set(rec.jobId, {
      hedgeId: rec.hedgeId,
      legId: rec.jobId,
      venue: rec.venue,
      clientOrderId: rec.jobId,
      since: Date.now(),
      flatten: true,
    });
  }
  updateLiveGauge();
  log.info({ live: [...live.keys()], flattens: flattens.size }, 'risk state rebuilt from Redis');

  const consumerName = `risk-${o.pair}`;
  const reclaimIdleMs = o.reclaimIdleMs ?? 10_000;
  /** What risk's three stream consumers share; `label` names the stream in logs and metrics. */
  const consumerOptions = (label: string) => ({
    group: RISK_CONSUMER_GROUP,
    consumer: consumerName,
    reclaimIdleMs,
    blockMs: 500,
    onError: (err: unknown, entryId: string | null) => {
      m?.errors.inc({ where: label });
      log.error({ err, entryId }, `${label}: handling failed; the entry stays pending and is retried`);
    },
    onReject: (r: { id: string; error: unknown }) => {
      m?.rejects.inc({ stream: label });
      log.warn({ entryId: r.id, err: r.error }, `${label}: invalid entry skipped`);
    },
  });
  const consumers = [
    new StreamConsumer({
      ...consumerOptions('intents'),
      redis: streamConns[0]!,
      stream: names.intentStream,
      schema: HedgeIntentSchema,
      handler: (e) => onIntent(e.message),
    }),
    new StreamConsumer({
      ...consumerOptions('outcomes'),
      redis: streamConns[1]!,
      stream: names.outcomeStream,
      schema: OrderOutcomeEventSchema,
      handler: (e) => onOutcome(e.message),
    }),
    new StreamConsumer({
      ...consumerOptions('commands'),
      redis: streamConns[2]!,
      stream: names.commandStream,
      schema: ControlCommandSchema,
      handler: (e) => onCommand(e.message),
    }),
  ];
  for (const c of consumers) await c.start();

  let ticking: Promise<void> | null = null;
  const runTick = () => {
    if (ticking || stopping) return;
    ticking = tick()
      .catch((err: unknown) => log.warn({ err }, 'risk tick failed'))
      .finally(() => {
        ticking = null;
      });
  };
  runTick();
  await updateDailyStats().catch((err) => log.warn({ err }, 'daily stats failed'));
  void runReconcile();
  const timers = [
    setInterval(runTick, tickMs),
    setInterval(() => {
      if (!stopping) void runReconcile();
    }, o.reconcileIntervalMs),
    setInterval(
      () => void updateDailyStats().catch((err) => log.warn({ err }, 'daily stats failed')),
      60_000,
    ),
  ];

  return {
    health() {
      const unreachable = VENUES.filter((v) => !venueOk[v]);
      const details = {
        reconciled,
        lastReconcileOkAt,
        lastVerdict: lastVerdict?.kind ?? null,
        liveHedges: [...live.keys()],
        flattensInFlight: flattens.size,
      };
      if (unreachable.length > 0)
        return { ok: false, reason: `venues unreachable: ${unreachable.join(', ')}`, details };
      if (!reconciled) return { ok: false, reason: 'not reconciled', details };
      return { ok: true, details };
    },
    reconcile: runReconcile,
    async stop() {
      stopping = true;
      for (const t of timers) clearInterval(t);
      for (const c of consumers) await c.stop();
      await ticking;
      await reconciling;
      await tail;
      await closeOrderQueues(queues);
      active = false;
      await lease.stop();
      for (const c of [...streamConns, redis]) await c.quit().catch(() => c.disconnect());
    },
  };
}
