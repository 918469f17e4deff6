import { z } from 'zod';
import { FaultSpecSchema } from '../faults/fault-spec';

/** Request bodies and queries of the admin API (shared by the server and its typed client). */
export const VenueQuerySchema = z.object({
  venue: z.enum(['aster', 'backpack']).optional(),
  account: z.string().min(1).optional(),
});
export type VenueQuery = z.infer<typeof VenueQuerySchema>;

export const BookQuerySchema = z.object({
  venue: z.enum(['aster', 'backpack']),
  depth: z.coerce.number().int().positive().max(1000).optional(),
});

export const AddFaultsBodySchema = z.union([
  FaultSpecSchema,
  z.strictObject({ faults: z.array(FaultSpecSchema).min(1) }),
]);

export const ClearFaultsQuerySchema = z.object({ venue: z.enum(['aster', 'backpack']).optional() });

export const DislocationBodySchema = z.strictObject({
  direction: z.enum(['buy_aster_sell_backpack', 'buy_backpack_sell_aster']),
  /** Peak executable spread (sell-venue bid minus buy-venue ask), USD. */
  sizeUsd: z.number().positive(),
  /** How long the peak holds, ms. */
  durationMs: z.number().nonnegative(),
  rampMs: z.number().nonnegative().default(300),
  revertMs: z.number().positive().default(2500),
});
export type DislocationBody = z.input<typeof DislocationBodySchema>;

export const PriceBodySchema = z
  .strictObject({ price: z.number().positive().optional(), deltaUsd: z.number().optional() })
  .refine((b) => (b.price === undefined) !== (b.deltaUsd === undefined), {
    message: 'give exactly one of price or deltaUsd',
  });
export type PriceBody = z.input<typeof PriceBodySchema>;

export const MarketBodySchema = z.strictObject({ paused: z.boolean() });

export const AccountBodySchema = z.strictObject({
  /** Wallet balance in the margin asset. */
  balance: z.number().nonnegative().optional(),
  /** Signed base quantity (> 0 long) and entry price; qty 0 flattens. */
  position: z.strictObject({ qty: z.number(), entryPrice: z.number().nonnegative() }).optional(),
  leverage: z.number().int().positive().optional(),
});
export type AccountBody = z.input<typeof AccountBodySchema>;

export const ResetBodySchema = z
  .strictObject({
    venue: z.enum(['aster', 'backpack']).optional(),
    account: z.string().min(1).optional(),
    /** Also clear faults (default true for a full reset, false for one account). */
    faults: z.boolean().optional(),
  })
  .default({});
export type ResetBody = z.input<typeof ResetBodySchema>;
