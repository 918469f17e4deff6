import { deleteNamespace } from '@arb/testkit/redis';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RateBudget } from './rate-budget';
import { VenueError } from './venue-error';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: false });
const ns = `t-${randomBytes(4).toString('hex')}`;

afterAll(async () => {
  await deleteNamespace(redis, ns);
  redis.disconnect();
});

describe('RateBudget (real Redis)', () => {
  it('shares one window between two instances and refuses beyond the limit', async () => {
    let t = 60_000 * 20_000_000; // aligned to a 60 s window
    const opts = {
      redis,
      venue: 'aster' as const,
      key: `${ns}:rate:aster`,
      limit: 10,
      windowMs: 60_000,
      now: () => t,
    };
    const a = new RateBudget(opts);
    const b = new RateBudget(opts);
    expect(await a.tryTake(4)).toEqual({ ok: true, used: 4 });
    expect(await b.tryTake(5)).toEqual({ ok: true, used: 9 });
    const refused = await a.tryTake(2);
    expect(refused).toMatchObject({ ok: false, used: 9, reason: 'budget', retryAfterMs: 60_000 });
    await expect(b.take(2, 'POST /fapi/v1/order')).rejects.toMatchObject({
      name: 'VenueError',
      category: 'rate_limited',
      code: 'LOCAL_RATE_BUDGET',
    });
    t += 60_000;
    expect(await a.tryTake(2)).toEqual({ ok: true, used: 2 });
  });

  it('waits for the next window when allowed to', async () => {
    let t = 60_000 * 30_000_000 + 40_000;
    const slept: number[] = [];
    const budget = new RateBudget({
      redis,
      venue: 'aster',
      key: `${ns}:rate:wait`,
      limit: 3,
      windowMs: 60_000,
      now: () => t,
      sleep: async (ms) => {
        slept.push(ms);
        t += ms;
      },
    });
    await budget.take(3, 'GET /x');
    await budget.take(1, 'GET /x', 30_000);
    expect(slept).toEqual([20_005]);
  });

  it('raises the counter to the venue-reported weight, never lowers it', async () => {
    const t = 3_000_000_000_000;
    const budget = new RateBudget({
      redis,
      venue: 'aster',
      key: `${ns}:rate:obs`,
      limit: 100,
      windowMs: 60_000,
      now: () => t,
    });
    await budget.tryTake(10);
    expect(await budget.observe(50)).toBe(50);
    expect(await budget.observe(20)).toBe(50);
    expect(await budget.used()).toBe(50);
    expect(await budget.tryTake(60)).toMatchObject({ ok: false, used: 50 });
  });

  it('blocks every process until a venue rate-limit expiry', async () => {
    const t = 4_000_000_000_000;
    const opts = {
      redis,
      venue: 'backpack' as const,
      key: `${ns}:rate:blk`,
      limit: 100,
      windowMs: 60_000,
      now: () => t,
    };
    await new RateBudget(opts).blockUntil(t + 5000);
    const other = new RateBudget(opts);
    expect(await other.tryTake(1)).toEqual({ ok: false, used: 0, retryAfterMs: 5000, reason: 'blocked' });
    const e = await other.take(1, 'POST /api/v1/order').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(VenueError);
    expect((e as VenueError).code).toBe('LOCAL_RATE_BLOCKED');
  });
});
