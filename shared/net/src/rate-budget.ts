import type { VenueId } from '@arb/core/venue';
import type { Redis } from 'ioredis';
import { VenueError } from './venue-error';

export interface RateBudgetOptions {
  redis: Redis;
  venue: VenueId;
  /** Base key, from '@arb/bus/keys' rateBudgetKey(venue); windows and blocks are suffixes of it. */
  key: string;
  /** Weight allowed per window across all processes (keep headroom below the venue's limit). */
  limit: number;
  /** Window length (Aster REQUEST_WEIGHT: 60 000 ms). Windows are aligned to the epoch. */
  windowMs: number;
  /** Default for take(): how long a caller may wait for the next window before being refused. */
  maxWaitMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export type TakeResult =
  | { ok: true; used: number }
  | { ok: false; used: number; retryAfterMs: number; reason: 'budget' | 'blocked' };

// KEYS: window, block. ARGV: weight, limit, ttlMs, now.
const TAKE_LUA = `
local b = tonumber(redis.call('GET', KEYS[2]) or '0')
if b > tonumber(ARGV[4]) then return {-1, b} end
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used + tonumber(ARGV[1]) > tonumber(ARGV[2]) then return {0, used} end
used = redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {1, used}`;

// KEYS: window. ARGV: observed used weight, ttlMs.
const OBSERVE_LUA = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local seen = tonumber(ARGV[1])
if seen > used then redis.call('SET', KEYS[1], seen, 'PX', ARGV[2]) return seen end
return used`;

// KEYS: block. ARGV: until (epoch ms), ttlMs.
const BLOCK_LUA = `
local b = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > b then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
return 1`;

/**
 * A request-weight budget shared by every process through Redis: a fixed-window counter per venue.
 * Callers take() the documented weight before sending; the venue's own used-weight header is fed back
 * with observe() so the counter never under-counts (other IPs' use, restarts); a 429/418 is spread to
 * every process with blockUntil().
 */
export class RateBudget {
  private readonly o: RateBudgetOptions;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(opts: RateBudgetOptions) {
    if (opts.limit <= 0 || opts.windowMs <= 0) throw new Error('RateBudget: limit and windowMs must be > 0');
    this.o = opts;
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  get limit(): number {
    return this.o.limit;
  }

  windowKey(t = this.now()): string {
    return `${this.o.key}:w:${Math.floor(t / this.o.windowMs)}`;
  }

  private get blockKey(): string {
    return `${this.o.key}:blocked`;
  }

  /** Takes `weight` from the current window if it fits; never waits. */
  async tryTake(weight: number): Promise<TakeResult> {
    const t = this.now();
    const r = (await this.o.redis.eval(
      TAKE_LUA,
      2,
      this.windowKey(t),
      this.blockKey,
      String(weight),
      String(this.o.limit),
      String(this.o.windowMs * 2),
      String(t),
    )) as [number, number];
    const [status, value] = r;
    if (status === 1) return { ok: true, used: value };
    if (status === -1) return { ok: false, used: 0, retryAfterMs: value - t, reason: 'blocked' };
    const windowEnd = (Math.floor(t / this.o.windowMs) + 1) * this.o.windowMs;
    return { ok: false, used: value, retryAfterMs: windowEnd - t, reason: 'budget' };
  }

  /**
   * Takes `weight`, waiting for the next window when that is within maxWaitMs; otherwise throws a
   * VenueError with category 'rate_limited' (nothing was sent).
   */
  async take(weight: number, endpoint: string, maxWaitMs = this.o.maxWaitMs ?? 0): Promise<void> {
    const deadline = this.now() + maxWaitMs;
    for (;;) {
      const r = await this.tryTake(weight);
      if (r.ok) return;
      const waitMs = r.retryAfterMs + 5;
      if (this.now() + waitMs > deadline) {
        throw new VenueError({
          venue: this.o.venue,
          endpoint,
          code: r.reason === 'blocked' ? 'LOCAL_RATE_BLOCKED' : 'LOCAL_RATE_BUDGET',
          category: 'rate_limited',
          detail:
            r.reason === 'blocked'
              ? `venue rate limit in force for ${r.retryAfterMs} ms more`
              : `weight ${weight} would exceed ${this.o.limit} per ${this.o.windowMs} ms (used ${r.used})`,
          retryAfterMs: r.retryAfterMs,
        });
      }
      await this.sleep(waitMs);
    }
  }

  /** Feeds the venue's reported used weight for the current window (e.g. X-MBX-USED-WEIGHT-1M). */
  async observe(usedWeight: number): Promise<number> {
    if (!Number.isFinite(usedWeight) || usedWeight < 0) return 0;
    return Number(
      await this.o.redis.eval(
        OBSERVE_LUA,
        1,
        this.windowKey(),
        String(Math.floor(usedWeight)),
        String(this.o.windowMs * 2),
      ),
    );
  }

  /** Every process refuses to send until `untilMs` (epoch ms): after a 429/418 with Retry-After. */
  async blockUntil(untilMs: number): Promise<void> {
    const ttl = Math.max(1, Math.ceil(untilMs - this.now()));
    await this.o.redis.eval(BLOCK_LUA, 1, this.blockKey, String(Math.ceil(untilMs)), String(ttl));
  }

  /** Weight used in the current window. */
  async used(): Promise<number> {
    return Number((await this.o.redis.get(this.windowKey())) ?? 0);
  }

  /** Deletes this budget's keys (tests, tooling); SCAN, never KEYS, on a shared Redis. */
  async clear(): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.o.redis.scan(cursor, 'MATCH', `${this.o.key}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await this.o.redis.unlink(...keys);
    } while (cursor !== '0');
  }
}
