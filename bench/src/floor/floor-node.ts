import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { Pool } from 'undici';
import { WebSocket } from 'ws';
import { usSince } from '../clock';

/**
 * One end of a raw floor hop, run as its own process (forked with IPC by floor.ts). Only the raw
 * libraries (ws, ioredis, bullmq, undici, node:http): this is what the pipeline's transport costs with no
 * product code at all. Every message carries its send time (process.hrtime.bigint(), one clock for every
 * process), so the receiving end measures the one-way hop.
 *
 *   argv[2] = role, argv[3] = JSON options. Parent -> child: 'collect' | 'stop'.
 *   Child -> parent: { type: 'ready', port? } | { type: 'samples', samples } | { type: 'error', message }.
 */

export type FloorRole =
  | 'ws-sink'
  | 'pubsub-sink'
  | 'stream-sink'
  | 'bull-sink'
  | 'http-sink'
  | 'chain-feed'
  | 'chain-strategy'
  | 'chain-worker';

export interface FloorNodeOptions {
  redisUrl?: string;
  wsUrl?: string;
  channel?: string;
  streamKey?: string;
  bullPrefix?: string;
  queue?: string;
  /** chain-strategy: the queues it adds one job to per marked tick. */
  queues?: string[];
  /** chain-strategy: the feeds' channels it subscribes to. */
  channels?: string[];
  /** chain-worker: where it POSTs. */
  httpUrl?: string;
  leg?: string;
}

type Msg = { t: string; mark?: boolean; pad?: string };

const send = (m: unknown) => process.send?.(m);
const samples: number[] = [];
const closers: (() => Promise<unknown> | unknown)[] = [];

function redisOf(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableAutoPipelining: false });
}

function bullConn(url: string) {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || 6379), maxRetriesPerRequest: null };
}

async function main(): Promise<void> {
  const role = process.argv[2] as FloorRole;
  const o = JSON.parse(process.argv[3] ?? '{}') as FloorNodeOptions;
  let readyExtra: Record<string, unknown> = {};
  switch (role) {
    case 'ws-sink': {
      const ws = new WebSocket(o.wsUrl as string);
      ws.on('message', (data) => {
        const m = JSON.parse(String(data)) as Msg;
        samples.push(usSince(m.t));
      });
      await new Promise((r, j) => {
        ws.once('open', r);
        ws.once('error', j);
      });
      closers.push(() => ws.close());
      break;
    }
    case 'pubsub-sink': {
      const sub = redisOf(o.redisUrl as string);
      sub.on('message', (_c: string, raw: string) => {
        const m = JSON.parse(raw) as Msg;
        samples.push(usSince(m.t));
      });
      await sub.subscribe(o.channel as string);
      closers.push(() => sub.quit());
      break;
    }
    case 'stream-sink': {
      const r = redisOf(o.redisUrl as string);
      let running = true;
      let last = '$';
      const loop = async () => {
        while (running) {
          const res = (await r.xread('BLOCK', 1000, 'STREAMS', o.streamKey as string, last)) as
            | [string, [string, string[]][]][]
            | null;
          if (!res) continue;
          for (const [, entries] of res) {
            for (const [id, fields] of entries) {
              last = id;
              const m = JSON.parse(fields[1] as string) as Msg;
              samples.push(usSince(m.t));
            }
          }
        }
      };
      const done = loop().catch(() => undefined);
      closers.push(async () => {
        running = false;
        r.disconnect();
        await done;
      });
      break;
    }
    case 'bull-sink': {
      const w = new Worker(
        o.queue as string,
        async (job) => {
          samples.push(usSince((job.data as Msg).t));
        },
        { connection: bullConn(o.redisUrl as string), prefix: o.bullPrefix as string, concurrency: 1 },
      );
      await w.waitUntilReady();
      closers.push(() => w.close());
      break;
    }
    case 'http-sink': {
      const server = createServer((req, res) => {
        const t = req.headers['x-t'];
        if (typeof t === 'string') samples.push(usSince(t));
        req.resume();
        req.on('end', () => res.end('{"ok":true}'));
      });
      server.keepAliveTimeout = 65_000;
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      readyExtra = { port: (server.address() as AddressInfo).port };
      closers.push(() => new Promise((r) => server.close(r)));
      break;
    }
    case 'chain-feed': {
      const pub = redisOf(o.redisUrl as string);
      const ws = new WebSocket(o.wsUrl as string);
      ws.on('message', (data) => {
        void pub.publish(o.channel as string, String(data));
      });
      await new Promise((r, j) => {
        ws.once('open', r);
        ws.once('error', j);
      });
      closers.push(
        () => ws.close(),
        () => pub.quit(),
      );
      break;
    }
    case 'chain-strategy': {
      const sub = redisOf(o.redisUrl as string);
      const queues = (o.queues ?? []).map(
        (name) =>
          new Queue(name, { connection: bullConn(o.redisUrl as string), prefix: o.bullPrefix as string }),
      );
      for (const q of queues) await q.waitUntilReady();
      sub.on('message', (_c: string, raw: string) => {
        const m = JSON.parse(raw) as Msg;
        if (!m.mark) return;
        for (const q of queues) void q.add('leg', { t: m.t }, { removeOnComplete: true, removeOnFail: true });
      });
      await sub.subscribe(...(o.channels ?? []));
      closers.push(() => sub.quit(), ...queues.map((q) => () => q.close()));
      break;
    }
    case 'chain-worker': {
      const pool = new Pool(o.httpUrl as string, { connections: 4, keepAliveTimeout: 60_000 });
      const w = new Worker(
        o.queue as string,
        async (job) => {
          const res = await pool.request({
            method: 'POST',
            path: '/order',
            headers: { 'content-type': 'application/json', 'x-t': (job.data as Msg).t, 'x-leg': o.leg ?? '' },
            body: JSON.stringify({ leg: o.leg, t: (job.data as Msg).t, symbol: 'BTCUSDT', qty: '0.02' }),
          });
          await res.body.text();
        },
        { connection: bullConn(o.redisUrl as string), prefix: o.bullPrefix as string, concurrency: 1 },
      );
      await w.waitUntilReady();
      closers.push(
        () => w.close(),
        () => pool.close(),
      );
      break;
    }
    default:
      throw new Error(`unknown role ${role}`);
  }
  process.on('message', async (m) => {
    if (m === 'collect') send({ type: 'samples', samples });
    if (m === 'stop') {
      for (const c of closers.reverse()) await Promise.resolve(c()).catch(() => undefined);
      process.exit(0);
    }
  });
  send({ type: 'ready', ...readyExtra });
}

main().catch((e: unknown) => {
  send({ type: 'error', message: String((e as Error)?.stack ?? e) });
  process.exit(1);
});
