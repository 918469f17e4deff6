import { redisNames } from '@arb/bus/keys';
import { readOrderHealth } from '@arb/bus/order-health';
import { createLogger } from '@arb/log/logger';
import { type RedisFixture, redisFixture } from '@arb/testkit/redis';
import { waitFor } from '@arb/testkit/wait';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountLock, AccountLockTimeoutError } from './account-lock';
import type { ExecMarker } from './exec-marker';
import { isFreshDelivery, LeverageMismatchError, runOrderWorker } from './order-worker';
import { trySendClaim } from './send-claim';
import { FakeVenue } from './testing/fake-venue';

/** Startup refusals, health and the account lock, in-process on a real Redis (venue: an in-memory fake). */
describe('runOrderWorker start and health', () => {
  let fx: RedisFixture;
  const log = createLogger({ service: 'test', level: 'silent' });

  beforeAll(async () => {
    fx = await redisFixture({ prefix: 't-exec-start' });
  });
  afterAll(async () => {
    await fx?.cleanup();
  });

  const options = (
    venue: FakeVenue,
    over: { healthRefreshMs?: number; degradedCooldownMs?: number; orderHealthRefreshMs?: number } = {},
  ) => ({
    venue,
    pair: 'BTC',
    redisUrl: fx.url,
    names: redisNames(fx.ns),
    leverage: 5,
    maxDecisionAgeMs: 500,
    requestTimeoutMs: 1000,
    venueWindowMs: 1000,
    unknownResolveTimeoutMs: 2000,
    metrics: new Registry(),
    log,
    source: 'test',
    ...over,
  });

  it('refuses to start when the venue reports another leverage, or applies another one', async () => {
    const venue = new FakeVenue();
    venue.leverageOverride = 3;
    await expect(runOrderWorker(options(venue))).rejects.toBeInstanceOf(LeverageMismatchError);
    const other = new FakeVenue();
    other.ensureLeverage = async (_s, l) => l; // says yes, but the position shows another leverage
    other.leverageOverride = 10;
    await expect(runOrderWorker(options(other))).rejects.toThrow(/applies leverage 10/);
  });

  it('retries a transient start-up failure (timeout) and starts; a definitive one still refuses', async () => {
    const venue = new FakeVenue();
    let calls = 0;
    const transient = Object.assign(new Error('aster POST /fapi/v3/leverage: unknown (code TIMEOUT)'), {
      retryable: true,
    });
    venue.ensureLeverage = async (_s, l) => {
      calls += 1;
      if (calls === 1) throw transient;
      return l;
    };
    const w = await runOrderWorker(options(venue));
    await w.stop();
    expect(calls).toBe(2);
    const definitive = new FakeVenue();
    definitive.ensureLeverage = async () => {
      throw Object.assign(new Error('aster POST /fapi/v3/leverage: auth (code -2015)'), { retryable: false });
    };
    await expect(runOrderWorker(options(definitive))).rejects.toThrow(/code -2015/);
  });

  it('/healthz follows the venue: degraded while its calls fail, ok again after', async () => {
    const venue = new FakeVenue();
    const w = await runOrderWorker(options(venue, { healthRefreshMs: 100 }));
    try {
      expect(w.health().ok).toBe(true);
      venue.balanceFails = true;
      await waitFor(() => !w.health().ok);
      const h = w.health();
      expect(h.ok === false && h.reason).toMatch(/HTTP 503/);
      venue.balanceFails = false;
      await waitFor(() => w.health().ok);
    } finally {
      await w.stop();
    }
    expect(w.worker.isRunning()).toBe(false);
  });

  it('publishes its order-path health: ok, degraded on a venue failure, ok after a successful re-check, gone at stop', async () => {
    const venue = new FakeVenue();
    const names = redisNames(fx.ns);
    const read = () => readOrderHealth(fx.redis, names, 'aster');
    const w = await runOrderWorker(
      options(venue, { healthRefreshMs: 100, degradedCooldownMs: 300, orderHealthRefreshMs: 200 }),
    );
    try {
      const first = await waitFor(read);
      expect(first).toMatchObject({ venue: 'aster', state: 'ok', reason: null, until: null });
      expect(await fx.redis.pttl(names.orderHealthKey('aster'))).toBeGreaterThan(0);
      // Refreshed while nothing changes (a dead worker's report would age and expire).
      await waitFor(async () => ((await read())?.updatedAt ?? 0) > first.updatedAt);
      venue.balanceFails = true;
      const bad = await waitFor(async () => {
        const h = await read();
        return h?.state === 'degraded' ? h : null;
      });
      expect(bad.reason).toMatch(/HTTP 503/);
      expect(bad.until).toBeGreaterThan(bad.updatedAt - 1000);
      venue.balanceFails = false;
      await waitFor(async () => (await read())?.state === 'ok');
    } finally {
      await w.stop();
    }
    expect(await read()).toBeNull();
  });
});

