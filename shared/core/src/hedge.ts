import { sumDecimal } from './decimal';
import { type HedgeDirection, openSide, signedQty } from './direction';
import { fillNotional, realizedHedgePnl } from './economics';
import type { OrderOutcome, Side } from './order';
import { VENUES, type VenueId } from './venue';

/**
 * The hedge lifecycle as a pure reducer: the single source of truth that the risk service drives.
 *
 *   opening ──both open legs filled──▶ open ──close_requested──▶ closing ──flat──▶ closed
 *      │ one-sided / imbalanced                                     │ a close leg fails: retry it, reduce-only
 *      ├──policy 'complete'──▶ re-place the missing leg (once per venue), still opening
 *      └──policy 'unwind' (default)──▶ cleanup ──flat──▶ failed (never opened) / closed
 *   opening ──both open legs rejected──▶ failed (flat, nothing to do)
 *
 * Rules that make the invariants hold:
 * - Exposure is derived from fills only (exact decimal sums), per venue and net.
 * - An `unknown` leg changes no exposure assumption; it yields a `resolve_leg` action, and the phase
 *   waits for its real outcome (leg_filled / leg_rejected) before deciding anything on that venue.
 * - While opening, nothing is decided until every open leg's outcome is known.
 * - While closing or in cleanup, each venue with exposure and no order in flight gets a reduce-only leg
 *   for its whole remaining exposure, so a failed or partial close leg is retried (new attempt, new id).
 *   Retries back off (retryNotBefore): a venue that keeps refusing, or that said when to come back (rate
 *   limit), is not hammered with a new order per refusal.
 * - The hedge reaches `closed`/`failed` only when both venues are flat by fills (or when risk writes
 *   it off after checking the venues: `written_off`).
 * - Duplicate or late outcome events are idempotent: a filled leg stays filled (venue truth wins over a
 *   later reject), a rejected leg may still turn out filled.
 * The state is plain JSON (no Dates, no Maps, no undefined in required fields).
 */

export const HEDGE_PHASES = ['opening', 'open', 'closing', 'cleanup', 'closed', 'failed'] as const;
export type HedgePhase = (typeof HEDGE_PHASES)[number];

export const LEG_ROLES = ['open', 'complete', 'close', 'unwind'] as const;
/** open: the hedge's opening order; complete: re-placing a missing open leg; close: closing an open
 * hedge; unwind: flattening a one-sided or imbalanced hedge. close and unwind are reduce-only. */
export type LegRole = (typeof LEG_ROLES)[number];

export const LEG_STATUSES = ['pending', 'filled', 'rejected', 'unknown'] as const;
export type LegStatus = (typeof LEG_STATUSES)[number];

export type CleanupPolicy = 'unwind' | 'complete';
export type CloseReason = 'spread_converged' | 'force_close_time' | 'manual' | 'kill' | 'flatten';

export interface LegFill {
  qty: number;
  avgPrice: number;
  /** Quote currency, positive = paid. */
  fee: number;
  executedAt: number;
}

export interface HedgeLeg {
  /** Unique, deterministic: `${hedgeId}-${venue}-${role}${attempt}`. Use it as the leg's job id. */
  id: string;
  /** The product's client order id for this leg (equal to `id`); venue adapters map it to the venue's
   * format (Aster newClientOrderId as is, Backpack clientId as a uint32 derived from it). */
  clientOrderId: string;
  role: LegRole;
  venue: VenueId;
  side: Side;
  qty: number;
  reduceOnly: boolean;
  /** 1 for the first leg of this role on this venue, then 2, 3... */
  attempt: number;
  status: LegStatus;
  fill: LegFill | null;
  /** Reject code and reason, or why the outcome is unknown. */
  error: string | null;
  /** A rejected leg whose venue (or local rate budget) said when to retry: that wait, from updatedAt. */
  retryAfterMs?: number;
  /** A backed-off retry: epoch ms before which it must not be sent. Absent: at once. */
  notBefore?: number;
  createdAt: number;
  updatedAt: number;
}

