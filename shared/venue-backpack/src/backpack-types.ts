import { z } from 'zod';
import { BACKPACK_ORDER_STATUSES, BACKPACK_SIDES } from './constants';

/**
 * Raw Backpack wire shapes (REST bodies and WS frames), validated on entry. Only the fields the adapter
 * reads are declared; unknown fields pass through untouched. Decimals arrive as strings; ids and
 * times arrive as numbers or strings depending on the endpoint (noted per field).
 */

const DECIMAL_STRING = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;
/** A decimal string such as "60000.1" (numbers tolerated, never produced by the venue for prices). */
const Decimal = z.union([z.string().regex(DECIMAL_STRING), z.number().finite()]);
/** Integer that may arrive as a JSON number or a string (µs times, sequence numbers, clientId). */
const IntLike = z.union([z.number().int(), z.string().regex(/^\d+$/)]);
/**
 * An opaque id (order, trade, update id): a string, or a JSON number that may exceed 2^53 (the bookTicker
 * `u` does: 111063070525358080), so no safe-integer check; only ever compared as a string.
 */
const Id = z.union([z.number(), z.string().min(1)]);

export const BackpackLevelSchema = z.tuple([Decimal, Decimal]);
export type BackpackLevel = z.infer<typeof BackpackLevelSchema>;

const isDecimal = (v: unknown): boolean =>
  typeof v === 'string' ? DECIMAL_STRING.test(v) : typeof v === 'number' && Number.isFinite(v);

/**
 * A list of levels: exactly what `z.array(BackpackLevelSchema)` accepts (property-tested), checked in one
 * loop; depth frames arrive with every book change (up to 1000/s) and zod's per-element tuple and union
 * parsing was the feed's largest validation cost.
 */
export const BackpackLevelsSchema = z.custom<BackpackLevel[]>(
  (v) =>
    Array.isArray(v) &&
    v.every((l) => Array.isArray(l) && l.length === 2 && isDecimal(l[0]) && isDecimal(l[1])),
  { message: 'levels must be [price, quantity] pairs of decimal strings' },
);

/** WS `bookTicker.<sym>` data. E/T in µs. */
export const BackpackBookTickerSchema = z.object({
  e: z.literal('bookTicker'),
  E: IntLike,
  s: z.string().min(1),
  a: Decimal,
  A: Decimal,
  b: Decimal,
  B: Decimal,
  u: Id.optional(),
  T: IntLike.optional(),
});
export type BackpackBookTicker = z.infer<typeof BackpackBookTickerSchema>;

/** WS `depth.<sym>` data: incremental levels with absolute quantities (qty 0 deletes). E/T in µs. */
export const BackpackDepthEventSchema = z.object({
  e: z.literal('depth'),
  E: IntLike,
  s: z.string().min(1),
  a: BackpackLevelsSchema,
  b: BackpackLevelsSchema,
  U: IntLike,
  u: IntLike,
  T: IntLike.optional(),
});
export type BackpackDepthEvent = z.infer<typeof BackpackDepthEventSchema>;

/** REST GET /api/v1/depth. Both sides ascending by price; `timestamp` in µs; lastUpdateId a string. */
export const BackpackDepthSnapshotSchema = z.object({
  asks: BackpackLevelsSchema,
  bids: BackpackLevelsSchema,
  lastUpdateId: IntLike,
  timestamp: IntLike.optional(),
});
export type BackpackDepthSnapshot = z.infer<typeof BackpackDepthSnapshotSchema>;

/** REST GET /api/v1/markets row (only what the adapter reads). */
export const BackpackMarketSchema = z.object({
  symbol: z.string(),
  marketType: z.string().optional(),
  filters: z.object({
    price: z.object({ tickSize: Decimal }),
    quantity: z.object({ stepSize: Decimal, minQuantity: Decimal, maxQuantity: Decimal.nullish() }),
  }),
});
export type BackpackMarket = z.infer<typeof BackpackMarketSchema>;

/**
 * An order as POST/DELETE /api/v1/order, GET /api/v1/order(s) and /wapi/v1/history/orders return it.
 * createdAt: ms integer (order endpoints) or naive ISO string (history). No fee, no average price.
 */
export const BackpackOrderSchema = z.object({
  id: Id,
  clientId: IntLike.nullish(),
  createdAt: z.union([z.number(), z.string()]).nullish(),
  symbol: z.string(),
  side: z.enum(BACKPACK_SIDES),
  orderType: z.string(),
  price: Decimal.nullish(),
  quantity: Decimal.nullish(),
  executedQuantity: Decimal.nullish(),
  executedQuoteQuantity: Decimal.nullish(),
  status: z.enum(BACKPACK_ORDER_STATUSES),
  reduceOnly: z.boolean().nullish(),
  timeInForce: z.string().nullish(),
  expiryReason: z.string().nullish(),
});
export type BackpackOrder = z.infer<typeof BackpackOrderSchema>;

/** GET /wapi/v1/history/fills row. timestamp: naive ISO string (UTC). clientId is a string here. */
export const BackpackFillSchema = z.object({
  tradeId: Id.nullish(),
  orderId: Id,
  clientId: IntLike.nullish(),
  price: Decimal,
  quantity: Decimal,
  fee: Decimal,
  feeSymbol: z.string(),
  side: z.enum(BACKPACK_SIDES),
  isMaker: z.boolean().nullish(),
  symbol: z.string(),
  timestamp: z.union([z.number(), z.string()]),
});
export type BackpackFill = z.infer<typeof BackpackFillSchema>;

/** GET /api/v1/position row. netQuantity / netCost signed (< 0 short). */
export const BackpackPositionSchema = z.object({
  symbol: z.string(),
  netQuantity: Decimal,
  netCost: Decimal.nullish(),
  entryPrice: Decimal.nullish(),
  markPrice: Decimal.nullish(),
  pnlUnrealized: Decimal.nullish(),
});
export type BackpackPosition = z.infer<typeof BackpackPositionSchema>;

/** GET /api/v1/capital: `{ASSET: {available, locked, staked}}`. */
export const BackpackCapitalSchema = z.record(
  z.string(),
  z.object({ available: Decimal, locked: Decimal, staked: Decimal.nullish() }),
);
export type BackpackCapital = z.infer<typeof BackpackCapitalSchema>;

/** GET /api/v1/capital/collateral (the perp margin view; only what the adapter reads). */
export const BackpackCollateralSchema = z.object({
  netEquity: Decimal,
  netEquityAvailable: Decimal,
});
export type BackpackCollateral = z.infer<typeof BackpackCollateralSchema>;

/** GET /api/v1/account (only what the adapter reads). Fees in bps. */
export const BackpackAccountSchema = z.object({
  leverageLimit: Decimal,
  futuresTakerFee: Decimal.nullish(),
  futuresMakerFee: Decimal.nullish(),
});
export type BackpackAccount = z.infer<typeof BackpackAccountSchema>;

/** Error body (JSON since 2024-10-15). */
export const BackpackErrorBodySchema = z.object({ code: z.string(), message: z.string().nullish() });
export type BackpackErrorBody = z.infer<typeof BackpackErrorBodySchema>;
