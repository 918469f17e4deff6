import { sleep } from './clock';
import { rssMb } from './proc-stats';
import { BenchStack, SERVICE_NAMES } from './stack';
import { slope, troughs } from './stats';

/**
 * Soak: the whole pipeline on a moving market (1 tick/10 ms per venue) with a scripted dislocation every
 * 10 s (hedges open and close all along), RSS of every service sampled over `seconds`; reports each
 * service's RSS at start/end/max and its least-squares slope in MB per hour (flat memory ~ 0). Beside RSS
 * (which also holds the pages V8 and the allocator keep once used), each service's V8 old space in use
 * (its /metrics): what the program itself keeps alive grows there. Raw old-space samples climb for minutes
 * between major collections, so its trend is read from the troughs, the readings right after each fall.
 */

/** A fall of old space at least this large (MB) between two samples counts as a major collection. */
const MAJOR_GC_DROP_MB = 1;

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
  /** V8 old space in use (MB) right after each major collection: [seconds into the run, MB]. */
  oldSpaceTroughsMb?: Record<string, [number, number][]>;
  /** Slope of those troughs after the first sixth of the run (start-up), MB/h; null with fewer than two. */
  oldSpaceTroughSlopeMbPerHour?: Record<string, number | null>;
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
  return { seconds: o.seconds, startedAt, intervalMs, hedgesOpened, samples, ...summarizeSoak(samples) };
}

/** The soak's figures, a pure function of its samples (a result file can be re-read with it). */
export function summarizeSoak(
  samples: SoakResult['samples'],
): Omit<SoakResult, 'seconds' | 'startedAt' | 'intervalMs' | 'hedgesOpened' | 'samples'> {
  const perService = <T>(f: (s: string) => T): Record<string, T> =>
    Object.fromEntries(SERVICE_NAMES.map((s) => [s, f(s)]));
  const series = (s: string, of: 'rss' | 'oldSpace') =>
    samples.map((x) => ({ x: x.t / 3600, y: x[of]?.[s] ?? 0 }));
  const round1 = (x: number) => Math.round(x * 10) / 10;
  const half = Math.floor(samples.length / 2);
  const startUpEndsH = (samples.at(-1)?.t ?? 0) / 3600 / 6;
  const rss = perService((s) => series(s, 'rss'));
  const gcTroughs = perService((s) => troughs(series(s, 'oldSpace'), MAJOR_GC_DROP_MB));
  return {
    startMb: perService((s) => rss[s]?.[0]?.y ?? 0),
    endMb: perService((s) => rss[s]?.at(-1)?.y ?? 0),
    maxMb: perService((s) => Math.max(...(rss[s] ?? []).map((p) => p.y))),
    slopeMbPerHour: perService((s) => round1(slope((rss[s] ?? []).slice(half)))),
    oldSpaceTroughsMb: perService((s) =>
      (gcTroughs[s] ?? []).map((p): [number, number] => [Math.round(p.x * 3600), p.y]),
    ),
    oldSpaceTroughSlopeMbPerHour: perService((s) => {
      const settled = (gcTroughs[s] ?? []).filter((p) => p.x >= startUpEndsH);
      return settled.length < 2 ? null : round1(slope(settled));
    }),
  };
}

/** The soak's markdown table (bench/results/soak-latest.md). */
export function soakMarkdown(soak: SoakResult): string {
  const lines = [
    `# Soak (${soak.seconds} s from ${soak.startedAt}, RSS every ${soak.intervalMs} ms, ${soak.hedgesOpened} dislocations)`,
    '',
    '| service | start MB | end MB | max MB | RSS slope MB/h (second half) | V8 old space right after each major GC (MB at s) | their slope MB/h (after the first sixth) |',
    '|---|---|---|---|---|---|---|',
    ...Object.keys(soak.startMb).map(
      (s) =>
        `| ${s} | ${soak.startMb[s]} | ${soak.endMb[s]} | ${soak.maxMb[s]} | ${soak.slopeMbPerHour[s]} | ` +
        `${(soak.oldSpaceTroughsMb?.[s] ?? []).map(([t, mb]) => `${mb} at ${t}`).join(', ')} | ` +
        `${soak.oldSpaceTroughSlopeMbPerHour?.[s] ?? '- (fewer than 2 collections)'} |`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}
