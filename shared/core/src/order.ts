import { z } from 'zod';
import { VENUES } from './venue';

export const SIDES = ['buy', 'sell'] as const;
export type Side = (typeof SIDES)[number];

/** What an order worker asks a venue to do: an aggressive (taker) order for one leg. */
export interface OrderRequest {
  venue: (typeof VENUES)[number];
  symbol: string;
  side: Side;
  /** Base-asset quantity, already a multiple of the venue's step. */
  qty: number;
  /** Worst acceptable price for an IOC limit; absent for a market order. */
  limitPrice?: number;
  reduceOnly: boolean;
  /** Venue client order id derived from the leg's job id (Aster: string ≤36; Backpack: uint32 as string). */
  clientOrderId: string;
}

/**
 * The three ways an order can end, as seen by the product.
 * - filled: executed (fully, or partially for IOC) — qty > 0.
 * - rejected: definitively not executed; the venue said so with a code.
 * - unknown: timeout, 5xx, connection reset — it may have executed; resolve at the venue before acting.
 */
export const OrderOutcomeSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('filled'),
    venue: z.enum(VENUES),
    clientOrderId: z.string(),
    venueOrderId: z.string(),
    side: z.enum(SIDES),
    qty: z.number().positive(),
    avgPrice: z.number().positive(),
    /** Fee in quote currency (USDT/USDC), positive = paid. */
    fee: z.number(),
    feeAsset: z.string(),
    /** Epoch ms of the venue's execution time, when known. */
    executedAt: z.number().int().nonnegative(),
  }),
  z.object({
    kind: z.literal('rejected'),
    venue: z.enum(VENUES),
    clientOrderId: z.string(),
    code: z.string(),
    reason: z.string(),
    /** Rate limited: the venue's Retry-After, or until the local budget's window ends (ms). */
    retryAfterMs: z.number().int().positive().optional(),
  }),
  z.object({
    kind: z.literal('unknown'),
    venue: z.enum(VENUES),
    clientOrderId: z.string(),
    reason: z.string(),
  }),
]);
export type OrderOutcome = z.infer<typeof OrderOutcomeSchema>;
export type FilledOutcome = Extract<OrderOutcome, { kind: 'filled' }>;
