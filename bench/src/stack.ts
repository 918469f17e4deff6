import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisNames, type RedisNames } from '@arb/bus/keys';
import { parseScenario } from '@arb/sim/market/scenario';
import { type RunningSim, startSim } from '@arb/sim/start-sim';
import { type ServiceProcess, spawnService } from '@arb/testkit/process';
import { waitFor } from '@arb/testkit/wait';
import { Redis } from 'ioredis';

/**
 * The product's pipeline as REAL service processes (both feeds, strategy, both order workers, risk) on a
 * private namespace, against the simulator run IN this process: the bench then sees, on one clock, when
 * a tick leaves the simulator (its book listener, right after the WS front-end sent the frame) and when
 * an order request arrives at it (node's http.server.request.start diagnostics channel).
 */

export const SERVICES = {
  'feed-aster': 'services/feed-aster/src/main.ts',
  'feed-backpack': 'services/feed-backpack/src/main.ts',
  strategy: 'services/strategy/src/main.ts',
  'order-aster': 'services/order-aster/src/main.ts',
  'order-backpack': 'services/order-backpack/src/main.ts',
  risk: 'services/risk/src/main.ts',
} as const;
export type ServiceName = keyof typeof SERVICES;
export const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[];

export interface StackOptions {
  redisUrl: string;
  ns: string;
  /** Book re-publishes per second per venue (the pacing): 1000 = 1 tick/ms, 100 = 1 tick/10 ms. */
  updatesPerSecond: number;
  /** The market moves (random walk) instead of being paused. */
  live?: boolean;
  env?: Record<string, string>;
  log?: (s: string) => void;
  /** Services run with --cpu-prof, profiles written to `profileDir` when they stop. */
  profile?: readonly ServiceName[];
  profileDir?: string;
  /** Keep the services' output files here (default: a temporary directory removed at stop). */
  logDir?: string;
}

const READY = /"msg":"ready"/;

export function benchScenario(updatesPerSecond: number) {
  const venue = (basisUsd: number) => ({
    basisUsd,
    basisNoiseUsd: 0.5,
    spreadTicks: [1, 3] as [number, number],
    topSize: [0.3, 0.8] as [number, number],
    updatesPerSecond,
  });
  return parseScenario({
    name: `bench-${updatesPerSecond}`,
    description: 'Calm market; dislocations come only from the bench.',
    seed: 7,
    startPrice: 100000,
    volatilityUsd: 1,
    basisReversionPerSec: 0.5,
    tickMs: 1,
    startingBalance: 1_000_000,
    defaultLeverage: 20,
    venues: { aster: venue(0), backpack: venue(1) },
    dislocations: { at: [] },
    faults: [],
  });
}

export class BenchStack {
  readonly names: RedisNames;
  readonly procs = new Map<ServiceName, ServiceProcess>();
  private stepper: NodeJS.Timeout | undefined;
  private profile = new Set<ServiceName>();
  private profileDir = '.';
  /**
   * Service output goes to files here, not pipes: a pipe would wake this process (the simulator) for every
   * log line a service writes, and the simulator's loop is where the order requests are timed.
   */
  private logDir = '';
  private readonly healthUrls = new WeakMap<ServiceProcess, string>();
  private removeLogs = true;

  private constructor(
    readonly sim: RunningSim,
    readonly redis: Redis,
    readonly env: Record<string, string>,
    ns: string,
  ) {
    this.names = redisNames(ns);
  }

