/**
 * Hot-path benchmark of the Aster feed: a worker thread replays bookTicker frames over a real WebSocket as
 * fast as the socket takes them; this thread runs AsterMarketData → FeedRunner → Redis (PUBLISH + latest
 * key, + XADD when STREAM > 0) and reports normalized quotes published per second.
 *   N=100000 STREAM=0 npx tsx services/feed-aster/src/hot-path-bench.ts
 * Needs a Redis at REDIS_URL (default 127.0.0.1:6379). Run it on a quiet machine: it measures one core.
 */
import { Redis } from 'ioredis';
import { FeedRunner } from '@arb/bus/feed-runner';
import { redisNames } from '@arb/bus/keys';
import { AsterMarketData } from '@arb/venue-aster/market-data';
import { deleteNamespace } from '@arb/testkit/redis';
import { startBookTickerProducer } from './book-ticker-producer';

const n = Number(process.env.N ?? 100000);
const stream = Number(process.env.STREAM ?? 0);
const producer = await startBookTickerProducer(n);
const port = producer.port;
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const ns = `t-hot-${process.pid}`;
const source = new AsterMarketData({
  wsUrl: `ws://127.0.0.1:${port}`,
  symbol: 'BTCUSDT',
  stallMs: 10000,
  reconnectMaxMs: 5000,
});
const runner = new FeedRunner({
  redis,
  names: redisNames(ns),
  venue: 'aster',
  pair: 'BTC',
  source,
  streamMaxLen: stream,
});
await runner.start();
while (runner.stats().frames === 0) await new Promise((r) => setTimeout(r, 1));
const t0 = performance.now();
while (runner.stats().lastPublishedSeq < n - 1) await new Promise((r) => setTimeout(r, 5));
const secs = (performance.now() - t0) / 1000;
console.log(
  `stream=${stream}: ${n} in ${secs.toFixed(2)} s = ${Math.round(n / secs)}/s`,
  runner.stats().coalesced,
);
await runner.stop();
await deleteNamespace(redis, ns);
redis.disconnect();
await producer.close();
