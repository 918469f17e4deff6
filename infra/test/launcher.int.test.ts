import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@arb/testkit/free-port';
import { REPO_ROOT, type ServiceProcess, spawnService } from '@arb/testkit/process';
import { redisFixture } from '@arb/testkit/redis';
import { waitFor } from '@arb/testkit/wait';
import { redisNames } from '@arb/bus/keys';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { freeRange } from './free-range';
import { isAlive, privatePm2Home, removePm2Home } from './pm2-home';

/**
 * The launcher (scripts/start.ts) as a real process: what it refuses before starting anything (bad
 * config, live without opt-in, unprofitable live thresholds, no Redis), the local redis-server it starts
 * with AOF when none answers, refusing a second launcher on the same PM2_HOME, and `npm start -- stop`.
 */

const run = promisify(execFile);

/** A complete live configuration with made-up keys (nothing is ever sent: these tests stop before). */
const LIVE_ENV = {
  MODE: 'live',
  LIVE_TRADING_CONFIRM: 'yes',
  ASTER_API_KEY: 'aster-api-key-0123456789abcdef',
  ASTER_API_SECRET: 'aster-secret-0123456789abcdef-very-secret',
  BACKPACK_API_KEY: 'bGl2ZS1iYWNrcGFjay1wdWJsaWMta2V5LTAxMjM0NTY=',
  BACKPACK_SECRET_KEY: 'bGl2ZS1iYWNrcGFjay1zZWNyZXQtc2VlZC05ODc2NTQ=',
  DASHBOARD_PASSWORD: 'a-chosen-dashboard-password',
};

const homes: string[] = [];
const started: ServiceProcess[] = [];
const pidsToCheck = new Set<number>();

function newHome(): string {
  const h = privatePm2Home();
  homes.push(h);
  return h;
}

function launch(env: Record<string, string>, args: string[] = []): ServiceProcess {
  const p = spawnService({ entry: 'scripts/start.ts', name: 'launcher', inheritEnv: false, env, args });
  started.push(p);
  return p;
}

function daemonPid(home: string): number | undefined {
  try {
    return Number(readFileSync(join(home, 'pm2.pid'), 'utf8')) || undefined;
  } catch {
    return undefined;
  }
}

afterAll(async () => {
  for (const p of started) if (p.exit === undefined) await p.kill();
  for (const h of homes) removePm2Home(h);
  for (const pid of pidsToCheck) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
});

describe('launcher refusals (nothing is started)', () => {
  it('lists every configuration problem and exits 1', async () => {
    const home = newHome();
    const p = launch({ PM2_HOME: home, ARB_THRESHOLD: 'abc', CLOSE_DIFF: 'oops', SIM_ASTER_PORT: '70000' });
    const exit = await p.waitForExit(60_000);
    expect(exit.code).toBe(1);
    const err = p.stderr.join('\n');
    expect(err).toContain('invalid configuration');
    expect(err).toContain('ARB_THRESHOLD');
    expect(err).toContain('CLOSE_DIFF');
    expect(err).toContain('SIM_ASTER_PORT');
    expect(daemonPid(home)).toBeUndefined();
  });

  it('refuses live mode without LIVE_TRADING_CONFIRM=yes', async () => {
    const home = newHome();
    const p = launch({ PM2_HOME: home, MODE: 'live' });
    expect((await p.waitForExit(60_000)).code).toBe(1);
    expect(p.stderr.join('\n')).toContain('LIVE_TRADING_CONFIRM');
    expect(daemonPid(home)).toBeUndefined();
  });

  it('refuses live mode when the thresholds cannot cover the fees, printing the break-even', async () => {
    const home = newHome();
    const p = launch({ PM2_HOME: home, ...LIVE_ENV });
    expect((await p.waitForExit(60_000)).code).toBe(1);
    const err = p.stderr.join('\n');
    expect(err).toContain('break-even spread');
    expect(err).toContain('ALLOW_UNPROFITABLE');
    expect(p.output()).not.toContain('very-secret');
    expect(daemonPid(home)).toBeUndefined();
  });

  it('refuses --reset in live mode (Redis is the record of real positions) and unknown options', async () => {
    const home = newHome();
    const p = launch({ PM2_HOME: home, ...LIVE_ENV, ALLOW_UNPROFITABLE: 'true' }, ['--reset']);
    expect((await p.waitForExit(60_000)).code).toBe(1);
    expect(p.stderr.join('\n')).toContain('--reset is for sim and paper mode only');
    const q = launch({ PM2_HOME: home }, ['--frobnicate']);
    expect((await q.waitForExit(60_000)).code).toBe(1);
    expect(q.stderr.join('\n')).toContain('unknown option --frobnicate');
    expect(daemonPid(home)).toBeUndefined();
  });

  it('says how to get a Redis when none answers and it cannot start one', async () => {
    const home = newHome();
    const p = launch({ PM2_HOME: home, REDIS_URL: 'redis://no-such-host.invalid:6379' });
    expect((await p.waitForExit(60_000)).code).toBe(1);
    const err = p.stderr.join('\n');
    expect(err).toContain('No Redis answers at redis://no-such-host.invalid:6379');
    expect(err).toContain('apt-get install redis-server');
    expect(daemonPid(home)).toBeUndefined();
  });
});

