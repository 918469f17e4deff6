import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type AsterHarness, startAsterHarness, waitFor } from './test-harness';

/** A real WS client that records text frames (parsed when JSON) and pings. */
class Client {
  readonly ws: WebSocket;
  readonly frames: { at: number; text: string; json: Record<string, unknown> | null }[] = [];
  pings = 0;
  closed: { code: number } | null = null;
  constructor(url: string, opts: { autoPong?: boolean } = {}) {
    this.ws = new WebSocket(url, { autoPong: opts.autoPong ?? true });
    this.ws.on('message', (data) => {
      const text = data.toString();
      let json: Record<string, unknown> | null = null;
      try {
        json = JSON.parse(text) as Record<string, unknown>;
      } catch {
        json = null;
      }
      this.frames.push({ at: Date.now(), text, json });
    });
    this.ws.on('ping', () => {
      this.pings += 1;
    });
    this.ws.on('close', (code) => {
      this.closed = { code };
    });
    this.ws.on('error', () => {});
  }
  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.ws.readyState === WebSocket.OPEN) resolve();
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
  }
  send(o: unknown): void {
    this.ws.send(typeof o === 'string' ? o : JSON.stringify(o));
  }
  data(stream?: string): Record<string, unknown>[] {
    return this.frames
      .map((f) => f.json)
      .filter((j): j is Record<string, unknown> => j !== null)
      .filter((j) => (stream === undefined ? 'e' in j : j.stream === stream))
      .map((j) => (stream === undefined ? j : (j.data as Record<string, unknown>)));
  }
  reply(id: number): Record<string, unknown> | undefined {
    return this.frames.map((f) => f.json).find((j) => j !== null && j.id === id) ?? undefined;
  }
  close(): void {
    this.ws.terminate();
  }
}

let h: AsterHarness;
let ws: string;
const clients: Client[] = [];
const client = (path: string, opts?: { autoPong?: boolean }) => {
  const c = new Client(`${ws}${path}`, opts);
  clients.push(c);
  return c;
};

beforeAll(async () => {
  h = await startAsterHarness({ wsPingIntervalMs: 200, wsPongTimeoutMs: 1000 });
  ws = h.venue.wsUrl;
});

afterAll(async () => {
  for (const c of clients) c.close();
  await h?.close();
});

const PRICE = /^\d+\.\d$/;
const QTY = /^\d+\.\d{3}$/;

