import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { ResilientWs, type ResilientWsOptions } from './resilient-ws';

// A real WS server on a real socket that streams numbered frames after a SUBSCRIBE, and can drop or stall.
let wss: WebSocketServer;
let url: string;
let seq = 0;
let stalled = false;
const sockets = new Set<WebSocket>();
let subscribes = 0;
let pings = 0;

beforeAll(async () => {
  wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/stream`;
  wss.on('connection', (ws) => {
    sockets.add(ws);
    let timer: NodeJS.Timeout | null = null;
    ws.on('ping', () => {
      pings++;
    });
    ws.on('message', (m) => {
      const msg = JSON.parse(m.toString()) as { method: string; id: number };
      if (msg.method !== 'SUBSCRIBE') return;
      subscribes++;
      ws.send(JSON.stringify({ result: null, id: msg.id }));
      timer = setInterval(() => {
        if (!stalled) ws.send(JSON.stringify({ u: ++seq }));
      }, 5);
    });
    ws.on('close', () => {
      if (timer) clearInterval(timer);
      sockets.delete(ws);
    });
  });
});

afterAll(async () => {
  for (const s of sockets) s.terminate();
  await new Promise((r) => wss.close(r));
});

let client: ResilientWs | null = null;
afterEach(async () => {
  await client?.stop();
  client = null;
  stalled = false;
});

interface Received {
  u: number;
  at: number;
  connId: number;
}

function makeClient(extra: Partial<ResilientWsOptions> = {}) {
  const got: Received[] = [];
  const c = new ResilientWs({
    name: 'test',
    url,
    subscribeFrames: () => [JSON.stringify({ method: 'SUBSCRIBE', params: ['btcusdt@bookTicker'], id: 1 })],
    onFrame: (raw, ctx) => {
      const m = JSON.parse(raw) as { u?: number };
      if (typeof m.u !== 'number') return false;
      got.push({ u: m.u, at: ctx.receivedAt, connId: ctx.connId });
      return true;
    },
    firstRetryMs: 100,
    maxRetryMs: 1000,
    stallMs: 0,
    ...extra,
  });
  client = c;
  return { c, got };
}

async function until(cond: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Largest silence between consecutive data frames received after `from`. */
function maxGap(got: Received[], from: number): number {
  let gap = 0;
  for (let i = 1; i < got.length; i++) {
    const a = got[i - 1]!;
    const b = got[i]!;
    if (b.at >= from) gap = Math.max(gap, b.at - a.at);
  }
  return gap;
}

describe('ResilientWs over a real socket', () => {
  it('subscribes, then reconnects and resubscribes after the server drops it', async () => {
    const { c, got } = makeClient();
    const opens: string[] = [];
    c.on('open', (e) => opens.push(e.cause));
    c.start();
    await until(() => got.length >= 5);
    const subsBefore = subscribes;
    const droppedAt = Date.now();
    for (const s of sockets) s.terminate();
    await until(() => got.some((g) => g.at > droppedAt + 1) && c.stats().reconnects === 1);
    await until(() => got.filter((g) => g.at > droppedAt).length >= 5);
    const gap = maxGap(got, droppedAt);
    console.log(`[measured] reconnect gap after server drop: ${gap} ms (first retry 100 ms ±20%)`);
    expect(subscribes).toBe(subsBefore + 1);
    expect(opens).toEqual(['initial', 'reconnect']);
    expect(c.stats()).toMatchObject({ connected: true, reconnects: 1, connects: 2 });
    expect(gap).toBeGreaterThanOrEqual(70);
    expect(gap).toBeLessThan(5000);
  });

  it('detects a silent stall and reconnects', async () => {
    const { c, got } = makeClient({ stallMs: 300 });
    const stalls: number[] = [];
    c.on('stall', (e) => stalls.push(e.silentMs));
    c.start();
    await until(() => got.length >= 5);
    const stalledAt = Date.now();
    stalled = true;
    await until(() => stalls.length === 1);
    stalled = false;
    await until(() => got.filter((g) => g.at > stalledAt).length >= 5);
    const gap = maxGap(got, stalledAt);
    console.log(`[measured] gap across a silent stall: ${gap} ms (stallMs 300 + retry ~100)`);
    expect(stalls[0]).toBeGreaterThan(300);
    expect(c.stats()).toMatchObject({ stalls: 1, reconnects: 1, connected: true });
    expect(gap).toBeLessThan(5000);
  });

  it('rotates before the lifetime: new socket subscribed before the old drops, no gap', async () => {
    const { c, got } = makeClient({ lifetimeMs: 400 });
    const rotations: number[] = [];
    c.on('rotate', (e) => rotations.push(e.toConnId));
    c.start();
    await until(() => got.length >= 5);
    const from = Date.now();
    await until(() => rotations.length >= 3);
    await until(() => got.filter((g) => g.connId === rotations[2]).length >= 5);
    const gap = maxGap(got, from);
    console.log(`[measured] largest gap across 3 rotations: ${gap} ms (frames every 5 ms)`);
    expect(c.stats().reconnects).toBe(0);
    expect(c.stats().rotations).toBeGreaterThanOrEqual(3);
    // Frames come only from one socket at a time: the connection id never goes backwards.
    for (let i = 1; i < got.length; i++) expect(got[i]!.connId).toBeGreaterThanOrEqual(got[i - 1]!.connId);
    expect(gap).toBeLessThan(2000); // generous: the machine is shared; the measured value is logged
  });

  it('sends client heartbeat pings when configured', async () => {
    const before = pings;
    const { c, got } = makeClient({ heartbeatMs: 100 });
    c.start();
    await until(() => got.length > 0 && pings - before >= 3);
    expect(c.stats().connected).toBe(true);
  });

  it('backs off exponentially with jitter, capped', () => {
    const mk = (r: number) =>
      new ResilientWs({
        name: 'b',
        url,
        onFrame: () => true,
        firstRetryMs: 2000,
        maxRetryMs: 30_000,
        stallMs: 0,
        random: () => r,
      });
    const mid = mk(0.5);
    expect([0, 1, 2, 3, 4, 5].map((n) => mid.backoffMs(n))).toEqual([2000, 4000, 8000, 16000, 30000, 30000]);
    expect(mk(0).backoffMs(0)).toBe(1600);
    expect(mk(1).backoffMs(0)).toBe(2400);
  });

  it('retries a refused connection until the server is there', async () => {
    const dead = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((r) => dead.once('listening', () => r()));
    const port = (dead.address() as AddressInfo).port;
    await new Promise((r) => dead.close(r));
    const c = new ResilientWs({
      name: 'refused',
      url: `ws://127.0.0.1:${port}`,
      onFrame: () => true,
      firstRetryMs: 20,
      maxRetryMs: 80,
      stallMs: 0,
    });
    client = c;
    const delays: number[] = [];
    c.on('reconnecting', (e) => delays.push(e.delayMs));
    c.on('error', () => {});
    c.start();
    await until(() => delays.length >= 4);
    expect(delays[3]).toBeLessThanOrEqual(96);
    expect(delays[0]).toBeLessThanOrEqual(24);
    expect(c.stats().connected).toBe(false);
  });
});
