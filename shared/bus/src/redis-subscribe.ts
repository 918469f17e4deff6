import type { Redis } from 'ioredis';

/**
 * SUBSCRIBE only once the connection is ready. With ioredis 5.8+, a SUBSCRIBE issued while the client is
 * still connecting can interleave with its handshake: the connection enters subscriber mode before the
 * ready check's INFO, which then fails ("Connection in subscriber mode, only subscriber commands may be
 * used") and the subscription never delivers (redis/ioredis#2037, fixed only in ioredis 6). Every
 * subscriber in the product goes through here.
 */
export async function subscribeWhenReady(redis: Redis, ...channels: string[]): Promise<void> {
  await whenReady(redis);
  await redis.subscribe(...channels);
}

export function whenReady(redis: Redis): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  if (redis.status === 'wait') return redis.connect();
  return new Promise((resolve, reject) => {
    const onReady = () => {
      redis.off('end', onEnd);
      resolve();
    };
    const onEnd = () => {
      redis.off('ready', onReady);
      reject(new Error('redis connection ended before it was ready'));
    };
    redis.once('ready', onReady);
    redis.once('end', onEnd);
  });
}