export interface HedgeState {
  v: 1;
  id: string;
  pair: string;
  direction: HedgeDirection;
  /** Base quantity per leg. */
  qty: number;
  /** Executable spread (USD per unit) the strategy saw when it opened. */
  expectedEdge: number;
  cleanupPolicy: CleanupPolicy;
  /** How many times a missing open leg may be re-placed per venue under policy 'complete'. */
  maxCompleteAttempts: number;
  phase: HedgePhase;
  legs: HedgeLeg[];
  createdAt: number;
  /** When both open legs were filled (the hedge's age counts from here). */
  openedAt: number | null;
  closingAt: number | null;
  closedAt: number | null;
  closeReason: CloseReason | null;
  /** A close requested while the hedge was still opening; applied as soon as it is open. */
  pendingClose: CloseReason | null;
  /** Set when risk wrote the hedge off after checking the venues itself. */
  writtenOff: string | null;
  /** Signed base position per venue implied by this hedge's fills (+ long, - short). */
  exposure: Record<VenueId, number>;
  /** exposure.aster + exposure.backpack. */
  netExposure: number;
  /** Sell notional - buy notional - fees over all fills: the PnL once flat, the cash flow before. */
  realizedPnl: number;
  fees: number;
  /** USD notional of all fills. */
  volume: number;
  /** Exposure at or below this (base units) counts as flat. 0 by default: sums are exact. */
  dustQty: number;
  updatedAt: number;
}

export type HedgeEvent =
  | {
      type: 'leg_filled';
      legId: string;
      qty: number;
      avgPrice: number;
      fee: number;
      executedAt?: number;
      /** Overrides the hedge's cleanup policy from now on. */
      policy?: CleanupPolicy;
    }
  | {
      type: 'leg_rejected';
      legId: string;
      code: string;
      reason: string;
      /** Not before this long may the venue be asked again (its Retry-After, or the rate budget's window). */
      retryAfterMs?: number;
      policy?: CleanupPolicy;
    }
  | { type: 'leg_unknown'; legId: string; reason: string }
  | { type: 'close_requested'; reason: CloseReason }
  /** Re-emit the actions for every leg still in flight (after a restart): place pending, resolve unknown. */
  | { type: 'redrive' }
  /** Risk checked the venues and takes the hedge out of the reducer's hands (manual or reconciled). */
  | { type: 'written_off'; reason: string };

/** What the risk service must send to an order worker. Idempotent by `leg.id`/`leg.clientOrderId`. */
export interface LegOrder {
  hedgeId: string;
  pair: string;
  legId: string;
  clientOrderId: string;
  role: LegRole;
  venue: VenueId;
  side: Side;
  qty: number;
  reduceOnly: boolean;
  attempt: number;
  /** Epoch ms before which it must not be sent (enqueue it delayed); absent: at once. */
  notBefore?: number;
}

export type HedgeAction =
  | { kind: 'place_leg'; order: LegOrder }
  | { kind: 'resolve_leg'; hedgeId: string; legId: string; venue: VenueId; clientOrderId: string }
  | { kind: 'alert'; hedgeId: string; severity: 'warning' | 'critical'; code: string; message: string };

export interface HedgeResult {
  state: HedgeState;
  actions: HedgeAction[];
}

export class HedgeInputError extends Error {
  override readonly name = 'HedgeInputError';
}

/** Hedge ids are short enough that every leg id fits Aster's 36-char client order id. */
export const HEDGE_ID_RE = /^[A-Za-z0-9_-]{1,15}$/;

/** A hedge id from the time and a caller-supplied random integer (0 <= nonce < 36^4). 'h' + 12-13 chars. */
export function makeHedgeId(now: number, nonce: number): string {
  const n = Math.abs(Math.trunc(nonce)) % 36 ** 4;
  return `h${Math.trunc(now).toString(36)}${n.toString(36).padStart(4, '0')}`;
}

export function legId(hedgeId: string, venue: VenueId, role: LegRole, attempt: number): string {
  return `${hedgeId}-${venue}-${role}${attempt}`;
}

