import type { PairId } from '@arb/core/venue';
import type { Redis } from 'ioredis';
import type { RedisNames } from './keys';

/**
 * A leader lease with a fencing token, for a single writer per pair (the strategy).
 *
 * The lease key holds `<owner>|<fence>` with a TTL; the fence comes from a counter that only grows, so
 * every new leadership has a larger token than every earlier one. Acquire, renew and release are Lua
 * scripts (atomic): a renew or release by anyone but the current owner does nothing.
 */

/** Acquire: SET NX PX + INCR the fence counter, atomically. Re-acquiring one's own live lease extends it. */
const ACQUIRE = `
local cur = redis.call('GET', KEYS[1])
if cur then
  local owner, fence = string.match(cur, '^(.*)|(%d+)$')
  if owner == ARGV[1] then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return tonumber(fence)
  end
  return 0
end
local fence = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. fence, 'PX', ARGV[2])
return fence
`;

/** Renew only when the lease still holds exactly our owner and fence: 1; key gone (expired): 0; another value: -1. */
const RENEW = `
local cur = redis.call('GET', KEYS[1])
if cur == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not cur then return 0 end
return -1
`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

export interface LeaseHolder {
  owner: string;
  fence: number;
}

/** The value stored under the lease key; intent writes compare against it (see hedge-store.ts). */
export function leaseValue(holder: LeaseHolder): string {
  return `${holder.owner}|${holder.fence}`;
}

export function parseLeaseValue(value: string | null): LeaseHolder | null {
  if (value === null) return null;
  const i = value.lastIndexOf('|');
  if (i < 0) return null;
  const fence = Number(value.slice(i + 1));
  if (!Number.isSafeInteger(fence)) return null;
  return { owner: value.slice(0, i), fence };
}

/** Tries to take the lease; returns the fence on success, null when someone else holds it. */
export async function acquireLease(
  redis: Redis,
  names: RedisNames,
  pair: PairId,
  owner: string,
  ttlMs: number,
): Promise<number | null> {
  if (owner.includes('|')) throw new Error(`lease owner must not contain "|": ${owner}`);
  const fence = (await redis.eval(
    ACQUIRE,
    2,
    names.leaderKey(pair),
    names.fencingKey(pair),
    owner,
    ttlMs,
  )) as number;
  return fence > 0 ? fence : null;
}

/** Extends the lease if we still hold it with this fence; false means leadership is lost. */
export async function renewLease(
  redis: Redis,
  names: RedisNames,
  pair: PairId,
  holder: LeaseHolder,
  ttlMs: number,
): Promise<boolean> {
  return (await renewLeaseResult(redis, names, pair, holder, ttlMs)) === 'renewed';
}

/**
 * A renewal's result: renewed; expired (the key is gone: not renewed within its time, e.g. across a Redis
 * outage, and nobody took it since); taken (another owner or fence holds it).
 */
export type RenewResult = 'renewed' | 'expired' | 'taken';

export async function renewLeaseResult(
  redis: Redis,
  names: RedisNames,
  pair: PairId,
  holder: LeaseHolder,
  ttlMs: number,
): Promise<RenewResult> {
  const r = await redis.eval(RENEW, 1, names.leaderKey(pair), leaseValue(holder), ttlMs);
  return r === 1 ? 'renewed' : r === 0 ? 'expired' : 'taken';
}

export async function releaseLease(
  redis: Redis,
  names: RedisNames,
  pair: PairId,
  holder: LeaseHolder,
): Promise<boolean> {
  return (await redis.eval(RELEASE, 1, names.leaderKey(pair), leaseValue(holder))) === 1;
}

/** The newest fence ever issued for the pair (0 if none): a job carrying a smaller one is from a stale leader. */
export async function currentFence(redis: Redis, names: RedisNames, pair: PairId): Promise<number> {
  const v = await redis.get(names.fencingKey(pair));
  return v === null ? 0 : Number(v);
}

