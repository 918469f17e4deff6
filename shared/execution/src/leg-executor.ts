import type { Alert } from '@arb/bus/alert';
import type { LegJob } from '@arb/bus/leg-job';
import type { OrderOutcomeEvent } from '@arb/bus/order-outcome-event';
import type { OrderOutcome, OrderRequest } from '@arb/core/order';
import type { VenueClient } from '@arb/core/venue-client';
import type { Logger } from '@arb/log/logger';
import type { ExecMarker } from './exec-marker';
import type { ExecutionMetrics } from './execution-metrics';
import { checkMargin } from './margin-check';
import type { VenueHealth } from './venue-health';

/** Codes of the rejections the worker decides itself (nothing was sent). */
export const REFUSAL_CODES = {
  staleFence: 'STALE_FENCE',
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
  /** The newest leader fence of the pair (leader-lease.ts currentFence). */
  currentFence(pair: string): Promise<number>;
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
  /** Longest acceptable time from saving the "sent" marker to the send; default 1000 ms. */
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
  /** What an earlier run of this job saved before sending; null on a first run. */
  marker: ExecMarker | null;
  /** Saves the marker durably; resolves before the order request may leave. */
  saveMarker(marker: ExecMarker): Promise<void>;
  /** Checked after the marker is saved: false = this run lost the venue account and must not send. */
  stillOwner?(): Promise<boolean>;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Executes one leg job: probe the venue by client order id (an existing order is reported, nothing is
 * sent), refuse stale fences / stale decisions / short margin (nothing sent), save "sent", send once,
 * resolve an unknown at the venue within a bound, and report exactly one outcome event for this run.
 */
export class LegExecutor {
  readonly #o: LegExecutorOptions;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(opts: LegExecutorOptions) {
    this.#o = opts;
    this.#now = opts.now ?? Date.now;
    this.#sleep = opts.sleep ?? defaultSleep;
  }

  async execute(leg: LegJob, run: LegRun): Promise<OrderOutcomeEvent> {
    const o = this.#o;
    const log = o.log.child({ legId: leg.clientOrderId, jobId: run.jobId, hedgeId: leg.hedgeId });
    const addsExposure = (leg.role === 'open' || leg.role === 'complete') && !leg.reduceOnly;

    // Started together: the venue probe, and (for a first run that adds exposure) the balance.
    const probeP = this.#probeWithRetry(leg, 3);
    const balanceP =
      addsExposure && run.marker === null
        ? settle(this.#venueCall('balance', () => o.venue.balance()))
        : null;
    const probe = await probeP;

    if (probe.ok && probe.order !== null) {
      await balanceP;
      if (probe.order.kind !== 'unknown') {
        log.info(
          { kind: probe.order.kind, rerun: run.marker !== null },
          'order found at the venue; not sending',
        );
        return this.#report(leg, probe.order, { sentAt: run.marker?.sentAt ?? 0, probed: true });
      }
      // It exists but is not final yet: wait for its final state.
      return this.#resolve(leg, run.marker?.sentAt ?? this.#now(), probe.order.reason, log);
    }
    if (run.marker !== null) {
      await balanceP;
      // An earlier run may have sent: never send again; find out what happened.
      log.warn({ marker: run.marker, probeOk: probe.ok }, 're-run of a job that may have sent; resolving');
      return this.#resolve(leg, run.marker.sentAt, 'earlier run of this job may have sent', log);
    }
    if (!probe.ok) {
      await balanceP;
      return this.#refuse(
        leg,
        REFUSAL_CODES.probeFailed,
        `venue probe by client order id failed: ${probe.error}`,
        {
          level: 'warn',
        },
      );
    }

    // First run and no such order at the venue: the refusal checks, then the send.
    if (leg.fence > 0) {
      const fence = await o.io.currentFence(leg.pair);
      if (leg.fence < fence) {
        await balanceP;
        return this.#refuse(
          leg,
          REFUSAL_CODES.staleFence,
          `job fence ${leg.fence} is older than the current leader fence ${fence}`,
          { level: 'warn', details: { jobFence: leg.fence, currentFence: fence } },
        );
      }
    }
    if (addsExposure) {
      const age = this.#now() - leg.createdAt;
      if (age > o.maxDecisionAgeMs) {
        await balanceP;
        return this.#refuse(
          leg,
          REFUSAL_CODES.staleDecision,
          `decided ${age} ms ago, past the quote freshness budget of ${o.maxDecisionAgeMs} ms`,
        );
      }
      const balance = await balanceP;
      if (!balance?.ok) {
        return this.#refuse(
          leg,
          REFUSAL_CODES.marginCheckFailed,
          `balance unavailable: ${balance && !balance.ok ? balance.error : 'not read'}`,
          { level: 'warn' },
        );
      }
      const price = leg.limitPrice ?? (await o.io.referencePrice(leg));
      if (price === null) {
        log.warn('no reference price for the margin check; the venue checks margin itself');
      } else {
        const m = checkMargin({
          qty: leg.qty,
          price,
          leverage: o.leverage,
          available: balance.value.available,
          buffer: o.marginBuffer,
        });
        if (!m.ok) {
          return this.#refuse(
            leg,
            REFUSAL_CODES.insufficientMargin,
            `available ${m.available} < required ${m.required.toFixed(4)} (${leg.qty} @ ${price}, ${o.leverage}x)`,
            { level: 'warn', details: { available: m.available, required: m.required } },
          );
        }
      }
    }

    const sentAt = this.#now();
    await run.saveMarker({ stage: 'sent', sentAt, byJobId: run.jobId });
    // The settle period of "never placed" counts from sentAt: a run that lost its account lock, or was
    // held up (paused process, slow Redis) past maxPreSendMs, gives up the send and resolves instead.
    const owner = run.stillOwner ? await run.stillOwner() : true;
    const late = this.#now() - sentAt > (o.maxPreSendMs ?? 1000);
    if (!owner || late) {
      const why = !owner ? 'account lock lost before the send' : 'held up before the send';
      log.error({ owner, heldMs: this.#now() - sentAt }, `${why}; not sending`);
      return this.#resolve(leg, sentAt, `send abandoned: ${why}`, log);
    }
    const req: OrderRequest = {
      venue: leg.venue,
      symbol: leg.symbol,
      side: leg.side,
      qty: leg.qty,
      reduceOnly: leg.reduceOnly,
      clientOrderId: leg.clientOrderId,
      ...(leg.limitPrice === undefined ? {} : { limitPrice: leg.limitPrice }),
    };
    let outcome: OrderOutcome;
    try {
      outcome = await o.venue.placeOrder(req);
    } catch (e) {
      // placeOrder classifies venue outcomes itself; a throw is a bug, and the order may have left.
      outcome = { kind: 'unknown', venue: leg.venue, clientOrderId: leg.clientOrderId, reason: errText(e) };
    }
    const ackAt = this.#now();
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
    log.info({ kind: outcome.kind, ms: ackAt - sentAt }, 'order answered');
    return this.#report(leg, outcome, { sentAt, ackAt, probed: false });
  }

  /**
   * Reports a rejection for a run that sent nothing and found nothing (e.g. the venue account stayed busy):
   * only valid when no earlier run of the job may have sent (no marker).
   */
  refuseUnsent(leg: LegJob, code: string, reason: string): Promise<OrderOutcomeEvent> {
    return this.#refuse(leg, code, reason, { level: 'warn' });
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

  async #refuse(
    leg: LegJob,
    code: string,
    reason: string,
    opts: { level?: 'info' | 'warn'; details?: Record<string, number> } = {},
  ): Promise<OrderOutcomeEvent> {
    this.#o.metrics.refused.inc({ venue: leg.venue, reason: code });
    this.#o.log.warn({ legId: leg.clientOrderId, code, reason }, 'leg refused; nothing sent');
    if (opts.level === 'warn') {
      await this.#o.io.alert({
        level: 'warn',
        code: `order_refused_${code.toLowerCase()}`,
        message: `${leg.venue} leg ${leg.clientOrderId} refused (${code}): ${reason}`,
        pair: leg.pair,
        hedgeId: leg.hedgeId,
        ...(opts.details ? { details: opts.details } : {}),
      });
    }
    return this.#report(
      leg,
      {
        kind: 'rejected',
        venue: leg.venue,
        clientOrderId: leg.clientOrderId,
        code,
        reason: `not sent: ${reason}`,
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

type ProbeResult = { ok: true; order: OrderOutcome | null } | { ok: false; error: string };

type Settled<T> = { ok: true; value: T } | { ok: false; error: string };

async function settle<T>(p: Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await p };
  } catch (e) {
    return { ok: false, error: errText(e) };
  }
}

function errText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}
