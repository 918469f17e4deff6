import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { RedisNames } from './keys';

/**
 * The trading switches, kept in the hash `names.controlKey` and set by risk (from commands, loss limits,
 * reconciliation). Hedge opens are refused IN REDIS unless reconciled && !paused && !killed
 * (hedge-store.ts), whatever a process believes. Fields are stored as strings ("1"/"0", numbers).
 */
export const ControlFlagsSchema = z.object({
  /** No new opens (closes and cleanups still run). */
  paused: z.boolean(),
  /** No new opens, and risk flattens everything. */
  killed: z.boolean(),
  /** Positions on both venues were reconciled with the ledger since risk started. */
  reconciled: z.boolean(),
  /** Why the last change was made, by whom, when (epoch ms). */
  reason: z.string().optional(),
  updatedBy: z.string().optional(),
  updatedAt: z.number().int().nonnegative().optional(),
});
export type ControlFlags = z.infer<typeof ControlFlagsSchema>;

/** Before anything was written: not reconciled, so nothing opens. */
export const INITIAL_CONTROL_FLAGS: ControlFlags = { paused: false, killed: false, reconciled: false };

const flag = (v: string | undefined) => v === '1';

/** Parses the hash as HGETALL returns it. */
export function parseControlFlags(hash: Record<string, string>): ControlFlags {
  const at = hash.updatedAt === undefined ? undefined : Number(hash.updatedAt);
  return ControlFlagsSchema.parse({
    paused: flag(hash.paused),
    killed: flag(hash.killed),
    reconciled: flag(hash.reconciled),
    reason: hash.reason,
    updatedBy: hash.updatedBy,
    updatedAt: at !== undefined && Number.isFinite(at) ? at : undefined,
  });
}

export async function readControlFlags(redis: Redis, names: RedisNames): Promise<ControlFlags> {
  return parseControlFlags(await redis.hgetall(names.controlKey));
}

const WRITE = `
for i = 1, #ARGV - 1, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
redis.call('PUBLISH', KEYS[2], ARGV[#ARGV])
return 1
`;

/** Sets some flags (with who/why/when) and notifies subscribers, atomically. */
export async function writeControlFlags(
  redis: Redis,
  names: RedisNames,
  change: Partial<Pick<ControlFlags, 'paused' | 'killed' | 'reconciled'>>,
  meta: { by: string; reason: string; at: number },
): Promise<void> {
  const args: string[] = [];
  for (const k of ['paused', 'killed', 'reconciled'] as const) {
    const v = change[k];
    if (v !== undefined) args.push(k, v ? '1' : '0');
  }
  args.push('updatedBy', meta.by, 'reason', meta.reason, 'updatedAt', String(meta.at));
  args.push(JSON.stringify({ v: 1, kind: 'control' }));
  await redis.eval(WRITE, 2, names.controlKey, names.stateChannel, ...args);
}
