import { spawnService } from '@arb/testkit/process';
import { sleep } from './clock';
import { rssMb } from './proc-stats';

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
