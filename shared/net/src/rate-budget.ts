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
  /**
   * Weight this process reserves from the shared window per Redis round trip and then spends locally
   * (default 20). 0: every take is a Redis round trip (exact shared accounting, for small limits or
   * many processes). See the class comment for what the allowance costs.
   */
  allowance?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** `used`: the shared counter as of this process's last Redis round trip (a lower bound when served locally). */
export type TakeResult =
  | { ok: true; used: number }
  | { ok: false; used: number; retryAfterMs: number; reason: 'budget' | 'blocked' };

// Scripts are registered once per connection (ioredis defineCommand: EVALSHA, EVAL again on NOSCRIPT).
// KEYS: window, block. ARGV: need, want, limit, ttlMs, now. Grants between need and want (as much of
// want as fits), counted in the window at once; refuses when blocked or when not even need fits.
// Returns {1, used, granted} | {0, used, 0} | {-1, blockedUntil, 0}.
const RESERVE_LUA = `
local b = tonumber(redis.call('GET', KEYS[2]) or '0')
if b > tonumber(ARGV[5]) then return {-1, b, 0} end
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local grant = math.min(tonumber(ARGV[2]), tonumber(ARGV[3]) - used)
if grant < tonumber(ARGV[1]) then return {0, used, 0} end
used = redis.call('INCRBY', KEYS[1], grant)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {1, used, grant}`;

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

interface BudgetCommands {
  arbRateReserve(
    win: string,
    block: string,
    need: number,
    want: number,
    limit: number,
    ttlMs: number,
    now: number,
  ): Promise<[number, number, number]>;
  arbRateObserve(win: string, seen: number, ttlMs: number): Promise<number>;
  arbRateBlock(block: string, until: number, ttlMs: number): Promise<number>;
}

const registered = new WeakSet<Redis>();

function commands(redis: Redis): BudgetCommands {
  if (!registered.has(redis)) {
    redis.defineCommand('arbRateReserve', { numberOfKeys: 2, lua: RESERVE_LUA });
    redis.defineCommand('arbRateObserve', { numberOfKeys: 1, lua: OBSERVE_LUA });
    redis.defineCommand('arbRateBlock', { numberOfKeys: 1, lua: BLOCK_LUA });
    registered.add(redis);
  }
  return redis as unknown as BudgetCommands;
}

/**
 * A request-weight budget shared by every process through Redis: a fixed-window counter per venue.
 * Callers take() the documented weight before sending; the venue's own used-weight header is fed back
 * with observe() so the counter never under-counts (other IPs' use, restarts); a 429/418 is spread to
 * every process with blockUntil().
 *
 * To keep Redis off the hot path, each process reserves an allowance (`allowance` weight) from the
 * shared window with the same atomic check-and-increment and spends it locally: a take covered by it
 * costs no round trip; below half of it a background top-up (one in flight at most) reserves more; a
 * take it does not cover goes to Redis (awaited) and reserves a new allowance on the way. Invariants:
 * - every weight handed out was counted in the shared window first, so the weight handed out by all
 *   processes in a window never exceeds `limit`; a reservation for a window that has passed is dropped
 *   (never spent in the next one);
 * - the price is that reserved-but-unspent weight counts as used: at most `allowance` per process
 *   (held allowance is capped at it), and near the limit a take can be refused while another process
 *   still holds some. A refusal still means the shared counter had no room for the part of the take
 *   this process's allowance did not cover.
 * - blockUntil() blocks this process at once; another process learns of it at its next Redis round
 *   trip (a top-up, a take its allowance does not cover, or the window-start refresh). After the block
 *   reached Redis it hands out at most what it held then (≤ `allowance`) plus what reservations already
 *   evaluated before it bring back (the one top-up, and uncovered takes of concurrent callers: each
 *   ≤ `allowance` + its own weight); so ≤ `allowance` when nothing was in flight. That bound is in
 *   weight, not in time: an idle process keeps what it held until its next take.
 * - once the process has taken weight, it reserves its allowance at each window start (a timer), so
 *   the first request of a window (often the order itself) does not pay the round trip either: this
 *   keeps at most `allowance` weight per process and window reserved even when idle.
 */
export class RateBudget {
  private readonly o: RateBudgetOptions;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly cmd: BudgetCommands;
  private readonly allowance: number;
  /** Local allowance: weight reserved in window `win` not yet handed out. */
  private win = -1;
  private left = 0;
  /** The shared counter of window `knownWin` as last seen (it never decreases within a window). */
  private knownWin = -1;
  private knownUsed = 0;
  private blockedUntil = 0;
  /** Weight asked for by the top-up in flight (0: none; one at most). */
  private pending = 0;
  private windowTimer: NodeJS.Timeout | null = null;

  constructor(opts: RateBudgetOptions) {
    if (opts.limit <= 0 || opts.windowMs <= 0) throw new Error('RateBudget: limit and windowMs must be > 0');
    this.o = opts;
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.allowance = Math.max(0, Math.floor(opts.allowance ?? 20));
    this.cmd = commands(opts.redis);
  }

  get limit(): number {
    return this.o.limit;
  }

  windowKey(t = this.now()): string {
    return `${this.o.key}:w:${this.windowOf(t)}`;
  }

  private windowOf(t: number): number {
    return Math.floor(t / this.o.windowMs);
  }

  private get blockKey(): string {
    return `${this.o.key}:blocked`;
  }

  private get ttlMs(): number {
    return this.o.windowMs * 2;
  }

