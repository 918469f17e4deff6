/**
 * Hot-path benchmark of the Aster feed: a worker thread replays bookTicker frames over a real WebSocket as
 * fast as the socket takes them; this thread runs AsterMarketData → FeedRunner → Redis (PUBLISH + latest
 * key, + XADD when STREAM > 0) and reports normalized quotes published per second.
 *   N=100000 STREAM=0 npx tsx services/feed-aster/src/hot-path-bench.ts
 * Needs a Redis at REDIS_URL (default 127.0.0.1:6379). Run it on a quiet machine: it measures one core.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { Redis } from 'ioredis';
import { FeedRunner } from '@arb/bus/feed-runner';
import { redisNames } from '@arb/bus/keys';
import { AsterMarketData } from '@arb/venue-aster/market-data';
import { deleteNamespace } from '@arb/testkit/redis';

const n = Number(process.env.N ?? 100000);
const stream = Number(process.env.STREAM ?? 0);
const PRODUCER = `
const { parentPort, workerData } = require('node:worker_threads');
const { WebSocketServer } = require(${JSON.stringify(createRequire(import.meta.url).resolve('ws'))});
const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
wss.on('listening', () => parentPort.postMessage({ port: wss.address().port }));
wss.on('connection', (ws) => {
  ws.once('message', () => {
    let u = 1;
    const burst = () => {
      const t = Date.now();
      for (let i = 0; i < 1000 && u <= workerData.n; i++, u++) {
        const bid = (60000 + (u % 50) / 10).toFixed(1);
        ws.send('{"stream":"btcusdt@bookTicker","data":{"e":"bookTicker","u":' + u + ',"E":' + t + ',"T":' + t +
          ',"s":"BTCUSDT","b":"' + bid + '","B":"1.234","a":"60010.0","A":"0.5"}}');
      }
      if (u <= workerData.n) setImmediate(burst);
    };
    burst();
  });
});`;
const worker = new Worker(PRODUCER, { eval: true, workerData: { n } });
const port = await new Promise<number>((r) => worker.once('message', (m: { port: number }) => r(m.port)));
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
await worker.terminate();
