import type { FeedThroughputResult } from './feed-throughput';
import type { FloorResult } from './floor/floor';
import type { IdleMemoryResult } from './memory';
import type { PipelineResult } from './pipeline';
import type { Summary } from './stats';
import type { StrategyMicroResult, StrategyProcessResult } from './strategy-cost';

/** The shape of bench/results/latest.json. */

export type PacingKey = '1ms' | '10ms';

export interface PipelineAtPacing extends PipelineResult {
  /** The bare chain's per-leg latency at the same pacing in the same run (the yardstick). */
  floorChainLeg: Summary;
  /** tickToLeg over floorChainLeg. Targets: p50 <= 1.5, p99 <= 2. */
  p50Ratio: number;
  p99Ratio: number;
  /** tickToLeg over the sum of the single hops (ws + pub/sub + BullMQ + HTTP). */
  p50RatioHopSum: number;
  p99RatioHopSum: number;
  /** Strategy process under this pacing's tick rate (2 feeds x 1000/s at 1 ms), when measured. */
  strategyProcess?: StrategyProcessResult;
  /** Feed processes' CPU share at this tick rate. */
  feedCpuPercent?: Record<string, number>;
  idleRssMb: Record<string, number>;
  loadedRssMb: Record<string, number>;
  /**
   * Per order worker, a fresh leg's steps in µs (its log): queue wait (add -> fetch, whole ms), the fetch
   * (moveToActive -> handler, whole ms), local checks, send claim round trip, venue call. `queued` is absent
   * in runs before 2026-11-29 08:30, `fetch` in runs before 10:00.
   */
  workerSteps?: Record<
    string,
    { queued?: Summary; fetch?: Summary; checks: Summary; claim: Summary; venue: Summary }
  >;
  /**
   * The bare chain measured again while this pacing's stack runs beside it (its simulator, feeds, strategy,
   * order workers and risk up, the market calm, no hedge): the bare hops under the pipeline's machine load.
   * Informational (the targets divide by floorChainLeg); absent in runs before 2026-11-29 14:47.
   */
  chainBesideStack?: { leg: Summary; bothLegs: Summary; p50Ratio: number; p99Ratio: number };
  /** Each dislocation cycle lasted at least this long (ms): the pacing within the venues' request limits. */
  minCycleMs?: number;
  /** Legs the order workers reported rejected during the main pass, by code (LOCAL_RATE_BUDGET: pacing). */
  rejectedLegs?: Record<string, number>;
}

export interface TargetCheck {
  name: string;
  target: string;
  value: string;
  met: boolean;
}

export interface BenchResults {
  version: 1;
  mode: 'full' | 'smoke';
  startedAt: string;
  finishedAt: string;
  machine: {
    cpuModel: string;
    cores: number;
    node: string;
    platform: string;
    totalMemMb: number;
    loadAvgStart: number[];
    loadAvgEnd: number[];
  };
  floor: Partial<Record<PacingKey, FloorResult>>;
  pipeline: Partial<Record<PacingKey, PipelineAtPacing>>;
  feed: FeedThroughputResult;
  strategy: {
    micro: StrategyMicroResult;
    process?: StrategyProcessResult;
    /** A bare ioredis subscriber on the same channels right after (JSON.parse only): the machine's share. */
    bareSubscriber?: StrategyProcessResult;
  };
  memory: {
    /** Median over the starts. */
    bareWorkerRssMb: number;
    /**
     * Idle RSS per service, median over the starts: a stack of its own on a calm market at its normal rate
     * (20 updates/s per venue), reconciled, quiet as long as the bare worker's settle time, no dislocation.
     */
    idleRssMb: Record<string, number>;
    /** Each start's bare worker and idle stack (see IdleMemoryResult). */
    starts: IdleMemoryResult['starts'];
    /** Hedges recorded during the idle measurements (0 when they were really idle). */
    idleHedges: number;
    idleRatio: Record<string, number>;
    loadedRssMb: Record<string, number>;
  };
  targets: TargetCheck[];
  notes: string[];
}

