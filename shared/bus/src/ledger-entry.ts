import { SIDES } from '@arb/core/order';
import { VENUES } from '@arb/core/venue';
import { z } from 'zod';
import { HedgeIdSchema } from './hedge-id';
import { LEG_ROLES } from '@arb/core/hedge';

/**
 * The ledger: every fill (with its fee) and every hedge's realized PnL, written by risk.
 * Travels: the durable stream `names.ledgerStream` (never capped: it is the books). Exports (CSV/JSON)
 * and daily stats read it with stream.ts readRange.
 */
const base = {
  v: z.literal(1),
  hedgeId: HedgeIdSchema,
  pair: z.string().min(1),
  /** Epoch ms the entry describes (the fill's execution time, the close time). */
  at: z.number().int().nonnegative(),
};

export const LedgerEntrySchema = z.discriminatedUnion('kind', [
  z.object({
    ...base,
    kind: z.literal('fill'),
    role: z.enum(LEG_ROLES),
    attempt: z.number().int().positive(),
    /** The leg's job id (core leg id). */
    legId: z.string().min(1),
    venue: z.enum(VENUES),
    symbol: z.string().min(1),
    side: z.enum(SIDES),
    qty: z.number().positive(),
    price: z.number().positive(),
    /** Quote-currency fee, positive = paid. */
    fee: z.number(),
    feeAsset: z.string(),
    clientOrderId: z.string(),
    venueOrderId: z.string(),
  }),
  z.object({
    ...base,
    kind: z.literal('hedge_opened'),
    direction: z.string().min(1),
    qty: z.number().positive(),
  }),
  z.object({
    ...base,
    kind: z.literal('hedge_closed'),
    /** Realized PnL in quote currency, net of all fees of the hedge's fills. */
    realizedPnl: z.number(),
    fees: z.number(),
    /** Quote-currency notional traded over all the hedge's fills. */
    volume: z.number().nonnegative(),
    reason: z.string().min(1),
  }),
]);
export type LedgerEntry = z.infer<typeof LedgerEntrySchema>;
