import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * This stack under PM2, through PM2's programmatic API, in its own PM2_HOME so it never touches an
 * operator's other PM2 apps. `npx pm2 ls|logs|restart <name>` work from another terminal with the same
 * PM2_HOME. The daemon is stopped on `stop()` only when this launcher spawned it.
 */

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const ECOSYSTEM_FILE = join(REPO_ROOT, 'infra', 'ecosystem.config.cjs');

export interface StackApp {
  name: string;
  script: string;
  instances?: number;
  env: Record<string, string>;
  [option: string]: unknown;
}

export interface Ecosystem {
  apps: StackApp[];
  healthBase: number;
  HEALTH_OFFSETS: Record<string, number>;
}

/** Reads infra/ecosystem.config.cjs afresh (it reads MODE, HEALTH_PORT, ORDER_WORKER_INSTANCES). */
export function loadEcosystem(): Ecosystem {
  const require = createRequire(import.meta.url);
  delete require.cache[ECOSYSTEM_FILE];
  return require(ECOSYSTEM_FILE) as Ecosystem;
}

/** Each app's health port (order workers: the first instance's; the others follow). */
export function healthPorts(eco: Ecosystem): Record<string, number> {
  const out: Record<string, number> = {};
  for (const app of eco.apps) {
    if (app.name === 'sim') continue; // the simulator serves its admin API instead
    const first = Number(app.env.HEALTH_PORT);
    const n = app.instances ?? 1;
    out[app.name] = first;
    for (let i = 1; i < n; i++) out[`${app.name}#${i}`] = first + i;
  }
  return out;
}

/**
 * Clean stop order: no new decisions first (strategy; the dashboard's controls), then market data and the
 * order workers (each finishes or hands back its in-flight leg), then risk (folds the last outcomes), then
 * the simulator the others were talking to.
 */
export const STOP_ORDER: readonly (readonly string[])[] = [
  ['strategy', 'dashboard'],
  ['feed-aster', 'feed-backpack', 'order-aster', 'order-backpack'],
  ['risk'],
  ['sim'],
];

export interface ProcessInfo {
  name: string;
  pmId: number;
  pid: number;
  status: string;
  restarts: number;
}

type Cb<T> = (err: Error | null, value: T) => void;
interface Pm2Api {
  connect(cb: (err: Error | null, meta?: { new_pm2_instance?: boolean }) => void): void;
  start(config: object, cb: Cb<unknown>): void;
  list(cb: Cb<RawProcess[]>): void;
  delete(name: string | number, cb: Cb<unknown>): void;
  killDaemon(cb: Cb<unknown>): void;
  disconnect(): void;
}
interface RawProcess {
  name?: string;
  pid?: number;
  pm_id?: number;
  pm2_env?: { status?: string; restart_time?: number };
}

function call<T>(fn: (cb: Cb<T>) => void): Promise<T> {
  return new Promise((res, rej) => fn((err, v) => (err ? rej(err) : res(v))));
}

export class Pm2Stack {
  private constructor(
    private readonly pm2: Pm2Api,
    readonly home: string,
    /** True when connecting spawned the daemon (so stopping this stack also stops it). */
    readonly spawnedDaemon: boolean,
  ) {}

  /**
   * Connects to (or spawns) the PM2 daemon of `home`. PM2 reads PM2_HOME when it is first loaded, so this
   * sets it before importing pm2; one home per process.
   */
  static async connect(home: string): Promise<Pm2Stack> {
    mkdirSync(home, { recursive: true });
    process.env.PM2_HOME = home;
    const mod = (await import('pm2')) as unknown as { default: Pm2Api };
    const pm2 = mod.default;
    const meta = await new Promise<{ new_pm2_instance?: boolean } | undefined>((res, rej) =>
      pm2.connect((err, m) => (err ? rej(err) : res(m))),
    );
    return new Pm2Stack(pm2, home, meta?.new_pm2_instance === true);
  }

  /** The daemon's pid (PM2_HOME/pm2.pid), if readable. */
  daemonPid(): number | undefined {
    try {
      const pid = Number(readFileSync(join(this.home, 'pm2.pid'), 'utf8').trim());
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  async list(): Promise<ProcessInfo[]> {
    const raw = await call<RawProcess[]>((cb) => this.pm2.list(cb));
    return raw.map((p) => ({
      name: p.name ?? '?',
      pmId: p.pm_id ?? -1,
      pid: p.pid ?? 0,
      status: p.pm2_env?.status ?? 'unknown',
      restarts: p.pm2_env?.restart_time ?? 0,
    }));
  }

  async start(apps: StackApp[]): Promise<void> {
    await call((cb) => this.pm2.start({ apps }, cb));
  }

  /**
   * Deletes (stops, then forgets) every process of these app names, in STOP_ORDER's groups (a group at a
   * time, its members together; names not listed there go last). PM2 sends SIGINT, then SIGKILL after the
   * app's kill_timeout.
   */
  async delete(names: string[]): Promise<void> {
    const present = new Set((await this.list()).map((p) => p.name));
    const wanted = names.filter((n) => present.has(n));
    const ordered = STOP_ORDER.flat();
    const groups = [
      ...STOP_ORDER.map((g) => g.filter((n) => wanted.includes(n))),
      wanted.filter((n) => !ordered.includes(n)),
    ];
    for (const group of groups) {
      await Promise.all(group.map((name) => call((cb) => this.pm2.delete(name, cb))));
    }
  }

  /**
   * Disconnects; also kills the daemon when this launcher spawned it (or `kill` is true), but never while
   * it still runs apps other than this stack's (someone else's PM2_HOME, or apps added meanwhile).
   */
  async close(kill = this.spawnedDaemon): Promise<void> {
    const others = kill ? await this.list().catch(() => []) : [];
    if (kill && others.length === 0) await call((cb) => this.pm2.killDaemon(cb)).catch(() => undefined);
    this.pm2.disconnect();
  }
}
