import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { Redis, type RedisOptions } from 'ioredis';

/**
 * The Redis every test uses: REDIS_URL when set; else a testcontainers Redis when a Docker engine answers
 * (checked with a 1 s ping, no long hang); else the local Redis at 127.0.0.1:6379. Each test file takes
 * its own namespace (unique key prefix) and deletes its keys afterwards:
 *
 *   const fx = await redisFixture();          // beforeAll
 *   const names = redisNames(fx.ns);          // every key/channel/queue under fx.ns
 *   await fx.cleanup();                       // afterAll: deletes fx.ns keys, closes clients
 */

export type RedisSource = 'env' | 'container' | 'local';

export const LOCAL_REDIS_URL = 'redis://127.0.0.1:6379';

export interface ResolvedRedis {
  url: string;
  source: RedisSource;
}

let resolved: Promise<ResolvedRedis> | undefined;
let container: { stop(): Promise<unknown> } | undefined;

/** Which Redis to use, decided once per process. */
export function resolveRedis(): Promise<ResolvedRedis> {
  resolved ??= decide();
  return resolved;
}

async function decide(): Promise<ResolvedRedis> {
  const fromEnv = process.env.REDIS_URL?.trim();
  if (fromEnv) return { url: fromEnv, source: 'env' };
  if (await dockerEngineReachable()) {
    const { RedisContainer } = await import('@testcontainers/redis');
    const started = await new RedisContainer('redis:7-alpine').start();
    container = started;
    process.once('beforeExit', () => void container?.stop());
    return { url: started.getConnectionUrl(), source: 'container' };
  }
  return { url: LOCAL_REDIS_URL, source: 'local' };
}

/** Stops the testcontainers Redis if this process started one (vitest globalSetup teardown). */
export async function stopRedisContainer(): Promise<void> {
  const c = container;
  container = undefined;
  resolved = undefined;
  await c?.stop();
}

/**
 * True when a Docker engine answers `GET /_ping` within `timeoutMs` on DOCKER_HOST (unix:// or tcp://)
 * or /var/run/docker.sock. A docker client without an engine answers false quickly.
 */
export function dockerEngineReachable(timeoutMs = 1000): Promise<boolean> {
  const host = process.env.DOCKER_HOST?.trim();
  let target: { socketPath: string } | { host: string; port: number };
  if (host?.startsWith('tcp://') || host?.startsWith('http://')) {
    const u = new URL(host.replace(/^tcp:/, 'http:'));
    target = { host: u.hostname, port: Number(u.port || 2375) };
  } else {
    const socketPath = host?.startsWith('unix://') ? host.slice('unix://'.length) : '/var/run/docker.sock';
    if (!existsSync(socketPath)) return Promise.resolve(false);
    target = { socketPath };
  }
  return new Promise((resolve) => {
    const req = request({ ...target, path: '/_ping', method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.once('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.once('error', () => resolve(false));
    req.end();
  });
}

/** A namespace unique to this test file/run: `t-<10 hex>` (no ":" so BullMQ accepts it in prefixes). */
export function testNamespace(prefix = 't'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

/** Deletes every key of a namespace (`ns:*` keys and `ns.*` names). Returns how many were deleted. */
export async function deleteNamespace(redis: Redis, ns: string): Promise<number> {
  if (!/^[A-Za-z0-9_-]+$/.test(ns)) throw new Error(`refusing to delete namespace "${ns}": not a plain name`);
  let deleted = 0;
  for (const pattern of [`${ns}:*`, `${ns}.*`]) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.unlink(...keys);
    } while (cursor !== '0');
  }
  return deleted;
}

export interface RedisFixture {
  url: string;
  source: RedisSource;
  /** This file's namespace: pass it as ARB_NAMESPACE / to redisNames(). */
  ns: string;
  /** REDIS_URL and ARB_NAMESPACE for a service process under test (spread into spawnService's env). */
  env: { REDIS_URL: string; ARB_NAMESPACE: string };
  /** A connected client for the test's own checks. */
  redis: Redis;
  /** Another client (subscribers, BullMQ workers: `{ maxRetriesPerRequest: null }`); closed by cleanup. */
  connect(options?: RedisOptions): Redis;
  /** Keys of the namespace right now. */
  keys(): Promise<string[]>;
  /** Deletes the namespace's keys and closes every client this fixture made. Idempotent. */
  cleanup(): Promise<void>;
}

/** A Redis fixture for one test file. Fails fast with a clear message when no Redis answers. */
export async function redisFixture(opts: { prefix?: string } = {}): Promise<RedisFixture> {
  const { url, source } = await resolveRedis();
  const ns = testNamespace(opts.prefix);
  const clients = new Set<Redis>();
  const connect = (options: RedisOptions = {}): Redis => {
    const client = new Redis(url, { connectionName: ns, ...options });
    client.on('error', () => {
      // Surfaced by the failing command; without a listener ioredis prints every reconnect attempt.
    });
    clients.add(client);
    return client;
  };
  const redis = connect({ maxRetriesPerRequest: 3 });
  try {
    await redis.ping();
  } catch (e) {
    redis.disconnect();
    throw new Error(`no Redis at ${url} (source: ${source}); set REDIS_URL or start redis-server`, {
      cause: e,
    });
  }
  let cleaned = false;
  return {
    url,
    source,
    ns,
    env: { REDIS_URL: url, ARB_NAMESPACE: ns },
    redis,
    connect,
    async keys() {
      const out: string[] = [];
      for (const pattern of [`${ns}:*`, `${ns}.*`]) {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
          cursor = next;
          out.push(...keys);
        } while (cursor !== '0');
      }
      return out.sort();
    },
    async cleanup() {
      if (cleaned) return;
      cleaned = true;
      try {
        await deleteNamespace(redis, ns);
      } finally {
        for (const c of clients) c.disconnect();
        clients.clear();
      }
    },
  };
}
