// The launcher behind `npm start` (scripts/start.ts runs it as its own process; it also runs directly:
// `node --import tsx scripts/launcher.ts`): the whole product on one machine, every service under PM2
// (infra/ecosystem.config.cjs).
// `npm start -- stop` stops a stack left running (e.g. after the launcher itself was killed).
// `npm start -- --reset` (sim/paper only) first forgets the earlier run's hedges, ledger and queues.
// Steps: config (exit 1 listing every problem) -> economics check (break-even; live refuses unless allowed)
// -> Redis (REDIS_URL, or a local redis-server started with AOF in ./data/redis) -> PM2 in its own
// PM2_HOME -> wait for /healthz -> where to look -> status line every STATUS_INTERVAL_MS -> Ctrl-C/SIGTERM
// stops every service, then the PM2 daemon (and the Redis it started), and exits 0.
import { join } from 'node:path';
import { redisNames } from '@arb/bus/keys';
import { type AppConfig, ConfigError, loadConfig } from '@arb/config/config';
import { assertEconomics, checkEconomics } from '@arb/config/economics-check';
import { tradePlan, whereToLook } from '@arb/infra/launcher/launch-report';
import {
  howToGetRedis,
  type LocalRedis,
  localRedisTarget,
  probeRedis,
  redisServerOnPath,
  redisWarnings,
  startLocalRedis,
} from '@arb/infra/launcher/local-redis';
import {
  type Ecosystem,
  healthPorts,
  loadEcosystem,
  Pm2Stack,
  REPO_ROOT,
  type StackApp,
} from '@arb/infra/launcher/pm2-stack';
import { leftoverHedge, resetNamespace } from '@arb/infra/launcher/previous-run';
import { waitForHealth } from '@arb/infra/launcher/service-health';
import { renderLauncherStatus } from '@arb/infra/launcher/status-line';
import { Redis } from 'ioredis';

// Started by scripts/start.ts with an IPC channel: if that shim dies (SIGKILLed by the tsx CLI on a busy
// machine, or by anyone), stop as on SIGTERM rather than leave the stack unattended.
process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));

const say = (line = '') => console.log(line);
const warn = (line: string) => console.error(`warning: ${line}`);

function fail(lines: string[]): never {
  for (const l of lines) console.error(l);
  process.exit(1);
}

/** PM2 settings are the launcher's own (not product config): PM2_HOME defaults to ./data/pm2. */
// biome-ignore lint/suspicious/noUndeclaredEnvVars: PM2's own setting, not product config (no task output depends on it)
const pm2Home = process.env.PM2_HOME?.trim() || join(REPO_ROOT, 'data', 'pm2');
const args = process.argv.slice(2);
const command = args.find((a) => !a.startsWith('--')) ?? 'start';
const unknownFlags = args.filter((a) => a.startsWith('--') && a !== '--reset');
const USAGE = 'usage: npm start [-- --reset] | npm start -- stop';

if (unknownFlags.length > 0) fail([`${USAGE}   (unknown option ${unknownFlags.join(', ')})`]);
if (command === 'stop') await stopLeftover();
else if (command === 'start') await start(args.includes('--reset'));
else fail([`${USAGE}   (unknown command "${command}")`]);

/** Stops this stack's apps (by name) under PM2_HOME, then the daemon unless it runs other apps. */
async function stopLeftover(): Promise<void> {
  const ours = new Set(Object.keys(loadEcosystem().HEALTH_OFFSETS));
  const stack = await Pm2Stack.connect(pm2Home);
  const listed = await stack.list();
  const names = [...new Set(listed.map((p) => p.name).filter((n) => ours.has(n)))];
  const foreign = [...new Set(listed.map((p) => p.name).filter((n) => !ours.has(n)))];
  say(`arb: stopping ${names.length > 0 ? names.join(', ') : 'nothing'} (PM2_HOME=${pm2Home})`);
  await stack.delete(names);
  if (foreign.length > 0) say(`arb: left running (not this stack's): ${foreign.join(', ')}; PM2 daemon kept`);
  await stack.close(true);
  say('arb: stopped');
  process.exit(0);
}

function readConfig(): AppConfig {
  try {
    return loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      fail([`arb: ${e.message}`, 'Fix the environment or .env (README "Configuration", .env.example).']);
    }
    throw e;
  }
}

