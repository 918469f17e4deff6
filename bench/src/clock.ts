/**
 * Cross-process timestamps: CLOCK_MONOTONIC via process.hrtime.bigint() is one clock for every process
 * on the machine (Linux), so a time taken in one process and compared in another is exact to the µs.
 */
export function nowNs(): bigint {
  return process.hrtime.bigint();
}

/** Microseconds since `startNs` (a nowNs() value, possibly from another process, as a decimal string). */
export function usSince(startNs: bigint | string): number {
  return Number(process.hrtime.bigint() - BigInt(startNs)) / 1000;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Calls `send(i)` n times, the i-th at start + i * periodMs (not drifting with the send cost); resolves
 * after the last.
 */
export async function paced(
  n: number,
  periodMs: number,
  send: (i: number) => void | Promise<void>,
): Promise<void> {
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const due = start + i * periodMs;
    const wait = due - performance.now();
    if (wait > 0.5) await sleep(wait);
    await send(i);
  }
}
