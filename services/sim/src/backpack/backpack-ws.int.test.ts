import { createPrivateKey, sign } from 'node:crypto';
import { SIM_CREDENTIALS } from '@arb/config/sim-credentials';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type BackpackTestVenue, startBackpackTestVenue, waitFor } from './test-harness';

const SYM = 'BTC_USDC_PERP';
const SYMBOL = 'BTC/USDC:USDC';
let t: BackpackTestVenue;

beforeAll(async () => {
  // Short heartbeat so the 60 s / 120 s rules can be observed quickly.
  t = await startBackpackTestVenue({ pingIntervalMs: 150, pongTimeoutMs: 600, tickerIntervalMs: 1000 });
});
afterAll(async () => {
  await t?.stop();
});

interface Received {
  text: string;
  at: number;
  json: Record<string, unknown> | null;
}

class RawClient {
  readonly received: Received[] = [];
  pings = 0;
  closed = false;
  readonly ws: WebSocket;

  constructor(url: string, autoPong = true) {
    this.ws = new WebSocket(url, { autoPong });
    this.ws.on('message', (data) => {
      const text = data.toString();
      let json: Record<string, unknown> | null = null;
      try {
        json = JSON.parse(text) as Record<string, unknown>;
      } catch {}
      this.received.push({ text, at: Date.now(), json });
    });
    this.ws.on('ping', () => {
      this.pings += 1;
    });
    this.ws.on('close', () => {
      this.closed = true;
    });
  }

  async open(): Promise<this> {
    if (this.ws.readyState !== WebSocket.OPEN) await new Promise((r) => this.ws.once('open', r));
    return this;
  }

  send(method: string, params: unknown[]): void {
    this.ws.send(JSON.stringify({ method, params }));
  }

  frames(stream: string): Record<string, unknown>[] {
    return this.received
      .filter((r) => r.json?.stream === stream)
      .map((r) => r.json?.data as Record<string, unknown>);
  }

  close(): void {
    this.ws.terminate();
  }
}

async function client(autoPong = true): Promise<RawClient> {
  return new RawClient(t.venue.wsUrl, autoPong).open();
}

