import type { Alert } from '@arb/bus/alert';
import type { LegJob } from '@arb/bus/leg-job';
import type { OrderOutcomeEvent } from '@arb/bus/order-outcome-event';
import type { OrderOutcome, OrderRequest } from '@arb/core/order';
import type { BalanceSnapshot, VenueClient } from '@arb/core/venue-client';
import type { Logger } from '@arb/log/logger';
import { BalanceCache, errText, type Settled, settle } from './balance-cache';
import type { ExecMarker } from './exec-marker';
import type { ExecutionMetrics } from './execution-metrics';
import { checkMargin } from './margin-check';
import type { SendClaim } from './send-claim';
import type { VenueHealth } from './venue-health';

/** Codes of the rejections the worker decides itself (nothing was sent). */
export const REFUSAL_CODES = {
  staleFence: 'STALE_FENCE',
  noIntent: 'NO_INTENT',
  staleDecision: 'STALE_DECISION',
  insufficientMargin: 'LOCAL_INSUFFICIENT_MARGIN',
  marginCheckFailed: 'MARGIN_CHECK_FAILED',
  probeFailed: 'PROBE_FAILED',
  accountBusy: 'ACCOUNT_BUSY',
} as const;
/** The venue never got the order: not found repeatedly over the settle period after a send. */
export const NOT_PLACED = 'NOT_PLACED';

/** What the executor needs from the world besides the venue: Redis reads and the reports it makes. */
export interface LegExecutorIo {
  /** A reference price for the margin check when the leg has no limit price (latest quote), or null. */
  referencePrice(leg: LegJob): Promise<number | null>;
  /** Appends the outcome to the durable outcome stream. */
  report(event: OrderOutcomeEvent): Promise<void>;
  /** Appends an alert (best effort; must not throw). */
  alert(alert: Omit<Alert, 'v' | 'source' | 'at'>): Promise<void>;
}

export interface LegExecutorOptions {
  venue: VenueClient;
  io: LegExecutorIo;
  metrics: ExecutionMetrics;
  health: VenueHealth;
  log: Logger;
  leverage: number;
  /** Open/complete legs older than this (from their decision) are refused: the quote is stale. */
  maxDecisionAgeMs: number;
  /** How long an unknown order is queried at the venue before it is reported unknown. */
  unknownResolveTimeoutMs: number;
  /** "Not found" must persist this long after the send before an order counts as never placed. */
  settleMs: number;
  /** Margin buffer (0.1 = 10 %). */
  marginBuffer: number;
  /** The margin check uses a balance read at most this long ago (default 30 s; re-read after every order). */
  balanceMaxAgeMs?: number;
  /** Longest acceptable time from the claim (marker saved) to the send; default 1000 ms. */
  maxPreSendMs?: number;
  /** Pause before the first resolve query; doubles up to maxResolveDelayMs. */
  firstResolveDelayMs?: number;
  maxResolveDelayMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** One run of a leg job, as the executor sees it (BullMQ-independent). */
export interface LegRun {
  /** BullMQ job id (may differ from the leg id when a leg was re-added under another id). */
  jobId: string;
  /**
   * No earlier run of this job can have sent: its first start, never stalled, enqueued after this
   * process's Redis connection came up (a Redis restart that lost recent writes reconnects every client).
   * A fresh run skips the venue probe: its claim proves no send of this leg happened, since a send is
   * always preceded by the claim's marker. Any other run probes the venue first.
   */
  fresh: boolean;
  /** From the job's add to the worker's fetch of it (ms, the queue's timestamps, any add delay included). */
  queuedMs?: number;
  /** From the worker's fetch (BullMQ moveToActive sent) to this run's start (ms): the fetch round trip. */
  fetchMs?: number;
  /**
   * The atomic claim (send-claim.ts): takes the venue account (waiting while another run holds it), reads
   * the leg's send marker and the leader fence, and saves `marker` when given and nothing stands in the way.
   */
  claim(marker: ExecMarker | null): Promise<SendClaim>;
}

interface Refusal {
  code: string;
  reason: string;
  level?: 'info' | 'warn';
  details?: Record<string, number>;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Executes one leg job and reports exactly one outcome event for the run. A fresh run: the refusal checks
 * (stale decision, short margin: no I/O beyond a cached balance), one atomic claim (account lock, leg
 * marker, leader fence), one send. Any other run — or a fresh one that finds the leg's marker — asks the
 * venue first by client order id and never sends twice. An unknown outcome is resolved at the venue
 * within a bound.
 */
export class LegExecutor {
  readonly #o: LegExecutorOptions;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #balances: BalanceCache;