const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 100) / 100 : Number.NaN);
export { ratio };

export function checkTargets(r: BenchResults): TargetCheck[] {
  const out: TargetCheck[] = [];
  for (const [k, p] of Object.entries(r.pipeline)) {
    out.push({
      name: `pipeline tick->order p50 @${k}`,
      target: '<= 1.5x bare chain',
      value: `${p.p50Ratio}x (${p.tickToLeg.p50} vs ${p.floorChainLeg.p50} µs)`,
      met: p.p50Ratio <= 1.5,
    });
    out.push({
      name: `pipeline tick->order p99 @${k}`,
      target: '<= 2x bare chain',
      value: `${p.p99Ratio}x (${p.tickToLeg.p99} vs ${p.floorChainLeg.p99} µs)`,
      met: p.p99Ratio <= 2,
    });
  }
  if (r.feed.seconds > 0)
    out.push({
      name: 'feed throughput, one core',
      target: '>= 20000 ticks/s',
      value: `${r.feed.perCpuSecond}/CPU-s (${r.feed.publishedPerSec}/s wall at ${r.feed.feedCpuPercent}% CPU)`,
      met: r.feed.perCpuSecond >= 20000,
    });
  if (r.strategy.process) {
    out.push({
      name: 'strategy CPU at 2 x 1000 ticks/s',
      target: '< 10% of a core',
      value:
        `${r.strategy.process.cpuPercent}% (${r.strategy.process.ticksPerSec} ticks/s)` +
        (r.strategy.bareSubscriber
          ? `; a bare subscriber on the same ticks: ${r.strategy.bareSubscriber.cpuPercent}%`
          : ''),
      met: r.strategy.process.cpuPercent < 10,
    });
  }
  for (const [svc, x] of Object.entries(r.memory.idleRatio)) {
    out.push({
      name: `idle RSS ${svc}`,
      target: '<= 1.3x bare BullMQ worker',
      value: `${x}x (${r.memory.idleRssMb[svc]} vs ${r.memory.bareWorkerRssMb} MB)`,
      met: x <= 1.3,
    });
  }
  return out;
}

const f = (s: Summary) => `${s.p50} / ${s.p99} / ${s.max} (n=${s.n})`;

