import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Pool } from 'undici';
import { WebSocketServer } from 'ws';
import { BenchChild } from '../child';
import { nowNs, paced, sleep, usSince } from '../clock';
import { type Summary, summarize } from '../stats';
import type { FloorNodeOptions, FloorRole } from './floor-node';

/**
 * The machine's floor: each raw hop the pipeline crosses, one-way, between two processes, at a given
 * pacing (one message every `periodMs`), and the bare chain ws -> pub/sub -> BullMQ -> HTTP built from the
 * raw libraries only (this process is the "venue": WS server and HTTP server; helper processes play the
 * feed, the strategy and two order workers).
 */

export interface FloorOptions {
  redisUrl: string;
  ns: string;
  periodMs: number;
  /** Samples kept per hop (after `warmup` discarded ones). */
  count: number;
  warmup: number;
  /** Chain: one tick in `markEvery` triggers orders (the rest only cross ws and pub/sub, as quotes do). */
  markEvery: number;
  /** Chain samples (marked ticks) kept. */
  chainCount: number;
}

export interface FloorResult {
  periodMs: number;
  ws: Summary;
  pubsub: Summary;
  bullmq: Summary;
  stream: Summary;
  http: Summary;
  /** Sum of the single hops' p50 / p99 (ws + pub/sub + BullMQ + HTTP). */
  hopSum: { p50: number; p99: number };
  /**
   * Bare chain with the pipeline's shape (two venues' feeds, each ticking at the pacing), tick sent ->
   * each leg's request at the venue (both legs' samples). The pipeline's ratios divide by this.
   */
  chainLeg: Summary;
  /** The same, tick sent -> the later of the two legs' requests. */
  chainBothLegs: Summary;
  /** Bare chain with one feed (half the pipeline's tick load; the yardstick of the runs before 2026-11-28 13:00). */
  chainOneVenueLeg: Summary;
}

const PAD = 'x'.repeat(180); // a normalized quote is ~250 bytes of JSON
const msg = () => JSON.stringify({ t: String(nowNs()), pad: PAD });

function fork(role: FloorRole, o: FloorNodeOptions): BenchChild {
  return new BenchChild(role, 'floor/floor-node.ts', [role, JSON.stringify(o)]);
}

/** Starts the children, runs `drive`, then collects the first child's samples (minus warmup). */
async function hop(
  o: FloorOptions,
  children: BenchChild[],
  drive: (ready: Record<string, unknown>[]) => Promise<void>,
): Promise<number[]> {
  try {
    const ready = [];
    for (const c of children) ready.push(await c.ready());
    await sleep(300);
    await drive(ready);
    await sleep(500);
    return (await (children[0] as BenchChild).collect()).slice(o.warmup);
  } finally {
    for (const c of children) await c.stop();
  }
}

async function listenWs(): Promise<{ wss: WebSocketServer; url: string; close: () => Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  return {
    wss,
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise((r) => wss.close(r));
    },
  };
}

async function hopWs(o: FloorOptions): Promise<number[]> {
  const s = await listenWs();
  try {
    return await hop(o, [fork('ws-sink', { wsUrl: s.url })], () =>
      paced(o.count + o.warmup, o.periodMs, () => {
        const m = msg();
        for (const c of s.wss.clients) c.send(m);
      }),
    );
  } finally {
    await s.close();
  }
}

async function hopPubsub(o: FloorOptions, redis: Redis): Promise<number[]> {
  const channel = `${o.ns}.floor.pubsub`;
  return hop(o, [fork('pubsub-sink', { redisUrl: o.redisUrl, channel })], () =>
    paced(o.count + o.warmup, o.periodMs, () => {
      void redis.publish(channel, msg());
    }),
  );
}

async function hopStream(o: FloorOptions, redis: Redis): Promise<number[]> {
  const streamKey = `${o.ns}:floor:stream`;
  try {
    return await hop(o, [fork('stream-sink', { redisUrl: o.redisUrl, streamKey })], () =>
      paced(o.count + o.warmup, o.periodMs, () => {
        void redis.xadd(streamKey, 'MAXLEN', '~', '1000', '*', 'm', msg());
      }),
    );
  } finally {
    await redis.del(streamKey);
  }
}

function bullConn(url: string) {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || 6379), maxRetriesPerRequest: null };
}

