import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisFixture, redisFixture } from '@arb/testkit/redis';
import { waitFor } from '@arb/testkit/wait';
import { redisNames } from './keys';
import { readOrderHealth, writeOrderHealth } from './order-health';

let fx: RedisFixture;
let names: ReturnType<typeof redisNames>;

beforeAll(async () => {
  fx = await redisFixture();
  names = redisNames(fx.ns);
});
afterAll(async () => {
  await fx.cleanup();
});

describe('order health key', () => {
  it('round-trips a report, which expires when not refreshed', async () => {
    expect(await readOrderHealth(fx.redis, names, 'backpack')).toBeNull();
    const h = {
      v: 1 as const,
      venue: 'backpack' as const,
      state: 'degraded' as const,
      reason: 'maintenance',
      until: Date.now() + 1000,
      updatedAt: Date.now(),
    };
    await writeOrderHealth(fx.redis, names, h, 300);
    expect(await readOrderHealth(fx.redis, names, 'backpack')).toEqual(h);
    expect(await fx.redis.pttl(names.orderHealthKey('backpack'))).toBeGreaterThan(0);
    await waitFor(async () => (await readOrderHealth(fx.redis, names, 'backpack')) === null, 10_000);
  });

  it('refuses to write an invalid report', async () => {
    await expect(
      writeOrderHealth(
        fx.redis,
        names,
        { v: 1, venue: 'aster', state: 'ok', reason: null, until: -1, updatedAt: 1 },
        1000,
      ),
    ).rejects.toThrow();
  });
});
