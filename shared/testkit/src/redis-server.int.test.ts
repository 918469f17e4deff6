import { existsSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { type RedisServer, startRedisServer } from './redis-server';

const servers: RedisServer[] = [];
const clients: Redis[] = [];

function client(server: RedisServer): Redis {
  const c = new Redis(server.url, { maxRetriesPerRequest: 1, retryStrategy: () => null, lazyConnect: true });
  c.on('error', () => undefined);
  clients.push(c);
  return c;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  for (const s of servers.splice(0)) await s.stop();
});

describe('RedisServer', () => {
  it('starts a private server on a free port in a temp dir, with noeviction', async () => {
    const s = await startRedisServer();
    servers.push(s);
    expect(s.port).toBeGreaterThan(0);
    expect(existsSync(s.dir)).toBe(true);
    const c = client(s);
    expect(await c.ping()).toBe('PONG');
    expect(await c.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
    expect(await c.config('GET', 'appendonly')).toEqual(['appendonly', 'no']);
  });

  it('keeps acknowledged writes across SIGKILL and restart with AOF (appendfsync always)', async () => {
    const s = await startRedisServer({ aof: true });
    servers.push(s);
    const c1 = client(s);
    expect(await c1.config('GET', 'appendfsync')).toEqual(['appendfsync', 'always']);
    await c1.set('hedge:1', 'open');
    await c1.xadd('stream:outcomes', '*', 'leg', 'aster', 'status', 'filled');
    await c1.incrby('counter', 41);
    await c1.incr('counter');
    const pidBefore = s.pid;
    await s.kill();
    expect(s.running).toBe(false);
    await expect(c1.ping()).rejects.toThrow();
    await s.restart();
    expect(s.pid).not.toBe(pidBefore);
    const c2 = client(s);
    expect(await c2.get('hedge:1')).toBe('open');
    expect(await c2.xlen('stream:outcomes')).toBe(1);
    expect(await c2.get('counter')).toBe('42');
  });

  it('loses everything across SIGKILL without AOF (the contrast that makes the AOF test meaningful)', async () => {
    const s = await startRedisServer();
    servers.push(s);
    const c1 = client(s);
    await c1.set('k', 'v');
    await s.kill();
    await s.restart();
    expect(await client(s).get('k')).toBeNull();
  });

  it('freeze hangs the server until thaw', async () => {
    const s = await startRedisServer();
    servers.push(s);
    const c = new Redis(s.url, { commandTimeout: 300, maxRetriesPerRequest: 0 });
    c.on('error', () => undefined);
    clients.push(c);
    await c.set('k', 'v');
    s.freeze();
    await expect(c.get('k')).rejects.toThrow(/timed out/i);
    s.thaw();
    const fresh = client(s);
    expect(await fresh.get('k')).toBe('v');
  });

  it('stop shuts down and removes the data dir', async () => {
    const s = await startRedisServer({ aof: true });
    await s.stop();
    expect(s.running).toBe(false);
    expect(existsSync(s.dir)).toBe(false);
  });

  it('fails clearly when the binary is missing', async () => {
    await expect(startRedisServer({ binary: '/nonexistent/redis-server', port: 1 })).rejects.toThrow(
      /exited during start/,
    );
  });
});