async function hopBull(o: FloorOptions): Promise<number[]> {
  const bullPrefix = `${o.ns}:floorbull`;
  const queue = new Queue('floor-hop', { connection: bullConn(o.redisUrl), prefix: bullPrefix });
  await queue.waitUntilReady();
  try {
    return await hop(o, [fork('bull-sink', { redisUrl: o.redisUrl, bullPrefix, queue: 'floor-hop' })], () =>
      paced(o.count + o.warmup, o.periodMs, () => {
        void queue.add('hop', { t: String(nowNs()) }, { removeOnComplete: true, removeOnFail: true });
      }),
    );
  } finally {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
}

async function hopHttp(o: FloorOptions): Promise<number[]> {
  const sink = fork('http-sink', {});
  let pool: Pool | undefined;
  try {
    return await hop(o, [sink], async (ready) => {
      pool = new Pool(`http://127.0.0.1:${String(ready[0]?.port)}`, {
        connections: 4,
        keepAliveTimeout: 60_000,
      });
      const p = pool;
      const pending: Promise<unknown>[] = [];
      await paced(o.count + o.warmup, o.periodMs, () => {
        const t = String(nowNs());
        pending.push(
          p
            .request({
              method: 'POST',
              path: '/order',
              headers: { 'content-type': 'application/json', 'x-t': t },
              body: JSON.stringify({ t, symbol: 'BTCUSDT', qty: '0.02' }),
            })
            .then((r) => r.body.text()),
        );
      });
      await Promise.all(pending);
    });
  } finally {
    await pool?.close();
  }
}

/**
 * The bare chain: tick (WS) -> feed process -> pub/sub -> strategy process -> 2 BullMQ jobs -> 2 workers ->
 * HTTP. With `venues: 2` it has the pipeline's shape and load: two feeds (one WS server each, as each venue
 * has its own), every tick sent to both, the strategy subscribed to both channels and acting on the second
 * venue's marked tick (the pipeline's t0 is the second venue's dislocated book); with 1, a single feed.
 */
async function chain(o: FloorOptions, venues: 1 | 2): Promise<{ leg: number[]; both: number[] }> {
  const arrivals = new Map<string, number[]>();
  const http = createServer((req, res) => {
    const t = req.headers['x-t'];
    if (typeof t === 'string') {
      const us = usSince(t);
      const a = arrivals.get(t);
      if (a) a.push(us);
      else arrivals.set(t, [us]);
    }
    req.resume();
    req.on('end', () => res.end('{"ok":true}'));
  });
  http.keepAliveTimeout = 65_000;
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const httpUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  // servers[0] is the venue whose tick triggers the orders; it is sent last.
  const servers = await Promise.all(Array.from({ length: venues }, () => listenWs()));
  const channels = servers.map((_, i) => `${o.ns}.floor.chain.v${venues}.${i}`);
  const bullPrefix = `${o.ns}:floorchain${venues}`;
  const queues = ['chain-a', 'chain-b'];
  const children = [
    fork('chain-worker', { redisUrl: o.redisUrl, bullPrefix, queue: 'chain-a', httpUrl, leg: 'a' }),
    fork('chain-worker', { redisUrl: o.redisUrl, bullPrefix, queue: 'chain-b', httpUrl, leg: 'b' }),
    fork('chain-strategy', { redisUrl: o.redisUrl, bullPrefix, channels, queues }),
    ...servers.map((s, i) =>
      fork('chain-feed', { redisUrl: o.redisUrl, wsUrl: s.url, channel: channels[i] }),
    ),
  ];
  try {
    for (const c of children) await c.ready();
    await sleep(300);
    const marked: string[] = [];
    const warmup = Math.min(o.warmup, 20);
    const n = (o.chainCount + warmup) * o.markEvery;
    await paced(n, o.periodMs, (i) => {
      for (let v = servers.length - 1; v >= 0; v--) {
        const t = String(nowNs());
        const mark = v === 0 && i % o.markEvery === 0;
        if (mark) marked.push(t);
        const m = JSON.stringify({ t, mark, pad: PAD });
        for (const c of (servers[v] as (typeof servers)[number]).wss.clients) c.send(m);
      }
    });
    await sleep(1000);
    const leg: number[] = [];
    const both: number[] = [];
    for (const t of marked.slice(warmup)) {
      const a = arrivals.get(t) ?? [];
      leg.push(...a);
      if (a.length === 2) both.push(Math.max(...a));
    }
    return { leg, both };
  } finally {
    for (const c of children.reverse()) await c.stop();
    for (const s of servers) await s.close();
    await new Promise((r) => http.close(r));
    for (const q of queues) {
      const queue = new Queue(q, { connection: bullConn(o.redisUrl), prefix: bullPrefix });
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
    }
  }
}

/**
 * The bare chain alone (two venues, the pipeline's shape), per leg and both legs: run beside the pipeline's
 * stack (ticking, calm market) it shows what the same machine load does to the bare hops.
 */
export async function measureBareChain(o: FloorOptions): Promise<{ leg: Summary; bothLegs: Summary }> {
  const c = await chain(o, 2);
  return { leg: summarize(c.leg), bothLegs: summarize(c.both) };
}

export async function measureFloor(
  o: FloorOptions,
  log: (s: string) => void = () => {},
): Promise<FloorResult> {
  const redis = new Redis(o.redisUrl, { maxRetriesPerRequest: null });
  try {
    log(`floor @${o.periodMs}ms: ws`);
    const ws = summarize(await hopWs(o));
    log(`floor @${o.periodMs}ms: pub/sub`);
    const pubsub = summarize(await hopPubsub(o, redis));
    log(`floor @${o.periodMs}ms: BullMQ`);
    const bullmq = summarize(await hopBull(o));
    log(`floor @${o.periodMs}ms: stream`);
    const stream = summarize(await hopStream(o, redis));
    log(`floor @${o.periodMs}ms: HTTP`);
    const http = summarize(await hopHttp(o));
    log(`floor @${o.periodMs}ms: bare chain, two venues`);
    const c = await measureBareChain(o);
    log(`floor @${o.periodMs}ms: bare chain, one venue`);
    const c1 = await chain(o, 1);
    const r1 = (x: number) => Math.round(x * 10) / 10;
    return {
      periodMs: o.periodMs,
      ws,
      pubsub,
      bullmq,
      stream,
      http,
      hopSum: {
        p50: r1(ws.p50 + pubsub.p50 + bullmq.p50 + http.p50),
        p99: r1(ws.p99 + pubsub.p99 + bullmq.p99 + http.p99),
      },
      chainLeg: c.leg,
      chainBothLegs: c.bothLegs,
      chainOneVenueLeg: summarize(c1.leg),
    };
  } finally {
    redis.disconnect();
  }
}
