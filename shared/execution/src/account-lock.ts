import type { Redis } from 'ioredis';
import type { Logger } from '@arb/log/logger';

const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

export interface AccountLockOptions {
  redis: Redis;
  /** One key per venue account. */
  key: string;
  /** Unique per process. */
  owner: string;
  /** Lease; renewed every ttlMs / 3 while held, so a dead holder frees it within ttlMs. */
  ttlMs: number;
  /** Give up waiting after this long (default 2 × ttlMs + 5 s): the job fails and is alerted. */
  maxWaitMs?: number;
  pollMs?: number;
  log: Logger;
}

export class AccountLockTimeoutError extends Error {
  override readonly name = 'AccountLockTimeoutError';
}

/** Handed to the locked section: re-checks ownership right before an irreversible step. */
export interface HeldLock {
  /** True (and the lease extended) only if the lock still holds exactly this owner: never re-taken. */
  stillHeld(): Promise<boolean>;
}

const STILL_HELD = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`;

/**
 * A lease in Redis held by the one process writing to a venue account, from the probe to the report of a
 * leg. BullMQ's global concurrency already keeps one job active per queue; this lock also covers a job
 * that BullMQ re-runs as stalled while its first run is still alive (blocked event loop): the re-run waits
 * here, then its probe finds the first run's order.
 */
export class AccountLock {
  readonly #o: AccountLockOptions;

  constructor(opts: AccountLockOptions) {
    this.#o = opts;
  }

  async withLock<T>(f: (held: HeldLock) => Promise<T>): Promise<T> {
    const { redis, key, owner, ttlMs, log } = this.#o;
    const maxWait = this.#o.maxWaitMs ?? 2 * ttlMs + 5_000;
    const poll = this.#o.pollMs ?? 50;
    const started = Date.now();
    let waitedLogged = false;
    while ((await redis.set(key, owner, 'PX', ttlMs, 'NX')) !== 'OK') {
      if (!waitedLogged) {
        log.warn({ key, holder: await redis.get(key) }, 'venue account busy; waiting for its lock');
        waitedLogged = true;
      }
      if (Date.now() - started > maxWait) {
        throw new AccountLockTimeoutError(`venue account lock ${key} not free after ${maxWait} ms`);
      }
      await new Promise((r) => setTimeout(r, poll));
    }
    const renew = setInterval(
      () => {
        redis.eval(RENEW, 1, key, owner, ttlMs).then(
          (r) => {
            if (r !== 1) log.error({ key }, 'venue account lock lost while held');
          },
          (err) => log.warn({ err, key }, 'venue account lock renew failed'),
        );
      },
      Math.max(50, Math.floor(ttlMs / 3)),
    );
    const held: HeldLock = {
      stillHeld: async () => (await redis.eval(STILL_HELD, 1, key, owner, ttlMs)) === 1,
    };
    try {
      return await f(held);
    } finally {
      clearInterval(renew);
      await redis.eval(RELEASE, 1, key, owner).catch((err) => log.warn({ err, key }, 'lock release failed'));
    }
  }
}