describe('launcher with no Redis running', () => {
  it('starts redis-server with AOF, refuses a second launcher on the same PM2_HOME, and stops everything when the npm start shim is SIGKILLed', async () => {
    const redisPort = await freePort();
    const dataDir = join(REPO_ROOT, 'data', `redis-${redisPort}`);
    const home = newHome();
    const healthBase = await freeRange(22);
    const env = {
      PM2_HOME: home,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      SIM_ASTER_PORT: String(await freePort()),
      SIM_BACKPACK_PORT: String(await freePort()),
      SIM_ADMIN_PORT: String(await freePort()),
      DASHBOARD_PORT: String(await freePort()),
      HEALTH_PORT: String(healthBase),
    };
    try {
      const a = launch(env);
      const line = await a.waitForLine(/redis-server running at .* \(pid (\d+)\)/, 60_000);
      const redisPid = Number(/\(pid (\d+)\)/.exec(line)?.[1]);
      pidsToCheck.add(redisPid);
      await a.waitForLine(/arb: stack running/, 120_000);

      const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1 });
      const [, aof] = (await redis.config('GET', 'appendonly')) as string[];
      const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as string[];
      const [, dir] = (await redis.config('GET', 'dir')) as string[];
      redis.disconnect();
      expect(aof).toBe('yes');
      expect(policy).toBe('noeviction');
      expect(dir).toBe(dataDir);

      const b = launch(env);
      expect((await b.waitForExit(60_000)).code).toBe(1);
      expect(b.stderr.join('\n')).toContain('already under PM2');
      const daemon = daemonPid(home);
      expect(daemon).toBeDefined();
      expect(isAlive(daemon!)).toBe(true);

      // The shim `npm start` runs (scripts/start.ts) dies by SIGKILL, as the tsx CLI does to a child that is
      // slow to acknowledge a Ctrl-C on a busy machine: the launcher process behind it still stops it all.
      a.signal('SIGKILL');
      await a.waitForExit(120_000); // resolves once the launcher, which shares its output pipes, is gone too
      expect(a.output()).toContain('arb: stopped');
      await waitFor(() => !isAlive(redisPid) && !isAlive(daemon!), { timeoutMs: 15_000 });
      expect(existsSync(join(dataDir, 'appendonlydir'))).toBe(true);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 300_000);
});

