import { type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisFixture, redisFixture } from '@arb/testkit/redis';
import { waitFor } from '@arb/testkit/wait';
import { bullConnection } from './bull-connection';
import type { HedgeIntent } from './hedge-intent';
import { readHedge } from './hedge-store';
import { createJobRouter } from './job-registry';
import { orderQueueFor, redisNames } from './keys';
import type { LegJob } from './leg-job';
import { closeOrderQueues, createOrderQueues, enqueueIntentLegs, type OrderQueues } from './order-queues';

let fx: RedisFixture;
let names: ReturnType<typeof redisNames>;
let connection: ReturnType<typeof bullConnection>;
let redis: Redis;
let queues: OrderQueues;

const intent: HedgeIntent = {
  v: 1,
  hedgeId: 'hqueue00001',
  pair: 'BTC',
  action: 'open',
  direction: 'buy_backpack_sell_aster',
  qty: 0.02,
  expectedEdge: 130,
  reason: 'spread',
  quoteSeqs: { aster: 1, backpack: 2 },
  priceGuards: { aster: 99_900, backpack: 100_100 },
  fence: 7,
  createdAt: 1,
};

beforeAll(async () => {
  fx = await redisFixture();
  names = redisNames(fx.ns);
  redis = fx.redis;
  connection = bullConnection(fx.url);
  queues = createOrderQueues(connection, names);
});
afterAll(async () => {
  await closeOrderQueues(queues);
  await fx.cleanup();
});

describe('enqueueing legs', () => {
  it('puts one job per venue queue under the namespace prefix; enqueueing again adds nothing', async () => {
    await redis.hset(names.hedgeKey(intent.hedgeId), 'pair', 'BTC');
    await enqueueIntentLegs(redis, names, queues, intent);
    await Promise.all([
      enqueueIntentLegs(redis, names, queues, intent),
      enqueueIntentLegs(redis, names, queues, intent),
    ]);
    expect(await queues.aster.getJobCounts('waiting')).toMatchObject({ waiting: 1 });
    expect(await queues.backpack.getJobCounts('waiting')).toMatchObject({ waiting: 1 });
    const a = await queues.aster.getJob('hqueue00001-aster-open1');
    expect(a?.data).toMatchObject({ side: 'sell', venue: 'aster', qty: 0.02, fence: 7 });
    expect(a?.opts.attempts).toBe(1);
    const b = await queues.backpack.getJob('hqueue00001-backpack-open1');
    expect(b?.data).toMatchObject({ side: 'buy', venue: 'backpack' });
    expect((await redis.keys(`${names.bullPrefix}:${orderQueueFor('aster')}:*`)).length).toBeGreaterThan(0);
    expect((await readHedge(redis, names, intent.hedgeId))?.enqueued).toEqual({ open: true, close: false });
  });

  it('a job already processed is not enqueued again, and a worker routes it to its one handler', async () => {
    const seen: string[] = [];
    const route = createJobRouter<string>([
      {
        name: 'open-leg',
        handler: async (d: LegJob) => {
          seen.push(d.clientOrderId);
          return 'sent';
        },
      },
      { name: 'close-leg', handler: async () => 'sent' },
      { name: 'complete-leg', handler: async () => 'sent' },
      { name: 'unwind-leg', handler: async () => 'sent' },
    ]);
    const worker = new Worker(orderQueueFor('aster'), (job: Job) => route(job), {
      connection,
      prefix: names.bullPrefix,
      concurrency: 1,
    });
    await waitFor(async () => (await queues.aster.getJobCounts('completed')).completed === 1);
    await enqueueIntentLegs(redis, names, queues, intent);
    await new Promise((r) => setTimeout(r, 300));
    expect(await queues.aster.getJobCounts('waiting', 'active', 'completed')).toMatchObject({
      waiting: 0,
      active: 0,
      completed: 1,
    });
    expect(seen).toEqual(['hqueue00001-aster-open1']);
    await worker.close();
  });
});

describe('bullConnection', () => {
  it('maps a URL to BullMQ options with maxRetriesPerRequest null', () => {
    expect(bullConnection('redis://u:p%40ss@example:6380/2')).toEqual({
      host: 'example',
      port: 6380,
      username: 'u',
      password: 'p@ss',
      db: 2,
      maxRetriesPerRequest: null,
    });
  });
});
