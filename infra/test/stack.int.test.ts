import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { redisNames } from '@arb/bus/keys';
import { type LedgerEntry, LedgerEntrySchema } from '@arb/bus/ledger-entry';
import { readRange } from '@arb/bus/stream';
import { SimAdminClient } from '@arb/sim/admin/client';
import { freePort } from '@arb/testkit/free-port';
import { REPO_ROOT, type ServiceProcess, spawnService } from '@arb/testkit/process';
import { type RedisFixture, redisFixture } from '@arb/testkit/redis';
import { waitFor } from '@arb/testkit/wait';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeRange } from './free-range';
import { isAlive, privatePm2Home, removePm2Home } from './pm2-home';

/**
 * The stack as the README starts it (`npm start` = scripts/start.ts), as real processes: the launcher with
 * a private namespace, ports and PM2_HOME on the shared test Redis; the default sim scenario. Checks: a
 * hedge opens and closes in the ledger; `pm2 restart strategy` leaves every other process (same pid)
 * running; a SIGKILLed service is restarted by PM2; trading resumes; SIGINT to the launcher stops
 * everything and leaves no process behind.
 */

const run = promisify(execFile);
const PM2_BIN = join(REPO_ROOT, 'node_modules', 'pm2', 'bin', 'pm2');
const SERVICES = [
  'sim',
  'feed-aster',
  'feed-backpack',
  'strategy',
  'order-aster',
  'order-backpack',
  'risk',
  'dashboard',
];

interface Pm2Row {
  name: string;
  pid: number;
  status: string;
  restarts: number;
}

let fx: RedisFixture;
let pm2Home: string;
let launcher: ServiceProcess | undefined;
let admin: SimAdminClient;
let env: Record<string, string>;

async function pm2(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [PM2_BIN, ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PM2_HOME: pm2Home },
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

async function pm2List(): Promise<Pm2Row[]> {
  const out = await pm2('jlist');
  const json = out.slice(out.indexOf('['));
  type Raw = { name: string; pid: number; pm2_env: { status: string; restart_time?: number } };
  return (JSON.parse(json) as Raw[]).map((p) => ({
    name: p.name,
    pid: p.pid,
    status: p.pm2_env.status,
    restarts: p.pm2_env.restart_time ?? 0,
  }));
}

async function ledger(): Promise<LedgerEntry[]> {
  const { entries } = await readRange(fx.redis, redisNames(fx.ns).ledgerStream, LedgerEntrySchema);
  return entries.map((e) => e.message);
}

const opened = (l: LedgerEntry[]) => l.filter((e) => e.kind === 'hedge_opened').map((e) => e.hedgeId);
const closed = (l: LedgerEntry[]) => l.filter((e) => e.kind === 'hedge_closed').map((e) => e.hedgeId);

async function activeHedge(): Promise<string | null> {
  return fx.redis.get(redisNames(fx.ns).activeHedgeKey('BTC'));
}

beforeAll(async () => {
  fx = await redisFixture({ prefix: 't-stack' });
  pm2Home = privatePm2Home();
  const [asterPort, backpackPort, adminPort, dashboardPort, healthBase] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freeRange(22),
  ];
  env = {
    REDIS_URL: fx.url,
    ARB_NAMESPACE: fx.ns,
    PM2_HOME: pm2Home,
    SIM_ASTER_PORT: String(asterPort),
    SIM_BACKPACK_PORT: String(backpackPort),
    SIM_ADMIN_PORT: String(adminPort),
    DASHBOARD_PORT: String(dashboardPort),
    HEALTH_PORT: String(healthBase),
    LOG_LEVEL: 'info',
  };
  admin = new SimAdminClient(`http://127.0.0.1:${adminPort}`);
});

/** On a failure, the tail of every service's PM2 log goes to the test output (the PM2 home is removed). */
function printPm2Logs(): void {
  const dir = join(pm2Home, 'logs');
  if (!existsSync(dir)) return;
  for (const file of readdirSync(dir).sort()) {
    const lines = readFileSync(join(dir, file), 'utf8').trimEnd().split('\n').slice(-40);
    console.error(`--- ${file} (last ${lines.length} lines)\n${lines.join('\n')}`);
  }
}

/**
 * Services whose process changed between two listings, each with PM2's restart count and its last
 * warn-or-worse log lines: CI keeps only the tail of the output, so the reason a process went away has to
 * be in the assertion's own message.
 */
function restartsBetween(before: Pm2Row[], now: Pm2Row[]): string[] {
  return before.flatMap((b) => {
    const n = now.find((r) => r.name === b.name);
    if (n?.pid === b.pid) return [];
    const why = ['out', 'error']
      .map((kind) => join(pm2Home, 'logs', `${b.name}-${kind}.log`))
      .filter((f) => existsSync(f))
      .flatMap((f) => readFileSync(f, 'utf8').split('\n'))
      .filter((l) => /"level":(40|50|60)|Error|error:/.test(l))
      .slice(-8)
      .map((l) => l.slice(0, 400));
    return [
      `${b.name}: pid ${b.pid} -> ${n?.pid}, restarts ${n?.restarts}; last warnings:\n  ${why.join('\n  ')}`,
    ];
  });
}

let failed = false;

