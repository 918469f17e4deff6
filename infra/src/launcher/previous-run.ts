import type { RedisNames } from '@arb/bus/keys';
import type { Redis } from 'ioredis';

/**
 * In sim and paper mode the venue accounts live in the simulator's memory and start empty, while Redis
 * keeps hedges, ledger and queues. A hedge left open by an earlier run then no longer exists at the
 * "venue": risk sees drift and the hedge cannot close. The launcher warns about it and `--reset` forgets
 * the earlier run (never in live mode, where Redis is the only record of real positions).
 */
export async function leftoverHedge(redis: Redis, names: RedisNames, pair: string): Promise<string | null> {
  return redis.get(names.activeHedgeKey(pair));
}

/** Deletes every key of the namespace (`ns:*` and `ns.*`); returns how many. */
export async function resetNamespace(redis: Redis, ns: string): Promise<number> {
  if (!/^[A-Za-z0-9_-]+$/.test(ns)) throw new Error(`refusing to reset namespace "${ns}": not a plain name`);
  let deleted = 0;
  for (const pattern of [`${ns}:*`, `${ns}.*`]) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.unlink(...keys);
    } while (cursor !== '0');
  }
  return deleted;
}