  constructor(opts: LegExecutorOptions) {
    this.#o = opts;
    this.#now = opts.now ?? Date.now;
    this.#sleep = opts.sleep ?? defaultSleep;
    this.#balances = new BalanceCache(
      () => this.#venueCall('balance', () => opts.venue.balance()),
      opts.balanceMaxAgeMs ?? 30_000,
      this.#now,
    );
  }

  /** Reads the balance now (idle refresh, health re-check); the margin check then uses it. */
  refreshBalance(): Promise<Settled<BalanceSnapshot>> {
    return this.#balances.refresh();
  }

  async execute(leg: LegJob, run: LegRun): Promise<OrderOutcomeEvent> {
    // The leg's child logger is made when first needed: making one copies and scrubs its bindings (a
    // cold ~0.1-0.2 ms in a process that runs a few legs a second), and a fresh leg logs after its send.
    const log = () =>
      this.#o.log.child({
        legId: leg.clientOrderId,
        jobId: run.jobId,
        hedgeId: leg.hedgeId,
        fresh: run.fresh,
      });
    if (!run.fresh) return this.#executeRedelivered(leg, run, log());
    const startedAt = performance.now();
    const refusal = await this.#checkBeforeSend(leg);
    const checkedAt = performance.now();
    const sentAt = this.#now();
    // The claim's round trip and the venue client's local work (rules, budget, signing) run together: the
    // order is prepared now and held at its send gate, which opens only once the claim is taken.
    const claiming = run.claim(refusal ? null : { stage: 'sent', sentAt, byJobId: run.jobId });
    const prepared = refusal ? undefined : this.#prepare(leg);
    let claim: SendClaim;
    try {
      claim = await claiming;
    } catch (e) {
      prepared?.gate.open(false);
      throw e;
    }
    // Any way but a taken claim, the prepared order is withdrawn (never sent).
    if (claim.kind !== 'claimed') prepared?.gate.open(false);
    switch (claim.kind) {
      case 'claimed': {
        const claimedAt = performance.now();
        return this.#send(
          leg,
          sentAt,
          log,
          { queuedMs: run.queuedMs, fetchMs: run.fetchMs, startedAt, checkedAt, claimedAt },
          prepared,
        );
      }
      case 'stale-fence':
        return this.#refuseStaleFence(leg, claim.fence);
      case 'no-intent':
        return this.#refuseNoIntent(leg);
      case 'marked':
        // The same leg ran before (e.g. the job removed and re-added): the venue tells what happened.
        return this.#executeRedelivered(leg, run, log());
      case 'unclaimed':
        if (!refusal)
          throw new Error(`leg ${leg.clientOrderId}: claim not taken although nothing refused it`);
        return this.#refuse(leg, refusal);
    }
  }

  /** A run that may follow a send: probe first (under the account lock), send only when provably none. */
  async #executeRedelivered(leg: LegJob, run: LegRun, log: Logger): Promise<OrderOutcomeEvent> {
    const first = await run.claim(null);
    const marker = first.kind === 'marked' ? first.marker : null;
    if (marker) log.warn({ marker }, 're-run of a leg that may have sent; asking the venue');
    const probe = await this.#probeWithRetry(leg, 3);
    if (probe.ok && probe.order !== null) {
      if (probe.order.kind !== 'unknown') {
        log.info({ kind: probe.order.kind, marker }, 'order found at the venue; not sending');
        return this.#report(leg, probe.order, { sentAt: marker?.sentAt ?? 0, probed: true });
      }
      // It exists but is not final yet: wait for its final state.
      return this.#resolve(leg, marker?.sentAt ?? this.#now(), probe.order.reason, log);
    }
    if (marker !== null) {
      // An earlier run may have sent: never send again; find out what happened.
      log.warn({ probeOk: probe.ok }, 'not found at the venue yet; resolving');
      return this.#resolve(leg, marker.sentAt, 'earlier run of this leg may have sent', log);
    }
    if (!probe.ok) {
      return this.#refuse(leg, {
        code: REFUSAL_CODES.probeFailed,
        reason: `venue probe by client order id failed: ${probe.error}`,
        level: 'warn',
      });
    }
    if (first.kind === 'stale-fence') return this.#refuseStaleFence(leg, first.fence);
    if (first.kind === 'no-intent') return this.#refuseNoIntent(leg);
    const refusal = await this.#checkBeforeSend(leg);
    if (refusal) return this.#refuse(leg, refusal);
    const sentAt = this.#now();
    const claim = await run.claim({ stage: 'sent', sentAt, byJobId: run.jobId });
    switch (claim.kind) {
      case 'claimed':
        return this.#send(leg, sentAt, () => log);
      case 'stale-fence':
        return this.#refuseStaleFence(leg, claim.fence);
      case 'no-intent':
        return this.#refuseNoIntent(leg);
      case 'marked':
        // Cannot happen while this run holds the account; if it does, another run may have sent.
        return this.#resolve(leg, claim.marker.sentAt, 'claimed by another run before the send', log);
      case 'unclaimed':
        throw new Error(`leg ${leg.clientOrderId}: claim with a marker came back unclaimed`);
    }
  }

  /** The checks that refuse a send without asking Redis (a cached balance at most): null = may send. */
  async #checkBeforeSend(leg: LegJob): Promise<Refusal | null> {
    const o = this.#o;
    const addsExposure = (leg.role === 'open' || leg.role === 'complete') && !leg.reduceOnly;
    if (!addsExposure) return null;
    const age = this.#now() - leg.createdAt;
    if (age > o.maxDecisionAgeMs) {
      return {
        code: REFUSAL_CODES.staleDecision,
        reason: `decided ${age} ms ago, past the quote freshness budget of ${o.maxDecisionAgeMs} ms`,
      };
    }
    const balance = await this.#balances.get();
    if (!balance.ok) {
      return {
        code: REFUSAL_CODES.marginCheckFailed,
        reason: `balance unavailable: ${balance.error}`,
        level: 'warn',
      };
    }
    const price = leg.limitPrice ?? (await o.io.referencePrice(leg));
    if (price === null) {
      o.log.warn(
        { legId: leg.clientOrderId },
        'no reference price for the margin check; the venue checks margin itself',
      );
      return null;
    }
    const m = checkMargin({
      qty: leg.qty,
      price,
      leverage: o.leverage,
      available: balance.value.available,
      buffer: o.marginBuffer,
    });
    if (m.ok) return null;
    return {
      code: REFUSAL_CODES.insufficientMargin,
      reason: `available ${m.available} < required ${m.required.toFixed(4)} (${leg.qty} @ ${price}, ${o.leverage}x)`,
      level: 'warn',
      details: { available: m.available, required: m.required },
    };
  }

  /** Starts the venue call of a leg held at a new send gate: the client's local work runs now. */
  #prepare(leg: LegJob): PreparedSend {
    const gate = new SendGate();
    return { gate, placing: this.#place(leg, gate.promise) };
  }

  /**
   * Starts the venue call of a leg (placeOrder never throws for venue outcomes; a throw is a bug, and the
   * order may have left: unknown). With a gate, the request waits at it after the client's local work.
   */
  #place(leg: LegJob, sendGate?: Promise<boolean>): Promise<OrderOutcome> {
    const req: OrderRequest = {
      venue: leg.venue,
      symbol: leg.symbol,
      side: leg.side,
      qty: leg.qty,
      reduceOnly: leg.reduceOnly,
      clientOrderId: leg.clientOrderId,
      ...(leg.limitPrice === undefined ? {} : { limitPrice: leg.limitPrice }),
    };
    return this.#o.venue.placeOrder(req, sendGate ? { sendGate } : {}).catch(
      (e: unknown): OrderOutcome => ({
        kind: 'unknown',
        venue: leg.venue,
        clientOrderId: leg.clientOrderId,
        reason: errText(e),
      }),
    );
  }

  /**
   * The one send of a claimed leg: opens the gate of the order prepared during the claim (`prepared`), or
   * places it now. `steps` (performance.now() marks of a fresh run) go to the log (`logger()`, made after
   * the send).
   */
  async #send(
    leg: LegJob,
    sentAt: number,
    logger: () => Logger,
    steps?: PreSendSteps,
    prepared?: PreparedSend,
  ): Promise<OrderOutcomeEvent> {
    const o = this.#o;
    // The settle period of "never placed" counts from sentAt: a run held up (paused process, slow Redis)
    // past maxPreSendMs between its claim and here gives up the send and resolves instead.
    if (this.#now() - sentAt > (o.maxPreSendMs ?? 1000)) {
      prepared?.gate.open(false);
      const log = logger();
      log.error({ heldMs: this.#now() - sentAt }, 'held up before the send; not sending');
      return this.#resolve(leg, sentAt, 'send abandoned: held up before the send', log);
    }
    const sendingAt = performance.now();
    prepared?.gate.open(true);
    const outcome = await (prepared?.placing ?? this.#place(leg));
    const ackAt = this.#now();
    const log = logger();
    if (outcome.kind !== 'rejected' && !leg.reduceOnly) {
      // Margin used (or may be): the next margin check waits for a balance read after this order. A
      // reduce-only order only frees margin (less its fee, within the check's buffer), so the cached
      // balance stays a safe under-estimate and no read is spent (AsterDex: 5 of ~22 weight per hedge).
      this.#balances.invalidate();
      void this.#balances.refresh();
    }
    if (outcome.kind === 'unknown') {
      o.health.failed(new Error(outcome.reason));
      log.warn({ reason: outcome.reason }, 'order outcome unknown; resolving at the venue');
      return this.#resolve(leg, sentAt, outcome.reason, log);
    }
    // A rate limit or an unreachable venue comes back "rejected" (nothing executed), yet it says the order
    // path is down, not just this order: the worker's published health turns degraded (no new opens).
    if (outcome.kind !== 'rejected' || !o.health.rejectedByPath(outcome.reason)) o.health.ok();
    o.metrics.sendToAck.observe({ venue: leg.venue }, (ackAt - sentAt) / 1000);
    o.metrics.decisionToAck.observe({ venue: leg.venue }, Math.max(0, ackAt - leg.createdAt) / 1000);
    // Where the leg's time went (ms): in the queue (add to fetch), the fetch, checks, claim round trip (the
    // order is prepared and signed meanwhile), then the venue call from the gate's opening (request + answer).
    const ms = (a: number, b: number) => Math.round((b - a) * 100) / 100;
    log.info(
      {
        kind: outcome.kind,
        ms: ackAt - sentAt,
        ...(steps
          ? {
              ...(steps.queuedMs === undefined ? {} : { queuedMs: steps.queuedMs }),
              ...(steps.fetchMs === undefined ? {} : { fetchMs: steps.fetchMs }),
              checksMs: ms(steps.startedAt, steps.checkedAt),
              claimMs: ms(steps.checkedAt, steps.claimedAt),
              venueMs: ms(sendingAt, performance.now()),
            }
          : {}),
      },
      'order answered',
    );
    return this.#report(leg, outcome, { sentAt, ackAt, probed: false });
  }

  /** A strategy leg whose intent was refused or never recorded (no alert: the strategy already logged it). */
  #refuseNoIntent(leg: LegJob): Promise<OrderOutcomeEvent> {
    return this.#refuse(leg, {
      code: REFUSAL_CODES.noIntent,
      reason: `no recorded ${leg.role} intent for hedge ${leg.hedgeId}`,
    });
  }

  #refuseStaleFence(leg: LegJob, fence: number): Promise<OrderOutcomeEvent> {
    return this.#refuse(leg, {
      code: REFUSAL_CODES.staleFence,
      reason: `job fence ${leg.fence} is older than the fence ${fence} its intent was recorded under`,
      level: 'warn',
      details: { jobFence: leg.fence, currentFence: fence },
    });
  }

  /**
   * Reports a rejection for a run that sent nothing and found nothing (e.g. the venue account stayed busy):
   * only valid when no earlier run of the job may have sent (no marker).
   */
  refuseUnsent(leg: LegJob, code: string, reason: string): Promise<OrderOutcomeEvent> {
    return this.#refuse(leg, { code, reason, level: 'warn' });
  }

  /**
   * Queries the venue until the order is final, with backoff, within unknownResolveTimeoutMs. Not found
   * at least twice and for settleMs after the send: never placed (rejected NOT_PLACED). Still not final at
   * the bound: reported unknown, with a critical alert.
   */
  async #resolve(leg: LegJob, sentAt: number, firstReason: string, log: Logger): Promise<OrderOutcomeEvent> {
    const o = this.#o;
    const start = this.#now();
    const deadline = start + o.unknownResolveTimeoutMs;
    let delay = o.firstResolveDelayMs ?? 100;
    const maxDelay = o.maxResolveDelayMs ?? 2000;
    let notFound = 0;
    let queries = 0;
    let last = firstReason;
    for (;;) {
      queries++;
      const r = await this.#probe(leg);
      if (r.ok && r.order !== null && r.order.kind !== 'unknown') {
        const ackAt = this.#now();
        if (sentAt > 0)
          o.metrics.decisionToAck.observe({ venue: leg.venue }, Math.max(0, ackAt - leg.createdAt) / 1000);
        log.info({ kind: r.order.kind, queries, ms: ackAt - start }, 'unknown order resolved');
        return this.#report(leg, r.order, { sentAt, ackAt, probed: true });
      }
      if (r.ok && r.order === null) {
        notFound++;
        last = 'not found at the venue';
        if (notFound >= 2 && this.#now() - sentAt >= o.settleMs) {
          const since = this.#now() - sentAt;
          log.warn({ queries, sinceSendMs: since }, 'order never placed');
          return this.#report(
            leg,
            {
              kind: 'rejected',
              venue: leg.venue,
              clientOrderId: leg.clientOrderId,
              code: NOT_PLACED,
              reason: `never placed: the venue has no order ${leg.clientOrderId} ${since} ms after the send (${firstReason})`,
            },
            { sentAt, probed: true },
          );
        }
      } else if (r.ok && r.order !== null) {
        notFound = 0;
        last = r.order.kind === 'unknown' ? r.order.reason : last;
      } else if (!r.ok) {
        last = r.error;
      }
      const left = deadline - this.#now();
      if (left <= 0) break;
      await this.#sleep(Math.min(delay, left));
      delay = Math.min(delay * 2, maxDelay);
    }
    const reason = `still unknown after ${o.unknownResolveTimeoutMs} ms (${queries} queries): ${last}; first: ${firstReason}`;
    log.error({ queries }, 'order outcome still unknown at the bound');
    await o.io.alert({
      level: 'critical',
      code: 'order_unknown',
      message: `${leg.venue} order ${leg.clientOrderId} ${reason}`,
      pair: leg.pair,
      hedgeId: leg.hedgeId,
      details: { venue: leg.venue, clientOrderId: leg.clientOrderId, role: leg.role },
    });
    return this.#report(
      leg,
      { kind: 'unknown', venue: leg.venue, clientOrderId: leg.clientOrderId, reason },
      { sentAt, probed: true },
    );
  }

  /** The first probe of a run: a transient venue error is retried (100 ms, 200 ms...) before giving up. */
  async #probeWithRetry(leg: LegJob, tries: number): Promise<ProbeResult> {
    let r = await this.#probe(leg);
    for (let i = 1; i < tries && !r.ok; i++) {
      await this.#sleep(100 * 2 ** (i - 1));
      r = await this.#probe(leg);
    }
    return r;
  }

  async #probe(leg: LegJob): Promise<ProbeResult> {
    const r = await settle(
      this.#venueCall('probe', () => this.#o.venue.findOrder(leg.symbol, leg.clientOrderId)),
    );
    return r.ok ? { ok: true, order: r.value } : r;
  }

  async #venueCall<T>(op: string, f: () => Promise<T>): Promise<T> {
    try {
      const v = await f();
      this.#o.health.ok();
      return v;
    } catch (e) {
      this.#o.health.failed(e);
      this.#o.metrics.venueErrors.inc({ venue: this.#o.venue.venue, op });
      throw e;
    }
  }

  async #refuse(leg: LegJob, r: Refusal): Promise<OrderOutcomeEvent> {
    this.#o.metrics.refused.inc({ venue: leg.venue, reason: r.code });
    this.#o.log.warn(
      { legId: leg.clientOrderId, code: r.code, reason: r.reason },
      'leg refused; nothing sent',
    );
    if (r.level === 'warn') {
      await this.#o.io.alert({
        level: 'warn',
        code: `order_refused_${r.code.toLowerCase()}`,
        message: `${leg.venue} leg ${leg.clientOrderId} refused (${r.code}): ${r.reason}`,
        pair: leg.pair,
        hedgeId: leg.hedgeId,
        ...(r.details ? { details: r.details } : {}),
      });
    }
    return this.#report(
      leg,
      {
        kind: 'rejected',
        venue: leg.venue,
        clientOrderId: leg.clientOrderId,
        code: r.code,
        reason: `not sent: ${r.reason}`,
      },
      { sentAt: 0, probed: false },
    );
  }

  async #report(
    leg: LegJob,
    outcome: OrderOutcome,
    t: { sentAt: number; ackAt?: number; probed: boolean },
  ): Promise<OrderOutcomeEvent> {
    const event: OrderOutcomeEvent = {
      v: 1,
      hedgeId: leg.hedgeId,
      pair: leg.pair,
      role: leg.role,
      attempt: leg.attempt,
      jobId: leg.clientOrderId,
      outcome,
      sentAt: Math.max(0, Math.round(t.sentAt)),
      ackAt: Math.max(0, Math.round(t.ackAt ?? this.#now())),
      probed: t.probed,
    };
    await this.#o.io.report(event);
    this.#o.metrics.outcomes.inc({ venue: leg.venue, kind: outcome.kind, probed: String(t.probed) });
    return event;
  }
}

/** A send gate (PlaceOrderOptions.sendGate): resolved once, by the first open(). */
class SendGate {
  readonly promise: Promise<boolean>;
  #resolve!: (mayLeave: boolean) => void;
  constructor() {
    this.promise = new Promise<boolean>((r) => {
      this.#resolve = r;
    });
  }
  open(mayLeave: boolean): void {
    this.#resolve(mayLeave);
  }
}

/** A leg's venue call started during its claim, waiting at its gate. */
interface PreparedSend {
  gate: SendGate;
  placing: Promise<OrderOutcome>;
}

/** performance.now() marks of a fresh run before its send. */
interface PreSendSteps {
  queuedMs: number | undefined;
  fetchMs: number | undefined;
  startedAt: number;
  checkedAt: number;
  claimedAt: number;
}

type ProbeResult = { ok: true; order: OrderOutcome | null } | { ok: false; error: string };
