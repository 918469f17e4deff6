import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { OrderOutcomeEventSchema } from '@arb/bus/order-outcome-event';
import { readRange } from '@arb/bus/stream';
import { RedisServer } from '@arb/testkit/redis-server';
import { BENCH_SRC } from './child';
import { sleep } from './clock';
import { measureFeedThroughput } from './feed-throughput';
import { measureBareChain, measureFloor } from './floor/floor';
import { type IdleMemoryResult, maxRssDuring, measureIdleMemory } from './memory';
import { measurePipeline } from './pipeline';
import { cpuPercentDuring, rssMb } from './proc-stats';
import {
  type BenchResults,
  checkTargets,
  type PacingKey,
  type PipelineAtPacing,
  ratio,
  toMarkdown,
} from './results';
import { runSoak, soakMarkdown } from './soak';
import { BenchStack, SERVICE_NAMES, type ServiceName } from './stack';
import { mainThreadProfile, topSelfTime } from './cpu-profile';
import { summarize } from './stats';
import { measureBareSubscriber, measureStrategyMicro, measureStrategyProcess } from './strategy-cost';

/**
 * `npm run bench [-- --smoke] [-- --soak <seconds>] [-- --out <dir>] [-- --dislocations <n>]`
 * Full run: floor, pipeline (both pacings), feed, strategy, memory -> <out>/latest.json, latest.md and a
 * dated copy. --smoke: tiny counts (CI). --soak N: only the soak (RSS over N seconds, slope per service).
 * --memory N: only the idle memory, over N fresh starts -> <out>/memory.{json,md}.
 */

interface Args {
  smoke: boolean;
  /** Profile mode: these services run with --cpu-prof through a pipeline run at 1 ms pacing. */
  profile: ServiceName[] | null;
  soakSeconds: number | null;
  /** Only the idle memory section, over this many fresh starts; results to <out>/memory.*. */
  memoryStarts: number | null;
  out: string;
  dislocations: number | null;
  /** Only the floor and the pipeline at this pacing (quick iteration); results to <out>/partial.*. */
  pacing: PacingKey | null;
  /** Minimum ms per dislocation cycle (see PipelineOptions.minCycleMs); null = the default of the mode. */
  minCycleMs: number | null;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    smoke: false,
    profile: null,
    soakSeconds: null,
    memoryStarts: null,
    out: resolve(BENCH_SRC, '../results'),
    dislocations: null,
    pacing: null,
    minCycleMs: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    if (k === '--smoke') a.smoke = true;
    else if (k === '--profile') {
      a.profile = (v ?? '').split(',').filter(Boolean) as ServiceName[];
      i++;
      for (const s of a.profile)
        if (!SERVICE_NAMES.includes(s)) throw new Error(`--profile: unknown service ${s}`);
    } else if (k === '--soak') {
      a.soakSeconds = Number(v);
      i++;
      if (!(a.soakSeconds > 0)) throw new Error('--soak needs a duration in seconds');
    } else if (k === '--memory') {
      a.memoryStarts = Number(v);
      i++;
      if (!(Number.isInteger(a.memoryStarts) && a.memoryStarts > 0))
        throw new Error('--memory needs a number of starts');
    } else if (k === '--out' && v) {
      a.out = resolve(v);
      i++;
    } else if (k === '--dislocations') {
      a.dislocations = Number(v);
      i++;
    } else if (k === '--min-cycle-ms') {
      a.minCycleMs = Number(v);
      i++;
    } else if (k === '--pacing') {
      if (v !== '1ms' && v !== '10ms') throw new Error('--pacing takes 1ms or 10ms');
      a.pacing = v;
      i++;
    } else
      throw new Error(
        `unknown option ${k} (use --smoke, --soak <s>, --memory <starts>, --profile <svc,...>, --pacing <1ms|10ms>, --out <dir>, --dislocations <n>, --min-cycle-ms <ms>)`,
      );
  }
  return a;
}

/**
 * Default minimum dislocation cycle of full and partial runs (ms): keeps the hedges within AsterDex's
 * request weight (about 17 per hedge cycle, 1920 per minute for the deployment: at most ~110 cycles a
 * minute, less risk's reconciliation), so no leg is refused for the budget and the order path never
 * degrades. Smoke runs (a few dislocations) do not pace.
 */
const DEFAULT_MIN_CYCLE_MS = 600;