/** Who holds the lease right now, if anyone. */
export async function currentLeader(
  redis: Redis,
  names: RedisNames,
  pair: PairId,
): Promise<LeaseHolder | null> {
  return parseLeaseValue(await redis.get(names.leaderKey(pair)));
}

export interface LeaderLeaseOptions {
  redis: Redis;
  names: RedisNames;
  pair: PairId;
  /** Unique per process (e.g. host-pid-random); must not contain "|". */
  owner: string;
  /** Lease time; a dead leader is replaced within about ttlMs + retryMs. */
  ttlMs: number;
  /** How often a standby tries to acquire and a leader renews (default ttlMs / 3). */
  retryMs?: number;
  /** Called when this process becomes leader, with its fencing token. */
  onAcquired?: (fence: number) => void;
  /** Called when leadership ends (renew refused, renew failing past the lease time, or release). */
  onLost?: (reason: string) => void;
  /** Called on Redis errors while acquiring/renewing (the loop keeps going). */
  onError?: (err: unknown) => void;
  /** Clock, injectable for tests. */
  now?: () => number;
}

/**
 * Runs the acquire/renew loop. While leader, `holder()` returns the owner and fence, and only until the
 * lease could have expired on the Redis side (measured from the start of the last successful renew), so a
 * process cut off from Redis stops acting before another one can take over.
 */
export class LeaderLease {
  private readonly opts: LeaderLeaseOptions;
  private readonly retryMs: number;
  private readonly now: () => number;
  private fence: number | null = null;
  private validUntil = 0;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private tickInFlight: Promise<void> | null = null;

  constructor(opts: LeaderLeaseOptions) {
    this.opts = opts;
    this.retryMs = opts.retryMs ?? Math.max(50, Math.floor(opts.ttlMs / 3));
    this.now = opts.now ?? Date.now;
  }

  /** Starts the loop and makes a first attempt right away; resolves after that attempt. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.tick();
  }

  /** The current leadership, or null when not leader (or when the lease may have expired unrenewed). */
  holder(): LeaseHolder | null {
    if (this.fence === null) return null;
    if (this.now() >= this.validUntil) {
      this.lose('lease not renewed within its time');
      return null;
    }
    return { owner: this.opts.owner, fence: this.fence };
  }

  isLeader(): boolean {
    return this.holder() !== null;
  }

  /** Stops the loop and releases the lease if held, so a standby takes over at once. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.tickInFlight;
    const fence = this.fence;
    if (fence !== null) {
      this.lose('released');
      await releaseLease(this.opts.redis, this.opts.names, this.opts.pair, { owner: this.opts.owner, fence });
    }
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => void this.tick(), this.retryMs);
  }

  private async tick(): Promise<void> {
    const run = this.attempt();
    this.tickInFlight = run;
    await run;
    this.tickInFlight = null;
    this.schedule();
  }

  private async attempt(): Promise<void> {
    const { redis, names, pair, owner, ttlMs } = this.opts;
    const startedAt = this.now();
    try {
      if (this.fence === null) {
        const fence = await acquireLease(redis, names, pair, owner, ttlMs);
        if (fence !== null && this.running) {
          this.fence = fence;
          this.validUntil = startedAt + ttlMs;
          this.opts.onAcquired?.(fence);
        }
      } else {
        const r = await renewLeaseResult(redis, names, pair, { owner, fence: this.fence }, ttlMs);
        if (r === 'renewed') this.validUntil = startedAt + ttlMs;
        else if (r === 'expired')
          this.lose(
            'lease expired before it was renewed (the key is gone, e.g. after a Redis outage; nobody else holds it)',
          );
        else this.lose('lease taken by another owner');
      }
    } catch (err) {
      this.opts.onError?.(err);
      if (this.fence !== null && this.now() >= this.validUntil)
        this.lose('lease not renewed within its time');
    }
  }

  private lose(reason: string): void {
    if (this.fence === null) return;
    this.fence = null;
    this.validUntil = 0;
    this.opts.onLost?.(reason);
  }
}