export const TERMINAL_PHASES: readonly HedgePhase[] = ['closed', 'failed'];

export function isTerminal(phase: HedgePhase): boolean {
  return phase === 'closed' || phase === 'failed';
}

export function isOutstanding(leg: HedgeLeg): boolean {
  return leg.status === 'pending' || leg.status === 'unknown';
}

/** Legs whose outcome is not known yet (in flight or to be resolved at the venue). */
export function outstandingLegs(state: HedgeState): HedgeLeg[] {
  return state.legs.filter(isOutstanding);
}

/** Target base position per venue of a fully open hedge. */
export function hedgedTarget(state: Pick<HedgeState, 'direction' | 'qty'>, venue: VenueId): number {
  return signedQty(openSide(state.direction, venue), state.qty);
}

/** True when both venues' exposures are within dust of zero. */
export function isFlat(state: HedgeState): boolean {
  return VENUES.every((v) => Math.abs(state.exposure[v]) <= state.dustQty);
}

export interface NewHedgeInput {
  id: string;
  pair: string;
  direction: HedgeDirection;
  qty: number;
  expectedEdge: number;
  cleanupPolicy?: CleanupPolicy;
  maxCompleteAttempts?: number;
  dustQty?: number;
}

/** A hedge in phase `opening`, with both open legs placed (two `place_leg` actions). */
export function newHedge(input: NewHedgeInput, now: number): HedgeResult {
  if (!HEDGE_ID_RE.test(input.id)) {
    throw new HedgeInputError(`hedge id must match ${HEDGE_ID_RE}: ${JSON.stringify(input.id)}`);
  }
  if (!(input.qty > 0) || !Number.isFinite(input.qty))
    throw new HedgeInputError(`qty must be positive: ${input.qty}`);
  const state: HedgeState = {
    v: 1,
    id: input.id,
    pair: input.pair,
    direction: input.direction,
    qty: input.qty,
    expectedEdge: input.expectedEdge,
    cleanupPolicy: input.cleanupPolicy ?? 'unwind',
    maxCompleteAttempts: input.maxCompleteAttempts ?? 1,
    phase: 'opening',
    legs: [],
    createdAt: now,
    openedAt: null,
    closingAt: null,
    closedAt: null,
    closeReason: null,
    pendingClose: null,
    writtenOff: null,
    exposure: { aster: 0, backpack: 0 },
    netExposure: 0,
    realizedPnl: 0,
    fees: 0,
    volume: 0,
    dustQty: input.dustQty ?? 0,
    updatedAt: now,
  };
  const actions: HedgeAction[] = [];
  for (const venue of VENUES) {
    addLeg(
      state,
      actions,
      { role: 'open', venue, side: openSide(input.direction, venue), qty: input.qty },
      now,
    );
  }
  return { state, actions };
}

/** Maps an order worker's outcome for leg `legId` to a hedge event. */
export function eventFromOutcome(legId: string, outcome: OrderOutcome): HedgeEvent {
  switch (outcome.kind) {
    case 'filled':
      return {
        type: 'leg_filled',
        legId,
        qty: outcome.qty,
        avgPrice: outcome.avgPrice,
        fee: outcome.fee,
        executedAt: outcome.executedAt,
      };
    case 'rejected':
      return {
        type: 'leg_rejected',
        legId,
        code: outcome.code,
        reason: outcome.reason,
        ...(outcome.retryAfterMs === undefined ? {} : { retryAfterMs: outcome.retryAfterMs }),
      };
    case 'unknown':
      return { type: 'leg_unknown', legId, reason: outcome.reason };
  }
}

