import { type Decision, decide, type HoldReason, type RiskView } from '@arb/core/decide';
import { makeHedgeId } from '@arb/core/hedge';
import type { StrategyParams } from '@arb/core/params';
import type { Quote } from '@arb/core/quote';
import type { VenueId } from '@arb/core/venue';
import { type ControlFlags, INITIAL_CONTROL_FLAGS } from '@arb/bus/control-flags';
import type { HedgeIntent } from '@arb/bus/hedge-intent';
import type { HedgeRecord, RecordResult } from '@arb/bus/hedge-store';
import type { LeaseHolder } from '@arb/bus/leader-lease';
import { closePriceGuards, openPriceGuards } from './price-guards';
import { buildRiskView } from '@arb/bus/risk-view';

/** Records an intent durably (atomically refused when not allowed), then enqueues its legs. */
export interface IntentExecutor {
  open(intent: HedgeIntent, holder: LeaseHolder): Promise<RecordResult & { jobIds?: string[] }>;
  close(
    intent: HedgeIntent,
    holder: LeaseHolder,
    hedge: HedgeRecord,
  ): Promise<RecordResult & { jobIds?: string[] }>;
}

export interface EngineLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface StrategyEngineOptions {
  pair: string;
  params: StrategyParams;
  /** Limit price tolerance beyond the decision's worst level (opens) / the touch (closes), in bps. */
  openGuardBps: number;
  closeGuardBps: number;
  executor: IntentExecutor;
  /** The leader lease: decisions are only made while it returns a holder. */
  lease: { holder(): LeaseHolder | null };
  log: EngineLog;
  now: () => number;
  /** In [0, 1): the hedge id nonce. */
  random: () => number;
  /** Called after every decision (metrics); must be cheap. */
  onDecision?: (d: Decision) => void;
  /** Called when Redis refused an intent for a reason that means our view is stale. */
  onStale?: () => void;
  /**
   * OPEN_COOLDOWN_AFTER_FAILURE_MS: after a hedge of ours ended `failed` (its open went one-sided or was
   * rejected; risk cleaned it up), no new open for this long, so a persistent venue problem cannot loop
   * opens. Closes are never held by it. Default 0 (none).
   */
  openCooldownAfterFailureMs?: number;
}

export interface SharedState {
  flags: ControlFlags;
  hedge: HedgeRecord | null;
  /** Each venue's FEED health (bus feed-health.ts). */
  venuesHealthy: Record<VenueId, boolean>;
  /** Each venue's ORDER path health as its order worker reports it (bus order-health.ts): gates opens. */
  orderPathHealthy: Record<VenueId, boolean>;
}

/**
 * The strategy's in-memory state and decision step. Fed by quotes (every tick evaluates `decide`), by
 * snapshots of Redis state, and by a timer for time-based decisions. Executes at most one action at a time;
 * an open or close is recorded durably by the executor before its legs are enqueued.
 */
export class StrategyEngine {
  private readonly o: StrategyEngineOptions;
  readonly quotes: { aster: Quote | null; backpack: Quote | null } = { aster: null, backpack: null };
  private state: SharedState = {
    flags: INITIAL_CONTROL_FLAGS,
    hedge: null,
    venuesHealthy: { aster: false, backpack: false },
    orderPathHealthy: { aster: false, backpack: false },
  };
  private lastActionAt: number | null = null;
  /** No open before this (epoch ms): the cooldown after a failed hedge. */
  private openHoldUntil = 0;
  private openHoldWhy = '';
  private inFlight: Promise<void> | null = null;
  /** Bumped by every action, so a snapshot read before it cannot overwrite its effect. */
  private actionSeq = 0;
  lastHold: { reason: HoldReason; detail?: string } | null = null;

  constructor(opts: StrategyEngineOptions) {
    this.o = opts;
  }

  /** The hot path: store the quote, decide. */
  onQuote(quote: Quote): void {
    this.quotes[quote.venue] = quote;
    this.evaluate();
  }

  /** For snapshot readers: take the sequence before reading, pass it back with the result. */
  snapshotToken(): number {
    return this.actionSeq;
  }

  /** Applies a snapshot read from Redis, unless an action happened since the read began. */
  applySnapshot(snapshot: Partial<SharedState>, token: number): boolean {
    if (token !== this.actionSeq || this.inFlight) return false;
    this.state = { ...this.state, ...snapshot };
    return true;
  }

  /** Feed health, and the order paths' health when known (omitted: unchanged). */
  setVenuesHealthy(feeds: Record<VenueId, boolean>, orderPaths?: Record<VenueId, boolean>): void {
    this.state = {
      ...this.state,
      venuesHealthy: feeds,
      orderPathHealthy: orderPaths ?? this.state.orderPathHealthy,
    };
  }

  /**
   * A hedge left the active slot with this final record. One that ended `failed` (its open went one-sided
   * or was rejected) starts the open cooldown; true when it did.
   */
  hedgeEnded(record: HedgeRecord, now = this.o.now()): boolean {
    const cooldown = this.o.openCooldownAfterFailureMs ?? 0;
    if (record.status?.phase !== 'failed' || cooldown <= 0) return false;
    this.openHoldUntil = Math.max(this.openHoldUntil, now + cooldown);
    this.openHoldWhy = `hedge ${record.hedgeId} failed${record.status.note ? ` (${record.status.note})` : ''}`;
    this.o.log.warn(
      { hedgeId: record.hedgeId, note: record.status.note, cooldownMs: cooldown },
      'hedge failed: no new open for the cooldown',
    );
    return true;
  }

