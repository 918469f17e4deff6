import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { type ControlCommandKind, ControlCommandSchema } from '@arb/bus/control-command';
import { type ControlFlags, readControlFlags } from '@arb/bus/control-flags';
import { type HedgeRecord, listHedgeIds, readHedge } from '@arb/bus/hedge-store';
import { type RedisNames, redisNames } from '@arb/bus/keys';
import { type LedgerEntry, LedgerEntrySchema } from '@arb/bus/ledger-entry';
import { appendMessage, readRange } from '@arb/bus/stream';
import { SIM_CREDENTIALS } from '@arb/config/sim-credentials';
import { SimAdminClient } from '@arb/sim/admin/client';
import { freePort } from '@arb/testkit/free-port';
import { REPO_ROOT, type ServiceProcess, spawnService } from '@arb/testkit/process';
import { deleteNamespace, type RedisFixture, redisFixture, testNamespace } from '@arb/testkit/redis';
import { Redis } from 'ioredis';
import { waitFor } from '@arb/testkit/wait';

/**
 * The whole pipeline as REAL processes on one private namespace: the simulator (quiet scenario, market
 * paused, so dislocations come only from the admin API), both feeds, the strategy, both order workers and
 * risk. Every process's output is kept for the secret scan at the end.
 */
export const SERVICES = {
  sim: 'services/sim/src/main.ts',
  'feed-aster': 'services/feed-aster/src/main.ts',
  'feed-backpack': 'services/feed-backpack/src/main.ts',
  strategy: 'services/strategy/src/main.ts',
  'order-aster': 'services/order-aster/src/main.ts',
  'order-backpack': 'services/order-backpack/src/main.ts',
  risk: 'services/risk/src/main.ts',
} as const;
export type ServiceName = keyof typeof SERVICES;

export const QUIET_SCENARIO = resolve(REPO_ROOT, 'e2e/scenarios/quiet.json');

/** Values that must never appear in any process's output (the sim account's private keys). */
export const SECRET_VALUES: Record<string, string> = {
  asterHmacSecret: SIM_CREDENTIALS.asterHmac.secret,
  asterV3SignerPrivateKey: SIM_CREDENTIALS.asterV3.signerPrivateKey,
  asterV3SignerPrivateKeyBare: SIM_CREDENTIALS.asterV3.signerPrivateKey.slice(2),
  backpackSecret: SIM_CREDENTIALS.backpack.secret,
};

const READY = /"msg":"ready"/;

export interface StackOptions {
  /** A Redis of the test's own (e.g. a private redis-server with AOF); default the test run's Redis. */
  redisUrl?: string;
  /** Env for every service (after the defaults). */
  env?: Record<string, string>;
  /** Env per service (after `env`). */
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
}

export class Stack {
  readonly fx: RedisFixture;
  readonly names: RedisNames;
  readonly admin: SimAdminClient;
  readonly env: Record<string, string>;
  /** Running processes by label ('strategy', 'strategy-2'...). */
  readonly procs = new Map<string, ServiceProcess>();
  /** Every process ever started, for the secret scan. */
  readonly all: ServiceProcess[] = [];
  private readonly serviceEnv: StackOptions['serviceEnv'];

  private constructor(fx: RedisFixture, env: Record<string, string>, opts: StackOptions) {
    this.fx = fx;
    this.names = redisNames(fx.ns);
    this.env = env;
    this.serviceEnv = opts.serviceEnv;
    this.admin = new SimAdminClient(`http://127.0.0.1:${env.SIM_ADMIN_PORT}`);
  }

