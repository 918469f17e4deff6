import { deleteNamespace } from '@arb/testkit/redis';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RateBudget, type RateBudgetOptions } from './rate-budget';
import { VenueError } from './venue-error';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = new Redis(url, { lazyConnect: false });
const ns = `t-${randomBytes(4).toString('hex')}`;
const budgets: RateBudget[] = [];
const connections: Redis[] = [redis];

/** A budget whose window timer is stopped (clear()) after the file; its keys go with the namespace. */
function budget(opts: RateBudgetOptions): RateBudget {
  const b = new RateBudget(opts);
  budgets.push(b);
  return b;
}

/** Counts the commands a connection sends (to see which takes cost a Redis round trip). */
function counted(): { redis: Redis; sent: () => number } {
  const r = new Redis(url);
  connections.push(r);
  let n = 0;
  const send = r.sendCommand.bind(r);
  r.sendCommand = (...args: Parameters<Redis['sendCommand']>) => {
    n++;
    return send(...args);
  };
  return { redis: r, sent: () => n };
}

afterAll(async () => {
  for (const b of budgets) await b.clear();
  await deleteNamespace(redis, ns);
  for (const c of connections) c.disconnect();
});

describe('RateBudget (real Redis)', () => {
  it('shares one window between two instances and refuses beyond the limit (no allowance)', async () => {
    let t = 60_000 * 20_000_000; // aligned to a 60 s window
    const opts = {
      redis,
      venue: 'aster' as const,
      key: `${ns}:rate:aster`,
      limit: 10,
      windowMs: 60_000,
      allowance: 0,
      now: () => t,
    };
    const a = budget(opts);
    const b = budget(opts);
    expect(await a.tryTake(4)).toEqual({ ok: true, used: 4 });
    expect(await b.tryTake(5)).toEqual({ ok: true, used: 9 });
    const refused = await a.tryTake(2);
    expect(refused).toMatchObject({ ok: false, used: 9, reason: 'budget', retryAfterMs: 60_000 });
    await expect(b.take(2, 'POST /fapi/v1/order')).rejects.toMatchObject({
      name: 'VenueError',
      category: 'rate_limited',
      code: 'LOCAL_RATE_BUDGET',
    });
    t += 60_000;
    expect(await a.tryTake(2)).toEqual({ ok: true, used: 2 });
  });

  it('waits for the next window when allowed to', async () => {
    let t = 60_000 * 30_000_000 + 40_000;
    const slept: number[] = [];
    const b = budget({
      redis,
      venue: 'aster',
      key: `${ns}:rate:wait`,
      limit: 3,
      windowMs: 60_000,
      now: () => t,
      sleep: async (ms) => {
        slept.push(ms);
        t += ms;
      },
    });
    await b.take(3, 'GET /x');
    await b.take(1, 'GET /x', 30_000);
    expect(slept).toEqual([20_005]);
  });

  it('raises the counter to the venue-reported weight, never lowers it', async () => {
    const t = 3_000_000_000_000;
    const b = budget({
      redis,
      venue: 'aster',
      key: `${ns}:rate:obs`,
      limit: 100,
      windowMs: 60_000,
      allowance: 0,
      now: () => t,
    });
    await b.tryTake(10);
    expect(await b.observe(50)).toBe(50);
    expect(await b.observe(20)).toBe(50);
    expect(await b.used()).toBe(50);
    expect(await b.tryTake(60)).toMatchObject({ ok: false, used: 50 });
  });

  it('observe() adds the unspent allowance and skips the round trip when the counter is known to be higher', async () => {
    const t = 3_100_000_000_000;
    const c = counted();
    const b = budget({
      redis: c.redis,
      venue: 'aster',
      key: `${ns}:rate:obs2`,
      limit: 100,
      windowMs: 60_000,
      now: () => t,
    });
    await b.tryTake(1); // reserves 1 + 20 in one round trip: counter 21, 20 held
    expect(await b.used()).toBe(21);
    const before = c.sent();
    expect(await b.observe(1)).toBe(21); // the venue saw 1; 1 + 20 held <= 21: nothing to raise
    expect(c.sent()).toBe(before);
    expect(await b.observe(30)).toBe(50); // other users of the IP: 30 seen + 20 still to spend here
    expect(await b.used()).toBe(50);
  });

  it('blocks every process until a venue rate-limit expiry', async () => {
    const t = 4_000_000_000_000;
    const opts = {
      redis,
      venue: 'backpack' as const,
      key: `${ns}:rate:blk`,
      limit: 100,
      windowMs: 60_000,
      now: () => t,
    };
    await budget(opts).blockUntil(t + 5000);
    const other = budget(opts);
    expect(await other.tryTake(1)).toEqual({ ok: false, used: 0, retryAfterMs: 5000, reason: 'blocked' });
    const e = await other.take(1, 'POST /api/v1/order').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(VenueError);
    expect((e as VenueError).code).toBe('LOCAL_RATE_BLOCKED');
  });

  it('serves takes from the local allowance: one Redis round trip per ~half allowance, not per take', async () => {
    const t = 5_000_000_000_000;
    const c = counted();
    const b = budget({
      redis: c.redis,
      venue: 'aster',
      key: `${ns}:rate:local`,
      limit: 10_000,
      windowMs: 60_000,
      now: () => t,
    });
    await b.take(1, 'GET /x'); // the first take of a window goes to Redis (and reserves the allowance)
    const before = c.sent();
    for (let i = 0; i < 99; i++) await b.take(1, 'GET /x');
    await c.redis.ping(); // lets a last background top-up land
    const roundTrips = c.sent() - before - 1;
    // Top-ups of ~11 when under 10 are left: 99 takes cost about 9 round trips (allow slack for timing).
    expect(roundTrips).toBeGreaterThan(0);
    expect(roundTrips).toBeLessThanOrEqual(15);
    const used = await b.used();
    expect(used).toBeGreaterThanOrEqual(100); // every weight handed out was counted
    expect(used).toBeLessThanOrEqual(120); // plus at most the allowance held
  });

  it('a new window discards the old allowance; a take it does not cover goes to Redis', async () => {
    let t = 60_000 * 50_000_000;
    const opts = {
      redis,
      venue: 'aster' as const,
      key: `${ns}:rate:win`,
      limit: 1000,
      windowMs: 60_000,
      now: () => t,
    };
    const b = budget(opts);
    await b.take(1, 'GET /x');
    expect(await b.used()).toBe(21);
    t += 60_000;
    await b.take(1, 'GET /x');
    expect(await b.used()).toBe(21); // counted afresh in the new window, not spent from the old 20
    await b.take(25, 'GET /big'); // 20 held pay for 20; 5 + a fresh 20 reserved
    expect(await b.used()).toBe(46);
    expect(await b.tryTake(20)).toMatchObject({ ok: true }); // from the allowance
    expect(await b.used()).toBeLessThanOrEqual(46 + 20); // at most one top-up since
  });

  it('reserves the allowance at each window start once used, so the first take of a window stays local', async () => {
    const c = counted();
    const windowMs = 1000;
    const b = budget({ redis: c.redis, venue: 'aster', key: `${ns}:rate:prefetch`, limit: 1000, windowMs });
    await b.take(1, 'GET /x'); // real clock: arms the window-start timer
    const next = Math.floor(Date.now() / windowMs) + 1;
    await new Promise((r) => setTimeout(r, next * windowMs - Date.now() + 300));
    expect(Number(await redis.get(`${ns}:rate:prefetch:w:${next}`))).toBe(20);
    const before = c.sent();
    await b.take(1, 'POST /fapi/v3/order');
    expect(c.sent()).toBe(before);
  });

  it('a take is refused only when the shared window has no room for it, even while others hold allowance', async () => {
    const t = 60_000 * 60_000_000;
    const opts = {
      redis,
      venue: 'aster' as const,
      key: `${ns}:rate:edge`,
      limit: 30,
      windowMs: 60_000,
      now: () => t,
    };
    const a = budget(opts);
    const b = budget(opts);
    await a.take(1, 'GET /x'); // a: counter 21, holds 20
    await b.take(1, 'GET /x'); // b: gets 1 + the 8 left, holds 8; the window is full
    expect(await a.used()).toBe(30);
    const e = await b.take(9, 'GET /x').catch((x: unknown) => x);
    expect(e).toMatchObject({ name: 'VenueError', category: 'rate_limited', code: 'LOCAL_RATE_BUDGET' });
    expect(await b.tryTake(8)).toMatchObject({ ok: true }); // what it holds is still its own
    expect(await a.tryTake(20)).toMatchObject({ ok: true });
    expect(await a.tryTake(1)).toMatchObject({ ok: false, reason: 'budget' });
  });

  it('a 429 seen by one instance blocks it at once; the others stop at their next Redis round trip, within their allowance', async () => {
    const t = 60_000 * 70_000_000;
    const allowance = 20;
    const opts = {
      redis,
      venue: 'aster' as const,
      key: `${ns}:rate:429`,
      limit: 2000,
      windowMs: 60_000,
      allowance,
      now: () => t,
    };
    const a = budget(opts);
    const others = [budget(opts), budget(opts)];
    await a.take(1, 'GET /x');
    for (const o of others) await o.take(1, 'GET /x'); // each holds its full allowance
    const write = a.blockUntil(t + 10_000);
    // Before the block reached Redis: a refuses from local state.
    expect(await a.tryTake(1)).toEqual({ ok: false, used: 0, retryAfterMs: 10_000, reason: 'blocked' });
    await write;
    for (const o of others) {
      let handedOut = 0;
      let err: unknown;
      for (let i = 0; i < 100 && !err; i++) {
        try {
          await o.take(1, 'POST /fapi/v3/order');
          handedOut++;
        } catch (e) {
          err = e;
        }
      }
      expect(handedOut).toBeLessThanOrEqual(allowance);
      expect(err).toMatchObject({ name: 'VenueError', category: 'rate_limited', code: 'LOCAL_RATE_BLOCKED' });
      expect(await o.tryTake(1)).toMatchObject({ ok: false, reason: 'blocked' }); // and stays blocked
    }
  });

  it('property: across instances, the weight handed out in a window never exceeds the limit and is all counted', async () => {
    const step = fc.oneof(
      fc.record({ advance: fc.integer({ min: 1, max: 1500 }) }),
      fc.record({
        batch: fc.array(fc.record({ inst: fc.nat(), weight: fc.integer({ min: 1, max: 12 }) }), {
          minLength: 1,
          maxLength: 6,
        }),
      }),
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 2, max: 4 }),
        fc.array(step, { minLength: 1, maxLength: 40 }),
        async (limit, allowance, n, steps) => {
          const windowMs = 1000;
          let t = 1_000_000_000_000;
          const key = `${ns}:rate:prop:${run++}`;
          const opts = { redis, venue: 'aster' as const, key, limit, windowMs, allowance, now: () => t };
          const inst = Array.from({ length: n }, () => new RateBudget(opts));
          const handed = new Map<number, number>();
          try {
            for (const s of steps) {
              if ('advance' in s) {
                t += s.advance;
                continue;
              }
              const w = Math.floor(t / windowMs);
              const results = await Promise.all(
                s.batch.map(async ({ inst: i, weight }) => ({
                  weight,
                  r: await (inst[i % n] as RateBudget).tryTake(weight),
                })),
              );
              for (const { weight, r } of results) {
                if (r.ok) handed.set(w, (handed.get(w) ?? 0) + weight);
              }
              const counter = Number((await redis.get(`${key}:w:${w}`)) ?? 0);
              const out = handed.get(w) ?? 0;
              expect(out).toBeLessThanOrEqual(limit);
              expect(out).toBeLessThanOrEqual(counter);
              for (const { weight, r } of results) {
                // A refusal means the shared window had no room for the take (there are no blocks here).
                if (!r.ok) expect(r.reason === 'budget' && counter + weight > limit).toBe(true);
              }
            }
          } finally {
            for (const b of inst) await b.clear();
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