describe('Aster market streams', () => {
  it('raw /ws/btcusdt@bookTicker: the documented payload, field for field', async () => {
    const c = client('/ws/btcusdt@bookTicker');
    const ev = await waitFor(() => c.data()[0]);
    expect(Object.keys(ev)).toEqual(['e', 'u', 'E', 'T', 's', 'b', 'B', 'a', 'A']);
    expect(ev.e).toBe('bookTicker');
    expect(ev.s).toBe('BTCUSDT');
    expect(ev.u).toEqual(expect.any(Number));
    expect(ev.E).toEqual(expect.any(Number));
    expect(ev.T).toEqual(expect.any(Number));
    expect(ev.b).toMatch(PRICE);
    expect(ev.a).toMatch(PRICE);
    expect(ev.B).toMatch(QTY);
    expect(ev.A).toMatch(QTY);
    expect(Number(ev.b)).toBeLessThan(Number(ev.a));
  });

  it('combined /stream: {stream,data} frames for bookTicker, depth5@100ms and miniTicker', async () => {
    const c = client('/stream?streams=btcusdt@bookTicker/btcusdt@depth5@100ms/btcusdt@miniTicker');
    const depth = await waitFor(() => {
      const d = c.data('btcusdt@depth5@100ms');
      return d.length >= 3 ? d : undefined;
    });
    const mini = await waitFor(() => c.data('btcusdt@miniTicker')[0]);
    const bt = await waitFor(() => c.data('btcusdt@bookTicker')[0]);
    expect(Object.keys(c.frames[0]?.json ?? {})).toEqual(['stream', 'data']);
    const d0 = depth[0] as Record<string, unknown>;
    const d1 = depth[1] as Record<string, unknown>;
    expect(Object.keys(d0)).toEqual(['e', 'E', 'T', 's', 'U', 'u', 'pu', 'b', 'a']);
    expect(d0.e).toBe('depthUpdate');
    expect(d0.b as unknown[]).toHaveLength(5);
    expect(d0.a as unknown[]).toHaveLength(5);
    expect((d0.b as string[][])[0]?.[0]).toMatch(PRICE);
    expect(d1.pu).toBe(d0.u);
    expect(d1.U).toBe((d0.u as number) + 1);
    expect(Object.keys(mini)).toEqual(['e', 'E', 's', 'c', 'o', 'h', 'l', 'v', 'q']);
    expect(mini.e).toBe('24hrMiniTicker');
    expect(bt.e).toBe('bookTicker');
  });

  it('SUBSCRIBE / LIST_SUBSCRIPTIONS / UNSUBSCRIBE / properties echo the id; errors carry the documented codes', async () => {
    const c = client('/ws');
    await c.open();
    c.send({ method: 'SUBSCRIBE', params: ['btcusdt@bookTicker', 'btcusdt@depth5@100ms'], id: 1 });
    expect(await waitFor(() => c.reply(1))).toEqual({ result: null, id: 1 });
    await waitFor(() => c.data().find((e) => e.e === 'bookTicker'));
    c.send({ method: 'LIST_SUBSCRIPTIONS', id: 3 });
    expect(await waitFor(() => c.reply(3))).toEqual({
      result: ['btcusdt@bookTicker', 'btcusdt@depth5@100ms'],
      id: 3,
    });
    c.send({ method: 'UNSUBSCRIBE', params: ['btcusdt@depth5@100ms'], id: 312 });
    expect(await waitFor(() => c.reply(312))).toEqual({ result: null, id: 312 });
    c.send({ method: 'GET_PROPERTY', params: ['combined'], id: 2 });
    expect(await waitFor(() => c.reply(2))).toEqual({ result: false, id: 2 });
    c.send({ method: 'SET_PROPERTY', params: ['foo', true], id: 6 });
    expect(await waitFor(() => c.reply(6))).toEqual({ code: 0, msg: 'Unknown property', id: 6 });
    c.send('pong');
    const bad = await waitFor(() => c.frames.map((f) => f.json).find((j) => j?.code === 3));
    expect(bad?.msg).toMatch(/^Invalid JSON: /);
  });

  it('sends ping frames and drops a client that never answers with pong; a client that answers stays', async () => {
    const silent = client('/ws/btcusdt@bookTicker', { autoPong: false });
    const polite = client('/ws/btcusdt@bookTicker');
    await waitFor(() => (silent.closed ? true : undefined));
    expect(silent.pings).toBeGreaterThan(0);
    expect(polite.pings).toBeGreaterThan(0);
    expect(polite.closed).toBeNull();
    expect(polite.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('disconnects a client sending more than 10 messages per second', async () => {
    const c = client('/ws');
    await c.open();
    for (let i = 0; i < 12; i++) c.send({ method: 'LIST_SUBSCRIPTIONS', id: i });
    const closed = await waitFor(() => c.closed ?? undefined);
    expect(closed.code).toBe(1008);
  });

  it('answers 404 to an unknown WS path', async () => {
    const c = client('/nope');
    await expect(c.open()).rejects.toThrow(/404/);
  });
});

describe('connection lifetime', () => {
  it('disconnects at the configured lifetime', async () => {
    const short = await startAsterHarness({ wsMaxLifetimeMs: 1500 });
    try {
      const c = new Client(`${short.venue.wsUrl}/ws/btcusdt@bookTicker`);
      await c.open();
      const closed = await waitFor(() => c.closed ?? undefined);
      expect(closed.code).toBe(1000);
      expect(c.data().length).toBeGreaterThan(0);
    } finally {
      await short.close();
    }
  });
});
