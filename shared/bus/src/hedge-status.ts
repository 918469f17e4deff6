import { z } from 'zod';
import { HedgeIdSchema } from './hedge-id';

/**
 * Risk's summary of a hedge's lifecycle (the core's hedge reducer state, reduced to what other processes
 * need). Travels: the field "status" of the hedge hash `names.hedgeKey(hedgeId)`, written by risk with
 * hedge-store.ts writeHedgeStatus, which frees the pair's active slot when the status is terminal.
 */
export const HEDGE_STATUSES = ['pending', 'open', 'closing', 'cleanup', 'closed'] as const;
export type HedgeStatusKind = (typeof HEDGE_STATUSES)[number];
/** The only terminal status: nothing live remains on either venue for this hedge. */
export const TERMINAL_STATUS: HedgeStatusKind = 'closed';

export const HedgeStatusSchema = z.object({
  v: z.literal(1),
  hedgeId: HedgeIdSchema,
  pair: z.string().min(1),
  status: z.enum(HEDGE_STATUSES),
  /** Epoch ms both open legs were filled (drives the forced close; survives restarts). */
  openedAt: z.number().int().nonnegative().optional(),
  closedAt: z.number().int().nonnegative().optional(),
  /** Free text for operators: "both legs filled", "aster leg rejected: -2019"... */
  note: z.string().optional(),
  updatedAt: z.number().int().nonnegative(),
});
export type HedgeStatus = z.infer<typeof HedgeStatusSchema>;
