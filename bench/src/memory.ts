import { spawnService } from '@arb/testkit/process';
import { sleep } from './clock';
import { rssMb } from './proc-stats';
import { BenchStack, SERVICE_NAMES } from './stack';
import { median } from './stats';

/** The simulator's market rate for the idle measurement: a normal calm market, not the bench's load. */
export const IDLE_UPDATES_PER_SECOND = 20;

/**
 * RSS of each process as the median of 1 s samples over the second half of `quietMs`: one sample
 * swings by several MB with GC timing.
 */
async function medianRssOver(pids: Record<string, number>, quietMs: number): Promise<Record<string, number>> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(pids).map((k) => [k, []]));
  const start = Date.now();
  for (;;) {
    const elapsed = Date.now() - start;
    if (elapsed >= quietMs / 2) for (const [k, pid] of Object.entries(pids)) samples[k]?.push(rssMb(pid));
    if (elapsed >= quietMs) break;
    await sleep(Math.min(1000, quietMs - elapsed));
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
}

/**
 * The memory yardstick: a bare BullMQ worker (bullmq + ioredis, nothing else) run the way services run
 * (node with the services' flags, infra/node-flags.cjs, --import tsx), idle for `settleMs`.
 */
export async function bareWorkerRss(redisUrl: string, ns: string, settleMs: number): Promise<number> {
  const p = spawnService({
    entry: 'bench/src/bare-worker.ts',
    name: 'bare-worker',
    args: [redisUrl, ns],
  });
  try {
    await p.waitForLine(/^ready$/, 120_000);
    return (await medianRssOver({ bare: p.pid as number }, settleMs)).bare as number;
  } finally {
    await p.stop();
  }
}

/** RSS of several processes, sampled every `everyMs` while `during` runs: the max per process. */
export async function maxRssDuring(
  pids: Record<string, number>,
  everyMs: number,
  during: () => Promise<void>,
): Promise<Record<string, number>> {
  const max: Record<string, number> = {};
  const sample = () => {
    for (const [k, pid] of Object.entries(pids)) {
      try {
        max[k] = Math.max(max[k] ?? 0, rssMb(pid));
      } catch {
        // exited
      }
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  try {
    await during();
  } finally {
    clearInterval(timer);
    sample();
  }
  return max;
}

/**
 * Idle RSS of every service: the whole stack on a calm market moving at its normal rate
 * (IDLE_UPDATES_PER_SECOND book updates per venue, no dislocation, so no hedge), reconciled, then
 * `quietMs` without anything else happening (as the bare worker's settle time), sampled as the bare worker.
 */
export async function idleServiceRss(o: {
  redisUrl: string;
  ns: string;
  quietMs: number;
  log?: (s: string) => void;
}): Promise<{ rssMb: Record<string, number>; hedges: number }> {
  const stack = await BenchStack.start({
    redisUrl: o.redisUrl,
    ns: o.ns,
    updatesPerSecond: IDLE_UPDATES_PER_SECOND,
    live: true,
    log: o.log,
  });
  try {
    const rss = await medianRssOver(
      Object.fromEntries(SERVICE_NAMES.map((s) => [s, stack.pid(s)])),
      o.quietMs,
    );
    // A hedge opened meanwhile would make this not idle: reported with the numbers.
    const hedges = await stack.redis.zcard(stack.names.hedgeIndex('BTC'));
    return { rssMb: rss, hedges };
  } finally {
    await stack.stop();
  }
}

export interface IdleMemoryResult {
  /** Medians over the starts (the figures the targets use). */
  bareWorkerRssMb: number;
  idleRssMb: Record<string, number>;
  /** Each start's own figures, in order: the same process's idle RSS varies by up to ~10 MB from start to start. */
  starts: { bareWorkerRssMb: number; idleRssMb: Record<string, number>; hedges: number }[];
  /** Hedges recorded during all idle measurements (0 when they were really idle). */
  idleHedges: number;
}

/**
 * Idle memory over `starts` fresh starts of the bare worker and of the stack, alternated so a drift of the
 * machine touches both alike; the medians are the result.
 */
export async function measureIdleMemory(o: {
  redisUrl: string;
  ns: string;
  settleMs: number;
  starts: number;
  log?: (s: string) => void;
}): Promise<IdleMemoryResult> {
  const starts: IdleMemoryResult['starts'] = [];
  for (let i = 0; i < o.starts; i++) {
    o.log?.(`idle memory, start ${i + 1}/${o.starts}: bare BullMQ worker`);
    const bare = await bareWorkerRss(o.redisUrl, `${o.ns}-bare${i}`, o.settleMs);
    o.log?.(
      `idle memory, start ${i + 1}/${o.starts}: stack at ${IDLE_UPDATES_PER_SECOND} updates/s per venue, reconciled, ${o.settleMs} ms quiet`,
    );
    const idle = await idleServiceRss({
      redisUrl: o.redisUrl,
      ns: `${o.ns}-idle${i}`,
      quietMs: o.settleMs,
      log: o.log,
    });
    starts.push({ bareWorkerRssMb: bare, idleRssMb: idle.rssMb, hedges: idle.hedges });
    o.log?.(`idle memory, start ${i + 1}: bare ${bare} MB, services ${JSON.stringify(idle.rssMb)}`);
  }
  return {
    bareWorkerRssMb: median(starts.map((s) => s.bareWorkerRssMb)),
    idleRssMb: Object.fromEntries(
      SERVICE_NAMES.map((svc) => [svc, median(starts.map((s) => s.idleRssMb[svc] ?? Number.NaN))]),
    ),
    starts,
    idleHedges: starts.reduce((a, s) => a + s.hedges, 0),
  };
}
