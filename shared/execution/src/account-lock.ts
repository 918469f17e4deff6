import { type RedisScript, runScript } from '@arb/bus/redis-script';
import type { Logger } from '@arb/log/logger';
import type { Redis } from 'ioredis';

const RENEW: RedisScript = {
  name: 'arbAccountLockRenew',
  keys: 1,
  lua: `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`,
};

const RELEASE: RedisScript = {
  name: 'arbAccountLockRelease',
  keys: 1,
  lua: `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`,
};

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

/**
 * One try at taking the lock. The attempt takes it ATOMICALLY with whatever else it does (a Lua script
 * that SETs `key` to `owner` with PX `ttlMs` when the key is free or already ours): the send claim takes
 * the account and marks the leg "sent" in one step (send-claim.ts).
 */
export type LockAttempt<T> = { held: true; value: T } | { held: false; holder: string | null };

/**
 * A lease in Redis held by the one process writing to a venue account, from its claim of a leg to the
 * report. BullMQ's global concurrency already keeps one job active per queue; this lock also covers a job
 * that BullMQ re-runs as stalled while its first run is still alive (blocked event loop): the re-run waits
 * here, then finds the first run's send marker.
 */
export class AccountLock {
  readonly #o: AccountLockOptions;
  #sessions = 0;

  constructor(opts: AccountLockOptions) {
    this.#o = opts;
  }

  get key(): string {
    return this.#o.key;
  }

  get ttlMs(): number {
    return this.#o.ttlMs;
  }

  /**
   * The lock for one job run: acquire (re-entrant within the run), then release once, whatever happened.
   * Each run owns the lock under its own token, so two runs in one process exclude each other too.
   */
  session(): AccountLockSession {
    this.#sessions++;
    return new AccountLockSession({ ...this.#o, owner: `${this.#o.owner}/${this.#sessions}` });
  }
}

export class AccountLockSession {
  readonly #o: AccountLockOptions;
  #renew: NodeJS.Timeout | null = null;

  constructor(opts: AccountLockOptions) {
    this.#o = opts;
  }

  /** This run's lock value: what an attempt SETs the key to. */
  get owner(): string {
    return this.#o.owner;
  }

  /** True once an attempt has taken the lock (until release). */
  get held(): boolean {
    return this.#renew !== null;
  }

  /**
   * Runs `attempt` until it takes the lock, polling while another owner holds it, up to maxWaitMs
   * (then AccountLockTimeoutError). Starts the lease renewal on the first success.
   */
  async acquire<T>(attempt: () => Promise<LockAttempt<T>>): Promise<T> {
    const { key, ttlMs, log } = this.#o;
    const maxWait = this.#o.maxWaitMs ?? 2 * ttlMs + 5_000;
    const poll = this.#o.pollMs ?? 50;
    const started = Date.now();
    let waitedLogged = false;
    for (;;) {
      const r = await attempt();
      if (r.held) {
        this.#startRenewal();
        return r.value;
      }
      if (!waitedLogged) {
        log.warn({ key, holder: r.holder }, 'venue account busy; waiting for its lock');
        waitedLogged = true;
      }
      if (Date.now() - started > maxWait) {
        throw new AccountLockTimeoutError(`venue account lock ${key} not free after ${maxWait} ms`);
      }
      await new Promise((res) => setTimeout(res, poll));
    }
  }

  /** Stops the renewal and deletes the lock if it is still ours. Never throws. */
  async release(): Promise<void> {
    if (this.#renew === null) return;
    clearInterval(this.#renew);
    this.#renew = null;
    const { redis, key, owner, log } = this.#o;
    await runScript(redis, RELEASE, [key], [owner]).catch((err) =>
      log.warn({ err, key }, 'lock release failed'),
    );
  }

  #startRenewal(): void {
    if (this.#renew !== null) return;
    const { redis, key, owner, ttlMs, log } = this.#o;
    this.#renew = setInterval(
      () => {
        runScript(redis, RENEW, [key], [owner, ttlMs]).then(
          (r) => {
            if (r !== 1) log.error({ key }, 'venue account lock lost while held');
          },
          (err) => log.warn({ err, key }, 'venue account lock renew failed'),
        );
      },
      Math.max(50, Math.floor(ttlMs / 3)),
    );
  }
}