  /** Epoch ms until which opens are held after a failed hedge (0: none). */
  get openCooldownUntil(): number {
    return this.openHoldUntil;
  }

  get hedge(): HedgeRecord | null {
    return this.state.hedge;
  }

  /** The view `decide` gets (the health rule is buildRiskView's). */
  riskView(): RiskView {
    return buildRiskView({
      flags: this.state.flags,
      hedge: this.state.hedge,
      feedsHealthy: this.state.venuesHealthy,
      orderPathsHealthy: this.state.orderPathHealthy,
      lastActionAt: this.lastActionAt,
    });
  }

  /** True while an open or close is being recorded and enqueued. */
  get busy(): boolean {
    return this.inFlight !== null;
  }

  /** Resolves when no action is in flight. */
  async idle(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }

  /** One decision at `now` (default: the clock); null when not leader or an action is in flight. */
  evaluate(now = this.o.now()): Decision | null {
    if (this.inFlight) return null;
    const holder = this.o.lease.holder();
    if (!holder) return null;
    let d = decide(this.o.params, this.riskView(), this.quotes, now);
    if (d.kind === 'open' && now < this.openHoldUntil) {
      d = {
        kind: 'hold',
        reason: 'min_trade_interval',
        detail: `open cooldown after ${this.openHoldWhy}: ${this.openHoldUntil - now} ms left`,
      };
    }
    this.o.onDecision?.(d);
    switch (d.kind) {
      case 'hold':
        this.lastHold =
          d.detail === undefined ? { reason: d.reason } : { reason: d.reason, detail: d.detail };
        break;
      case 'open':
        this.run(() => this.open(d, holder, now));
        break;
      case 'close':
        this.run(() => this.close(d, holder, now));
        break;
    }
    return d;
  }

  private run(action: () => Promise<void>): void {
    this.actionSeq++;
    const p = action()
      .catch((err: unknown) => this.o.log.error({ err }, 'hedge action failed'))
      .finally(() => {
        this.actionSeq++;
        if (this.inFlight === p) this.inFlight = null;
      });
    this.inFlight = p;
  }

  private async open(
    d: Extract<Decision, { kind: 'open' }>,
    holder: LeaseHolder,
    now: number,
  ): Promise<void> {
    this.lastActionAt = now;
    const intent: HedgeIntent = {
      v: 1,
      hedgeId: makeHedgeId(now, Math.floor(this.o.random() * 36 ** 4)),
      pair: this.o.pair,
      action: 'open',
      direction: d.direction,
      qty: d.qty,
      expectedEdge: d.expectedEdge,
      reason: 'spread',
      quoteSeqs: d.quoteSeq,
      priceGuards: openPriceGuards(d, this.o.openGuardBps),
      fence: holder.fence,
      createdAt: now,
    };
    const res = await this.o.executor.open(intent, holder);
    const fields = {
      hedgeId: intent.hedgeId,
      direction: d.direction,
      qty: d.qty,
      expectedEdge: round2(d.expectedEdge),
      expectedPnl: round2(d.expectedPnl),
      buyPrice: d.buyPrice,
      sellPrice: d.sellPrice,
      quoteSeq: d.quoteSeq,
      fence: holder.fence,
    };
    if (res.ok) {
      this.state = {
        ...this.state,
        hedge: {
          hedgeId: intent.hedgeId,
          pair: intent.pair,
          fence: intent.fence,
          open: intent,
          close: null,
          status: null,
          enqueued: { open: res.jobIds !== undefined, close: false },
        },
      };
      if (res.jobIds !== undefined)
        this.o.log.info({ ...fields, jobIds: res.jobIds }, 'hedge open: intent recorded, legs enqueued');
      else
        this.o.log.warn(
          fields,
          'hedge open: intent recorded, legs NOT enqueued yet (re-enqueued on refresh)',
        );
    } else {
      this.o.log.info(
        { ...fields, refused: res.reason, activeHedgeId: res.activeHedgeId },
        'hedge open refused',
      );
      this.o.onStale?.();
    }
  }

  private async close(
    d: Extract<Decision, { kind: 'close' }>,
    holder: LeaseHolder,
    now: number,
  ): Promise<void> {
    const hedge = this.state.hedge;
    const open = hedge?.open;
    if (!hedge || !open || hedge.hedgeId !== d.hedgeId || !this.quotes.aster || !this.quotes.backpack) return;
    this.lastActionAt = now;
    const intent: HedgeIntent = {
      ...open,
      action: 'close',
      reason: d.reason,
      expectedEdge: d.unwindSpread ?? 0,
      quoteSeqs: { aster: this.quotes.aster.seq, backpack: this.quotes.backpack.seq },
      priceGuards: closePriceGuards(
        open.direction,
        { aster: this.quotes.aster, backpack: this.quotes.backpack },
        this.o.closeGuardBps,
      ),
      fence: holder.fence,
      createdAt: now,
    };
    const res = await this.o.executor.close(intent, holder, hedge);
    const fields = {
      hedgeId: d.hedgeId,
      reason: d.reason,
      unwindSpread: d.unwindSpread,
      fence: holder.fence,
    };
    if (res.ok) {
      this.state = { ...this.state, hedge: { ...hedge, close: intent } };
      if (res.jobIds !== undefined)
        this.o.log.info({ ...fields, jobIds: res.jobIds }, 'hedge close: intent recorded, legs enqueued');
      else
        this.o.log.warn(
          fields,
          'hedge close: intent recorded, legs NOT enqueued yet (re-enqueued on refresh)',
        );
    } else {
      this.o.log.info({ ...fields, refused: res.reason }, 'hedge close refused');
      this.o.onStale?.();
    }
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