/** Applies one event. Never throws on venue input: a bad or unknown event yields an alert and no change. */
export function reduceHedge(state: HedgeState, event: HedgeEvent, now: number): HedgeResult {
  const s: HedgeState = structuredClone(state);
  const actions: HedgeAction[] = [];
  const ignore = (severity: 'warning' | 'critical', code: string, message: string): HedgeResult => ({
    state,
    actions: [{ kind: 'alert', hedgeId: state.id, severity, code, message }],
  });

  if (s.writtenOff !== null) return { state, actions: [] };

  switch (event.type) {
    case 'leg_filled': {
      const leg = s.legs.find((l) => l.id === event.legId);
      if (!leg) return ignore('warning', 'unknown_leg', `fill for unknown leg ${event.legId}`);
      if (
        !(event.qty > 0) ||
        !(event.avgPrice > 0) ||
        !Number.isFinite(event.fee) ||
        !Number.isFinite(event.qty)
      ) {
        return ignore(
          'critical',
          'invalid_fill',
          `invalid fill for ${event.legId}: qty ${event.qty} price ${event.avgPrice}`,
        );
      }
      if (leg.status === 'filled') return { state, actions: [] };
      leg.status = 'filled';
      leg.fill = {
        qty: event.qty,
        avgPrice: event.avgPrice,
        fee: event.fee,
        executedAt: event.executedAt ?? now,
      };
      leg.updatedAt = now;
      if (event.policy) s.cleanupPolicy = event.policy;
      break;
    }
    case 'leg_rejected': {
      const leg = s.legs.find((l) => l.id === event.legId);
      if (!leg) return ignore('warning', 'unknown_leg', `reject for unknown leg ${event.legId}`);
      if (leg.status === 'filled' || leg.status === 'rejected') return { state, actions: [] };
      leg.status = 'rejected';
      leg.error = `${event.code}: ${event.reason}`;
      if (event.retryAfterMs !== undefined && event.retryAfterMs > 0) leg.retryAfterMs = event.retryAfterMs;
      leg.updatedAt = now;
      if (event.policy) s.cleanupPolicy = event.policy;
      break;
    }
    case 'leg_unknown': {
      const leg = s.legs.find((l) => l.id === event.legId);
      if (!leg) return ignore('warning', 'unknown_leg', `unknown outcome for unknown leg ${event.legId}`);
      if (leg.status === 'filled' || leg.status === 'rejected') return { state, actions: [] };
      leg.status = 'unknown';
      leg.error = event.reason;
      leg.updatedAt = now;
      actions.push(resolveAction(s, leg));
      break;
    }
    case 'close_requested': {
      if (s.phase === 'open') startClosing(s, event.reason, now);
      else if (s.phase === 'opening') s.pendingClose ??= event.reason;
      else return { state, actions: [] };
      break;
    }
    case 'redrive': {
      for (const leg of s.legs) {
        if (leg.status === 'pending') actions.push({ kind: 'place_leg', order: legOrder(s, leg) });
        if (leg.status === 'unknown') actions.push(resolveAction(s, leg));
      }
      return { state, actions };
    }
    case 'written_off': {
      if (isTerminal(s.phase)) return { state, actions: [] };
      s.writtenOff = event.reason;
      s.phase = s.openedAt !== null ? 'closed' : 'failed';
      s.closedAt = now;
      s.updatedAt = now;
      actions.push({
        kind: 'alert',
        hedgeId: s.id,
        severity: 'critical',
        code: 'written_off',
        message: `hedge written off with exposure aster ${s.exposure.aster} backpack ${s.exposure.backpack}: ${event.reason}`,
      });
      return { state: s, actions };
    }
  }
  recompute(s);
  progress(s, actions, now);
  s.updatedAt = now;
  return { state: s, actions };
}

function resolveAction(s: HedgeState, leg: HedgeLeg): HedgeAction {
  return {
    kind: 'resolve_leg',
    hedgeId: s.id,
    legId: leg.id,
    venue: leg.venue,
    clientOrderId: leg.clientOrderId,
  };
}

function legOrder(s: HedgeState, leg: HedgeLeg): LegOrder {
  return {
    hedgeId: s.id,
    pair: s.pair,
    legId: leg.id,
    clientOrderId: leg.clientOrderId,
    role: leg.role,
    venue: leg.venue,
    side: leg.side,
    qty: leg.qty,
    reduceOnly: leg.reduceOnly,
    attempt: leg.attempt,
    ...(leg.notBefore === undefined ? {} : { notBefore: leg.notBefore }),
  };
}

