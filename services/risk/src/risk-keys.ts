import type { RedisNames } from '@arb/bus/keys';

/**
 * Risk's Redis names are in `redisNames` (shared/bus/src/keys.ts: `risk*` keys), so the dashboard reads
 * them from the same place. What stays here is not a key: the field of the hedge hash where the full core
 * HedgeState lives (hedge-status.ts allows risk a field of its own there), and risk's consumer group.
 */
export const RISK_STATE_FIELD = 'risk';

/** Risk's consumer group on the intent, outcome and command streams. */
export const RISK_CONSUMER_GROUP = 'risk';

/** The shared names with the leader lease keys swapped for risk's own (one active risk per pair). */
export function riskLeaseNames(names: RedisNames): RedisNames {
  return { ...names, leaderKey: names.riskLeaderKey, fencingKey: names.riskFencingKey };
}
