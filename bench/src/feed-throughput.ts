import type { AddressInfo } from 'node:net';
import { redisNames } from '@arb/bus/keys';
import { spawnService } from '@arb/testkit/process';
import { Redis } from 'ioredis';
import { WebSocketServer } from 'ws';
import { sleep } from './clock';
import { cpuMs } from './proc-stats';

/**
 * Feed throughput: the REAL feed-aster process against a local high-rate AsterDex-shaped WS source
 * (combined-stream bookTicker frames, as fast as the socket drains), counting the quotes that arrive on
 * its Redis channel. `perCpuSecond` divides by the feed process's own CPU time: ticks per second on one
 * core when the feed is the bottleneck.
 */

export interface FeedThroughputResult {
  seconds: number;
  sent: number;
  /** Quotes received on the Redis channel per wall second. */
  publishedPerSec: number;
  /** Feed process CPU share of one core during the window (percent). */
  feedCpuPercent: number;
  /** Quotes per CPU-second of the feed process. */
  perCpuSecond: number;
}

export async function measureFeedThroughput(o: {
  redisUrl: string;
  ns: string;
  seconds: number;
  log?: (s: string) => void;
}): Promise<FeedThroughputResult> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  const wsUrl = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  let sending = false;
  let u = 1000;
  let sent = 0;
  wss.on('connection', (ws) => {
    ws.on('message', (raw) => {
      const m = JSON.parse(String(raw)) as { id?: number };
      ws.send(JSON.stringify({ result: null, id: m.id ?? 1 }));
      sending = true;
      pump();
    });
    const pump = () => {
      if (ws.readyState !== ws.OPEN || !sending) return;
      const now = Date.now();
      // One syscall per batch instead of per frame (ws writes each frame to the socket itself).
      const sock = (ws as unknown as { _socket: { cork(): void; uncork(): void } })._socket;
      sock.cork();
      for (let k = 0; k < 200 && ws.bufferedAmount < 256 * 1024; k++) {
        u++;
        const bid = (100000 + (u % 50) * 0.1).toFixed(1);
        const ask = (100000.1 + (u % 50) * 0.1).toFixed(1);
        ws.send(
          `{"stream":"btcusdt@bookTicker","data":{"e":"bookTicker","u":${u},"E":${now},"T":${now},"s":"BTCUSDT","b":"${bid}","B":"0.512","a":"${ask}","A":"0.733"}}`,
        );
        sent++;
      }
      sock.uncork();
      setImmediate(pump);
    };
  });
  const sub = new Redis(o.redisUrl, { maxRetriesPerRequest: null });
  let received = 0;
  sub.on('message', () => {
    received++;
  });
  await sub.subscribe(redisNames(o.ns).quoteChannel('aster', 'BTC'));
  const feed = spawnService({
    entry: 'services/feed-aster/src/main.ts',
    name: 'feed-aster',
    env: {
      REDIS_URL: o.redisUrl,
      ARB_NAMESPACE: o.ns,
      MODE: 'sim',
      LOG_LEVEL: 'info',
      ASTER_WS_URL: wsUrl,
      HEALTH_PORT: '0',
    },
  });
  try {
    await feed.waitForLine(/"msg":"ready"/, 120_000);
    const pid = feed.pid as number;
    await sleep(2000); // warm up (JIT, connection)
    const r0 = received;
    const s0 = sent;
    const c0 = cpuMs(pid);
    const t0 = performance.now();
    await sleep(o.seconds * 1000);
    const wall = (performance.now() - t0) / 1000;
    const cpu = (cpuMs(pid) - c0) / 1000;
    const n = received - r0;
    o.log?.(`feed: ${n} quotes in ${wall.toFixed(1)} s, feed cpu ${cpu.toFixed(2)} s`);
    return {
      seconds: Math.round(wall * 10) / 10,
      sent: sent - s0,
      publishedPerSec: Math.round(n / wall),
      feedCpuPercent: Math.round((cpu / wall) * 1000) / 10,
      perCpuSecond: cpu > 0 ? Math.round(n / cpu) : 0,
    };
  } finally {
    sending = false;
    await feed.stop();
    await sub.quit();
    for (const c of wss.clients) c.terminate();
    await new Promise((r) => wss.close(r));
  }
}
