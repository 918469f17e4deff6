import { readFileSync } from 'node:fs';

/** CPU time and resident memory of a process, from /proc (Linux). */

const CLK_TCK = 100; // USER_HZ on Linux

/** utime + stime of a process, in milliseconds (10 ms resolution). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start after the last ')'.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
}

/** Resident set size in MB (VmRSS). */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round((Number(m[1]) / 1024) * 10) / 10 : Number.NaN;
}

/** CPU share of one core (percent) used by `pid` while `during` runs. */
export async function cpuPercentDuring(
  pid: number,
  during: () => Promise<void>,
): Promise<{ percent: number; cpuMs: number; wallMs: number }> {
  const c0 = cpuMs(pid);
  const t0 = performance.now();
  await during();
  const used = cpuMs(pid) - c0;
  const wall = performance.now() - t0;
  return { percent: Math.round((used / wall) * 1000) / 10, cpuMs: used, wallMs: Math.round(wall) };
}
