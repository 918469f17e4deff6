import { z } from 'zod';
import { HEDGE_DIRECTIONS } from './direction';
import {
  HEDGE_ID_RE,
  HEDGE_PHASES,
  type HedgeEvent,
  type HedgeState,
  LEG_ROLES,
  LEG_STATUSES,
} from './hedge';
import { SIDES } from './order';
import { VENUES } from './venue';

/**
 * Runtime schemas of the hedge reducer's state and events, for the process that stores the state
 * (risk keeps it in Redis) and for events arriving from outside. The types stay those of hedge.ts;
 * hedge-schema.test.ts checks both directions of assignability.
 */

const CLOSE_REASONS = ['spread_converged', 'force_close_time', 'manual', 'kill', 'flatten'] as const;
const CLEANUP_POLICIES = ['unwind', 'complete'] as const;
const epochMs = z.number().int().nonnegative();
const finite = z.number().refine(Number.isFinite, { error: 'must be finite' });

export const LegFillSchema = z.object({
  qty: z.number().positive(),
  avgPrice: z.number().positive(),
  fee: finite,
  executedAt: epochMs,
});

export const HedgeLegSchema = z.object({
  id: z.string().min(1),
  clientOrderId: z.string().min(1),
  role: z.enum(LEG_ROLES),
  venue: z.enum(VENUES),
  side: z.enum(SIDES),
  qty: z.number().positive(),
  reduceOnly: z.boolean(),
  attempt: z.number().int().positive(),
  status: z.enum(LEG_STATUSES),
  fill: LegFillSchema.nullable(),
  error: z.string().nullable(),
  retryAfterMs: z.number().int().positive().optional(),
  notBefore: epochMs.optional(),
  createdAt: epochMs,
  updatedAt: epochMs,
});

export const HedgeStateSchema = z.object({
  v: z.literal(1),
  id: z.string().regex(HEDGE_ID_RE),
  pair: z.string().min(1),
  direction: z.enum(HEDGE_DIRECTIONS),
  qty: z.number().positive(),
  expectedEdge: finite,
  cleanupPolicy: z.enum(CLEANUP_POLICIES),
  maxCompleteAttempts: z.number().int().nonnegative(),
  phase: z.enum(HEDGE_PHASES),
  legs: z.array(HedgeLegSchema),
  createdAt: epochMs,
  openedAt: epochMs.nullable(),
  closingAt: epochMs.nullable(),
  closedAt: epochMs.nullable(),
  closeReason: z.enum(CLOSE_REASONS).nullable(),
  pendingClose: z.enum(CLOSE_REASONS).nullable(),
  writtenOff: z.string().nullable(),
  exposure: z.object({ aster: finite, backpack: finite }),
  netExposure: finite,
  realizedPnl: finite,
  fees: finite,
  volume: finite,
  dustQty: z.number().nonnegative(),
  updatedAt: epochMs,
});

export const HedgeEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('leg_filled'),
    legId: z.string().min(1),
    qty: z.number().positive(),
    avgPrice: z.number().positive(),
    fee: finite,
    executedAt: epochMs.optional(),
    policy: z.enum(CLEANUP_POLICIES).optional(),
  }),
  z.object({
    type: z.literal('leg_rejected'),
    legId: z.string().min(1),
    code: z.string(),
    reason: z.string(),
    retryAfterMs: z.number().int().positive().optional(),
    policy: z.enum(CLEANUP_POLICIES).optional(),
  }),
  z.object({ type: z.literal('leg_unknown'), legId: z.string().min(1), reason: z.string() }),
  z.object({ type: z.literal('close_requested'), reason: z.enum(CLOSE_REASONS) }),
  z.object({ type: z.literal('redrive') }),
  z.object({ type: z.literal('written_off'), reason: z.string().min(1) }),
]);

/** Parses a stored hedge state (JSON text or a parsed value); throws a ZodError naming every problem. */
export function parseHedgeState(input: string | unknown): HedgeState {
  const value = typeof input === 'string' ? JSON.parse(input) : input;
  return HedgeStateSchema.parse(value);
}

/** Validates an event from outside the process (bus message, control command). */
export function parseHedgeEvent(input: unknown): HedgeEvent {
  return HedgeEventSchema.parse(input);
}
