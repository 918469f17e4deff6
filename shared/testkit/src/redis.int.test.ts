import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deleteNamespace,
  dockerEngineReachable,
  type RedisFixture,
  redisFixture,
  resolveRedis,
  testNamespace,
} from './redis';

describe('redisFixture', () => {
  let fx: RedisFixture;
  let other: RedisFixture;
  beforeAll(async () => {
    fx = await redisFixture();
    other = await redisFixture();
  });
  afterAll(async () => {
    await fx?.cleanup();
    await other?.cleanup();
  });

  it('uses REDIS_URL when set, else a container or the local Redis, and answers', async () => {
    const r = await resolveRedis();
    expect(['env', 'container', 'local']).toContain(r.source);
    expect(fx.url).toBe(r.url);
    expect(await fx.redis.ping()).toBe('PONG');
    // The vitest globalSetup (./redis-global-setup) decided once and handed the URL to this worker.
    expect(process.env.REDIS_URL).toBe(r.url);
  });

  it('gives each fixture its own namespace', () => {
    expect(fx.ns).toMatch(/^t-[0-9a-f]{10}$/);
    expect(fx.ns).not.toBe(other.ns);
    expect(testNamespace('bus')).toMatch(/^bus-[0-9a-f]{10}$/);
    expect(fx.env).toEqual({ REDIS_URL: fx.url, ARB_NAMESPACE: fx.ns });
  });

  it('cleanup deletes its namespace keys (":" and "." names), closes its clients, and leaves others alone', async () => {
    const mine = await redisFixture();
    const sub = mine.connect({ maxRetriesPerRequest: null });
    await sub.subscribe(`${mine.ns}.quotes.aster.BTC`);
    await mine.redis.set(`${mine.ns}:quote:aster:BTC`, '1');
    await mine.redis.xadd(`${mine.ns}:stream:outcomes`, '*', 'k', 'v');
    await mine.redis.hset(`${mine.ns}.odd`, 'a', '1');
    await other.redis.set(`${other.ns}:keep`, '1');
    await fx.redis.set(`${mine.ns}x:not-mine`, '1');
    expect(await mine.keys()).toEqual([
      `${mine.ns}.odd`,
      `${mine.ns}:quote:aster:BTC`,
      `${mine.ns}:stream:outcomes`,
    ]);
    await mine.cleanup();
    await mine.cleanup();
    expect(
      await fx.redis.exists(`${mine.ns}:quote:aster:BTC`, `${mine.ns}:stream:outcomes`, `${mine.ns}.odd`),
    ).toBe(0);
    expect(await fx.redis.get(`${other.ns}:keep`)).toBe('1');
    expect(await fx.redis.get(`${mine.ns}x:not-mine`)).toBe('1');
    expect(mine.redis.status).toBe('end');
    expect(sub.status).toBe('end');
    await fx.redis.del(`${mine.ns}x:not-mine`);
  });

  it('deleteNamespace handles many keys and refuses patterns', async () => {
    const ns = testNamespace();
    const pipe = fx.redis.pipeline();
    for (let i = 0; i < 2500; i++) pipe.set(`${ns}:k:${i}`, String(i));
    await pipe.exec();
    expect(await deleteNamespace(fx.redis, ns)).toBe(2500);
    expect(await deleteNamespace(fx.redis, ns)).toBe(0);
    await expect(deleteNamespace(fx.redis, '*')).rejects.toThrow(/refusing/);
  });
});

describe('dockerEngineReachable', () => {
  it('answers false, without hanging, when nothing listens on DOCKER_HOST', async () => {
    const { freePort } = await import('./free-port');
    const saved = process.env.DOCKER_HOST;
    try {
      process.env.DOCKER_HOST = `tcp://127.0.0.1:${await freePort()}`;
      expect(await dockerEngineReachable(1000)).toBe(false);
      process.env.DOCKER_HOST = 'unix:///nonexistent/docker.sock';
      expect(await dockerEngineReachable(1000)).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
  });
});
