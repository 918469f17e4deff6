import { SIDES } from '@arb/core/order';
import { VENUES } from '@arb/core/venue';
import { z } from 'zod';
import { HedgeIdSchema } from './hedge-id';

/**
 * One leg of a hedge, as a BullMQ job payload on its venue's queue (`orderQueueFor(venue)` in keys.ts).
 * Jobs and their ids are made by job-registry.ts only.
 */
export const LEGS = ['open', 'close', 'cleanup'] as const;
export type Leg = (typeof LEGS)[number];

export const LegJobSchema = z.object({
  v: z.literal(1),
  hedgeId: HedgeIdSchema,
  pair: z.string().min(1),
  leg: z.enum(LEGS),
  /** 0 for the first order of this leg on this venue; a later cleanup attempt gets 1, 2... */
  round: z.number().int().nonnegative(),
  venue: z.enum(VENUES),
  symbol: z.string().min(1),
  side: z.enum(SIDES),
  /** Base quantity, a multiple of the venue's step. */
  qty: z.number().positive(),
  reduceOnly: z.boolean(),
  /** Derived from the job id (client-order-id.ts); the worker probes the venue with it before sending. */
  clientOrderId: z.string().min(1).max(36),
  /** Fencing token of the leader that recorded the intent; refuse when it does not match the intent. */
  fence: z.number().int().positive(),
  /** Worst acceptable price (IOC limit): above it for a buy, below it for a sell. Absent: market order. */
  limitPrice: z.number().positive().optional(),
  createdAt: z.number().int().nonnegative(),
});
export type LegJob = z.infer<typeof LegJobSchema>;