async function start(reset: boolean): Promise<void> {
  const config = readConfig();
  if (reset && config.mode === 'live') {
    fail(['arb: --reset is for sim and paper mode only: in live mode Redis is the record of real positions']);
  }
  const economics = checkEconomics(config);
  try {
    assertEconomics(economics);
  } catch (e) {
    if (e instanceof ConfigError) fail([`arb: ${e.message}`]);
    throw e;
  }

  say(`arb: starting in ${config.mode} mode`);
  for (const line of tradePlan(config, economics)) say(`  ${line}`);
  if (economics.verdict === 'warn') warn(economics.message);
  if (config.mode === 'live') {
    say('arb: LIVE trading with real orders in 5 s; Ctrl-C now to abort.');
    const aborted = await new Promise<boolean>((res) => {
      const t = setTimeout(() => res(false), 5000);
      process.once('SIGINT', () => {
        clearTimeout(t);
        res(true);
      });
    });
    if (aborted) fail(['arb: aborted, nothing started']);
  }

  // Redis: the configured one, or a local redis-server with AOF when none answers.
  let localRedis: LocalRedis | undefined;
  const probe = await probeRedis(config.redis.url);
  if (!probe.ok) {
    const target = localRedisTarget(config.redis.url);
    if (target === undefined || !redisServerOnPath()) {
      fail(howToGetRedis(config.redis.url, probe.error ?? 'no answer'));
    }
    // One data folder per port, so two local stacks never share an AOF.
    const dir = join(REPO_ROOT, 'data', target.port === 6379 ? 'redis' : `redis-${target.port}`);
    say(`arb: no Redis at ${config.redis.url}; starting redis-server (AOF in ${dir})`);
    try {
      localRedis = await startLocalRedis({ ...target, dir });
      say(`arb: redis-server running at ${localRedis.url} (pid ${localRedis.pid}); it stops with the stack`);
    } catch (e) {
      fail([
        `arb: ${e instanceof Error ? e.message : String(e)}`,
        ...howToGetRedis(config.redis.url, 'start failed'),
      ]);
    }
  } else {
    for (const w of redisWarnings(probe)) warn(w);
  }

  // The ecosystem file reads MODE and HEALTH_PORT from the environment: give it what config resolved
  // (.env included). PM2 passes the launcher's environment on to every service.
  process.env.MODE = config.mode;
  if (config.health.port !== 0) process.env.HEALTH_PORT = String(config.health.port);
  let eco: Ecosystem;
  try {
    eco = loadEcosystem();
  } catch (e) {
    await localRedis?.stop();
    fail([`arb: infra/ecosystem.config.cjs: ${e instanceof Error ? e.message : String(e)}`]);
  }
  const apps: StackApp[] = eco.apps.map((app) =>
    app.name === 'dashboard'
      ? { ...app, env: { ...app.env, DASHBOARD_PASSWORD: config.dashboard.password } }
      : app,
  );
  const appNames = apps.map((a) => a.name);

  const stack = await Pm2Stack.connect(pm2Home);
  const already = (await stack.list()).filter((p) => appNames.includes(p.name));
  if (already.length > 0) {
    await stack.close(false);
    await localRedis?.stop();
    fail([
      `arb: this stack is already under PM2 (PM2_HOME=${pm2Home}): ${already.map((p) => `${p.name} ${p.status}`).join(', ')}`,
      `  see it:  PM2_HOME=${pm2Home} npx pm2 ls`,
      '  stop it: npm start -- stop',
    ]);
  }

  const redis = new Redis(config.redis.url, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => {
    // The status line reports Redis trouble; ioredis reconnects by itself.
  });
  const names = redisNames(config.redis.namespace);
  await redis.connect().catch(() => undefined);
  try {
    if (reset) {
      const n = await resetNamespace(redis, config.redis.namespace);
      say(`arb: --reset: deleted ${n} keys of namespace "${config.redis.namespace}" (earlier run forgotten)`);
    } else if (config.mode !== 'live') {
      const leftover = await leftoverHedge(redis, names, config.pair);
      if (leftover !== null) {
        warn(
          `namespace "${config.redis.namespace}" holds hedge ${leftover} from an earlier run, but the simulator ` +
            'starts with empty accounts: risk will report drift and that hedge cannot close. Start clean with ' +
            "`npm start -- --reset` (deletes this namespace's keys) or another ARB_NAMESPACE.",
        );
      }
    }
  } catch (e) {
    redis.disconnect();
    await stack.close();
    await localRedis?.stop();
    fail([`arb: Redis at ${config.redis.url} failed: ${e instanceof Error ? e.message : String(e)}`]);
  }
  let statusTimer: NodeJS.Timeout | undefined;
  let stopping = false;

  const shutdown = async (why: string, code: number) => {
    if (stopping) return;
    stopping = true;
    if (statusTimer) clearInterval(statusTimer);
    say(`arb: ${why}: stopping every service (PM2 sends SIGINT; in-flight orders finish first)`);
    try {
      await stack.delete(appNames);
    } catch (e) {
      warn(`pm2 delete failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    await stack.close();
    redis.disconnect();
    if (localRedis) {
      say('arb: stopping the local redis-server');
      await localRedis.stop();
    }
    say('arb: stopped');
    process.exit(code);
  };
  // Under `npm start` one Ctrl-C arrives several times (the terminal signals the whole process group and
  // npm/tsx relay it): copies within a second count as one.
  let signals = 0;
  let lastSignalAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    const now = Date.now();
    const duplicate = now - lastSignalAt < 1000;
    lastSignalAt = now;
    if (duplicate) return;
    signals++;
    if (signals === 1) void shutdown(signal, 0);
    else if (signals === 2) say('arb: still stopping (services get up to 45 s); Ctrl-C again to force');
    else forceKill(stack, appNames);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A launcher bug must not leave the stack running unattended: stop it and exit non-zero.
  const onFatal = (err: unknown) => {
    console.error(`arb: launcher error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    void shutdown('launcher error', 1);
  };
  process.on('uncaughtException', onFatal);
  process.on('unhandledRejection', onFatal);

  say(`arb: starting ${apps.length} services under PM2 (PM2_HOME=${pm2Home})`);
  try {
    await stack.start(apps);
  } catch (e) {
    warn(`pm2 start failed: ${e instanceof Error ? e.message : String(e)}`);
    await shutdown('start failed', 1);
    return;
  }

  const ports = healthPorts(eco);
  say(`arb: waiting for ${Object.keys(ports).length} health endpoints (GET /healthz, up to 90 s)`);
  const health = await waitForHealth(config.health.host, ports, {
    timeoutMs: 90_000,
    isStopping: () => stopping,
  });
  if (stopping) return;
  for (const [name, h] of Object.entries(health)) {
    if (!h.ok) warn(`${name} is not healthy yet: ${h.reason}`);
  }
  say('');
  for (const line of whereToLook({
    config,
    pm2Home,
    healthBase: eco.healthBase,
    healthPorts: ports,
    redisUrl: config.redis.url,
    ...(localRedis ? { redisDataDir: localRedis.dir } : {}),
  })) {
    say(`  ${line}`);
  }
  say('');
  const running = (await stack.list()).filter((p) => appNames.includes(p.name));
  say(
    `arb: stack running (${running.filter((p) => p.status === 'online').length}/${running.length} processes online); Ctrl-C to stop`,
  );

  const tick = async () => {
    if (stopping) return;
    let line: string;
    try {
      line = await renderLauncherStatus(redis, names, config);
    } catch (e) {
      line = `status unavailable: ${e instanceof Error ? e.message : String(e)}`;
    }
    try {
      const down = (await stack.list()).filter((p) => appNames.includes(p.name) && p.status !== 'online');
      if (down.length > 0) {
        line += ` | DOWN: ${down.map((p) => `${p.name} ${p.status} (${p.restarts} restarts)`).join(', ')}`;
      }
    } catch {
      line += ' | pm2 unreachable';
    }
    if (!stopping) say(line);
  };
  statusTimer = setInterval(() => void tick(), config.statusIntervalMs);
  void tick();
}

/** Third Ctrl-C: SIGKILL every process of the stack (and the daemon, when this launcher spawned it), exit 1. */
function forceKill(stack: Pm2Stack, appNames: string[]): void {
  say('arb: forcing: SIGKILL to every service of the stack');
  void stack
    .list()
    .then((ps) => {
      for (const p of ps) if (appNames.includes(p.name) && p.pid > 0) safeKill(p.pid);
    })
    .finally(() => {
      const daemon = stack.daemonPid();
      if (stack.spawnedDaemon && daemon !== undefined) safeKill(daemon);
      process.exit(1);
    });
}

function safeKill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
