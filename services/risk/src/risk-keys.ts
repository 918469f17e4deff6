import type { RedisNames } from '@arb/bus/keys';

/**
 * Risk's own Redis names, derived from the shared ones (same namespace prefix, so test namespaces and
 * deployments stay isolated). The full core HedgeState lives in the hedge hash under RISK_STATE_FIELD
 * (hedge-status.ts allows risk a field of its own there).
 */
export const RISK_STATE_FIELD = 'risk';

export function riskNames(names: RedisNames) {
  const ns = names.controlKey.slice(0, -':control'.length);
  return {
    /** Hash: flatten job id -> FlattenRecord JSON, for reduce-only flatten orders not yet reported. */
    flattenKey: `${ns}:risk:flatten`,
    /** Set of executed control command ids (a command delivered twice runs once). */
    commandsDoneKey: `${ns}:risk:commands:done`,
    /** Hash: hedge id -> epoch ms the hedge became naked (net exposure non-zero). */
    nakedSinceKey: `${ns}:risk:naked-since`,
    /** The trading day the daily loss limit last killed trading (an operator's resume then holds that day). */
    lossKilledDayKey: `${ns}:risk:loss-killed-day`,
    /** Consumer groups of risk on the durable streams. */
    intentGroup: 'risk',
    outcomeGroup: 'risk',
    commandGroup: 'risk',
  } as const;
}
export type RiskNames = ReturnType<typeof riskNames>;

/** The shared names with the leader lease keys swapped for risk's own (one active risk per pair). */
export function riskLeaseNames(names: RedisNames): RedisNames {
  const ns = names.controlKey.slice(0, -':control'.length);
  return {
    ...names,
    leaderKey: (pair: string) => `${ns}:leader:risk:${pair}`,
    fencingKey: (pair: string) => `${ns}:leader:risk:${pair}:fence`,
  };
}
