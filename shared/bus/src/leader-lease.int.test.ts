import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisFixture, redisFixture } from '@arb/testkit/redis';
import { waitFor } from '@arb/testkit/wait';
import { redisNames } from './keys';
import {
  acquireLease,
  currentFence,
  currentLeader,
  LeaderLease,
  releaseLease,
  renewLease,
  renewLeaseResult,
} from './leader-lease';

let fx: RedisFixture;
let names: ReturnType<typeof redisNames>;
let redis: Redis;

beforeAll(async () => {
  fx = await redisFixture();
  names = redisNames(fx.ns);
  redis = fx.redis;
});
afterAll(async () => {
  await fx.cleanup();
});

describe('lease primitives', () => {
  it('gives the lease to exactly one of two contenders, with a fence', async () => {
    const pair = 'P1';
    const [a, b] = await Promise.all([
      acquireLease(redis, names, pair, 'a', 5000),
      acquireLease(redis, names, pair, 'b', 5000),
    ]);
    expect([a, b].filter((f) => f !== null)).toHaveLength(1);
    const winner = a !== null ? 'a' : 'b';
    const fence = (a ?? b)!;
    expect(await currentLeader(redis, names, pair)).toEqual({ owner: winner, fence });
    expect(await currentFence(redis, names, pair)).toBe(fence);
  });

  it('renews only for the owner with its fence; release by others does nothing', async () => {
    const pair = 'P2';
    const fence = (await acquireLease(redis, names, pair, 'a', 5000))!;
    expect(await renewLease(redis, names, pair, { owner: 'a', fence }, 5000)).toBe(true);
    expect(await renewLease(redis, names, pair, { owner: 'b', fence }, 5000)).toBe(false);
    expect(await renewLease(redis, names, pair, { owner: 'a', fence: fence + 1 }, 5000)).toBe(false);
    expect(await releaseLease(redis, names, pair, { owner: 'b', fence })).toBe(false);
    expect(await currentLeader(redis, names, pair)).toEqual({ owner: 'a', fence });
    expect(await releaseLease(redis, names, pair, { owner: 'a', fence })).toBe(true);
    expect(await currentLeader(redis, names, pair)).toBeNull();
  });

  it('hands over after expiry with a larger fence; the stale leader can neither renew nor pass as current', async () => {
    const pair = 'P3';
    const old = (await acquireLease(redis, names, pair, 'a', 200))!;
    expect(await acquireLease(redis, names, pair, 'b', 200)).toBeNull();
    const next = await waitFor(() => acquireLease(redis, names, pair, 'b', 5000));
    expect(next).toBeGreaterThan(old);
    expect(await renewLease(redis, names, pair, { owner: 'a', fence: old }, 5000)).toBe(false);
    // Downstream check: a job carrying the old fence is from a stale leader.
    expect(old).toBeLessThan(await currentFence(redis, names, pair));
  });
});

describe('renewal result', () => {
  it('tells an expired lease (key gone) from one taken by another owner', async () => {
    const pair = 'P6';
    const fence = (await acquireLease(redis, names, pair, 'a', 5000))!;
    expect(await renewLeaseResult(redis, names, pair, { owner: 'a', fence }, 5000)).toBe('renewed');
    await redis.del(names.leaderKey(pair));
    expect(await renewLeaseResult(redis, names, pair, { owner: 'a', fence }, 5000)).toBe('expired');
    const other = (await acquireLease(redis, names, pair, 'b', 5000))!;
    expect(await renewLeaseResult(redis, names, pair, { owner: 'a', fence }, 5000)).toBe('taken');
    expect(await renewLease(redis, names, pair, { owner: 'a', fence }, 5000)).toBe(false);
    expect(await renewLease(redis, names, pair, { owner: 'b', fence: other }, 5000)).toBe(true);
  });

  it('the loop names the reason it lost the lease: expired vs taken', async () => {
    const reasons: string[] = [];
    const mk = (pair: string) =>
      new LeaderLease({
        redis,
        names,
        pair,
        owner: 'A',
        ttlMs: 10_000,
        retryMs: 50,
        onLost: (r) => reasons.push(r),
      });
    const expired = mk('P7');
    await expired.start();
    expect(expired.isLeader()).toBe(true);
    await redis.del(names.leaderKey('P7'));
    await waitFor(() => !expired.isLeader(), 5000);
    expect(reasons[0]).toMatch(/expired/);
    expect(reasons[0]).not.toMatch(/taken by another/);
    await expired.stop();

    const taken = mk('P8');
    await taken.start();
    await redis.set(names.leaderKey('P8'), 'B|999999', 'PX', 10_000);
    await waitFor(() => !taken.isLeader(), 5000);
    expect(reasons[1]).toBe('lease taken by another owner');
    await taken.stop();
  });
});

describe('LeaderLease loop', () => {
  it('keeps one leader; a crashed leader (connection gone) is replaced within about the lease time', async () => {
    const pair = 'P4';
    const ttlMs = 600;
    const connA = fx.connect();
    const connB = fx.connect();
    const events: string[] = [];
    const a = new LeaderLease({
      redis: connA,
      names,
      pair,
      owner: 'A',
      ttlMs,
      onAcquired: (f) => events.push(`A+${f}`),
      onLost: (r) => events.push(`A-${r}`),
      onError: () => {},
    });
    const b = new LeaderLease({
      redis: connB,
      names,
      pair,
      owner: 'B',
      ttlMs,
      onAcquired: (f) => events.push(`B+${f}`),
      onLost: (r) => events.push(`B-${r}`),
      onError: () => {},
    });
    await a.start();
    await b.start();
    expect(a.isLeader()).toBe(true);
    expect(b.isLeader()).toBe(false);
    const fenceA = a.holder()!.fence;
    // Several renew periods pass: A stays leader, B stays standby.
    await new Promise((r) => setTimeout(r, ttlMs * 2));
    expect(a.isLeader()).toBe(true);
    expect(b.isLeader()).toBe(false);

    // A "crashes": its Redis connection is cut, so it can renew no more.
    connA.disconnect();
    const lostAt = Date.now();
    await waitFor(() => b.isLeader());
    const tookMs = Date.now() - lostAt;
    expect(b.holder()!.fence).toBeGreaterThan(fenceA);
    // A stops considering itself leader once its lease could have expired.
    await waitFor(() => !a.isLeader());
    expect(events).toContain(`A+${fenceA}`);
    console.info(`takeover after leader loss: ${tookMs} ms (ttl ${ttlMs} ms)`);

    await a.stop();
    await b.stop();
    expect(await currentLeader(redis, names, pair)).toBeNull();
    connB.disconnect();
  });

  it('a clean stop releases the lease so the standby takes over at its next attempt', async () => {
    const pair = 'P5';
    const a = new LeaderLease({ redis, names, pair, owner: 'A', ttlMs: 10_000, retryMs: 100 });
    const b = new LeaderLease({ redis, names, pair, owner: 'B', ttlMs: 10_000, retryMs: 100 });
    await a.start();
    await b.start();
    expect(a.isLeader()).toBe(true);
    await a.stop();
    await waitFor(() => b.isLeader(), 5000);
    await b.stop();
  });
});
