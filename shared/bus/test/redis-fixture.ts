// Local test helper until @arb/testkit's fixture lands: a real Redis (REDIS_URL or the local one), a unique
// namespace per test file, and cleanup of every key under it.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function testNamespace(): string {
  return `t-${randomBytes(5).toString('hex')}`;
}

export function connect(): Redis {
  return new Redis(REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 3 });
}

/** Deletes every key of the namespace (both ":" and "." separated names). */
export async function cleanupNamespace(redis: Redis, ns: string): Promise<void> {
  for (const pattern of [`${ns}:*`, `${ns}.*`]) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  }
}

/** Polls `cond` until it is truthy or `timeoutMs` passes (generous: the machine is shared). */
export async function waitFor<T>(
  cond: () => T | Promise<T>,
  timeoutMs = 15_000,
  everyMs = 25,
): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await cond();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
