import { z } from 'zod';

/**
 * One injected fault. Lifetime semantics, the same for every kind that takes them:
 * - `count`: one-shot; applies to the next N matching requests/orders/frames, then disappears.
 * - `durationMs`: applies to every match from when it is added until durationMs later.
 * - neither: applies until cleared (DELETE /admin/faults).
 * `ws_disconnect` is instantaneous (drops every connection of the venue when added); `ws_stall` and
 * `maintenance` need a duration; `reject_orders` and `ws_malformed` need a count.
 * `route` matches a request "<METHOD> <path>" exactly, or as a prefix of the path ("/fapi/v1/") or of the
 * whole id ("POST /api/"), or everything ("*").
 */
const Venue = z.enum(['aster', 'backpack', '*']).default('*');
const Route = z.string().min(1).default('*');
const count = z.number().int().positive();
const durationMs = z.number().int().positive();

export const FaultSpecSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('latency'),
    venue: Venue,
    route: Route,
    ms: z.number().int().nonnegative(),
    count: count.optional(),
    durationMs: durationMs.optional(),
  }),
  z.strictObject({
    kind: z.literal('http_error'),
    venue: Venue,
    route: Route,
    status: z.number().int().min(500).max(599).default(500),
    count: count.optional(),
    durationMs: durationMs.optional(),
  }),
  z.strictObject({
    kind: z.literal('rate_limit'),
    venue: Venue,
    route: Route,
    retryAfterSec: z.number().int().nonnegative().default(1),
    count: count.optional(),
    durationMs: durationMs.optional(),
  }),
  z
    .strictObject({
      kind: z.literal('timeout_after_execution'),
      venue: Venue,
      route: Route,
      /** Delay the response this long after executing; or `drop: true` to destroy the connection. */
      delayMs: z.number().int().positive().optional(),
      drop: z.boolean().optional(),
      count: count.optional(),
      durationMs: durationMs.optional(),
    })
    .refine((f) => (f.delayMs !== undefined) !== (f.drop === true), {
      message: 'timeout_after_execution needs exactly one of delayMs or drop: true',
    }),
  z.strictObject({
    kind: z.literal('reject_orders'),
    venue: Venue,
    count,
    reason: z
      .enum(['insufficient_margin', 'injected_reject', 'reduce_only_rejected', 'no_liquidity'])
      .default('insufficient_margin'),
  }),
  z.strictObject({ kind: z.literal('ws_disconnect'), venue: Venue }),
  z.strictObject({ kind: z.literal('ws_stall'), venue: Venue, durationMs }),
  z.strictObject({ kind: z.literal('ws_malformed'), venue: Venue, count }),
  z.strictObject({
    kind: z.literal('timestamp_skew'),
    venue: Venue,
    /** Added to outgoing event timestamps; negative = stale. */
    skewMs: z.number().int(),
    durationMs: durationMs.optional(),
  }),
  z.strictObject({ kind: z.literal('maintenance'), venue: Venue, durationMs }),
]);
export type FaultSpec = z.infer<typeof FaultSpecSchema>;
export type FaultSpecInput = z.input<typeof FaultSpecSchema>;
export type FaultKind = FaultSpec['kind'];
