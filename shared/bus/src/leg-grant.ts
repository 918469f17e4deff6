import { VENUES } from '@arb/core/venue';
import { z } from 'zod';
import { HedgeIdSchema } from './hedge-id';

/**
 * The notice that an intent was recorded with send grants for its legs (exec-marker.ts, stage `granted`).
 * Travels: pub/sub `names.legGrantChannel`, published by hedge-store.ts's intent scripts in the same atomic
 * step as the record and the grants, so it leaves Redis before the legs' BullMQ adds sent behind the
 * intent on the same connection. An order worker that holds it when the leg's first run starts may send at
 * once (the intent is recorded, the marker saved); without it, the run takes the send claim as always.
 * At-most-once like all pub/sub: a missed notice costs a round trip, never safety.
 */
export const LegGrantNoticeSchema = z.object({
  v: z.literal(1),
  hedgeId: HedgeIdSchema,
  /** The strategy leader's fence the intent was recorded under (every granted leg carries it). */
  fence: z.number().int().positive(),
  legs: z.array(z.object({ venue: z.enum(VENUES), clientOrderId: z.string().min(1) })).min(1),
});
export type LegGrantNotice = z.infer<typeof LegGrantNoticeSchema>;

/** A leg to grant: its venue and client order id (the job id), as in its LegJob. */
export type LegGrant = LegGrantNotice['legs'][number];