  static async start(o: StackOptions): Promise<BenchStack> {
    const sim = await startSim({
      host: '127.0.0.1',
      asterPort: 0,
      backpackPort: 0,
      adminPort: 0,
      scenario: benchScenario(o.updatesPerSecond),
    });
    if (!o.live) sim.core.market.setPaused(true);
    const port = (url: string) => new URL(url).port;
    const env: Record<string, string> = {
      REDIS_URL: o.redisUrl,
      ARB_NAMESPACE: o.ns,
      MODE: 'sim',
      LOG_LEVEL: 'info',
      PAIR: 'BTC',
      SIM_HOST: '127.0.0.1',
      SIM_ASTER_PORT: port(sim.aster.restUrl),
      SIM_BACKPACK_PORT: port(sim.backpack.restUrl),
      SIM_ADMIN_PORT: port(sim.adminUrl),
      HEALTH_PORT: '0',
      // A loaded 2-core machine: keep the checks, loosen the clock.
      PRICE_VALIDITY_MS: '3000',
      MAX_QUOTE_SKEW_MS: '3000',
      MIN_TRADE_INTERVAL: '20',
      ARB_THRESHOLD: '120',
      CLOSE_DIFF: '80',
      TRADE_AMOUNT: '0.02',
      STATUS_INTERVAL_MS: '3000',
      ...o.env,
    };
    const stack = new BenchStack(sim, new Redis(o.redisUrl, { maxRetriesPerRequest: null }), env, o.ns);
    stack.profile = new Set(o.profile ?? []);
    stack.profileDir = o.profileDir ?? '.';
    if (o.logDir) {
      mkdirSync(o.logDir, { recursive: true });
      stack.logDir = o.logDir;
      stack.removeLogs = false;
    } else stack.logDir = mkdtempSync(join(tmpdir(), 'arb-bench-logs-'));
    // The simulator's own driver steps the market every 10 ms; step it every ms so ticks leave at the pacing.
    stack.stepper = setInterval(() => sim.core.market.advanceTo(sim.core.clock.now()), 1);
    try {
      // One at a time: a cold start compiles TypeScript, and parallel starts starve a 2-core machine.
      for (const s of [
        'order-aster',
        'order-backpack',
        'feed-aster',
        'feed-backpack',
        'risk',
        'strategy',
      ] as const) {
        await stack.spawn(s);
      }
      o.log?.('stack ready; waiting for reconciliation');
      await waitFor(async () => (await stack.redis.hget(stack.names.controlKey, 'reconciled')) === '1', {
        timeoutMs: 120_000,
        message: 'reconciled flag',
      });
    } catch (err) {
      await stack.stop();
      throw err;
    }
    return stack;
  }

  async spawn(service: ServiceName): Promise<ServiceProcess> {
    const p = spawnService({
      entry: SERVICES[service],
      name: service,
      env: this.env,
      outputFile: join(this.logDir, `${service}.log`),
      ...(this.profile.has(service)
        ? {
            // One directory per service: tsx runs its loader in a worker thread, which writes a profile
            // of its own; the main thread's is the largest file (run.ts picks it).
            nodeArgs: ['--cpu-prof', '--cpu-prof-dir', join(this.profileDir, service)],
          }
        : {}),
    });
    this.procs.set(service, p);
    await p.waitForLine(READY, 120_000);
    return p;
  }

  /** The service's health and metrics server (from its 'ready' log line, read once per process). */
  healthUrl(service: ServiceName): string {
    const p = this.procs.get(service);
    let url = p && this.healthUrls.get(p);
    if (url === undefined) {
      const ready = p?.jsonLines().find((l) => l.msg === 'ready');
      if (!p || typeof ready?.healthUrl !== 'string') throw new Error(`no health URL for ${service}`);
      url = ready.healthUrl;
      this.healthUrls.set(p, url);
    }
    return url;
  }

  pid(service: ServiceName): number {
    const pid = this.procs.get(service)?.pid;
    if (pid === undefined) throw new Error(`no process ${service}`);
    return pid;
  }

  async activeHedge(): Promise<string | null> {
    return this.redis.get(this.names.activeHedgeKey('BTC'));
  }

  async stop(): Promise<void> {
    if (this.stepper) clearInterval(this.stepper);
    await Promise.all([...this.procs.values()].map((p) => p.stop()));
    this.procs.clear();
    await this.sim.close();
    this.redis.disconnect();
    if (this.removeLogs) rmSync(this.logDir, { recursive: true, force: true });
  }
}
