import { resolveRedis, stopRedisContainer } from './redis';

/**
 * Vitest `globalSetup`: decides the Redis once for the whole run (starting one testcontainers Redis when a
 * Docker engine answers and REDIS_URL is unset) and hands it to every test worker as REDIS_URL.
 *
 *   // vitest.config.ts
 *   export default defineConfig({ test: { globalSetup: ['../../shared/testkit/src/redis-global-setup.ts'] } });
 */
export async function setup(): Promise<void> {
  const { url } = await resolveRedis();
  process.env.REDIS_URL = url;
}

export async function teardown(): Promise<void> {
  await stopRedisContainer();
}
