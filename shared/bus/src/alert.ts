import { z } from 'zod';

/**
 * Something an operator must see (exposure drift, naked leg past its bound, reconciliation failed...).
 * Travels: the durable stream `names.alertStream` (stream.ts appendMessage, capped with maxLen).
 */
export const ALERT_LEVELS = ['info', 'warn', 'critical'] as const;

export const AlertSchema = z.object({
  v: z.literal(1),
  level: z.enum(ALERT_LEVELS),
  /** Emitting service, e.g. "risk". */
  source: z.string().min(1),
  /** Stable machine code, e.g. "exposure_drift", "naked_leg", "reconcile_failed". */
  code: z.string().min(1),
  message: z.string().min(1),
  pair: z.string().min(1).optional(),
  hedgeId: z.string().optional(),
  /** Extra numbers/strings; never secrets. */
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
  at: z.number().int().nonnegative(),
});
export type Alert = z.infer<typeof AlertSchema>;