describe('send claim and account lock (the Lua script on Redis)', () => {
  let fx: RedisFixture;
  const log = createLogger({ service: 'test', level: 'silent' });

  beforeAll(async () => {
    fx = await redisFixture({ prefix: 't-exec-lock' });
  });
  afterAll(async () => {
    await fx?.cleanup();
  });

  const marker = (byJobId: string): ExecMarker => ({ stage: 'sent', sentAt: 1_800_000_000_000, byJobId });

  it('claims once: the marker is set with the lock; later claims find it; a leg without its intent, or older than it, marks nothing', async () => {
    const names = redisNames(fx.ns);
    const keys = {
      lock: `${fx.ns}:lock-a`,
      marker: names.execMarkerKey('aster', 'leg1'),
      hedge: names.hedgeKey('h1'),
    };
    const redis = fx.connect();
    const claim = (owner: string, jobFence: number, m: ExecMarker | null) =>
      trySendClaim(redis, keys, { owner, lockTtlMs: 5000, jobFence, intentField: 'open', claim: m });
    // The strategy's intent not recorded (refused, or not yet): its leg never sends.
    expect(await claim('a', 5, marker('j1'))).toEqual({ held: true, value: { kind: 'no-intent' } });
    expect(await fx.redis.exists(keys.marker)).toBe(0);
    // Recorded under fence 5 (hedge-store writes the intent JSON in field `open`).
    await fx.redis.hset(keys.hedge, 'open', JSON.stringify({ hedgeId: 'h1', action: 'open', fence: 5 }));
    // A leg stamped with an older fence than its intent: refused, nothing marked.
    expect(await claim('a', 4, marker('j1'))).toEqual({
      held: true,
      value: { kind: 'stale-fence', fence: 5 },
    });
    expect(await fx.redis.exists(keys.marker)).toBe(0);
    // Its own checks refused the send: the lock is taken (re-entrant), nothing marked.
    expect(await claim('a', 5, null)).toEqual({ held: true, value: { kind: 'unclaimed' } });
    expect(await claim('a', 5, marker('j1'))).toEqual({ held: true, value: { kind: 'claimed' } });
    expect(JSON.parse((await fx.redis.get(keys.marker)) ?? '')).toEqual(marker('j1'));
    expect(await fx.redis.pttl(keys.marker)).toBeGreaterThan(6 * 86_400_000);
    expect(await fx.redis.get(keys.lock)).toBe('a');
    // Another process while "a" holds the account: busy, and it learns that a marker exists.
    expect(await claim('b', 5, marker('j2'))).toEqual({ held: false, holder: 'a', markerExists: true });
    await fx.redis.del(keys.lock);
    // Any later run of the leg (another job id too) finds the marker, whatever its fence; marks nothing new.
    expect(await claim('b', 0, marker('j2'))).toEqual({
      held: true,
      value: { kind: 'marked', marker: marker('j1') },
    });
    // A newer leader re-enqueueing the recorded intent's legs under its own fence may send them.
    const newer = { ...keys, marker: names.execMarkerKey('backpack', 'leg1b') };
    expect(
      await trySendClaim(redis, newer, {
        owner: 'b',
        lockTtlMs: 5000,
        jobFence: 6,
        intentField: 'open',
        claim: marker('j4'),
      }),
    ).toEqual({ held: true, value: { kind: 'claimed' } });
    // Fence 0 (legs created by risk) needs no intent and is never stale.
    const riskKeys = { ...keys, marker: names.execMarkerKey('aster', 'leg2'), hedge: names.hedgeKey('none') };
    expect(
      await trySendClaim(redis, riskKeys, {
        owner: 'b',
        lockTtlMs: 5000,
        jobFence: 0,
        intentField: null,
        claim: marker('j3'),
      }),
    ).toEqual({ held: true, value: { kind: 'claimed' } });
  });

  it('serializes runs across connections, and a dead holder frees the account after its TTL', async () => {
    const names = redisNames(fx.ns);
    const key = `${fx.ns}:lock`;
    const lockFor = (owner: string, over: { maxWaitMs?: number } = {}) =>
      new AccountLock({ redis: fx.connect(), key, owner, ttlMs: 300, log, ...over });
    const a = lockFor('a');
    const b = lockFor('b');
    let inside = 0;
    let maxInside = 0;
    let leg = 0;
    const work = async (lock: AccountLock) => {
      const keys = {
        lock: key,
        marker: names.execMarkerKey('aster', `w${leg++}`),
        hedge: names.hedgeKey('hw'),
      };
      const session = lock.session();
      try {
        await session.acquire(() =>
          trySendClaim(fx.connect(), keys, {
            owner: session.owner,
            lockTtlMs: lock.ttlMs,
            jobFence: 0,
            intentField: null,
            claim: null,
          }),
        );
        inside++;
        maxInside = Math.max(maxInside, inside);
        await new Promise((r) => setTimeout(r, 400)); // longer than the TTL: renewal keeps it
        inside--;
      } finally {
        await session.release();
      }
    };
    await Promise.all([work(a), work(b), work(a), work(b)]);
    expect(maxInside).toBe(1);
    expect(await fx.redis.exists(key)).toBe(0); // released
    // A holder that died (its key left behind, no renewal): the next one gets in once the TTL lapses.
    await fx.redis.set(key, 'dead', 'PX', 300);
    const keys = { lock: key, marker: names.execMarkerKey('aster', 'dead'), hedge: names.hedgeKey('hd') };
    const session = b.session();
    const got = await session.acquire(() =>
      trySendClaim(fx.redis, keys, {
        owner: session.owner,
        lockTtlMs: 300,
        jobFence: 0,
        intentField: null,
        claim: marker('jb'),
      }),
    );
    expect(got).toEqual({ kind: 'claimed' });
    expect(await fx.redis.get(key)).toBe(session.owner);
    await session.release();
    const impatient = lockFor('c', { maxWaitMs: 100 }).session();
    await fx.redis.set(key, 'busy', 'PX', 5000);
    await expect(
      impatient.acquire(() =>
        trySendClaim(fx.redis, keys, {
          owner: impatient.owner,
          lockTtlMs: 300,
          jobFence: 0,
          intentField: null,
          claim: null,
        }),
      ),
    ).rejects.toBeInstanceOf(AccountLockTimeoutError);
    await fx.redis.del(key);
  });
});

describe('isFreshDelivery', () => {
  const since = 1_800_000_000_000;
  const job = { attemptsStarted: 1, attemptsMade: 0, stalledCounter: 0, timestamp: since + 5_000 };
  it('only a first start, never stalled or failed, enqueued after the connection came up', () => {
    expect(isFreshDelivery(job, since)).toBe(true);
    expect(isFreshDelivery({ ...job, attemptsStarted: 2 }, since)).toBe(false);
    expect(isFreshDelivery({ ...job, attemptsMade: 1 }, since)).toBe(false);
    expect(isFreshDelivery({ ...job, stalledCounter: 1 }, since)).toBe(false);
    // Enqueued before this connection (e.g. before a Redis restart), or within the clock-skew margin.
    expect(isFreshDelivery({ ...job, timestamp: since - 1 }, since)).toBe(false);
    expect(isFreshDelivery({ ...job, timestamp: since + 999 }, since)).toBe(false);
    expect(isFreshDelivery(job, Number.POSITIVE_INFINITY)).toBe(false); // connection down
  });
});
