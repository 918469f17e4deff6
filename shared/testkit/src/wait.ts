export { freePort } from './free-port';

export interface WaitOptions {
  /** Default 15 s: the machine is shared and slow at times; conditions, not clocks, decide. */
  timeoutMs?: number;
  /** Default 25 ms. */
  intervalMs?: number;
  /** Names the condition in the timeout error. */
  message?: string;
}

export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError' as const;
}

/**
 * Polls `cond` until it returns a truthy value (returned) or the timeout passes. A throwing `cond` counts
 * as not yet; its last error is the timeout error's cause. A number as second argument is the timeout.
 */
export async function waitFor<T>(
  cond: () => T | Promise<T>,
  options: WaitOptions | number = {},
): Promise<NonNullable<T>> {
  const opts: WaitOptions = typeof options === 'number' ? { timeoutMs: options } : options;
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const intervalMs = opts.intervalMs ?? 25;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  let lastValue: unknown;
  for (;;) {
    try {
      const v = await cond();
      if (v) return v as NonNullable<T>;
      lastValue = v;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() >= deadline) {
      const what = opts.message ?? 'condition';
      const last = lastError === undefined ? `; last value: ${String(lastValue)}` : '';
      throw new WaitTimeoutError(`${what} not met within ${timeoutMs} ms${last}`, { cause: lastError });
    }
    await sleep(intervalMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
