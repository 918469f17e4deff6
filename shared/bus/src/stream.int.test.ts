import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisFixture, redisFixture } from '@arb/testkit/redis';
import { waitFor } from '@arb/testkit/wait';
import { redisNames } from './keys';
import { type OrderOutcomeEvent, OrderOutcomeEventSchema } from './order-outcome-event';
import {
  appendMessage,
  queueAppend,
  type RejectedEntry,
  readNewest,
  readRange,
  StreamConsumer,
} from './stream';

let fx: RedisFixture;
let names: ReturnType<typeof redisNames>;
let redis: Redis;
const conns: Redis[] = [];
function own(): Redis {
  const c = fx.connect();
  conns.push(c);
  return c;
}

function event(n: number): OrderOutcomeEvent {
  return {
    v: 1,
    hedgeId: 'hstream0001',
    pair: 'BTC',
    role: 'open',
    attempt: n,
    jobId: `hstream0001-aster-open${n}`,
    outcome: { kind: 'rejected', venue: 'aster', clientOrderId: `c${n}`, code: '-2019', reason: 'margin' },
    sentAt: n,
    ackAt: n + 1,
    probed: false,
  };
}

beforeAll(async () => {
  fx = await redisFixture();
  names = redisNames(fx.ns);
  redis = fx.redis;
});
afterAll(async () => {
  await fx.cleanup();
});

describe('durable streams', () => {
  it('append validates: a bad message is refused before it reaches Redis', async () => {
    const stream = `${names.outcomeStream}:bad`;
    await expect(
      appendMessage(redis, stream, OrderOutcomeEventSchema, { ...event(1), role: 'middle' } as never),
    ).rejects.toThrow();
    expect(await redis.exists(stream)).toBe(0);
  });

  it('readNewest returns the newest entries first and reports invalid ones', async () => {
    const stream = `${names.outcomeStream}:newest`;
    for (let i = 1; i <= 4; i++) await appendMessage(redis, stream, OrderOutcomeEventSchema, event(i));
    await redis.xadd(stream, '*', 'm', 'not json');
    const { entries, rejected } = await readNewest(redis, stream, OrderOutcomeEventSchema, 3);
    expect(entries.map((e) => e.message.sentAt)).toEqual([4, 3]);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.raw).toBe('not json');
  });

  it('queueAppend writes with the rest of a MULTI, and validates before queueing', async () => {
    const stream = `${names.outcomeStream}:multi`;
    const tx = redis.multi().set(`${stream}:other`, '1');
    queueAppend(tx, stream, OrderOutcomeEventSchema, event(7));
    expect(() =>
      queueAppend(redis.multi(), stream, OrderOutcomeEventSchema, { ...event(8), role: 'middle' } as never),
    ).toThrow();
    await tx.exec();
    const { entries } = await readRange(redis, stream, OrderOutcomeEventSchema);
    expect(entries.map((e) => e.message)).toEqual([event(7)]);
    expect(await redis.get(`${stream}:other`)).toBe('1');
  });

  it('delivers every entry once to a group, acks it, and counts malformed entries as rejects', async () => {
    const stream = `${names.outcomeStream}:a`;
    const got: number[] = [];
    const rejected: RejectedEntry[] = [];
    const consumer = new StreamConsumer({
      redis: own(),
      stream,
      group: 'risk',
      consumer: 'r1',
      schema: OrderOutcomeEventSchema,
      handler: async (e) => {
        got.push(e.message.sentAt);
      },
      onReject: (r) => rejected.push(r),
      blockMs: 200,
    });
    await consumer.start();
    for (let i = 1; i <= 5; i++) await appendMessage(redis, stream, OrderOutcomeEventSchema, event(i));
    await redis.xadd(stream, '*', 'm', '{"v":1,"kind":"nonsense"}');
    await redis.xadd(stream, '*', 'other', 'x');
    await waitFor(() => got.length === 5 && rejected.length === 2);
    await consumer.stop();
    expect(got).toEqual([1, 2, 3, 4, 5]);
    expect(rejected[0]?.raw).toContain('nonsense');
    const pending = (await redis.xpending(stream, 'risk')) as [number, ...unknown[]];
    expect(pending[0]).toBe(0);
    const all = await readRange(redis, stream, OrderOutcomeEventSchema);
    expect(all.entries.map((e) => e.message.sentAt)).toEqual([1, 2, 3, 4, 5]);
    expect(all.rejected).toHaveLength(2);
  });

  it("a crashed consumer's pending entries are reclaimed by another and not lost", async () => {
    const stream = `${names.outcomeStream}:b`;
    for (let i = 1; i <= 3; i++) await appendMessage(redis, stream, OrderOutcomeEventSchema, event(i));
    // Consumer "dead" reads all three and dies before acknowledging (handler never completes ack).
    const deadConn = own();
    const dead = new StreamConsumer({
      redis: deadConn,
      stream,
      group: 'risk',
      consumer: 'dead',
      schema: OrderOutcomeEventSchema,
      handler: async () => {
        throw new Error('crash before ack');
      },
      onError: () => {},
      reclaimIdleMs: 60_000,
      blockMs: 100,
    });
    await dead.start();
    await waitFor(async () => ((await redis.xpending(stream, 'risk')) as [number])[0] === 3);
    await dead.stop();

    const got: number[] = [];
    const alive = new StreamConsumer({
      redis: own(),
      stream,
      group: 'risk',
      consumer: 'alive',
      schema: OrderOutcomeEventSchema,
      handler: async (e) => {
        got.push(e.message.sentAt);
      },
      reclaimIdleMs: 200,
      reclaimEveryMs: 100,
      blockMs: 100,
    });
    await alive.start();
    await waitFor(() => got.length === 3);
    await alive.stop();
    expect(got.sort()).toEqual([1, 2, 3]);
    expect(((await redis.xpending(stream, 'risk')) as [number])[0]).toBe(0);
  });

  it('a restarted consumer with the same name first re-reads its own pending entries', async () => {
    const stream = `${names.outcomeStream}:c`;
    for (let i = 1; i <= 3; i++) await appendMessage(redis, stream, OrderOutcomeEventSchema, event(i));
    let fail = true;
    const got: number[] = [];
    const make = () =>
      new StreamConsumer({
        redis: own(),
        stream,
        group: 'risk',
        consumer: 'risk-1',
        schema: OrderOutcomeEventSchema,
        handler: async (e) => {
          if (fail) throw new Error('down');
          got.push(e.message.sentAt);
        },
        onError: () => {},
        reclaimIdleMs: 3_600_000,
        blockMs: 100,
      });
    const first = make();
    await first.start();
    await waitFor(async () => ((await redis.xpending(stream, 'risk')) as [number])[0] === 3);
    await first.stop();
    fail = false;
    const second = make();
    await second.start();
    await waitFor(() => got.length === 3);
    await second.stop();
    expect(got).toEqual([1, 2, 3]);
  });
});
