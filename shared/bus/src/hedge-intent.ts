import { HEDGE_DIRECTIONS } from '@arb/core/direction';
import { VENUES } from '@arb/core/venue';
import { z } from 'zod';
import { HedgeIdSchema } from './hedge-id';

/**
 * What the strategy decided, recorded durably BEFORE any leg is enqueued (write-ahead).
 * Travels: stored in the hedge hash `names.hedgeKey(hedgeId)` (field "open" or "close") by hedge-store.ts,
 * which also makes an open the pair's active hedge (`names.activeHedgeKey(pair)`) atomically.
 */
export const HEDGE_ACTIONS = ['open', 'close'] as const;
export type HedgeAction = (typeof HEDGE_ACTIONS)[number];

const Seq = z.number().int().nonnegative();

export const HedgeIntentSchema = z.object({
  v: z.literal(1),
  hedgeId: HedgeIdSchema,
  pair: z.string().min(1),
  action: z.enum(HEDGE_ACTIONS),
  /** The hedge's direction (the open's; a close unwinds it). */
  direction: z.enum(HEDGE_DIRECTIONS),
  /** Base quantity per leg. */
  qty: z.number().positive(),
  /** Expected edge when deciding: executable spread in USD per unit of base (after fees when known). */
  expectedEdge: z.number(),
  /** Why: the decision's reason (e.g. "spread", "force_close"). */
  reason: z.string().min(1),
  /** The quote sequence numbers the decision was made on, per venue. */
  quoteSeqs: z.record(z.enum(VENUES), Seq),
  /** Worst acceptable price per venue for this action's legs (limit price guard). */
  priceGuards: z.record(z.enum(VENUES), z.number().positive()),
  /** The leader's fencing token when the intent was recorded (see leader-lease.ts). */
  fence: z.number().int().positive(),
  createdAt: z.number().int().nonnegative(),
});
export type HedgeIntent = z.infer<typeof HedgeIntentSchema>;