describe('Backpack simulator WebSocket: payloads and streams', () => {
  it('bookTicker and depth frames match the documented samples key for key (µs times)', async () => {
    const c = await client();
    c.send('SUBSCRIBE', [`bookTicker.${SYM}`, `depth.${SYM}`]);
    await waitFor(() => (c.frames(`depth.${SYM}`).length >= 3 ? true : undefined), 'depth frames');
    await waitFor(() => (c.frames(`bookTicker.${SYM}`).length >= 3 ? true : undefined), 'bookTicker frames');
    const bt = c.frames(`bookTicker.${SYM}`)[0] ?? {};
    expect(Object.keys(bt).sort()).toEqual(['A', 'B', 'E', 'T', 'a', 'b', 'e', 's', 'u'].sort());
    expect(bt.e).toBe('bookTicker');
    expect(bt.s).toBe(SYM);
    expect(typeof bt.u).toBe('string');
    expect(Number(bt.a)).toBeGreaterThan(Number(bt.b));
    expect(String(bt.a)).toMatch(/^\d+\.\d$/);
    expect(String(bt.A)).toMatch(/^\d+\.\d{5}$/);
    for (const key of ['E', 'T'] as const) {
      expect(Number.isInteger(bt[key])).toBe(true);
      expect(Math.abs((bt[key] as number) / 1000 - Date.now())).toBeLessThan(600_000);
    }
    const d = c.frames(`depth.${SYM}`)[0] ?? {};
    expect(Object.keys(d).sort()).toEqual(['E', 'T', 'U', 'a', 'b', 'e', 's', 'u'].sort());
    expect(d.e).toBe('depth');
    expect(typeof d.U).toBe('number');
    expect((d.E as number) > 1e15).toBe(true);
    c.close();
  });

  it('depth is gapless (U = previous u + 1) and rebuilds exactly the REST book', async () => {
    const c = await client();
    c.send('SUBSCRIBE', [`depth.${SYM}`]);
    await waitFor(() => (c.frames(`depth.${SYM}`).length >= 5 ? true : undefined), 'first depth frames');
    const snap = (await (await fetch(`${t.venue.restUrl}/api/v1/depth?symbol=${SYM}`)).json()) as {
      bids: [string, string][];
      asks: [string, string][];
      lastUpdateId: string;
    };
    await waitFor(() => (c.frames(`depth.${SYM}`).length >= 40 ? true : undefined), 'more depth frames');
    t.core.market.setPaused(true);
    try {
      const finalSnap = (await (
        await fetch(`${t.venue.restUrl}/api/v1/depth?symbol=${SYM}`)
      ).json()) as typeof snap;
      const last = Number(finalSnap.lastUpdateId);
      const events = await waitFor(() => {
        const f = c.frames(`depth.${SYM}`);
        return f.at(-1)?.u === last ? f : undefined;
      }, 'the stream to reach the final REST lastUpdateId');
      for (let i = 1; i < events.length; i++) {
        expect(events[i]?.U).toBe((events[i - 1]?.u as number) + 1);
      }
      const bids = new Map(snap.bids);
      const asks = new Map(snap.asks);
      const start = Number(snap.lastUpdateId);
      const firstIdx = events.findIndex((e) => (e.U as number) <= start + 1 && (e.u as number) > start);
      expect(firstIdx).toBeGreaterThanOrEqual(0);
      for (const e of events.slice(firstIdx)) {
        for (const [p, q] of e.b as [string, string][]) Number(q) === 0 ? bids.delete(p) : bids.set(p, q);
        for (const [p, q] of e.a as [string, string][]) Number(q) === 0 ? asks.delete(p) : asks.set(p, q);
      }
      expect(bids).toEqual(new Map(finalSnap.bids));
      expect(asks).toEqual(new Map(finalSnap.asks));
    } finally {
      t.core.market.setPaused(false);
      c.close();
    }
  });

  it('ticker every second; invalid stream -> error frame; UNSUBSCRIBE stops a stream', async () => {
    const c = await client();
    c.send('SUBSCRIBE', [`ticker.${SYM}`, `bookTicker.${SYM}`]);
    await waitFor(() => (c.frames(`ticker.${SYM}`).length >= 2 ? true : undefined), 'two ticker frames');
    const tk = c.frames(`ticker.${SYM}`)[0] ?? {};
    expect(Object.keys(tk).sort()).toEqual(['E', 'V', 'c', 'e', 'h', 'l', 'n', 'o', 's', 'v'].sort());
    expect(typeof tk.n).toBe('number');

    c.send('SUBSCRIBE', ['nope.BTC_USDC_PERP']);
    const err = await waitFor(() => c.received.find((r) => r.json && 'error' in r.json), 'error frame');
    expect(err.json).toEqual({ id: null, error: { code: 4006, message: 'Invalid stream' } });

    c.send('UNSUBSCRIBE', [`bookTicker.${SYM}`]);
    c.send('SUBSCRIBE', ['barrier.x']); // answered in order: frames after its error are post-unsubscribe
    const barrier = await waitFor(() => {
      const errors = c.received.filter((r) => r.json && 'error' in r.json);
      return errors.length >= 2 ? c.received.indexOf(errors[1] as Received) : undefined;
    }, 'barrier error frame');
    await waitFor(
      () =>
        c.received.slice(barrier).filter((r) => r.json?.stream === `ticker.${SYM}`).length >= 2
          ? true
          : undefined,
      'ticker frames after unsubscribing bookTicker',
    );
    expect(c.received.slice(barrier + 1).some((r) => r.json?.stream === `bookTicker.${SYM}`)).toBe(false);
    c.close();
  });

  it('aggregated depth.200ms: one event per period spanning several updates, still gapless', async () => {
    const c = await client();
    c.send('SUBSCRIBE', [`depth.200ms.${SYM}`, `markPrice.${SYM}`]);
    const events = await waitFor(() => {
      const f = c.frames(`depth.200ms.${SYM}`);
      return f.length >= 6 ? f : undefined;
    }, 'aggregated depth events');
    for (let i = 1; i < events.length; i++) expect(events[i]?.U).toBe((events[i - 1]?.u as number) + 1);
    expect(events.some((e) => (e.u as number) > (e.U as number))).toBe(true);
    const mark = await waitFor(() => c.frames(`markPrice.${SYM}`)[0], 'markPrice frame');
    expect(Object.keys(mark).sort()).toEqual(['E', 'T', 'e', 'f', 'i', 'n', 'p', 's'].sort());
    c.close();
  });

  it('server pings; a client that answers stays, one that does not is closed', async () => {
    const good = await client(true);
    const mute = await client(false);
    await waitFor(() => (mute.closed ? true : undefined), 'the mute client to be dropped');
    await waitFor(() => (good.pings >= 6 ? true : undefined), 'pings to the answering client');
    expect(mute.pings).toBeGreaterThanOrEqual(1);
    expect(good.closed).toBe(false);
    good.close();
  });
});