  static async start(opts: StackOptions = {}): Promise<Stack> {
    const fx = opts.redisUrl ? await urlFixture(opts.redisUrl) : await redisFixture({ prefix: 'e2e' });
    const [asterPort, backpackPort, adminPort] = [await freePort(), await freePort(), await freePort()];
    const env: Record<string, string> = {
      ...fx.env,
      MODE: 'sim',
      LOG_LEVEL: 'info',
      PAIR: 'BTC',
      SIM_HOST: '127.0.0.1',
      SIM_ASTER_PORT: String(asterPort),
      SIM_BACKPACK_PORT: String(backpackPort),
      SIM_ADMIN_PORT: String(adminPort),
      SIM_SCENARIO: QUIET_SCENARIO,
      HEALTH_PORT: '0',
      // A busy 2-core machine: quotes may reach the strategy a little late; keep the checks, loosen the clock.
      PRICE_VALIDITY_MS: '3000',
      MAX_QUOTE_SKEW_MS: '3000',
      RECONCILE_INTERVAL_MS: '1000',
      ARB_THRESHOLD: '120',
      CLOSE_DIFF: '80',
      TRADE_AMOUNT: '0.02',
      STATUS_INTERVAL_MS: '500',
      ...opts.env,
    };
    const stack = new Stack(fx, env, opts);
    try {
      await stack.spawn('sim');
      await stack.admin.setPaused(true);
      await Promise.all(
        (['order-aster', 'order-backpack', 'feed-aster', 'feed-backpack', 'risk'] as const).map((s) =>
          stack.spawn(s),
        ),
      );
      await stack.spawn('strategy');
      await stack.waitReconciled();
    } catch (err) {
      await stack.stop();
      throw err;
    }
    return stack;
  }

  /** Starts a service process (label defaults to its name) and waits for its "ready" line. */
  async spawn(
    service: ServiceName,
    label: string = service,
    env: Record<string, string> = {},
  ): Promise<ServiceProcess> {
    const p = spawnService({
      entry: SERVICES[service],
      name: label,
      env: { ...this.env, ...this.serviceEnv?.[service], ...env },
    });
    this.procs.set(label, p);
    this.all.push(p);
    await p.waitForLine(READY, 120_000);
    return p;
  }

  proc(label: string): ServiceProcess {
    const p = this.procs.get(label);
    if (!p) throw new Error(`no process ${label}`);
    return p;
  }

  /** SIGKILL (crash) or SIGTERM (clean stop) a process. */
  async halt(label: string, how: 'kill' | 'term' = 'term'): Promise<void> {
    const p = this.proc(label);
    if (how === 'kill') await p.kill();
    else await p.stop();
    this.procs.delete(label);
  }

  async stop(): Promise<void> {
    // Services first (they hold Redis and the simulator), the simulator last.
    const labels = [...this.procs.keys()].filter((l) => l !== 'sim');
    await Promise.all(labels.map((l) => this.procs.get(l)?.stop()));
    await this.procs.get('sim')?.stop();
    this.procs.clear();
    await this.fx.cleanup();
  }

  /** Which secret values appear in which process's output (empty = none). */
  secretLeaks(): string[] {
    const leaks: string[] = [];
    for (const p of this.all) {
      const out = p.output();
      for (const [name, value] of Object.entries(SECRET_VALUES))
        if (out.includes(value)) leaks.push(`${p.name}: ${name}`);
    }
    return leaks;
  }

  flags(): Promise<ControlFlags> {
    return readControlFlags(this.fx.redis, this.names);
  }

  async waitReconciled(timeoutMs = 60_000): Promise<void> {
    await waitFor(async () => (await this.flags()).reconciled, { timeoutMs, message: 'reconciled flag' });
  }

  async hedgeIds(): Promise<string[]> {
    return listHedgeIds(this.fx.redis, this.names, 'BTC');
  }

  hedge(id: string): Promise<HedgeRecord | null> {
    return readHedge(this.fx.redis, this.names, id);
  }

  async ledger(): Promise<LedgerEntry[]> {
    return (await readRange(this.fx.redis, this.names.ledgerStream, LedgerEntrySchema)).entries.map(
      (e) => e.message,
    );
  }

  async command(command: ControlCommandKind, reason = 'e2e'): Promise<void> {
    await appendMessage(this.fx.redis, this.names.commandStream, ControlCommandSchema, {
      v: 1,
      id: randomUUID(),
      command,
      by: 'e2e',
      reason,
      at: Date.now(),
    });
  }

  /** Waits until a hedge not in `known` exists and returns its id. */
  async waitNewHedge(known: readonly string[], timeoutMs = 60_000): Promise<string> {
    return waitFor(async () => (await this.hedgeIds()).find((id) => !known.includes(id)), {
      timeoutMs,
      message: 'a new hedge',
    });
  }

  /** Waits until the hedge's status (written by risk) satisfies `pred`. */
  async waitHedge(
    id: string,
    pred: (h: HedgeRecord) => boolean,
    what: string,
    timeoutMs = 60_000,
  ): Promise<HedgeRecord> {
    return waitFor(
      async () => {
        const h = await this.hedge(id);
        return h && pred(h) ? h : null;
      },
      { timeoutMs, message: `hedge ${id} ${what}` },
    );
  }

