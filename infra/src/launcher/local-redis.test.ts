import { describe, expect, it } from 'vitest';
import { howToGetRedis, localRedisTarget, redisWarnings } from './local-redis';

describe('localRedisTarget', () => {
  it('accepts only password-less redis:// URLs on this machine', () => {
    expect(localRedisTarget('redis://127.0.0.1:6379')).toEqual({ host: '127.0.0.1', port: 6379 });
    expect(localRedisTarget('redis://localhost')).toEqual({ host: '127.0.0.1', port: 6379 });
    expect(localRedisTarget('redis://127.0.0.1:6390/2')).toEqual({ host: '127.0.0.1', port: 6390 });
    expect(localRedisTarget('redis://redis.internal:6379')).toBeUndefined();
    expect(localRedisTarget('rediss://127.0.0.1:6379')).toBeUndefined();
    expect(localRedisTarget('redis://:pw@127.0.0.1:6379')).toBeUndefined();
    expect(localRedisTarget('nonsense')).toBeUndefined();
  });
});

describe('redisWarnings', () => {
  it('flags eviction and missing AOF, and is silent when CONFIG is unavailable', () => {
    expect(redisWarnings({ ok: true, maxmemoryPolicy: 'noeviction', appendonly: 'yes' })).toEqual([]);
    expect(redisWarnings({ ok: true })).toEqual([]);
    const w = redisWarnings({ ok: true, maxmemoryPolicy: 'allkeys-lru', appendonly: 'no' });
    expect(w).toHaveLength(2);
    expect(w[0]).toContain('noeviction');
    expect(w[1]).toContain('appendonly yes');
  });
});

describe('howToGetRedis', () => {
  it('names the URL, the reason and three ways to get a Redis', () => {
    const text = howToGetRedis('redis://10.0.0.9:6379', 'ECONNREFUSED').join('\n');
    expect(text).toContain('redis://10.0.0.9:6379 (ECONNREFUSED)');
    expect(text).toContain('apt-get install redis-server');
    expect(text).toContain('docker run');
    expect(text).toContain('REDIS_URL');
  });
});
