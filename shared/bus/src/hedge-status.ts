import { HEDGE_PHASES, type HedgePhase, isTerminal } from '@arb/core/hedge';
import { VENUES } from '@arb/core/venue';
import { z } from 'zod';
import { HedgeIdSchema } from './hedge-id';

/**
 * Risk's summary of a hedge (its core HedgeState reduced to what other processes need).
 * Travels: the field "status" of the hedge hash `names.hedgeKey(hedgeId)`, written by risk with
 * hedge-store.ts writeHedgeStatus, which frees the pair's active slot when the phase is terminal
 * (closed / failed). Risk may keep its full HedgeState in the same hash under a field of its own.
 */
export const HedgeStatusSchema = z.object({
  v: z.literal(1),
  hedgeId: HedgeIdSchema,
  pair: z.string().min(1),
  phase: z.enum(HEDGE_PHASES),
  /** Epoch ms both open legs were filled (drives the forced close; survives restarts). */
  openedAt: z.number().int().nonnegative().nullable(),
  closedAt: z.number().int().nonnegative().nullable(),
  /** Signed base position per venue from this hedge's fills (+ long, - short): close legs flatten it. */
  exposure: z.record(z.enum(VENUES), z.number()),
  /** Free text for operators: "both legs filled", "aster leg rejected: -2019"... */
  note: z.string().optional(),
  updatedAt: z.number().int().nonnegative(),
});
export type HedgeStatus = z.infer<typeof HedgeStatusSchema>;

export function isTerminalStatus(status: Pick<HedgeStatus, 'phase'>): boolean {
  return isTerminal(status.phase as HedgePhase);
}