describe('Backpack simulator WebSocket with ccxt.pro backpack', () => {
  it('watchBidsAsks and watchOrderBook work and agree with REST', async () => {
    const ex = await t.pro();
    await ex.loadMarkets();
    const bidsAsks = await ex.watchBidsAsks([SYMBOL]);
    const top = bidsAsks[SYMBOL];
    expect(top?.bid).toBeGreaterThan(0);
    expect(top?.ask).toBeGreaterThan(top?.bid ?? 0);

    const book = await ex.watchOrderBook(SYMBOL);
    expect(book.bids.length).toBeGreaterThan(0);
    t.core.market.setPaused(true);
    try {
      const rest = await t.rest().fetchOrderBook(SYMBOL);
      const synced = await waitFor(
        () => (ex.orderbooks[SYMBOL]?.nonce === rest.nonce ? ex.orderbooks[SYMBOL] : undefined),
        'the WS book to reach the REST nonce',
      );
      expect(synced.bids.slice(0, 20)).toEqual(rest.bids.slice(0, 20));
      expect(synced.asks.slice(0, 20)).toEqual(rest.asks.slice(0, 20));
    } finally {
      t.core.market.setPaused(false);
    }
    const ticker = await ex.watchTicker(SYMBOL);
    expect(ticker.last).toBeGreaterThan(0);
    await ex.close();
  });
});

/** The private-subscription signature, computed by the test: [key, sig(subscribe), ts, window]. */
function subscriptionSignature(secret: string = SIM_CREDENTIALS.backpack.secret): string[] {
  const key = createPrivateKey({
    key: Buffer.concat([
      Buffer.from('302e020100300506032b657004220420', 'hex'),
      Buffer.from(secret, 'base64'),
    ]),
    format: 'der',
    type: 'pkcs8',
  });
  const ts = String(Date.now());
  const sig = sign(null, Buffer.from(`instruction=subscribe&timestamp=${ts}&window=5000`), key).toString(
    'base64',
  );
  return [SIM_CREDENTIALS.backpack.apiKey, sig, ts, '5000'];
}

