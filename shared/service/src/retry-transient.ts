import type { Logger } from '@arb/log/logger';

/**
 * Start-up venue calls (a client's init, leverage, read-back) retried on transient errors — a refused
 * connection, timeout, 5xx or rate limit that the venue error marks `retryable` — with a doubling delay
 * (0.5, 1, 2, 4 s); a definitive error (auth, config, mismatch) or the last failure still refuses the
 * start. Only for idempotent calls (reads, setting leverage).
 */
export async function retryTransient<T>(call: () => Promise<T>, log: Logger, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const retryable = (err as { retryable?: unknown } | null)?.retryable === true;
      if (!retryable || attempt >= attempts) throw err;
      const delayMs = 500 * 2 ** (attempt - 1);
      log.warn({ err, attempt, delayMs }, 'venue start-up call failed transiently; retrying');
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
