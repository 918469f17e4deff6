import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OrderOutcomeEventSchema } from '@arb/bus/order-outcome-event';
import { readRange } from '@arb/bus/stream';
import { SERVICES, type ServiceName, Stack } from '@arb/e2e/stack';
import { RedisServer } from '@arb/testkit/redis-server';
import { waitFor } from '@arb/testkit/wait';
import { checkInvariants } from './invariants';
import { SCENARIOS, type Scenario, type ScenarioContext } from './scenarios';

/**
 * Runs scenarios one after another on ONE stack of real processes over a private redis-server with AOF
 * (fsync always), and checks the invariants after each. A scenario that cannot be set up, does not
 * recover, or breaks an invariant FAILS (never skipped); the next one starts from a restored stack
 * (every service running, calm market, no active hedge, simulator accounts and faults reset).
 */
export const STACK_ENV = {
  FORCE_CLOSE_TIME: '20000',
  PRICE_VALIDITY_MS: '3000',
  MAX_QUOTE_SKEW_MS: '3000',
} as const;

export interface ScenarioResult {
  id: string;
  title: string;
  ok: boolean;
  seconds: number;
  nakedSeconds: number;
  orders: number;
  fills: number;
  problems: string[];
  notes: string[];
}

export interface MatrixOptions {
  /** Scenario ids to run (default all, in order). */
  only?: readonly string[];
  log?: (line: string) => void;
}

export function selectScenarios(only?: readonly string[]): Scenario[] {
  if (!only || only.length === 0) return SCENARIOS;
  const unknown = only.filter((id) => !SCENARIOS.some((s) => s.id === id));
  if (unknown.length > 0) throw new Error(`unknown scenario ids: ${unknown.join(', ')}`);
  return SCENARIOS.filter((s) => only.includes(s.id));
}

/** Evidence of every run (simulator logs, ledger, hedges per scenario; every process's output). */
export const OUT_DIR = join(tmpdir(), `arb-faults-${new Date().toISOString().replace(/[:.]/g, '-')}`);

export async function runMatrix(opts: MatrixOptions = {}): Promise<ScenarioResult[]> {
  const log = opts.log ?? ((l: string) => console.log(l));
  mkdirSync(OUT_DIR, { recursive: true });
  log(`evidence in ${OUT_DIR}`);
  const scenarios = selectScenarios(opts.only);
  const results: ScenarioResult[] = [];
  const redis = await RedisServer.start({ aof: true });
  let stack: Stack | undefined;
  try {
    const t0 = Date.now();
    stack = await Stack.start({ redisUrl: redis.url, env: { ...STACK_ENV } });
    log(`stack ready in ${((Date.now() - t0) / 1000).toFixed(1)} s (redis-server with AOF on ${redis.url})`);
    for (const sc of scenarios) {
      results.push(await runOne(stack, redis, sc, log));
    }
  } finally {
    const leaks = stack?.secretLeaks() ?? [];
    for (const p of stack?.all ?? [])
      writeFileSync(join(OUT_DIR, `${p.name}-${p.pid}.log`), p.lines.map((l) => l.text).join('\n'));
    await stack?.stop().catch((err: unknown) => log(`stack stop: ${String(err)}`));
    await redis.stop();
    if (leaks.length > 0) {
      // Output written after the last scenario's check (shutdown lines) counts too.
      results.push({
        id: 'end',
        title: 'secret scan of every process output at shutdown',
        ok: false,
        seconds: 0,
        nakedSeconds: 0,
        orders: 0,
        fills: 0,
        problems: leaks.map((l) => `secret in output: ${l}`),
        notes: [],
      });
    }
  }
  return results;
}

async function runOne(
  stack: Stack,
  redis: RedisServer,
  sc: Scenario,
  log: (l: string) => void,
): Promise<ScenarioResult> {
  const started = Date.now();
  const problems: string[] = [];
  const ctx: ScenarioContext = {
    stack,
    redis,
    forceCloseMs: Number(STACK_ENV.FORCE_CLOSE_TIME),
    killed: [],
    notes: [],
  };
  let since = Date.now();
  try {
    await restore(stack);
    since = Date.now();
  } catch (err) {
    problems.push(`set-up: could not restore the stack: ${message(err)}`);
  }
  const supervisor = problems.length === 0 ? supervise(stack, ctx) : null;
  if (problems.length === 0) {
    try {
      await sc.run(ctx);
    } catch (err) {
      problems.push(`scenario: ${message(err)}`);
    }
    // A one-shot fault that never fired means the scenario tested nothing: a set-up failure.
    const unfired = (await stack.admin.faults().catch(() => ({ active: [] }))).active.filter(
      (f) => f.addedAt >= since && f.remaining !== null && 'count' in f.spec && f.remaining === f.spec.count,
    );
    for (const f of unfired) problems.push(`set-up: fault never fired: ${JSON.stringify(f.spec)}`);
    // Quiescence before the checks: every fault over, the market calm, and no hedge live (one opened
    // late in the scenario must end here, or the next scenario's reset would hide what it left behind).
    try {
      await stack.admin.clearFaults();
      await stack.waitCalm();
      await waitFor(async () => (await stack.fx.redis.get(stack.names.activeHedgeKey('BTC'))) === null, {
        timeoutMs: 120_000,
        message: 'no live hedge after the scenario',
      });
    } catch (err) {
      problems.push(`not quiescent: ${message(err)}`);
    }
  }
  problems.push(...((await supervisor?.stop()) ?? []));
  let report: Awaited<ReturnType<typeof checkInvariants>> | undefined;
  try {
    report = await checkInvariants(stack, {
      since,
      nakedBoundS: sc.nakedBoundS,
      priceValidityMs: Number(STACK_ENV.PRICE_VALIDITY_MS),
      maxDecisionAgeMs: Number(STACK_ENV.PRICE_VALIDITY_MS),
      maxQuoteSkewMs: Number(STACK_ENV.MAX_QUOTE_SKEW_MS),
      killed: ctx.killed,
    });
    problems.push(...report.violations);
  } catch (err) {
    problems.push(`invariant check failed to run: ${message(err)}`);
  }
  await dumpEvidence(stack, sc.id, since).catch((err: unknown) => log(`evidence: ${message(err)}`));
  const r: ScenarioResult = {
    id: sc.id,
    title: sc.title,
    ok: problems.length === 0,
    seconds: (Date.now() - started) / 1000,
    nakedSeconds: report?.naked.longestSeconds ?? Number.NaN,
    orders: report?.orders ?? 0,
    fills: report?.fills ?? 0,
    problems,
    notes: ctx.notes,
  };
  log(
    `${r.ok ? 'PASS' : 'FAIL'} ${sc.id} ${sc.title} (${r.seconds.toFixed(0)} s; naked ${r.nakedSeconds.toFixed(2)} s; ${r.orders} orders, ${r.fills} fills)${r.notes.length ? ` — ${r.notes.join('; ')}` : ''}`,
  );
  for (const p of problems) log(`     ${p}`);
  return r;
}