afterAll(async () => {
  if (failed) printPm2Logs();
  if (launcher?.exit === undefined) await launcher?.kill();
  // Safety net for a failed run: nothing of this stack may outlive the test (daemon, services, launcher).
  removePm2Home(pm2Home);
  await fx?.cleanup();
});

describe('npm start (scripts/start.ts): the stack under PM2', () => {
  it('trades in sim mode, survives `pm2 restart strategy` and a crashed feed, and stops everything on SIGINT', async ({
    onTestFailed,
  }) => {
    onTestFailed(() => {
      failed = true;
    });
    const t0 = Date.now();
    launcher = spawnService({ entry: 'scripts/start.ts', name: 'launcher', inheritEnv: false, env });
    await launcher.waitForLine(/arb: stack running/, 120_000);
    const readyMs = Date.now() - t0;
    expect(launcher.output()).toMatch(/password \S+ \(generated for this run\)/);
    expect(launcher.output()).toContain(`PM2_HOME=${pm2Home} npx pm2 restart strategy`);

    const before = await pm2List();
    expect(before.map((p) => p.name).sort()).toEqual([...SERVICES].sort());
    expect(before.every((p) => p.status === 'online' && p.pid > 0)).toBe(true);
    const daemonPid = Number(readFileSync(join(pm2Home, 'pm2.pid'), 'utf8'));

    // 1. A hedge opens and closes in the ledger: the default scenario dislocates at 15 s and every 40 s;
    //    when the stack came up too late for the first one, the admin API forces one (same path).
    let forced = false;
    try {
      await waitFor(async () => opened(await ledger()).length > 0, { timeoutMs: 45_000, intervalMs: 250 });
    } catch {
      forced = true;
      await waitFor(async () => (await activeHedge()) === null, { timeoutMs: 30_000, intervalMs: 250 });
      await admin.dislocation({ direction: 'buy_aster_sell_backpack', sizeUsd: 200, durationMs: 4000 });
    }
    const first = await waitFor(
      async () => {
        const l = await ledger();
        return opened(l).find((id) => closed(l).includes(id));
      },
      { timeoutMs: 60_000, intervalMs: 250, message: 'a hedge opened and closed in the ledger' },
    );
    const firstHedgeMs = Date.now() - t0;

    // 2. Restart one service alone under the supervisor.
    const others = before.filter((p) => p.name !== 'strategy');
    const oldStrategy = before.find((p) => p.name === 'strategy')!;
    await pm2('restart', 'strategy');
    const after = await waitFor(
      async () => {
        const rows = await pm2List();
        const s = rows.find((p) => p.name === 'strategy');
        return s && s.status === 'online' && s.pid !== oldStrategy.pid ? rows : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, message: 'strategy back online with a new pid' },
    );
    expect(restartsBetween(others, after), 'every other service kept its process').toEqual([]);

    // 3. A crashed service (SIGKILL) is restarted by PM2 on its own.
    const oldFeed = after.find((p) => p.name === 'feed-aster')!;
    process.kill(oldFeed.pid, 'SIGKILL');
    await waitFor(
      async () => {
        const s = (await pm2List()).find((p) => p.name === 'feed-aster');
        return s && s.status === 'online' && s.pid !== oldFeed.pid;
      },
      { timeoutMs: 60_000, intervalMs: 250, message: 'feed-aster restarted by PM2 after SIGKILL' },
    );
    const untouched = others.filter((p) => p.name !== 'feed-aster');

    // 4. Trading resumes: the next dislocation opens a new hedge.
    await waitFor(async () => (await activeHedge()) === null, { timeoutMs: 60_000, intervalMs: 250 });
    const known = new Set(opened(await ledger()));
    const tResume = Date.now();
    await admin.dislocation({ direction: 'buy_backpack_sell_aster', sizeUsd: 200, durationMs: 4000 });
    const second = await waitFor(async () => opened(await ledger()).find((id) => !known.has(id)), {
      timeoutMs: 60_000,
      intervalMs: 250,
      message: 'a new hedge after the restart',
    });
    expect(second).not.toBe(first);
    const resumeMs = Date.now() - tResume;
    const still = await pm2List();
    expect(restartsBetween(untouched, still), 'the untouched services are still the same processes').toEqual(
      [],
    );

    // 5. Ctrl-C: everything stops, the launcher exits 0, no process is left behind.
    const pids = [...new Set([...before, ...still].map((p) => p.pid)), daemonPid];
    const tStop = Date.now();
    launcher.signal('SIGINT');
    const exit = await launcher.waitForExit(120_000);
    const stopMs = Date.now() - tStop;
    expect(exit.code).toBe(0);
    expect(launcher.output()).toContain('arb: stopped');
    await waitFor(() => pids.every((pid) => !isAlive(pid)), {
      timeoutMs: 15_000,
      message: `no process left among ${pids.join(', ')}`,
    });
    console.info(
      `stack: ready ${readyMs} ms, first hedge closed ${firstHedgeMs} ms after launch ` +
        `(${forced ? 'forced dislocation' : 'default scenario'}), hedge ${resumeMs} ms after a dislocation ` +
        `following the restarts, stop ${stopMs} ms`,
    );
  }, 400_000);
});
