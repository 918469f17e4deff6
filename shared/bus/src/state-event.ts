import { z } from 'zod';

/**
 * A notice that shared state changed: a hedge record (intent, status, active hedge) or the control flags.
 * Travels: pub/sub `names.stateChannel`, published by the Lua scripts of hedge-store.ts and
 * control-flags.ts in the same atomic step as the change. At-most-once: it only says "re-read now";
 * readers also re-read on a timer, the keys are the truth.
 */
export const StateEventSchema = z.discriminatedUnion('kind', [
  z.object({ v: z.literal(1), kind: z.literal('hedge'), pair: z.string(), hedgeId: z.string() }),
  z.object({ v: z.literal(1), kind: z.literal('control') }),
]);
export type StateEvent = z.infer<typeof StateEventSchema>;
