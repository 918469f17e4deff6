import { bullConnection } from '@arb/bus/bull-connection';
import { writeControlFlags } from '@arb/bus/control-flags';
import { readActiveHedge } from '@arb/bus/hedge-store';
import { redisNames } from '@arb/bus/keys';
import { writeOrderHealth } from '@arb/bus/order-health';
import { currentLeader } from '@arb/bus/leader-lease';
import { closeOrderQueues, createOrderQueues } from '@arb/bus/order-queues';
import { QuotePublisher } from '@arb/bus/quote-bus';
import { killAllServices, spawnService } from '@arb/testkit/process';
import { type RedisServer, startRedisServer } from '@arb/testkit/redis-server';
import { sleep, waitFor } from '@arb/testkit/wait';
import { Redis } from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import { testQuote } from './test-quote';

/**
 * Redis crashes (SIGKILL) under a running strategy and comes back from its AOF: the strategy process
 * survives, reconnects its subscriber and queues, keeps (or retakes) the lease, and trades again.
 */
let server: RedisServer | undefined;
let redis: Redis | undefined;

afterAll(async () => {
  await killAllServices();
  redis?.disconnect();
  await server?.stop();
});

it('the strategy survives a Redis crash + AOF restart and trades afterwards', async () => {
  server = await startRedisServer({ aof: true });
  const ns = 'rr';
  const names = redisNames(ns);
  redis = new Redis(server.url, { maxRetriesPerRequest: null });
  redis.on('error', () => {});
  const pubs = {
    aster: new QuotePublisher(redis, names, 'aster', 'BTC'),
    backpack: new QuotePublisher(redis, names, 'backpack', 'BTC'),
  };
  let seq = 0;
  const quote = (venue: 'aster' | 'backpack', bid: number) => testQuote(venue, bid, ++seq, Date.now());
  const health = async () => {
    for (const venue of ['aster', 'backpack'] as const) {
      await redis!.hset(names.feedHealthKey(venue), { venue, connected: '1', updatedAt: String(Date.now()) });
      // The order workers' report too (the test plays them).
      await writeOrderHealth(
        redis!,
        names,
        { v: 1, venue, state: 'ok', reason: null, until: null, updatedAt: Date.now() },
        15_000,
      );
    }
  };
  const healthTimer = setInterval(() => void health().catch(() => {}), 500);
  await health();
  await writeControlFlags(redis, names, { reconciled: true }, { by: 'test', reason: 'test', at: Date.now() });

  const p = spawnService({
    entry: 'services/strategy/src/main.ts',
    name: 'strategy',
    env: {
      MODE: 'sim',
      REDIS_URL: server.url,
      ARB_NAMESPACE: ns,
      PAIR: 'BTC',
      PRICE_VALIDITY_MS: '10000',
      HEALTH_PORT: '0',
    },
  });
  await p.waitForLine(/"msg":"ready"/, 60_000);
  await waitFor(() => currentLeader(redis!, names, 'BTC'), 60_000);

  await server.kill();
  await sleep(1500);
  await server.restart();
  expect(p.exit).toBeUndefined();

  // Dislocations until one is traded: the subscriber and the lease are back.
  const hedge = await waitFor(
    async () => {
      await pubs.aster.publish(quote('aster', 100_000));
      await pubs.backpack.publish(quote('backpack', 100_200));
      return readActiveHedge(redis!, names, 'BTC');
    },
    { timeoutMs: 60_000, intervalMs: 200 },
  );
  const queues = createOrderQueues(bullConnection(server.url), names);
  await waitFor(
    async () => (await queues.aster.getJob(`${hedge.hedgeId}-aster-open1`)) !== undefined,
    30_000,
  );
  expect(p.exit).toBeUndefined();
  expect(p.jsonLines().some((l) => l.level === 60)).toBe(false);
  clearInterval(healthTimer);
  await closeOrderQueues(queues);
  expect((await p.stop('SIGTERM')).code).toBe(0);
});
