import { z } from 'zod';

/**
 * A hedge id: short (job ids and Aster client order ids are built from it and must stay ≤ 36 chars),
 * lowercase base-36, never all digits, no ":" (BullMQ rules for job ids).
 */
export const HedgeIdSchema = z.string().regex(/^[a-z][a-z0-9]{5,15}$/, {
  error: 'hedge id must be 6-16 chars of [a-z0-9], starting with a letter',
});
export type HedgeId = z.infer<typeof HedgeIdSchema>;

/**
 * A new hedge id from the time and a random source (both injected): "h" + base-36 epoch ms (8 chars until
 * year 2059) + 5 random base-36 chars. Ids sort by creation time within the same length.
 */
export function newHedgeId(now: number, random: () => number): HedgeId {
  let rand = '';
  for (let i = 0; i < 5; i++) rand += Math.floor(random() * 36).toString(36);
  return `h${Math.floor(now).toString(36)}${rand}`;
}