function addLeg(
  s: HedgeState,
  actions: HedgeAction[],
  spec: { role: LegRole; venue: VenueId; side: Side; qty: number; notBefore?: number | null },
  now: number,
): HedgeLeg {
  const attempt = s.legs.filter((l) => l.venue === spec.venue && l.role === spec.role).length + 1;
  const id = legId(s.id, spec.venue, spec.role, attempt);
  const leg: HedgeLeg = {
    id,
    clientOrderId: id,
    role: spec.role,
    venue: spec.venue,
    side: spec.side,
    qty: spec.qty,
    reduceOnly: spec.role === 'close' || spec.role === 'unwind',
    attempt,
    status: 'pending',
    fill: null,
    error: null,
    ...(spec.notBefore == null ? {} : { notBefore: spec.notBefore }),
    createdAt: now,
    updatedAt: now,
  };
  s.legs.push(leg);
  actions.push({ kind: 'place_leg', order: legOrder(s, leg) });
  return leg;
}

/** Re-derives exposure, PnL, fees and volume from the legs' fills. */
function recompute(s: HedgeState): void {
  const fills = s.legs.flatMap((l) =>
    l.fill
      ? [{ side: l.side, qty: l.fill.qty, avgPrice: l.fill.avgPrice, fee: l.fill.fee, venue: l.venue }]
      : [],
  );
  for (const venue of VENUES) {
    s.exposure[venue] = sumDecimal(
      fills.filter((f) => f.venue === venue).map((f) => signedQty(f.side, f.qty)),
    );
  }
  s.netExposure = sumDecimal(VENUES.map((v) => s.exposure[v]));
  s.realizedPnl = realizedHedgePnl(fills);
  s.fees = fills.reduce((sum, f) => sum + f.fee, 0);
  s.volume = fills.reduce((sum, f) => sum + fillNotional(f), 0);
}

function startClosing(s: HedgeState, reason: CloseReason, now: number): void {
  s.phase = 'closing';
  s.closeReason = reason;
  s.closingAt = now;
  s.pendingClose = null;
}

const ESCALATE_AFTER_FAILURES = 3;

