import { LEG_ROLES } from '@arb/core/hedge';
import { SIDES } from '@arb/core/order';
import { VENUES } from '@arb/core/venue';
import { z } from 'zod';
import { HedgeIdSchema } from './hedge-id';

/**
 * One leg of a hedge, as a BullMQ job payload on its venue's queue (`orderQueueFor(venue)` in keys.ts).
 * Roles and attempts are the core hedge reducer's (open, complete, close, unwind; attempt 1, 2...), and the
 * job id is the core's leg id, so risk's `place_leg` actions and the strategy's legs are the same jobs.
 * Jobs and their ids are made by job-registry.ts only.
 */
export const LegJobSchema = z.object({
  v: z.literal(1),
  hedgeId: HedgeIdSchema,
  pair: z.string().min(1),
  role: z.enum(LEG_ROLES),
  /** 1 for the first order of this role on this venue, then 2, 3... */
  attempt: z.number().int().positive(),
  venue: z.enum(VENUES),
  symbol: z.string().min(1),
  side: z.enum(SIDES),
  /** Base quantity, a multiple of the venue's step. */
  qty: z.number().positive(),
  reduceOnly: z.boolean(),
  /**
   * The product's client order id: the job id (≤ 36 chars of [A-Za-z0-9_-]). Venue adapters map it to the
   * venue's format (Aster as is; Backpack to a uint32). The worker probes the venue with it before sending.
   */
  clientOrderId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,36}$/)
    .refine((s) => !/^\d+$/.test(s), { error: 'must not be all digits' }),
  /** Fencing token of the strategy leader that recorded the hedge (0 for jobs created by risk). */
  fence: z.number().int().nonnegative(),
  /** Worst acceptable price (IOC limit): above it for a buy, below it for a sell. Absent: market order. */
  limitPrice: z.number().positive().optional(),
  createdAt: z.number().int().nonnegative(),
});
export type LegJob = z.infer<typeof LegJobSchema>;