/**
 * The supervisor PM2 is in production: a service that exits on its own during a scenario (not one the
 * scenario killed) is restarted a second later, and the restart is noted. Exiting to be restarted is the
 * services' designed reaction to some faults (a lost leader lease, an unhandled rejection), but never
 * silently: an exit with no error or fatal log line among its last 30 lines is a violation.
 */
function supervise(stack: Stack, ctx: ScenarioContext): { stop(): Promise<string[]> } {
  const problems: string[] = [];
  let busy: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    busy = busy.then(async () => {
      for (const [label, p] of [...stack.procs]) {
        if (!p.exit || ctx.killed.includes(label) || !(label in SERVICES)) continue;
        stack.procs.delete(label);
        const last = p.lines.slice(-30).flatMap((l) => {
          try {
            const j = JSON.parse(l.text) as { level?: number; msg?: string };
            return (j.level ?? 0) >= 50 ? [j.msg ?? ''] : [];
          } catch {
            return [];
          }
        });
        if (last.length === 0)
          problems.push(`${label} died silently (code ${p.exit.code}, signal ${p.exit.signal})`);
        ctx.notes.push(`${label} exited (${last.at(-1) ?? `code ${p.exit.code}`}); restarted as PM2 would`);
        await new Promise((r) => setTimeout(r, 1000));
        await stack.spawn(label as ServiceName).catch((err: unknown) => {
          problems.push(`${label} could not be restarted: ${message(err)}`);
        });
      }
    });
  }, 500);
  return {
    async stop() {
      clearInterval(timer);
      await busy;
      return problems;
    },
  };
}

/** Every service running (restarting those a scenario killed), extras stopped, then the stack's reset. */
async function restore(stack: Stack): Promise<void> {
  await stack.admin.clearFaults();
  for (const [label, p] of [...stack.procs]) {
    if (p.exit) stack.procs.delete(label);
    else if (!(label in SERVICES)) await stack.halt(label, 'term');
  }
  const missing = (Object.keys(SERVICES) as ServiceName[]).filter((s) => !stack.procs.has(s));
  // The strategy last and only on a calm market (it would trade a dislocation still reverting).
  for (const s of missing.filter((m) => m !== 'strategy')) await stack.spawn(s);
  if (missing.includes('strategy')) {
    await stack.waitCalm();
    await stack.spawn('strategy');
  }
  await waitFor(async () => (await stack.fx.redis.ping()) === 'PONG', {
    timeoutMs: 30_000,
    message: 'redis',
  });
  await stack.reset();
}

async function dumpEvidence(stack: Stack, id: string, since: number): Promise<void> {
  const hedges = [];
  for (const h of await stack.hedgeIds()) {
    const rec = await stack.hedge(h);
    if ((rec?.open?.createdAt ?? 0) >= since) hedges.push(rec);
  }
  const evidence = {
    since,
    orders: await stack.admin.orders({ account: 'main' }),
    fills: await stack.admin.fills({ account: 'main' }),
    rejects: await stack.admin.rejects({ account: 'main' }),
    faults: (await stack.admin.faults()).history.filter((f) => f.at >= since),
    hedges,
    ledger: (await stack.ledger()).filter((e) => e.at >= since - 60_000),
    outcomes: (await readRange(stack.fx.redis, stack.names.outcomeStream, OrderOutcomeEventSchema)).entries
      .map((e) => e.message)
      .filter((m) => m.ackAt >= since),
  };
  writeFileSync(join(OUT_DIR, `scenario-${id}.json`), JSON.stringify(evidence, null, 2));
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The report table: scenario, result, naked seconds, orders, fills. */
export function formatTable(results: readonly ScenarioResult[]): string {
  const rows = [
    ['scenario', 'result', 'naked s', 'orders', 'fills', 'time s'],
    ...results.map((r) => [
      `${r.id} ${r.title}`,
      r.ok ? 'PASS' : 'FAIL',
      Number.isNaN(r.nakedSeconds) ? '-' : r.nakedSeconds.toFixed(2),
      String(r.orders),
      String(r.fills),
      r.seconds.toFixed(0),
    ]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  const line = (row: string[]) =>
    row.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ');
  const sep = widths.map((w) => '-'.repeat(w)).join('-|-');
  return [line(rows[0] ?? []), sep, ...rows.slice(1).map(line)].join('\n');
}