  /** Signed positions of the sim account on both venues. */
  async positions(): Promise<{ aster: number; backpack: number }> {
    const rows = await this.admin.positions({ account: 'main' });
    const qty = (v: 'aster' | 'backpack') => rows.filter((r) => r.venue === v).reduce((s, r) => s + r.qty, 0);
    return { aster: qty('aster'), backpack: qty('backpack') };
  }

  /** Waits for a JSON log line of process `label` (from line index `from`) satisfying `pred`. */
  async waitLog(
    label: string,
    pred: (line: Record<string, unknown>) => boolean,
    what: string,
    opts: { from?: number; timeoutMs?: number } = {},
  ): Promise<Record<string, unknown>> {
    const p = this.proc(label);
    return waitFor(
      () => {
        for (const l of p.lines.slice(opts.from ?? 0)) {
          if (!l.text.startsWith('{')) continue;
          try {
            const j = JSON.parse(l.text) as Record<string, unknown>;
            if (pred(j)) return j;
          } catch {
            // not JSON
          }
        }
        return null;
      },
      { timeoutMs: opts.timeoutMs ?? 60_000, message: `${label} log: ${what}` },
    );
  }

  /** The /metrics text of a service started with HEALTH_PORT=0 (its URL is in its "ready" line). */
  async metrics(label: string): Promise<string> {
    const ready = await this.waitLog(label, (j) => j.msg === 'ready', 'ready');
    const res = await fetch(`${String(ready.healthUrl)}/metrics`);
    return res.text();
  }

  /** /healthz of a service: status code and body. */
  async healthz(label: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const ready = await this.waitLog(label, (j) => j.msg === 'ready', 'ready');
    const res = await fetch(`${String(ready.healthUrl)}/healthz`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  /** Waits until no dislocation is on: executable spread below `usd` in both directions. */
  async waitCalm(usd = 80): Promise<void> {
    await waitFor(
      async () => {
        const { books: b } = await this.admin.health();
        if (!b.aster.ask || !b.aster.bid || !b.backpack.ask || !b.backpack.bid) return false;
        return (
          b.backpack.bid.price - b.aster.ask.price < usd && b.aster.bid.price - b.backpack.ask.price < usd
        );
      },
      { timeoutMs: 60_000, message: 'calm market' },
    );
  }

  /** Between tests: calm market, no live hedge, flat venues with no history, no faults, trading allowed. */
  async reset(): Promise<void> {
    await this.waitCalm();
    await waitFor(async () => (await this.fx.redis.get(this.names.activeHedgeKey('BTC'))) === null, {
      timeoutMs: 60_000,
      message: 'no active hedge',
    });
    await this.admin.reset({ faults: true });
    await this.admin.setPaused(true);
    if ((await this.flags()).paused) {
      await this.command('resume');
      await waitFor(async () => !(await this.flags()).paused, { timeoutMs: 30_000, message: 'resumed' });
    }
    await this.waitReconciled();
  }
}

/** Sell notional - buy notional - fees over simulator fills (quote currency). */
export function pnlOfFills(
  fills: readonly { side: 'buy' | 'sell'; price: number; qty: number; fee: number }[],
): number {
  return fills.reduce((s, f) => s + (f.side === 'sell' ? 1 : -1) * f.price * f.qty - f.fee, 0);
}

/** A RedisFixture on a given URL (a private server), with the same namespace discipline. */
async function urlFixture(url: string): Promise<RedisFixture> {
  const ns = testNamespace('e2e');
  const clients = new Set<Redis>();
  const connect = (options = {}): Redis => {
    const c = new Redis(url, { connectionName: ns, ...options });
    c.on('error', () => {
      // Surfaced by the failing command (the server may be restarted on purpose).
    });
    clients.add(c);
    return c;
  };
  const redis = connect({ maxRetriesPerRequest: 3 });
  await redis.ping();
  return {
    url,
    source: 'env',
    ns,
    env: { REDIS_URL: url, ARB_NAMESPACE: ns },
    redis,
    connect,
    async keys() {
      return (await redis.keys(`${ns}*`)).sort();
    },
    async cleanup() {
      try {
        await deleteNamespace(redis, ns);
      } finally {
        for (const c of clients) c.disconnect();
        clients.clear();
      }
    },
  };
}
