import { sleep } from './clock';
import { rssMb } from './proc-stats';
import { BenchStack, SERVICE_NAMES } from './stack';
import { slope, windowFloors } from './stats';

/**
 * Soak: the whole pipeline on a moving market (1 tick/10 ms per venue) with a scripted dislocation every
 * 10 s (hedges open and close all along), RSS of every service sampled over `seconds`; reports each
 * service's RSS at start/end/max and its least-squares slope in MB per hour (flat memory ~ 0). Beside RSS
 * (which also holds the pages V8 and the allocator keep once used), each service's V8 old space in use
 * (its /metrics): what the program itself keeps alive grows there. Raw old-space samples swing by several MB
 * with the collector's sawtooth, so its trend is read from the lowest sample in each sixth of the run.
 */

/** Old space is summarized over this many equal spans of the run (the first is start-up). */
const OLD_SPACE_WINDOWS = 6;

export interface SoakResult {
  seconds: number;
  startedAt: string;
  intervalMs: number;
  hedgesOpened: number;
  samples: { t: number; rss: Record<string, number>; oldSpace?: Record<string, number> }[];
  startMb: Record<string, number>;
  endMb: Record<string, number>;
  maxMb: Record<string, number>;
  /** Over the second half of the samples (after warm-up growth). */
  slopeMbPerHour: Record<string, number>;
  /** V8 old space in use (MB): the lowest sample in each sixth of the run. */
  oldSpaceFloorsMb?: Record<string, number[]>;
  /** Slope of those floors after the first sixth (start-up), MB/h. */
  oldSpaceFloorSlopeMbPerHour?: Record<string, number>;
}

/** `nodejs_heap_space_size_used_bytes{space="old"}` from a service's /metrics, in MB. */
async function oldSpaceMb(healthUrl: string): Promise<number> {
  const text = await (await fetch(`${healthUrl}/metrics`)).text();
  const m = /^nodejs_heap_space_size_used_bytes\{space="old"[^}]*\} (\d+(?:\.\d+)?)/m.exec(text);
  if (!m) throw new Error(`${healthUrl}/metrics has no old-space figure`);
  return Math.round((Number(m[1]) / 1e6) * 10) / 10;
}

export async function runSoak(o: {
  redisUrl: string;
  ns: string;
  seconds: number;
  log?: (s: string) => void;
}): Promise<SoakResult> {
  const startedAt = new Date().toISOString();
  const stack = await BenchStack.start({
    redisUrl: o.redisUrl,
    ns: o.ns,
    updatesPerSecond: 100,
    live: true,
    log: o.log,
  });
  const intervalMs = Math.max(1000, Math.min(30_000, Math.round((o.seconds * 1000) / 120)));
  const samples: SoakResult['samples'] = [];
  let hedgesOpened = 0;
  try {
    const t0 = performance.now();
    let nextDislocation = 0;
    let nextSample = 0;
    let i = 0;
    while (performance.now() - t0 < o.seconds * 1000) {
      const el = performance.now() - t0;
      if (el >= nextSample) {
        const rss: Record<string, number> = {};
        const oldSpace: Record<string, number> = {};
        for (const s of SERVICE_NAMES) rss[s] = rssMb(stack.pid(s));
        for (const s of SERVICE_NAMES) oldSpace[s] = await oldSpaceMb(stack.healthUrl(s));
        samples.push({ t: Math.round(el / 1000), rss, oldSpace });
        nextSample += intervalMs;
        if (samples.length % 10 === 0) o.log?.(`soak: ${samples.length} samples, ${Math.round(el / 1000)} s`);
      }
      if (el >= nextDislocation) {
        if ((await stack.activeHedge()) === null) {
          stack.sim.core.market.addDislocation({
            direction: i++ % 2 === 0 ? 'buy_aster_sell_backpack' : 'buy_backpack_sell_aster',
            sizeUsd: 200,
            durationMs: 1000,
            rampMs: 0,
            revertMs: 200,
          });
          hedgesOpened++;
        }
        nextDislocation += 10_000;
      }
      await sleep(250);
    }
  } finally {
    await stack.stop();
  }
  const perService = <T>(f: (s: string) => T): Record<string, T> =>
    Object.fromEntries(SERVICE_NAMES.map((s) => [s, f(s)]));
  const series = (s: string, of: 'rss' | 'oldSpace') =>
    samples.map((x) => ({ x: x.t / 3600, y: x[of]?.[s] ?? 0 }));
  const round1 = (x: number) => Math.round(x * 10) / 10;
  const half = Math.floor(samples.length / 2);
  const floors = perService((s) => windowFloors(series(s, 'oldSpace'), OLD_SPACE_WINDOWS));
  return {
    seconds: o.seconds,
    startedAt,
    intervalMs,
    hedgesOpened,
    samples,
    startMb: perService((s) => series(s, 'rss')[0]?.y ?? 0),
    endMb: perService((s) => series(s, 'rss').at(-1)?.y ?? 0),
    maxMb: perService((s) => Math.max(...series(s, 'rss').map((p) => p.y))),
    slopeMbPerHour: perService((s) => round1(slope(series(s, 'rss').slice(half)))),
    oldSpaceFloorsMb: perService((s) => (floors[s] ?? []).map((p) => p.y)),
    oldSpaceFloorSlopeMbPerHour: perService((s) => round1(slope((floors[s] ?? []).slice(1)))),
  };
}