/** Dislocations of the pass that times the feed hop (tick -> quote on Redis). */
const QUOTE_TRACE_DISLOCATIONS = 100;

const log = (s: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${s}`);
const round1 = (x: number) => Math.round(x * 10) / 10;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  mkdirSync(args.out, { recursive: true });
  const redis = await RedisServer.start();
  log(`private redis-server at ${redis.url}`);
  const ns = `bench-${randomBytes(3).toString('hex')}`;
  try {
    if (args.soakSeconds !== null) {
      const soak = await runSoak({ redisUrl: redis.url, ns, seconds: args.soakSeconds, log });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      writeFileSync(join(args.out, 'soak-latest.json'), `${JSON.stringify(soak, null, 2)}\n`);
      writeFileSync(join(args.out, `soak-${stamp}.json`), `${JSON.stringify(soak, null, 2)}\n`);
      writeFileSync(join(args.out, 'soak-latest.md'), soakMarkdown(soak));
      log(`soak done: ${JSON.stringify(soak.slopeMbPerHour)}`);
      return;
    }
    if (args.profile !== null) {
      await runProfile(args, redis.url, ns);
      return;
    }
    if (args.memoryStarts !== null) {
      await runMemoryOnly(args, args.memoryStarts, redis.url, ns);
      return;
    }
    const smoke = args.smoke;
    const startedAt = new Date().toISOString();
    const loadAvgStart = loadavg().map(round1);
    const pacings: { key: PacingKey; periodMs: number }[] = [
      { key: '1ms' as const, periodMs: 1 },
      { key: '10ms' as const, periodMs: 10 },
    ].filter((p) => args.pacing === null || p.key === args.pacing);
    const partial = args.pacing !== null;
    const dislocations = args.dislocations ?? (smoke ? 3 : 1000);
    const results: BenchResults = {
      version: 1,
      mode: smoke ? 'smoke' : 'full',
      startedAt,
      finishedAt: '',
      machine: {
        cpuModel: cpus()[0]?.model ?? 'unknown',
        cores: cpus().length,
        node: process.version,
        platform: process.platform,
        totalMemMb: Math.round(totalmem() / 2 ** 20),
        loadAvgStart,
        loadAvgEnd: [],
      },
      floor: {},
      pipeline: {},
      feed: { seconds: 0, sent: 0, publishedPerSec: 0, feedCpuPercent: 0, perCpuSecond: 0 },
      strategy: { micro: { iterations: 0, parseUs: 0, decideUs: 0 } },
      memory: {
        bareWorkerRssMb: 0,
        idleRssMb: {},
        starts: [],
        idleHedges: 0,
        idleRatio: {},
        loadedRssMb: {},
      },
      targets: [],
      notes: [
        'Each pacing: the floor is measured right before the pipeline, on the same private redis-server.',
        'Pacing = book updates per venue: 1 ms = each feed gets 1 tick/ms (the strategy 2 ticks/ms); the bare chain sends each of its two feeds 1 tick per period, one in every 100 ms worth of ticks triggers two orders.',
        'tick -> leg: from the simulator handing the dislocated book to its WS front-end to the order POST headers parsed by the simulator (same process, one monotonic clock).',
      ],
    };

    if (!partial) await measureOnce(results, smoke, redis.url, ns);

    for (const p of pacings) {
      const fo = {
        redisUrl: redis.url,
        ns: `${ns}-floor${p.key}`,
        periodMs: p.periodMs,
        count: smoke ? 20 : p.periodMs === 1 ? 3000 : 1000,
        warmup: smoke ? 5 : 200,
        markEvery: Math.max(1, Math.round(100 / p.periodMs)),
        chainCount: smoke ? 5 : 300,
      };
      log(`floor @${p.key}`);
      const floor = await measureFloor(fo, log);
      results.floor[p.key] = floor;
      if (smoke && p.key === '1ms') continue; // smoke: one pipeline pacing (each stack start costs ~a minute)

      log(`pipeline @${p.key}: starting the stack`);
      const stack = await BenchStack.start({
        redisUrl: redis.url,
        ns: `${ns}-p${p.key}`,
        updatesPerSecond: Math.round(1000 / p.periodMs),
        // Kept for a post-mortem of the run (git-ignored).
        logDir: join(args.out, 'logs', p.key),
        log,
      });
      try {
        await sleep(smoke ? 1000 : 5000);
        const pids = Object.fromEntries(SERVICE_NAMES.map((s) => [s, stack.pid(s)]));
        const feedCpu: Record<string, number> = {};
        let strategyProcess: PipelineAtPacing['strategyProcess'];
        const measureCpu = async () => {
          const secs = smoke ? 2 : 10;
          const [sp, fa, fb] = await Promise.all([
            measureStrategyProcess(stack, redis.url, secs),
            cpuPercentDuring(pids['feed-aster'] as number, () => sleep(secs * 1000 + 1000)),
            cpuPercentDuring(pids['feed-backpack'] as number, () => sleep(secs * 1000 + 1000)),
          ]);
          strategyProcess = sp;
          feedCpu['feed-aster'] = fa.percent;
          feedCpu['feed-backpack'] = fb.percent;
        };
        log(`pipeline @${p.key}: CPU at this tick rate`);
        await measureCpu();
        if (p.key === '1ms' || smoke) {
          // The yardstick of the strategy's CPU target (1 ms pacing): a subscriber that only receives the
          // same ticks. A smoke run has one pacing only; it measures there so CI runs this code too.
          log(`pipeline @${p.key}: CPU of a bare subscriber on the same ticks`);
          results.strategy.bareSubscriber = await measureBareSubscriber(stack, redis.url, smoke ? 2 : 10);
        }
        // The bare chain again, now sharing the machine with the ticking stack (no dislocation: no hedge).
        log(`pipeline @${p.key}: bare chain beside the running stack`);
        const ordersBefore = answeredOrders(stack);
        const beside = await measureBareChain({ ...fo, ns: `${fo.ns}-beside` });
        if (answeredOrders(stack) !== ordersBefore)
          throw new Error(
            'orders were placed during the bare chain beside the stack: the market was not calm',
          );
        // At this tick rate, reconciled, before any dislocation (busy feeds: not the idle figure).
        const atRate = Object.fromEntries(SERVICE_NAMES.map((s) => [s, rssMb(stack.pid(s))]));
        const minCycleMs = args.minCycleMs ?? (smoke ? 0 : DEFAULT_MIN_CYCLE_MS);
        log(`pipeline @${p.key}: ${dislocations} dislocations, cycles of at least ${minCycleMs} ms`);
        let pr: Awaited<ReturnType<typeof measurePipeline>> | undefined;
        const loaded = await maxRssDuring(pids, 1000, async () => {
          pr = await measurePipeline(stack, {
            minCycleMs,
            count: dislocations,
            warmup: smoke ? 1 : 10,
            holdMs: 150,
            sizeUsd: 200,
            log,
          });
        });
        const r = pr as NonNullable<typeof pr>;
        const workerSteps = orderWorkerSteps(stack);
        const rejectedLegs = await rejectedLegCodes(stack);
        // The feed hop alone, in a short pass of its own: timing it means a bench subscriber receiving every
        // quote in the simulator's process, which would load the main pass.
        log(`pipeline @${p.key}: feed hop (quote subscriber on)`);
        const traced = await measurePipeline(stack, {
          minCycleMs,
          count: smoke ? 2 : QUOTE_TRACE_DISLOCATIONS,
          warmup: 1,
          holdMs: 150,
          sizeUsd: 200,
          traceQuotes: true,
        });
        r.tickToQuote = traced.tickToQuote;
        results.pipeline[p.key] = {
          ...r,
          workerSteps,
          minCycleMs,
          rejectedLegs,
          floorChainLeg: floor.chainLeg,
          p50Ratio: ratio(r.tickToLeg.p50, floor.chainLeg.p50),
          p99Ratio: ratio(r.tickToLeg.p99, floor.chainLeg.p99),
          p50RatioHopSum: ratio(r.tickToLeg.p50, floor.hopSum.p50),
          p99RatioHopSum: ratio(r.tickToLeg.p99, floor.hopSum.p99),
          chainBesideStack: {
            ...beside,
            p50Ratio: ratio(r.tickToLeg.p50, beside.leg.p50),
            p99Ratio: ratio(r.tickToLeg.p99, beside.leg.p99),
          },
          ...(strategyProcess ? { strategyProcess } : {}),
          feedCpuPercent: feedCpu,
          idleRssMb: atRate,
          loadedRssMb: loaded,
        };
        // The strategy target is at 2 feeds x 1000 ticks/s: the 1 ms pacing.
        if (p.key === '1ms' && strategyProcess) results.strategy.process = strategyProcess;
        for (const [k, v] of Object.entries(loaded)) {
          results.memory.loadedRssMb[k] = Math.max(results.memory.loadedRssMb[k] ?? 0, v);
        }
      } finally {
        await stack.stop();
      }
    }
    results.finishedAt = new Date().toISOString();
    results.machine.loadAvgEnd = loadavg().map(round1);
    results.targets = checkTargets(results);
    const json = `${JSON.stringify(results, null, 2)}\n`;
    const md = toMarkdown(results);
    const base = smoke ? 'smoke' : partial ? 'partial' : 'latest';
    writeFileSync(join(args.out, `${base}.json`), json);
    writeFileSync(join(args.out, `${base}.md`), md);
    if (!smoke && !partial) {
      const stamp = startedAt.replace(/[:.]/g, '-');
      writeFileSync(join(args.out, `${stamp}.json`), json);
      writeFileSync(join(args.out, `${stamp}.md`), md);
    }
    log(`wrote ${join(args.out, `${base}.json`)} and .md`);
    for (const t of results.targets)
      log(`${t.met ? 'met   ' : 'MISSED'} ${t.name}: ${t.value} (target ${t.target})`);
  } finally {
    await redis.stop();
  }
}

const ORDER_WORKERS = ['order-aster', 'order-backpack'] as const;

/** An order worker's 'order answered' log lines so far: one per order it placed. */
function orderAnsweredLines(stack: BenchStack, svc: (typeof ORDER_WORKERS)[number]) {
  return stack.procs
    .get(svc)
    ?.jsonLines()
    .filter((l) => l.msg === 'order answered');
}

/** Orders the order workers have answered so far. */
function answeredOrders(stack: BenchStack): number {
  return ORDER_WORKERS.reduce((n, svc) => n + (orderAnsweredLines(stack, svc)?.length ?? 0), 0);
}

/**
 * Where a fresh leg's time goes inside each order worker, from its own 'order answered' log lines (ms):
 * the wait in the queue (BullMQ's add timestamp to the worker's fetch: whole ms, two processes' clocks), the
 * fetch (moveToActive sent -> the job's handler running, whole ms), local checks,
 * the send claim's round trip (the venue client prepares and signs the order meanwhile), the venue call once
 * the claim is taken (request, answer).
 */
function orderWorkerSteps(stack: BenchStack): PipelineAtPacing['workerSteps'] {
  const out: NonNullable<PipelineAtPacing['workerSteps']> = {};
  for (const svc of ORDER_WORKERS) {
    const lines = orderAnsweredLines(stack, svc)?.filter((l) => typeof l.claimMs === 'number');
    const col = (k: string) => summarize((lines ?? []).map((l) => (l[k] as number) * 1000));
    out[svc] = {
      queued: col('queuedMs'),
      fetch: col('fetchMs'),
      checks: col('checksMs'),
      claim: col('claimMs'),
      venue: col('venueMs'),
    };
  }
  return out;
}

/** Legs the order workers reported rejected so far in this stack, by code (e.g. LOCAL_RATE_BUDGET). */
async function rejectedLegCodes(stack: BenchStack): Promise<Record<string, number>> {
  const { entries } = await readRange(stack.redis, stack.names.outcomeStream, OrderOutcomeEventSchema);
  const out: Record<string, number> = {};
  for (const { message: e } of entries)
    if (e.outcome.kind === 'rejected') out[e.outcome.code] = (out[e.outcome.code] ?? 0) + 1;
  return out;
}

/**
 * Quiet time of each idle memory sample (ms); its second half is sampled every second. Long enough for
 * the work right after start-up and reconciliation to end and V8's memory reducer (8 s after a full GC)
 * to shrink the heap: with 16 s, a service was sampled anywhere from 95 to 130 MB on the way down.
 */
const IDLE_SETTLE_MS = 30_000;
/** Fresh starts per idle memory figure in a full run (the median is the figure). */
const IDLE_MEMORY_STARTS = 3;

function idleMemorySection(idle: IdleMemoryResult): Omit<BenchResults['memory'], 'loadedRssMb'> {
  return {
    bareWorkerRssMb: idle.bareWorkerRssMb,
    idleRssMb: idle.idleRssMb,
    starts: idle.starts,
    idleHedges: idle.idleHedges,
    idleRatio: Object.fromEntries(
      Object.entries(idle.idleRssMb).map(([k, v]) => [k, ratio(v, idle.bareWorkerRssMb)]),
    ),
  };
}

/** --memory N: the idle memory section alone (quick iteration on memory), to <out>/memory.{json,md}. */
async function runMemoryOnly(args: Args, starts: number, redisUrl: string, ns: string): Promise<void> {
  const idle = await measureIdleMemory({ redisUrl, ns, settleMs: IDLE_SETTLE_MS, starts, log });
  const section = { ...idleMemorySection(idle), loadedRssMb: {} };
  const at = new Date().toISOString();
  writeFileSync(join(args.out, 'memory.json'), `${JSON.stringify({ at, memory: section }, null, 2)}\n`);
  const md = [
    `# Idle memory (${at}, ${starts} starts, RSS MB; bare BullMQ worker per start: ${idle.starts.map((s) => s.bareWorkerRssMb).join(' / ')}, median ${idle.bareWorkerRssMb})`,
    '',
    '| service | median | / bare worker | per start |',
    '|---|---|---|---|',
    ...Object.entries(section.idleRssMb).map(
      ([svc, mb]) =>
        `| ${svc} | ${mb} | ${section.idleRatio[svc]} | ${idle.starts.map((s) => s.idleRssMb[svc]).join(' / ')} |`,
    ),
  ];
  writeFileSync(join(args.out, 'memory.md'), `${md.join('\n')}\n`);
  log(`wrote ${join(args.out, 'memory.md')}`);
  for (const line of md) log(line);
}

