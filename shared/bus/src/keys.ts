import type { PairId, VenueId } from '@arb/core/venue';

/**
 * Every Redis name the product uses, in one place. `ns` (config ARB_NAMESPACE, default "arb") prefixes
 * all of them so that deployments — and parallel test files on one Redis — never collide.
 * BullMQ queues use `ns` as their BullMQ `prefix`; queue names contain no ":" (BullMQ rule).
 */
export function redisNames(ns: string) {
  return {
    /** BullMQ prefix for every queue. */
    bullPrefix: `${ns}:bull`,
    /** Pub/sub channel carrying a venue's normalized quotes (at-most-once; the key below is the truth). */
    quoteChannel: (venue: VenueId, pair: PairId) => `${ns}.quotes.${venue}.${pair}`,
    /** Latest normalized quote (JSON), readable after a restart or a missed message. */
    latestQuoteKey: (venue: VenueId, pair: PairId) => `${ns}:quote:${venue}:${pair}`,
    /** Feed health hash (connected, lastMessageAt, reconnects, malformed...). */
    feedHealthKey: (venue: VenueId) => `${ns}:feed:${venue}:health`,
    /** A venue's order-path health (JSON, order-health.ts), written by its order worker, with a TTL. */
    orderHealthKey: (venue: VenueId) => `${ns}:order:${venue}:health`,
    /** Capped stream of quotes for recording/replay. */
    quoteStream: (venue: VenueId, pair: PairId) => `${ns}:stream:quotes:${venue}:${pair}`,
    /** Durable stream of order outcomes, from order workers to risk. */
    outcomeStream: `${ns}:stream:outcomes`,
    /** Durable stream of recorded hedge intents (open/close), from strategy to risk (hedge-store.ts). */
    intentStream: `${ns}:stream:intents`,
    /** Hedge records (hash per hedge) and the index of hedges. */
    hedgeKey: (hedgeId: string) => `${ns}:hedge:${hedgeId}`,
    hedgeIndex: (pair: PairId) => `${ns}:hedges:${pair}`,
    /** The one live hedge of a pair (invariant 1), if any. */
    activeHedgeKey: (pair: PairId) => `${ns}:hedge:active:${pair}`,
    /** Risk flags: paused, killed, reconciled... */
    controlKey: `${ns}:control`,
    /** Strategy leader lease and fencing counter. */
    leaderKey: (pair: PairId) => `${ns}:leader:strategy:${pair}`,
    fencingKey: (pair: PairId) => `${ns}:leader:strategy:${pair}:fence`,
    /** Risk's lease and fencing counter (one active risk instance per pair). */
    riskLeaderKey: (pair: PairId) => `${ns}:leader:risk:${pair}`,
    riskFencingKey: (pair: PairId) => `${ns}:leader:risk:${pair}:fence`,
    /** Risk's hash: flatten job id -> FlattenRecord JSON, for reduce-only flatten orders not yet reported. */
    riskFlattenKey: `${ns}:risk:flatten`,
    /** Risk's set of executed control command ids (a command delivered twice runs once). */
    riskCommandsDoneKey: `${ns}:risk:commands:done`,
    /** Risk's hash: hedge id -> epoch ms the hedge became naked (net exposure non-zero); the dashboard reads it. */
    riskNakedSinceKey: `${ns}:risk:naked-since`,
    /** The trading day the daily loss limit last killed trading (an operator's resume then holds that day). */
    riskLossKilledDayKey: `${ns}:risk:loss-killed-day`,
    /**
     * A leg's send marker (JSON ExecMarker, @arb/execution), set atomically with the venue account lock
     * right before its order request leaves: any later run of the same leg knows a send may have happened.
     */
    execMarkerKey: (venue: VenueId, clientOrderId: string) => `${ns}:exec:${venue}:${clientOrderId}`,
    /** Shared per-venue rate budget (weights used in the current window). */
    rateBudgetKey: (venue: VenueId) => `${ns}:rate:${venue}`,
    /** Ledger: fills and realized PnL per hedge, and daily stats. */
    ledgerStream: `${ns}:stream:ledger`,
    dailyStatsKey: (day: string) => `${ns}:stats:${day}`,
    /** Control commands (pause/resume/flatten) from CLI and dashboard. */
    commandStream: `${ns}:stream:commands`,
    /** Pub/sub notice that a hedge's record or the control flags changed (state-event.ts); re-read the keys. */
    stateChannel: `${ns}.state`,
    alertStream: `${ns}:stream:alerts`,
  } as const;
}
export type RedisNames = ReturnType<typeof redisNames>;

/** Queue names (no ":"), one per venue account. */
export const QUEUES = { orderAster: 'order-aster', orderBackpack: 'order-backpack' } as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
export function orderQueueFor(venue: VenueId): QueueName {
  return venue === 'aster' ? QUEUES.orderAster : QUEUES.orderBackpack;
}