describe('npm start -- stop', () => {
  it('stops whatever runs under the PM2_HOME and the daemon, exit 0', async () => {
    const home = newHome();
    const p = launch({ PM2_HOME: home }, ['stop']);
    expect((await p.waitForExit(60_000)).code).toBe(0);
    expect(p.stdout.join('\n')).toContain('arb: stopped');
    const daemon = daemonPid(home);
    if (daemon !== undefined) await waitFor(() => !isAlive(daemon), { timeoutMs: 15_000 });
  });

  it('never touches another app in the same PM2_HOME (nor its daemon)', async () => {
    const home = newHome();
    const pm2 = (...args: string[]) =>
      run(process.execPath, [join(REPO_ROOT, 'node_modules', 'pm2', 'bin', 'pm2'), ...args], {
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PM2_HOME: home },
      });
    await pm2('start', process.execPath, '--name', 'someone-else', '--', '-e', 'setInterval(() => {}, 1000)');
    try {
      const p = launch({ PM2_HOME: home }, ['stop']);
      expect((await p.waitForExit(60_000)).code).toBe(0);
      expect(p.stdout.join('\n')).toContain("left running (not this stack's): someone-else");
      const { stdout } = await pm2('jlist');
      const list = JSON.parse(stdout.slice(stdout.indexOf('['))) as {
        name: string;
        pm2_env: { status: string };
      }[];
      expect(list.map((a) => [a.name, a.pm2_env.status])).toEqual([['someone-else', 'online']]);
    } finally {
      await pm2('kill').catch(() => undefined);
    }
  });
});

describe('`npm start -- --reset` in a terminal', () => {
  it('forgets a previous run, and one Ctrl-C (SIGINT to the whole process group) stops everything once', async () => {
    const fx = await redisFixture({ prefix: 't-npm' });
    const names = redisNames(fx.ns);
    const home = newHome();
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      PM2_HOME: home,
      REDIS_URL: fx.url,
      ARB_NAMESPACE: fx.ns,
      SIM_ASTER_PORT: String(await freePort()),
      SIM_BACKPACK_PORT: String(await freePort()),
      SIM_ADMIN_PORT: String(await freePort()),
      DASHBOARD_PORT: String(await freePort()),
      HEALTH_PORT: String(await freeRange(22)),
    };
    await fx.redis.set(names.activeHedgeKey('BTC'), 'hold1');
    // Its own process group, like a shell job: the terminal's Ctrl-C reaches npm, tsx and the launcher.
    const t0 = Date.now();
    const npm = spawn('npm', ['start', '--', '--reset'], { cwd: REPO_ROOT, env, detached: true });
    const lines: string[] = [];
    let partial = '';
    const take = (b: Buffer) => {
      const parts = (partial + b.toString()).split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts);
    };
    npm.stdout.on('data', take);
    npm.stderr.on('data', take);
    const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
    try {
      await waitFor(() => lines.some((l) => l.includes('arb: stack running')), {
        timeoutMs: 120_000,
        message: `stack running; output:\n${lines.slice(-20).join('\n')}`,
      });
      expect(lines.join('\n')).toMatch(/--reset: deleted \d+ keys of namespace "t-npm-/);
      expect(lines.join('\n')).not.toContain('from an earlier run');
      expect(await fx.redis.get(names.activeHedgeKey('BTC'))).toBeNull();
      const daemon = daemonPid(home);
      expect(daemon).toBeDefined();

      const readyMs = Date.now() - t0;
      const tStop = Date.now();
      process.kill(-npm.pid!, 'SIGINT');
      await exited;
      console.info(`npm start: ready ${readyMs} ms, Ctrl-C to npm exit ${Date.now() - tStop} ms`);
      await waitFor(() => lines.some((l) => l.includes('arb: stopped')), { timeoutMs: 60_000 });
      expect(lines.filter((l) => l.includes('stopping every service'))).toHaveLength(1);
      expect(lines.join('\n')).not.toContain('still stopping');
      await waitFor(() => !isAlive(daemon!), { timeoutMs: 15_000 });
      // Nothing of the process group is left.
      await waitFor(
        () => {
          try {
            process.kill(-npm.pid!, 0);
            return false;
          } catch {
            return true;
          }
        },
        { timeoutMs: 15_000, message: 'process group gone' },
      );
    } finally {
      try {
        process.kill(-npm.pid!, 'SIGKILL');
      } catch {
        // gone
      }
      await fx.cleanup();
    }
  }, 300_000);
});