/** The pacing-independent sections: strategy micro-benchmark, memory (bare worker, idle stack), feed. */
async function measureOnce(
  results: BenchResults,
  smoke: boolean,
  redisUrl: string,
  ns: string,
): Promise<void> {
  log('strategy micro-benchmark');
  results.strategy.micro = measureStrategyMicro(smoke ? 20_000 : 500_000);
  const idle = await measureIdleMemory({
    redisUrl,
    ns,
    settleMs: smoke ? 3000 : IDLE_SETTLE_MS,
    starts: smoke ? 1 : IDLE_MEMORY_STARTS,
    log,
  });
  results.memory = { ...results.memory, ...idleMemorySection(idle) };
  log('feed throughput');
  results.feed = await measureFeedThroughput({
    redisUrl: redisUrl,
    ns: `${ns}-feed`,
    seconds: smoke ? 2 : 10,
    log,
  });
}

/** Pipeline at 1 ms pacing with the chosen services under --cpu-prof; hottest functions per service. */
async function runProfile(args: Args, redisUrl: string, ns: string): Promise<void> {
  const services = args.profile ?? [];
  const dir = join(args.out, 'profiles');
  mkdirSync(dir, { recursive: true });
  const stack = await BenchStack.start({
    redisUrl,
    ns,
    updatesPerSecond: 1000,
    profile: services,
    profileDir: dir,
    log,
  });
  let pipeline: Awaited<ReturnType<typeof measurePipeline>>;
  try {
    await sleep(3000);
    pipeline = await measurePipeline(stack, {
      minCycleMs: args.minCycleMs ?? DEFAULT_MIN_CYCLE_MS,
      count: args.dislocations ?? 200,
      warmup: 5,
      holdMs: 150,
      sizeUsd: 200,
      log,
    });
  } finally {
    await stack.stop();
  }
  const profiles = Object.fromEntries(
    services.map((s) => [s, topSelfTime(mainThreadProfile(join(dir, s)), 20)]),
  );
  const out = { startedAt: new Date().toISOString(), loadAvg: loadavg().map(round1), pipeline, profiles };
  writeFileSync(join(args.out, 'profile-latest.json'), `${JSON.stringify(out, null, 2)}\n`);
  const md: string[] = ['# CPU profiles during the pipeline at 1 ms pacing', ''];
  for (const [svc, p] of Object.entries(profiles)) {
    md.push(`## ${svc} (${p.totalMs} ms profiled, ${p.idlePercent}% idle; self time as % of busy time)`, '');
    md.push('| function | where | self ms | % |', '|---|---|---|---|');
    for (const h of p.top) md.push(`| ${h.fn} | ${h.where} | ${h.selfMs} | ${h.percent} |`);
    md.push('');
  }
  writeFileSync(join(args.out, 'profile-latest.md'), `${md.join('\n')}\n`);
  log(`wrote ${join(args.out, 'profile-latest.md')}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