  /** Takes `weight` from the local allowance, else from the current shared window if it fits; never waits. */
  async tryTake(weight: number): Promise<TakeResult> {
    const t = this.now();
    if (t < this.blockedUntil) {
      return { ok: false, used: 0, retryAfterMs: this.blockedUntil - t, reason: 'blocked' };
    }
    const w = this.windowOf(t);
    if (this.win === w && this.left >= weight) {
      this.left -= weight;
      if (this.left * 2 < this.allowance) this.topUp();
      return { ok: true, used: this.knownUsed };
    }
    // Not covered: what is held pays for part of it; the rest and a fresh allowance are reserved in one
    // round trip (as much of the allowance as fits).
    const held = this.win === w ? this.left : 0;
    this.left -= held;
    const need = weight - held;
    let r: Awaited<ReturnType<RateBudget['reserve']>>;
    try {
      // The top-up in flight will bring its part of the allowance.
      r = await this.reserve(t, need, need + Math.max(0, this.allowance - this.pending));
    } catch (e) {
      this.credit(w, held); // Redis failed: nothing was handed out
      throw e;
    }
    if (r.status === 1) {
      this.credit(r.win, r.granted - need);
      return { ok: true, used: r.value };
    }
    this.credit(w, held); // refused: nothing was handed out
    if (r.status === -1) return { ok: false, used: 0, retryAfterMs: r.value - t, reason: 'blocked' };
    return { ok: false, used: r.value, retryAfterMs: (w + 1) * this.o.windowMs - t, reason: 'budget' };
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

  /**
   * Feeds the venue's reported used weight for the current window (e.g. X-MBX-USED-WEIGHT-1M). The
   * shared counter is raised to it plus this process's unspent allowance (the venue has not seen that
   * yet); no round trip when the counter is known to be at least that already. Returns a lower bound
   * of the counter.
   */
  async observe(usedWeight: number): Promise<number> {
    if (!Number.isFinite(usedWeight) || usedWeight < 0) return 0;
    const t = this.now();
    const w = this.windowOf(t);
    const seen = Math.floor(usedWeight) + (this.win === w ? this.left : 0);
    if (this.knownWin === w && seen <= this.knownUsed) return this.knownUsed;
    const used = Number(await this.cmd.arbRateObserve(this.windowKey(t), seen, this.ttlMs));
    this.learn(w, used);
    return used;
  }

  /**
   * Every process refuses to send until `untilMs` (epoch ms): after a 429/418 with Retry-After. This
   * process at once (before the write reaches Redis), the others at their next Redis round trip.
   */
  async blockUntil(untilMs: number): Promise<void> {
    this.blockedUntil = Math.max(this.blockedUntil, Math.ceil(untilMs));
    const ttl = Math.max(1, Math.ceil(untilMs - this.now()));
    await this.cmd.arbRateBlock(this.blockKey, Math.ceil(untilMs), ttl);
  }

  /** Weight used in the current window (reserved allowances included). */
  async used(): Promise<number> {
    return Number((await this.o.redis.get(this.windowKey())) ?? 0);
  }

  /** Deletes this budget's keys (tests, tooling) and forgets local state; SCAN, never KEYS, on a shared Redis. */
  async clear(): Promise<void> {
    this.win = -1;
    this.left = 0;
    this.knownWin = -1;
    this.blockedUntil = 0;
    if (this.windowTimer) clearTimeout(this.windowTimer);
    this.windowTimer = null;
    let cursor = '0';
    do {
      const [next, keys] = await this.o.redis.scan(cursor, 'MATCH', `${this.o.key}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await this.o.redis.unlink(...keys);
    } while (cursor !== '0');
  }

  private async reserve(
    t: number,
    need: number,
    want: number,
  ): Promise<{ status: number; value: number; granted: number; win: number }> {
    const w = this.windowOf(t);
    // Armed before the await, so that clear() after the last take leaves no timer behind.
    if (this.allowance > 0 && !this.windowTimer) this.armWindowTimer();
    const [status, value, granted] = await this.cmd.arbRateReserve(
      this.windowKey(t),
      this.blockKey,
      need,
      want,
      this.o.limit,
      this.ttlMs,
      t,
    );
    if (status === -1) this.blockedUntil = Math.max(this.blockedUntil, Number(value));
    else this.learn(w, Number(value));
    return { status: Number(status), value: Number(value), granted: Number(granted), win: w };
  }

  /** Adds weight reserved in window `w` to the allowance, if `w` is still current; capped at `allowance`. */
  private credit(w: number, weight: number): void {
    if (weight <= 0 || this.windowOf(this.now()) !== w) return;
    if (this.win !== w) {
      this.win = w;
      this.left = 0;
    }
    // Beyond the cap only under concurrent reservations; dropping it keeps the block bound (conservative).
    this.left = Math.min(this.allowance, this.left + weight);
  }

  private learn(w: number, used: number): void {
    if (this.knownWin !== w) {
      this.knownWin = w;
      this.knownUsed = used;
    } else this.knownUsed = Math.max(this.knownUsed, used);
  }

  /** Background top-up to the full allowance; failures are left to the next awaited take to report. */
  private topUp(): void {
    if (this.pending > 0 || this.allowance === 0) return;
    const t = this.now();
    if (t < this.blockedUntil) return;
    const held = this.win === this.windowOf(t) ? this.left : 0;
    const want = this.allowance - held;
    if (want <= 0) return;
    this.pending = want;
    this.reserve(t, 1, want)
      .then((r) => {
        if (r.status === 1) this.credit(r.win, r.granted);
      })
      .catch(() => {})
      .finally(() => {
        this.pending = 0;
      });
  }

  /** Reserves the allowance just after each window start (see the class comment); unref'd. */
  private armWindowTimer(): void {
    const t = this.now();
    const delay = (this.windowOf(t) + 1) * this.o.windowMs - t + 1;
    this.windowTimer = setTimeout(() => {
      this.armWindowTimer();
      this.topUp();
    }, delay);
    this.windowTimer.unref();
  }
}
