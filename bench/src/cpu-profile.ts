import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Self time per function of a V8 .cpuprofile (node --cpu-prof), largest first. */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface HotFunction {
  fn: string;
  where: string;
  selfMs: number;
  percent: number;
}

export function topSelfTime(
  path: string,
  top = 15,
): { totalMs: number; idlePercent: number; top: HotFunction[] } {
  const p = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const n = byId.get(p.samples[i] as number);
    const dt = (p.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    if (!n) continue;
    const name = n.callFrame.functionName || '(anonymous)';
    if (name === '(idle)') {
      idle += dt;
      continue;
    }
    const url = n.callFrame.url.replace(/^file:\/\//, '').replace(/.*node_modules\//, '~/');
    const key = `${name}\t${url ? `${url.replace(/.*\/work\/main\//, '')}:${n.callFrame.lineNumber + 1}` : ''}`;
    self.set(key, (self.get(key) ?? 0) + dt);
  }
  const busy = total - idle;
  const list = [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, ms]) => {
      const [fn, where] = k.split('\t');
      return {
        fn: fn ?? '',
        where: where ?? '',
        selfMs: Math.round(ms),
        percent: Math.round((ms / Math.max(busy, 1)) * 1000) / 10,
      };
    });
  return {
    totalMs: Math.round(total),
    idlePercent: Math.round((idle / Math.max(total, 1)) * 1000) / 10,
    top: list,
  };
}

/** The main thread's profile among a process's (the largest: tsx's loader thread writes a small one too). */
export function mainThreadProfile(dir: string): string {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(dir, f));
  if (files.length === 0) throw new Error(`no .cpuprofile in ${dir}`);
  return files.reduce((a, b) => (statSync(b).size > statSync(a).size ? b : a));
}
