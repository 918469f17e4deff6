import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { Redis } from 'ioredis';

/**
 * Redis for `npm start`: the configured REDIS_URL when it answers; otherwise, for a local URL and a
 * `redis-server` on PATH, one started here with AOF in a data folder (appendonly yes, noeviction), stopped
 * with the stack; otherwise a clear message on how to get one.
 */

export interface RedisProbe {
  ok: boolean;
  /** Why not, when not ok. */
  error?: string;
  /** maxmemory-policy and appendonly when CONFIG GET is allowed. */
  maxmemoryPolicy?: string;
  appendonly?: string;
}

/** PING (and CONFIG GET, best effort) with a short timeout and no retries. */
export async function probeRedis(url: string, timeoutMs = 2000): Promise<RedisProbe> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  redis.on('error', () => {
    // Reported by the failing command below.
  });
  try {
    await redis.connect();
    await redis.ping();
    const probe: RedisProbe = { ok: true };
    try {
      const policy = (await redis.config('GET', 'maxmemory-policy')) as string[];
      const aof = (await redis.config('GET', 'appendonly')) as string[];
      probe.maxmemoryPolicy = policy[1];
      probe.appendonly = aof[1];
    } catch {
      // CONFIG may be disabled (managed Redis): nothing to check.
    }
    return probe;
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  } finally {
    redis.disconnect();
  }
}

/** Warnings for a Redis that is not a durable store (BullMQ: noeviction; invariant 6: AOF). */
export function redisWarnings(p: RedisProbe): string[] {
  const out: string[] = [];
  if (p.maxmemoryPolicy !== undefined && p.maxmemoryPolicy !== 'noeviction') {
    out.push(
      `Redis maxmemory-policy is "${p.maxmemoryPolicy}": set noeviction (jobs and hedges must never be evicted)`,
    );
  }
  if (p.appendonly !== undefined && p.appendonly !== 'yes') {
    out.push(
      'Redis has appendonly no: hedges, outcomes and the ledger do not survive a Redis restart (set appendonly yes)',
    );
  }
  return out;
}

/** host:port of a redis:// URL that points at this machine, else undefined. */
export function localRedisTarget(url: string): { host: string; port: number } | undefined {
  try {
    const u = new URL(url);
    if (u.protocol !== 'redis:') return undefined;
    if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(u.hostname)) return undefined;
    if (u.password !== '' || u.username !== '') return undefined;
    return { host: u.hostname === 'localhost' ? '127.0.0.1' : u.hostname, port: Number(u.port || 6379) };
  } catch {
    return undefined;
  }
}

export function redisServerOnPath(binary = 'redis-server'): boolean {
  const r = spawnSync(binary, ['--version'], { stdio: 'ignore' });
  return r.status === 0;
}

export function howToGetRedis(url: string, reason: string): string[] {
  return [
    `No Redis answers at ${url} (${reason}).`,
    'Get one, then run npm start again:',
    '  - Debian/Ubuntu: sudo apt-get install redis-server   (then npm start starts it with AOF in ./data/redis)',
    '  - Docker:        docker run -d --name arb-redis -p 6379:6379 redis:7-alpine redis-server --appendonly yes --maxmemory-policy noeviction',
    '  - elsewhere:     set REDIS_URL=redis://host:port in .env (use appendonly yes and maxmemory-policy noeviction)',
  ];
}

export interface LocalRedis {
  url: string;
  dir: string;
  pid: number | undefined;
  /** SHUTDOWN (the AOF is fsynced), SIGKILL after a timeout. */
  stop(): Promise<void>;
}

/** Starts `redis-server` on host:port with AOF in `dir`; resolves once it answers PING. */
export async function startLocalRedis(opts: {
  host: string;
  port: number;
  dir: string;
  binary?: string;
  timeoutMs?: number;
}): Promise<LocalRedis> {
  mkdirSync(opts.dir, { recursive: true });
  const url = `redis://${opts.host}:${opts.port}`;
  const args = [
    '--port',
    String(opts.port),
    '--bind',
    opts.host,
    '--dir',
    opts.dir,
    '--daemonize',
    'no',
    '--appendonly',
    'yes',
    '--appendfsync',
    'everysec',
    '--maxmemory-policy',
    'noeviction',
    '--save',
    '',
    '--logfile',
    'redis.log',
  ];
  // Its own process group: a Ctrl-C in the terminal reaches the launcher, which stops Redis last, after
  // every service has stopped writing.
  const child: ChildProcess = spawn(opts.binary ?? 'redis-server', args, { stdio: 'ignore', detached: true });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`redis-server exited during start (see ${opts.dir}/redis.log)`);
    }
    if ((await probeRedis(url, 500)).ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not answer within ${opts.timeoutMs ?? 20_000} ms`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    dir: opts.dir,
    pid: child.pid,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const forced = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(forced);
    },
  };
}