/** Moves the hedge forward after an event, emitting every order its new state needs. */
function progress(s: HedgeState, actions: HedgeAction[], now: number): void {
  if (isTerminal(s.phase) && !isFlat(s)) {
    // A late fill (e.g. a leg first reported rejected) after the hedge ended: flatten it again.
    s.phase = 'cleanup';
    s.closedAt = null;
    alert(s, actions, 'critical', 'late_fill', 'fill after the hedge ended');
  }
  if (s.phase === 'open' && !VENUES.every((v) => Math.abs(hedgedTarget(s, v) - s.exposure[v]) <= s.dustQty)) {
    s.phase = 'cleanup';
    alert(s, actions, 'critical', 'open_imbalanced', 'open hedge no longer balanced');
  }
  if (s.phase === 'opening') {
    if (s.legs.some(isOutstanding)) return;
    const gaps = VENUES.map((v) => ({ venue: v, target: hedgedTarget(s, v), exposure: s.exposure[v] }));
    const atTarget = gaps.every((g) => Math.abs(g.target - g.exposure) <= s.dustQty);
    if (atTarget) {
      s.phase = 'open';
      s.openedAt = now;
    } else if (isFlat(s)) {
      s.phase = 'failed';
      s.closedAt = now;
      return;
    } else {
      // One-sided or imbalanced. Complete the missing part when that is the policy, the budget allows,
      // and no venue is beyond its target; otherwise flatten everything.
      const short = gaps.filter((g) => Math.abs(g.target - g.exposure) > s.dustQty);
      const completable =
        s.cleanupPolicy === 'complete' &&
        s.pendingClose === null &&
        gaps.every((g) => g.exposure * g.target >= 0 && Math.abs(g.exposure) <= Math.abs(g.target)) &&
        short.every(
          (g) =>
            s.legs.filter((l) => l.venue === g.venue && l.role === 'complete').length < s.maxCompleteAttempts,
        );
      if (completable) {
        for (const g of short) {
          const missing = sumDecimal([g.target, -g.exposure]);
          addLeg(
            s,
            actions,
            { role: 'complete', venue: g.venue, side: missing > 0 ? 'buy' : 'sell', qty: Math.abs(missing) },
            now,
          );
        }
        return;
      }
      s.phase = 'cleanup';
      alert(s, actions, 'warning', 'one_sided', 'hedge one-sided');
    }
  }
  if (s.phase === 'open') {
    if (s.pendingClose === null) return;
    startClosing(s, s.pendingClose, now);
  }
  if (s.phase === 'closing' || s.phase === 'cleanup') {
    const role: LegRole = s.phase === 'closing' ? 'close' : 'unwind';
    for (const venue of VENUES) {
      const exposure = s.exposure[venue];
      if (Math.abs(exposure) <= s.dustQty) continue;
      if (s.legs.some((l) => l.venue === venue && isOutstanding(l))) continue;
      const failures = consecutiveFailures(s, venue);
      const notBefore = retryNotBefore(s, venue, failures, now);
      const leg = addLeg(
        s,
        actions,
        { role, venue, side: exposure > 0 ? 'sell' : 'buy', qty: Math.abs(exposure), notBefore },
        now,
      );
      if (failures >= ESCALATE_AFTER_FAILURES) {
        const when = notBefore === null ? 'now' : `in ${notBefore - now} ms`;
        actions.push({
          kind: 'alert',
          hedgeId: s.id,
          severity: 'critical',
          code: 'flatten_retrying',
          message: `${venue}: ${failures} reduce-only legs failed; retrying as ${leg.id} ${when}`,
        });
      }
    }
    if (!s.legs.some(isOutstanding) && isFlat(s)) {
      s.phase = s.openedAt !== null ? 'closed' : 'failed';
      s.closedAt = now;
    }
  }
}

/** Backoff of reduce-only retries on a venue: the first at once, then from 200 ms doubling up to 5 s. */
export const RETRY_BACKOFF = { firstMs: 200, maxMs: 5000 } as const;
/** A venue's own "retry after" is honoured up to this long (a longer ban is re-checked then). */
export const MAX_RETRY_AFTER_MS = 60_000;

/**
 * When the next reduce-only leg on `venue` may be sent, after `failures` consecutive rejections there:
 * null = at once. Never before the last rejection's retry-after (capped), so a refused retry does not
 * come straight back while the venue or the local budget is known to refuse it.
 */
export function retryNotBefore(s: HedgeState, venue: VenueId, failures: number, now: number): number | null {
  let at = now;
  if (failures >= 2) at += Math.min(RETRY_BACKOFF.firstMs * 2 ** (failures - 2), RETRY_BACKOFF.maxMs);
  const last = s.legs.findLast((l) => l.venue === venue && l.reduceOnly);
  if (last?.status === 'rejected' && last.retryAfterMs !== undefined) {
    at = Math.max(at, last.updatedAt + Math.min(last.retryAfterMs, MAX_RETRY_AFTER_MS));
  }
  return at > now ? at : null;
}

/** Rejected reduce-only legs on `venue` since its last fill. */
function consecutiveFailures(s: HedgeState, venue: VenueId): number {
  let n = 0;
  for (const leg of s.legs) {
    if (leg.venue !== venue || !leg.reduceOnly) continue;
    if (leg.status === 'filled') n = 0;
    else if (leg.status === 'rejected') n += 1;
  }
  return n;
}

function alert(
  s: HedgeState,
  actions: HedgeAction[],
  severity: 'warning' | 'critical',
  code: string,
  what: string,
): void {
  const message = `${what} (exposure aster ${s.exposure.aster}, backpack ${s.exposure.backpack}): flattening`;
  actions.push({ kind: 'alert', hedgeId: s.id, severity, code, message });
}
