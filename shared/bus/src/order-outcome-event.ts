import { OrderOutcomeSchema } from '@arb/core/order';
import { z } from 'zod';
import { HedgeIdSchema } from './hedge-id';
import { LEG_ROLES } from '@arb/core/hedge';

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
  role: z.enum(LEG_ROLES),
  attempt: z.number().int().positive(),
  /** The leg's job id = the core's leg id (job-registry.ts legJobId): feed it to `eventFromOutcome`. */
  jobId: z.string().min(1),
  outcome: OrderOutcomeSchema,
  /** Epoch ms: when the order request left the worker, and when the venue's answer arrived. */
  sentAt: z.number().int().nonnegative(),
  ackAt: z.number().int().nonnegative(),
  /** True when this outcome came from probing the venue (re-run job, or resolving an unknown). */
  probed: z.boolean(),
});
export type OrderOutcomeEvent = z.infer<typeof OrderOutcomeEventSchema>;
