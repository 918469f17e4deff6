import { OrderOutcomeSchema } from '@arb/core/order';
import { z } from 'zod';
import { HedgeIdSchema } from './hedge-id';
import { LEGS } from './leg-job';

/**
 * An order worker's report of one leg's outcome, for risk.
 * Travels: the durable stream `names.outcomeStream` (XADD by order workers via stream.ts appendMessage;
 * risk reads it with a consumer group, StreamConsumer, and acknowledges after folding it). Never pub/sub.
 * An order may be reported more than once (unknown, then filled): key by jobId and outcome kind.
 */
export const OrderOutcomeEventSchema = z.object({
  v: z.literal(1),
  hedgeId: HedgeIdSchema,
  pair: z.string().min(1),
  leg: z.enum(LEGS),
  round: z.number().int().nonnegative(),
  /** The BullMQ job id of the leg (job-registry.ts legJobId). */
  jobId: z.string().min(1),
  outcome: OrderOutcomeSchema,
  /** Epoch ms: when the order request left the worker, and when the venue's answer arrived. */
  sentAt: z.number().int().nonnegative(),
  ackAt: z.number().int().nonnegative(),
  /** True when this outcome came from probing the venue (re-run job, or resolving an unknown). */
  probed: z.boolean(),
});
export type OrderOutcomeEvent = z.infer<typeof OrderOutcomeEventSchema>;
