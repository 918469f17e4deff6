import { deleteNamespace } from '@arb/testkit/redis';
import { randomBytes } from 'node:crypto';
import type { Quote } from '@arb/core/quote';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  FeedRunner,
  type QuoteSource,
  type QuoteSourceStats,
  readFeedHealth,
  startFeed,
} from './feed-runner';
import { redisNames } from './keys';
import { readLatestQuote, subscribeQuotes } from './quote-bus';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = new Redis(url);
const sub = new Redis(url);
const ns = `t-${randomBytes(4).toString('hex')}`;
const names = redisNames(ns);

afterAll(async () => {
  await deleteNamespace(redis, ns);
  redis.disconnect();
  sub.disconnect();
});

/** An injected source (the runner's input), driven by the test. */
class ManualSource implements QuoteSource {
  emit: (q: Quote) => void = () => {};
  s: QuoteSourceStats = {
    connected: false,
    reconnects: 0,
    malformed: 0,
    frames: 0,
    lastMessageAt: 0,
    stalls: 0,
    rotations: 0,
  };
  stopped = false;
  start(onQuote: (q: Quote) => void): void {
    this.emit = onQuote;
    this.s.connected = true;
  }
  async stop(): Promise<void> {
    this.stopped = true;
    this.s.connected = false;
  }
  stats(): QuoteSourceStats {
    return this.s;
  }
}

const quote = (seq: number): Quote => ({
  v: 1,
  venue: 'aster',
  symbol: 'BTCUSDT',
  bid: 60000 + (seq % 100) / 10,
  bidQty: 1,
  ask: 60020,
  askQty: 2,
  venueTime: 1_700_000_000_000 + seq,
  receivedAt: 1_700_000_000_001 + seq,
  seq,
});

async function until(
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`${what} not met in time`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('FeedRunner (real Redis)', { timeout: 60_000 }, () => {
  it('publishes source quotes and keeps a health hash', async () => {
    const source = new ManualSource();
    const runner = new FeedRunner({
      redis,
      names,
      venue: 'aster',
      pair: 'BTC',
      source,
      healthIntervalMs: 50,
      streamMaxLen: 50,
    });
    const got: Quote[] = [];
    const s = await subscribeQuotes(sub, names, ['aster'], 'BTC', (q) => got.push(q));
    await runner.start();
    for (let i = 0; i < 10; i++) source.emit(quote(i));
    source.s.malformed = 3;
    source.s.reconnects = 1;
    source.s.lastMessageAt = 1234;
    await until(() => got.length === 10, 30_000, '10 quotes received');
    expect(got.map((q) => q.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect((await readLatestQuote(redis, names, 'aster', 'BTC'))?.seq).toBe(9);
    await until(
      async () => (await readFeedHealth(redis, names, 'aster'))?.malformed === '3',
      30_000,
      'health malformed=3',
    );
    const h = await readFeedHealth(redis, names, 'aster');
    expect(h).toMatchObject({
      connected: '1',
      reconnects: '1',
      published: '10',
      lastMessageAt: '1234',
      venue: 'aster',
    });
    expect(Number(await redis.pttl(names.feedHealthKey('aster')))).toBeGreaterThan(0);
    await runner.stop();
    expect(source.stopped).toBe(true);
    expect((await readFeedHealth(redis, names, 'aster'))?.connected).toBe('0');
    await s.close();
  });

  it('startFeed runs a service source under its settings (namespace, pair, stream) and stops it', async () => {
    const source = new ManualSource();
    const feed = await startFeed({
      settings: { namespace: ns, pair: 'SF', streamMaxLen: 20 },
      venue: 'aster',
      source,
      redis,
      healthIntervalMs: 50,
    });
    expect(feed.source).toBe(source);
    source.emit(quote(1));
    await until(
      async () => (await readLatestQuote(redis, names, 'aster', 'SF'))?.seq === 1,
      30_000,
      'latest quote under the namespace and pair',
    );
    expect(await redis.xlen(names.quoteStream('aster', 'SF'))).toBe(1);
    expect((await readFeedHealth(redis, names, 'aster'))?.pair).toBe('SF');
    await feed.stop();
    expect(source.stopped).toBe(true);
    expect((await readFeedHealth(redis, names, 'aster'))?.connected).toBe('0');
  });

  it('coalesces to the latest quote when Redis is backlogged', async () => {
    const source = new ManualSource();
    const runner = new FeedRunner({ redis, names, venue: 'backpack', pair: 'CO', source, maxInFlight: 2 });
    await runner.start();
    // Each quote in its own microtask turn: the first two go out as pipelines, the rest arrive while both
    // are in flight (no reply can arrive between microtasks) and coalesce into one pending publish.
    for (let i = 0; i < 100; i++) {
      source.emit({ ...quote(i), venue: 'backpack', symbol: 'BTC_USDC_PERP' });
      await Promise.resolve();
    }
    await until(() => runner.stats().lastPublishedSeq === 99);
    const st = runner.stats();
    expect(st.published + st.coalesced).toBe(100);
    expect(st.coalesced).toBe(97);
    expect((await readLatestQuote(redis, names, 'backpack', 'CO'))?.seq).toBe(99);
    await runner.stop();
  });

  it('throughput: normalized quotes published per second by one runner', async () => {
    const source = new ManualSource();
    const runner = new FeedRunner({ redis, names, venue: 'aster', pair: 'TP', source });
    await runner.start();
    const n = 50_000;
    const t0 = performance.now();
    // Emit in bursts, yielding between them, like socket frames arriving.
    for (let i = 0; i < n; i += 500) {
      for (let j = i; j < i + 500; j++) source.emit(quote(j));
      await new Promise((r) => setImmediate(r));
    }
    await until(() => runner.stats().lastPublishedSeq === n - 1, 60_000);
    const secs = (performance.now() - t0) / 1000;
    const st = runner.stats();
    console.log(
      `[measured] FeedRunner: ${n} quotes in ${secs.toFixed(2)} s = ${Math.round(n / secs)}/s ` +
        `(published ${st.published}, coalesced ${st.coalesced})`,
    );
    expect(st.publishErrors).toBe(0);
    await runner.stop();
  });
});
