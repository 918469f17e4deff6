import { redisNames } from '@arb/bus/keys';
import { redisFixture, type RedisFixture, testNamespace } from '@arb/testkit/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leftoverHedge, resetNamespace } from './previous-run';

let fx: RedisFixture;
beforeAll(async () => {
  fx = await redisFixture({ prefix: 't-reset' });
});
afterAll(async () => {
  await fx?.cleanup();
});

describe('previous run in sim/paper mode', () => {
  it('finds a hedge left active, and --reset deletes exactly the namespace', async () => {
    const names = redisNames(fx.ns);
    const other = testNamespace('t-keep');
    await fx.redis.set(names.activeHedgeKey('BTC'), 'hold1');
    await fx.redis.hset(names.hedgeKey('hold1'), 'pair', 'BTC');
    await fx.redis.xadd(names.ledgerStream, '*', 'm', '{}');
    await fx.redis.set(`${fx.ns}:bull:order-aster:meta`, 'x');
    await fx.redis.set(`${other}:hedge:active:BTC`, 'other');
    try {
      expect(await leftoverHedge(fx.redis, names, 'BTC')).toBe('hold1');
      expect(await resetNamespace(fx.redis, fx.ns)).toBe(4);
      expect(await fx.keys()).toEqual([]);
      expect(await leftoverHedge(fx.redis, names, 'BTC')).toBeNull();
      expect(await fx.redis.get(`${other}:hedge:active:BTC`)).toBe('other');
    } finally {
      await fx.redis.del(`${other}:hedge:active:BTC`);
    }
  });

  it('refuses a namespace that is a pattern', async () => {
    await expect(resetNamespace(fx.redis, 'a*')).rejects.toThrow(/not a plain name/);
  });
});
