import { spawnService } from '@arb/testkit/process';
import { sleep } from './clock';
import { rssMb } from './proc-stats';
import { BenchStack, SERVICE_NAMES } from './stack';

/** The simulator's market rate for the idle measurement: a normal calm market, not the bench's load. */
export const IDLE_UPDATES_PER_SECOND = 20;

/**
 * The memory yardstick: a bare BullMQ worker (bullmq + ioredis, nothing else) run the way services run
 * (node --import tsx), idle for `settleMs`.
 */
export async function bareWorkerRss(redisUrl: string, ns: string, settleMs: number): Promise<number> {
  const p = spawnService({
    entry: 'bench/src/bare-worker.ts',
    name: 'bare-worker',
    args: [redisUrl, ns],
  });
  try {
    await p.waitForLine(/^ready$/, 120_000);
    await sleep(settleMs);
    return rssMb(p.pid as number);
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
 * `quietMs` without anything else happening (as the bare worker's settle time).
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
    await sleep(o.quietMs);
    const rss = Object.fromEntries(SERVICE_NAMES.map((s) => [s, rssMb(stack.pid(s))]));
    // A hedge opened meanwhile would make this not idle: reported with the numbers.
    const hedges = await stack.redis.zcard(stack.names.hedgeIndex('BTC'));
    return { rssMb: rss, hedges };
  } finally {
    await stack.stop();
  }
}