export function toMarkdown(r: BenchResults): string {
  const L: string[] = [];
  L.push(`# Benchmark results (${r.mode}) — ${r.startedAt}`, '');
  const m = r.machine;
  L.push(
    `Machine: ${m.cpuModel}, ${m.cores} cores, ${m.totalMemMb} MB, node ${m.node}; load average at start ` +
      `${m.loadAvgStart.join(' / ')}, at end ${m.loadAvgEnd.join(' / ')}. All latencies in µs: p50 / p99 / max (n).`,
    '',
  );
  L.push('## Targets', '', '| check | target | value | met |', '|---|---|---|---|');
  for (const t of r.targets) L.push(`| ${t.name} | ${t.target} | ${t.value} | ${t.met ? 'yes' : '**no**'} |`);
  L.push('', '## Floor (raw libraries, one-way between processes)', '');
  const keys = Object.keys(r.floor) as PacingKey[];
  L.push(`| hop | ${keys.map((k) => `@${k}`).join(' | ')} |`, `|---|${keys.map(() => '---').join('|')}|`);
  const rows: [string, (x: FloorResult) => string][] = [
    ['WebSocket message', (x) => f(x.ws)],
    ['Redis pub/sub', (x) => f(x.pubsub)],
    ['BullMQ add -> processor start', (x) => f(x.bullmq)],
    ['Redis Stream XADD -> XREAD BLOCK', (x) => f(x.stream)],
    ['HTTP POST (undici keep-alive pool)', (x) => f(x.http)],
    ['sum of ws + pub/sub + BullMQ + HTTP', (x) => `${x.hopSum.p50} / ${x.hopSum.p99}`],
    ['bare chain (two venues, as the pipeline) tick -> each leg at venue', (x) => f(x.chainLeg)],
    ['bare chain (two venues) tick -> both legs at venue', (x) => f(x.chainBothLegs)],
    [
      'bare chain, one venue (the yardstick before 2026-11-28 13:00) tick -> each leg',
      (x) => (x.chainOneVenueLeg ? f(x.chainOneVenueLeg) : '-'),
    ],
  ];
  for (const [name, fn] of rows)
    L.push(`| ${name} | ${keys.map((k) => fn(r.floor[k] as FloorResult)).join(' | ')} |`);
  L.push('', '## Pipeline (real feed, strategy, order-worker and risk processes)', '');
  const pk = Object.keys(r.pipeline) as PacingKey[];
  L.push(`| figure | ${pk.map((k) => `@${k}`).join(' | ')} |`, `|---|${pk.map(() => '---').join('|')}|`);
  const prow: [string, (x: PipelineAtPacing) => string][] = [
    ['dislocations (missed)', (x) => `${x.dislocations} (${x.missed})`],
    ['tick -> each leg request at the simulator', (x) => f(x.tickToLeg)],
    ['tick -> both legs requested', (x) => f(x.tickToBothLegs)],
    ['tick -> second leg filled', (x) => f(x.tickToSecondFill)],
    [
      'tick -> quote on Redis (feed, + a pub/sub hop to the bench; separate 100-dislocation pass)',
      (x) => f(x.tickToQuote),
    ],
    ['tick -> hedge intent recorded (strategy, + a pub/sub hop)', (x) => f(x.tickToIntent)],
    [
      'tick -> order worker first venue request (the order; the probe on a re-delivery)',
      (x) => f(x.tickToFirstRequest),
    ],
    ['first request -> order POST (0 = no probe)', (x) => f(x.probeToOrder)],
    ...(['order-aster', 'order-backpack'] as const).flatMap(
      (w): [string, (x: PipelineAtPacing) => string][] => [
        [
          `${w}: in the queue, strategy's add -> worker's fetch (BullMQ timestamps, whole ms)`,
          (x) => (x.workerSteps?.[w]?.queued ? f(x.workerSteps[w].queued) : '-'),
        ],
        [
          `${w}: the fetch, moveToActive sent -> job handler running (whole ms)`,
          (x) => (x.workerSteps?.[w]?.fetch ? f(x.workerSteps[w].fetch) : '-'),
        ],
        [
          `${w}: local checks (its log; every fresh leg, opens and closes)`,
          (x) => (x.workerSteps?.[w] ? f(x.workerSteps[w].checks) : '-'),
        ],
        [`${w}: send claim round trip`, (x) => (x.workerSteps?.[w] ? f(x.workerSteps[w].claim) : '-')],
        [
          `${w}: venue call after the claim (request, answer; signing overlaps the claim)`,
          (x) => (x.workerSteps?.[w] ? f(x.workerSteps[w].venue) : '-'),
        ],
      ],
    ),
    [
      'simulator (bench process) CPU %, event-loop delay p50 / p99 µs (1 ms timer)',
      (x) => `${x.simCpuPercent} %, ${x.simLoopDelayUs.p50} / ${x.simLoopDelayUs.p99}`,
    ],
    [
      'first request ratio p50 / p99 vs bare chain',
      (x) =>
        `${ratio(x.tickToFirstRequest.p50, x.floorChainLeg.p50)} / ${ratio(x.tickToFirstRequest.p99, x.floorChainLeg.p99)}`,
    ],
    ['bare chain (same pacing), per leg', (x) => f(x.floorChainLeg)],
    ['ratio p50 / p99 vs bare chain', (x) => `${x.p50Ratio} / ${x.p99Ratio}`],
    ['ratio p50 / p99 vs sum of hops', (x) => `${x.p50RatioHopSum} / ${x.p99RatioHopSum}`],
    [
      'bare chain beside the running stack (calm market), per leg (informational)',
      (x) => (x.chainBesideStack ? f(x.chainBesideStack.leg) : '-'),
    ],
    [
      'ratio p50 / p99 vs the bare chain beside the stack (informational)',
      (x) => (x.chainBesideStack ? `${x.chainBesideStack.p50Ratio} / ${x.chainBesideStack.p99Ratio}` : '-'),
    ],
    ['hedge cycle (ms) p50 / p99', (x) => `${x.cycleMs.p50} / ${x.cycleMs.p99}`],
    [
      'minimum cycle (ms, request-weight pacing)',
      (x) => (x.minCycleMs === undefined ? '-' : String(x.minCycleMs)),
    ],
    [
      'legs rejected (code: count)',
      (x) =>
        x.rejectedLegs === undefined
          ? '-'
          : Object.entries(x.rejectedLegs)
              .map(([c, n]) => `${c}: ${n}`)
              .join(', ') || 'none',
    ],
  ];
  for (const [name, fn] of prow)
    L.push(`| ${name} | ${pk.map((k) => fn(r.pipeline[k] as PipelineAtPacing)).join(' | ')} |`);
  L.push('', '## Feed, strategy', '');
  L.push(
    `- feed-aster throughput: ${r.feed.publishedPerSec} quotes/s on Redis (wall), feed at ${r.feed.feedCpuPercent}% of a core: ` +
      `${r.feed.perCpuSecond} quotes per CPU-second.`,
  );
  L.push(
    `- strategy per tick, in-process: parse+validate ${r.strategy.micro.parseUs} µs, decide ${r.strategy.micro.decideUs} µs.`,
  );
  if (r.strategy.process) {
    const s = r.strategy.process;
    L.push(
      `- strategy process at ${s.ticksPerSec} ticks/s: ${s.cpuPercent}% of a core, ${s.cpuUsPerTick} CPU-µs per tick.`,
    );
  }
  if (r.strategy.bareSubscriber) {
    const b = r.strategy.bareSubscriber;
    L.push(
      `- a bare ioredis subscriber on the same channels right after (JSON.parse only; node with the services' flags, --import tsx) at ${b.ticksPerSec} ticks/s: ` +
        `${b.cpuPercent}% of a core, ${b.cpuUsPerTick} CPU-µs per tick (what receiving the ticks costs on this machine).`,
    );
  }
  for (const [k, p] of Object.entries(r.pipeline)) {
    if (p.feedCpuPercent) {
      L.push(
        `- feeds at @${k} pacing: ${Object.entries(p.feedCpuPercent)
          .map(([n, v]) => `${n} ${v}%`)
          .join(', ')} of a core.`,
      );
    }
  }
  L.push('', '## Memory (RSS, MB)', '');
  L.push(
    `Bare BullMQ worker (run as the services are: node with infra/node-flags.cjs --import tsx; idle): ${r.memory.bareWorkerRssMb} MB. Idle: the stack on a calm market at 20 updates/s per venue, reconciled, quiet for the same settle time (hedges meanwhile: ${r.memory.idleHedges}). Idle figures are medians over ${r.memory.starts.length} fresh starts of the bare worker and of the stack (bare worker per start: ${r.memory.starts.map((s) => s.bareWorkerRssMb).join(' / ')} MB). Loaded: the max during the pipeline runs.`,
    '',
  );
  L.push(
    '| service | idle (median) | idle / bare worker | idle per start | loaded (max during pipeline) |',
    '|---|---|---|---|---|',
  );
  for (const [svc, mb] of Object.entries(r.memory.idleRssMb)) {
    const perStart = r.memory.starts.map((s) => s.idleRssMb[svc] ?? '').join(' / ');
    L.push(
      `| ${svc} | ${mb} | ${r.memory.idleRatio[svc]} | ${perStart} | ${r.memory.loadedRssMb[svc] ?? ''} |`,
    );
  }
  if (r.notes.length) L.push('', '## Notes', '', ...r.notes.map((n) => `- ${n}`));
  return `${L.join('\n')}\n`;
}
