import { z } from 'zod';
import { VENUES } from './venue';

/** One price level: [price, quantity], both in venue units (USD, base asset). */
export const LevelSchema = z.tuple([z.number().positive(), z.number().nonnegative()]);
export type Level = z.infer<typeof LevelSchema>;

/**
 * A normalized top-of-book quote, the one shape every process sees.
 * Times are epoch milliseconds: `venueTime` is the venue's own event time (converted from its
 * wire unit), `receivedAt` is the local receive time. `seq` increases by one per quote per feed.
 * `bids`/`asks` (best first) are present when the feed carries depth.
 */
export const QuoteSchema = z
  .object({
    v: z.literal(1),
    venue: z.enum(VENUES),
    symbol: z.string().min(1),
    bid: z.number().positive(),
    bidQty: z.number().nonnegative(),
    ask: z.number().positive(),
    askQty: z.number().nonnegative(),
    venueTime: z.number().int().nonnegative(),
    receivedAt: z.number().int().nonnegative(),
    seq: z.number().int().nonnegative(),
    bids: z.array(LevelSchema).optional(),
    asks: z.array(LevelSchema).optional(),
  })
  .refine((q) => q.bid < q.ask, { message: 'crossed or locked book: bid must be below ask' });
export type Quote = z.infer<typeof QuoteSchema>;