describe('Backpack simulator private streams (account.orderUpdate / account.positionUpdate)', () => {
  it('signed subscription; order and position events with the documented keys', async () => {
    const c = await client();
    c.ws.send(
      JSON.stringify({
        method: 'SUBSCRIBE',
        params: ['account.orderUpdate', `account.positionUpdate.${SYM}`],
        signature: subscriptionSignature(),
      }),
    );
    c.send('SUBSCRIBE', ['barrier.x']);
    await waitFor(() => c.received.find((r) => r.json && 'error' in r.json), 'barrier');
    expect(c.received.filter((r) => r.json && 'error' in r.json)).toHaveLength(1);

    const ex = t.rest();
    await ex.loadMarkets();
    const order = await ex.createOrder(SYMBOL, 'market', 'buy', 0.003, undefined, { clientOrderId: 4242 });
    const events = await waitFor(() => {
      const f = c.frames('account.orderUpdate').filter((e) => e.i === order.id);
      return f.some((e) => e.X === 'Filled') ? f : undefined;
    }, 'order events');
    expect(events[0]?.e).toBe('orderAccepted');
    expect(events[0]?.c).toBe(4242);
    const fill = events.find((e) => e.e === 'orderFill') ?? {};
    expect(Object.keys(fill).sort()).toEqual(
      [
        'e',
        'E',
        's',
        'c',
        'S',
        'o',
        'f',
        'q',
        'X',
        'i',
        'z',
        'Z',
        'V',
        'T',
        'O',
        'y',
        'r',
        't',
        'l',
        'L',
        'm',
        'n',
        'N',
      ].sort(),
    );
    expect(fill.o).toBe('MARKET');
    expect(fill.N).toBe('USDC');
    expect(fill.m).toBe(false);
    expect(events.at(-1)?.z).toBe('0.003');

    const pos = await waitFor(() => c.frames(`account.positionUpdate.${SYM}`)[0], 'position event');
    expect(['positionOpened', 'positionAdjusted']).toContain(pos.e);
    expect(Object.keys(pos).sort()).toEqual(
      ['e', 'E', 's', 'b', 'B', 'f', 'M', 'm', 'q', 'Q', 'n', 'i', 'p', 'P', 'l', 'T'].sort(),
    );

    const book = await ex.fetchOrderBook(SYMBOL);
    const resting = await ex.createOrder(
      SYMBOL,
      'limit',
      'buy',
      0.001,
      Math.round(((book.bids[0]?.[0] ?? 0) - 900) * 10) / 10,
      {
        clientOrderId: 4243,
      },
    );
    await ex.cancelOrder(String(resting.id), SYMBOL);
    const restingEvents = await waitFor(() => {
      const f = c.frames('account.orderUpdate').filter((e) => e.i === resting.id);
      return f.some((e) => e.e === 'orderCancelled') ? f : undefined;
    }, 'cancel event');
    expect(restingEvents.map((e) => e.e)).toEqual(['orderAccepted', 'orderCancelled']);
    expect(restingEvents[1]?.X).toBe('Cancelled');

    await ex.createOrder(SYMBOL, 'market', 'sell', 0.003, undefined, {
      reduceOnly: true,
      clientOrderId: 4244,
    });
    await waitFor(
      () => c.frames(`account.positionUpdate.${SYM}`).find((e) => e.e === 'positionClosed'),
      'positionClosed',
    );
    c.close();
  });

  it('a resting order the market moves through: orderFill with m=true arrives on the book change', async () => {
    const c = await client();
    c.ws.send(
      JSON.stringify({
        method: 'SUBSCRIBE',
        params: ['account.orderUpdate'],
        signature: subscriptionSignature(),
      }),
    );
    c.send('SUBSCRIBE', ['barrier.y']);
    await waitFor(() => c.received.find((r) => r.json && 'error' in r.json), 'barrier');
    const ex = t.rest();
    await ex.loadMarkets();
    const book = await ex.fetchOrderBook(SYMBOL);
    const price = Math.round(((book.bids[0]?.[0] ?? 0) - 30) * 10) / 10;
    const order = await ex.createOrder(SYMBOL, 'limit', 'buy', 0.002, price, { clientOrderId: 4300 });
    t.core.market.jump({ deltaUsd: -400 });
    const fill = await waitFor(
      () =>
        c
          .frames('account.orderUpdate')
          .find((e) => e.i === order.id && e.e === 'orderFill' && e.X === 'Filled'),
      'the maker fill event',
    );
    expect(fill.m).toBe(true);
    expect(fill.L).toBe(String(price));
    await ex.createOrder(SYMBOL, 'market', 'sell', 0.002, undefined, { clientOrderId: 4301 });
    c.close();
  });

  it('a bad signature gets an error frame and no private data', async () => {
    const c = await client();
    c.ws.send(
      JSON.stringify({
        method: 'SUBSCRIBE',
        params: ['account.orderUpdate'],
        signature: subscriptionSignature('AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA='),
      }),
    );
    const err = await waitFor(() => c.received.find((r) => r.json && 'error' in r.json), 'error frame');
    expect(err.json).toEqual({ id: null, error: { code: 4001, message: 'Invalid signature' } });
    c.close();
  });

  it('ccxt.pro watchOrders and watchPositions see orders placed over REST', async () => {
    const pro = await t.pro();
    await pro.loadMarkets();
    const ex = t.rest();
    await ex.loadMarkets();
    let orders: unknown[] | undefined;
    let positions: unknown[] | undefined;
    pro.watchOrders(SYMBOL).then((o) => {
      orders = o;
    });
    pro.watchPositions([SYMBOL]).then((p) => {
      positions = p;
    });
    for (let i = 0; (orders === undefined || positions === undefined) && i < 50; i++) {
      await ex.createOrder(SYMBOL, 'market', i % 2 ? 'sell' : 'buy', 0.001, undefined, {
        clientOrderId: 5000 + i,
      });
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(orders?.length).toBeGreaterThan(0);
    expect(positions?.length).toBeGreaterThan(0);
    await pro.close();
  });
});

describe('Backpack simulator WebSocket shutdown', () => {
  it('sends a Close frame to connected clients when the venue stops', async () => {
    const other = await startBackpackTestVenue();
    const c = await new RawClient(other.venue.wsUrl).open();
    const code = new Promise<number>((resolve) => c.ws.once('close', (closeCode) => resolve(closeCode)));
    await other.stop();
    expect(await code).toBe(1001);
  });
});

describe('Backpack simulator WebSocket faults, observed from a real client', () => {
  it('silent stall: socket stays open, no frame stamped inside the stall, frames resume after', async () => {
    const c = await client();
    c.send('SUBSCRIBE', [`bookTicker.${SYM}`]);
    await waitFor(
      () => (c.frames(`bookTicker.${SYM}`).length >= 2 ? true : undefined),
      'frames before the stall',
    );
    const from = t.core.clock.now();
    t.fault({ kind: 'ws_stall', venue: 'backpack', durationMs: 1200 });
    const until = t.core.faults.ws('backpack').stalledUntil;
    expect(until).toBeGreaterThan(from);
    await waitFor(
      () => (c.frames(`bookTicker.${SYM}`).some((f) => (f.E as number) >= until * 1000) ? true : undefined),
      'frames after the stall',
    );
    const inside = c
      .frames(`bookTicker.${SYM}`)
      .filter((f) => (f.E as number) >= from * 1000 + 1000 && (f.E as number) < until * 1000);
    expect(inside).toEqual([]);
    expect(c.closed).toBe(false);
    c.close();
  });

  it('malformed frames: the next N frames are not valid JSON', async () => {
    const c = await client();
    c.send('SUBSCRIBE', [`bookTicker.${SYM}`]);
    await waitFor(() => (c.frames(`bookTicker.${SYM}`).length >= 1 ? true : undefined), 'first frame');
    t.fault({ kind: 'ws_malformed', venue: 'backpack', count: 2 });
    await waitFor(
      () => (c.received.filter((r) => r.json === null).length >= 2 ? true : undefined),
      'malformed frames',
    );
    const last = c.received.length;
    await waitFor(
      () => (c.received.slice(last).filter((r) => r.json !== null).length >= 3 ? true : undefined),
      'recovery',
    );
    expect(c.received.filter((r) => r.json === null)).toHaveLength(2);
    c.close();
  });

  it('timestamp skew: event times are shifted by the skew', async () => {
    const c = await client();
    c.send('SUBSCRIBE', [`bookTicker.${SYM}`]);
    t.fault({ kind: 'timestamp_skew', venue: 'backpack', skewMs: -5000, durationMs: 2000 });
    const skewed = await waitFor(
      () =>
        c.received.find(
          (r) =>
            r.json?.stream === `bookTicker.${SYM}` && (r.json.data as { E: number }).E / 1000 <= r.at - 5000,
        ),
      'a frame stamped 5 s in the past',
    );
    const data = skewed.json?.data as { E: number; T: number };
    expect(data.T / 1000).toBeLessThanOrEqual(skewed.at - 5000);
    c.close();
  });

  it('disconnect: every connection is dropped; CCXT reconnects on the next watch', async () => {
    const c = await client();
    const ex = await t.pro();
    await ex.watchBidsAsks([SYMBOL]);
    t.fault({ kind: 'ws_disconnect', venue: 'backpack' });
    await waitFor(() => (c.closed ? true : undefined), 'raw client closed');
    const again = await waitFor(() => undefined as unknown, 'noop', 0).catch(() =>
      ex.watchBidsAsks([SYMBOL]).catch(() => ex.watchBidsAsks([SYMBOL])),
    );
    expect((again as Record<string, { bid?: number }>)[SYMBOL]?.bid).toBeGreaterThan(0);
    await ex.close();
  });
});
