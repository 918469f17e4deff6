import { emptyDailyStats } from '@arb/core/daily-stats';
import { type RedisFixture, redisFixture } from '@arb/testkit/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDailyStats, writeDailyStats } from './daily-stats-record';
import { type RedisNames, redisNames } from './keys';

let fx: RedisFixture;
let names: RedisNames;

beforeAll(async () => {
  fx = await redisFixture();
  names = redisNames(fx.ns);
});
afterAll(async () => {
  await fx.cleanup();
});

describe('daily stats in Redis', () => {
  it('reads back what risk writes, under the day key, with a version and update time', async () => {
    const stats = { ...emptyDailyStats('2026-11-28', 'Asia/Shanghai'), trades: 4, realizedPnl: -6.5 };
    await writeDailyStats(fx.redis, names, stats, 1234);
    expect(JSON.parse((await fx.redis.get(names.dailyStatsKey('2026-11-28'))) ?? '{}')).toEqual({
      v: 1,
      ...stats,
      updatedAt: 1234,
    });
    expect(await readDailyStats(fx.redis, names, '2026-11-28', 'UTC')).toEqual(stats);
  });

  it('reads a hash of numeric strings too, and null for a day without stats', async () => {
    await fx.redis.hset(names.dailyStatsKey('2026-11-27'), { volume: '12.5', trades: '3' });
    expect(await readDailyStats(fx.redis, names, '2026-11-27', 'UTC')).toMatchObject({
      day: '2026-11-27',
      timeZone: 'UTC',
      volume: 12.5,
      trades: 3,
    });
    expect(await readDailyStats(fx.redis, names, '2026-11-26', 'UTC')).toBeNull();
  });
});
