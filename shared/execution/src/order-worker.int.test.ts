import { redisNames } from '@arb/bus/keys';
import { readOrderHealth } from '@arb/bus/order-health';
import { createLogger } from '@arb/log/logger';
import { type RedisFixture, redisFixture } from '@arb/testkit/redis';
import { waitFor } from '@arb/testkit/wait';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountLock, AccountLockTimeoutError } from './account-lock';
import { LeverageMismatchError, runOrderWorker } from './order-worker';
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

describe('AccountLock', () => {
  let fx: RedisFixture;
  const log = createLogger({ service: 'test', level: 'silent' });

  beforeAll(async () => {
    fx = await redisFixture({ prefix: 't-exec-lock' });
  });
  afterAll(async () => {
    await fx?.cleanup();
  });

  it('serializes holders across connections, and a dead holder frees the account after its TTL', async () => {
    const key = `${fx.ns}:lock`;
    const a = new AccountLock({ redis: fx.connect(), key, owner: 'a', ttlMs: 300, log });
    const b = new AccountLock({ redis: fx.connect(), key, owner: 'b', ttlMs: 300, log });
    let inside = 0;
    let maxInside = 0;
    const work = (lock: AccountLock) =>
      lock.withLock(async () => {
        inside++;
        maxInside = Math.max(maxInside, inside);
        await new Promise((r) => setTimeout(r, 400)); // longer than the TTL: renewal keeps it
        inside--;
      });
    await Promise.all([work(a), work(b), work(a), work(b)]);
    expect(maxInside).toBe(1);
    // A holder that died (its key left behind, no renewal): the next one gets in once the TTL lapses.
    await fx.redis.set(key, 'dead', 'PX', 300);
    const got = await b.withLock(async () => fx.redis.get(key));
    expect(got).toBe('b');
    const impatient = new AccountLock({
      redis: fx.connect(),
      key,
      owner: 'c',
      ttlMs: 300,
      maxWaitMs: 100,
      log,
    });
    await fx.redis.set(key, 'busy', 'PX', 5000);
    await expect(impatient.withLock(async () => 1)).rejects.toBeInstanceOf(AccountLockTimeoutError);
    await fx.redis.del(key);
  });
});
