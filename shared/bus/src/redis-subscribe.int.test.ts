import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { subscribeWhenReady } from './redis-subscribe';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const pub = new Redis(url);
afterAll(() => pub.disconnect());

describe('subscribeWhenReady (real Redis)', () => {
  it('subscribes fresh connections in every start state and delivers, with no handshake error', async () => {
    const errors: unknown[] = [];
    for (let i = 0; i < 30; i++) {
      // Subscribing right after construction is exactly the window of redis/ioredis#2037.
      const sub = new Redis(url, { lazyConnect: i % 2 === 0 });
      sub.on('error', (e) => errors.push(e));
      const channel = `t-sub-ready-${process.pid}-${i}`;
      const got = new Promise<string>((resolve) => sub.once('message', (_c, m) => resolve(m)));
      await subscribeWhenReady(sub, channel);
      await pub.publish(channel, `m${i}`);
      expect(await got).toBe(`m${i}`);
      sub.disconnect();
    }
    expect(errors).toEqual([]);
  });

  it('rejects when the connection ends before it is ready', async () => {
    const sub = new Redis('redis://127.0.0.1:1', { retryStrategy: () => null, maxRetriesPerRequest: 0 });
    sub.on('error', () => {});
    await expect(subscribeWhenReady(sub, 'never')).rejects.toThrow(/ended before it was ready/);
  });
});
