import { readFeedHealth } from '@arb/bus/feed-runner';
import { redisNames } from '@arb/bus/keys';
import { readLatestQuote, subscribeQuotes } from '@arb/bus/quote-bus';
import type { Quote } from '@arb/core/quote';
import type { SimBook } from '@arb/sim/engine/types';
import { type RedisFixture, redisFixture } from '@arb/testkit/redis';
import { waitFor } from '@arb/testkit/wait';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BackpackSim, startBackpackSim } from '@arb/sim/testing/backpack-sim';
import type { BackpackFeedSettings } from './feed-options';
import { type RunningBackpackFeed, startBackpackFeed } from './start-feed';

/**
 * The feed against the simulator's Backpack front-end over a real WebSocket, publishing to a real Redis:
 * normalized quotes (prices, sizes, timestamps, depth), the latest-quote key and health, malformed
 * frames counted and never published, and recovery from venue disconnects and silent stalls with the
 * gap measured. Reconnect uses the production first delay (5 s); stall detection is shortened to 1.5 s.
 */

const PAIR = 'BTC';
const SYMBOL = 'BTC_USDC_PERP';

describe('feed-backpack against the simulator', () => {
  let sim: BackpackSim;
  let fx: RedisFixture;
  let feed: RunningBackpackFeed;
  const received: { q: Quote; at: number }[] = [];
  const books = new Map<string, SimBook>();
  let rejected = 0;

  beforeAll(async () => {
    sim = await startBackpackSim(11);
    // Every book the venue publishes, keyed by its top (to check quotes against venue truth).
    sim.core.engines.backpack.onBook((b) => {
      const bid = b.bids[0];
      const ask = b.asks[0];
      if (!bid || !ask) return;
      books.set(`${bid.price}|${bid.qty}|${ask.price}|${ask.qty}`, {
        ...b,
        bids: b.bids.slice(0, 10),
        asks: b.asks.slice(0, 10),
      });
      if (books.size > 5000) books.delete(books.keys().next().value as string);
    });
    fx = await redisFixture();
    const sub = fx.connect();
    await subscribeQuotes(
      sub,
      redisNames(fx.ns),
      ['backpack'],
      PAIR,
      (q) => received.push({ q, at: Date.now() }),
      () => rejected++,
    );
    const settings: BackpackFeedSettings = {
      pair: PAIR,
      namespace: fx.ns,
      source: {
        wsUrl: sim.wsUrl,
        restUrl: sim.restUrl,
        symbol: SYMBOL,
        depthLevels: 5,
        heartbeatMs: 30_000,
        stallMs: 1500,
        reconnectBaseMs: 5000,
        reconnectMaxMs: 30_000,
      },
      streamMaxLen: 1000,
    };
    feed = await startBackpackFeed(settings, fx.connect(), undefined, 200);
  }, 30_000);

  afterAll(async () => {
    await feed?.stop();
    await fx?.cleanup();
    await sim?.close();
  });

  it('publishes normalized quotes with the venue book, timestamps, seq and depth', async () => {
    await waitFor(() => received.length >= 30 && received.at(-1)?.q.bids !== undefined, {
      message: '30 quotes with depth',
      timeoutMs: 20_000,
    });
    const quotes = received.map((r) => r.q);
    for (let i = 1; i < quotes.length; i++) expect(quotes[i]!.seq).toBe(quotes[i - 1]!.seq + 1);
    let matched = 0;
    for (const q of quotes) {
      expect(q).toMatchObject({ v: 1, venue: 'backpack', symbol: SYMBOL });
      expect(q.bid).toBeLessThan(q.ask);
      // venueTime is the venue's µs E converted to ms: the simulator stamps it when it sends.
      expect(Number.isInteger(q.venueTime)).toBe(true);
      expect(q.receivedAt - q.venueTime).toBeGreaterThanOrEqual(-5);
      expect(q.receivedAt - q.venueTime).toBeLessThan(5000);
      const book = books.get(`${q.bid}|${q.bidQty}|${q.ask}|${q.askQty}`);
      if (book) matched++;
    }
    // Every quote is a book the venue actually had (prices and sizes exact).
    expect(matched).toBe(quotes.length);
    const last = quotes.at(-1)!;
    expect(last.bids![0]).toEqual([last.bid, last.bidQty]);
    expect(last.asks![0]).toEqual([last.ask, last.askQty]);
    const book = books.get(`${last.bid}|${last.bidQty}|${last.ask}|${last.askQty}`)!;
    expect(last.bids).toEqual(book.bids.slice(0, 5).map((l) => [l.price, l.qty]));
    expect(last.asks).toEqual(book.asks.slice(0, 5).map((l) => [l.price, l.qty]));
    const latest = await waitFor(async () => {
      const l = await readLatestQuote(fx.redis, redisNames(fx.ns), 'backpack', PAIR);
      return l && l.seq >= last.seq ? l : null;
    });
    expect(latest.venue).toBe('backpack');
    const health = await waitFor(() => readFeedHealth(fx.redis, redisNames(fx.ns), 'backpack'));
    expect(health.connected).toBe('1');
    expect(await fx.redis.xlen(redisNames(fx.ns).quoteStream('backpack', PAIR))).toBeGreaterThan(0);
  }, 30_000);

  it('counts malformed frames and never publishes them', async () => {
    const before = feed.source.stats().malformed;
    const publishedBefore = received.length;
    sim.fault({ kind: 'ws_malformed', venue: 'backpack', count: 6 });
    await waitFor(() => feed.source.stats().malformed >= before + 6, {
      message: '6 malformed frames counted',
    });
    await waitFor(() => received.length > publishedBefore + 5, { message: 'quotes flow again' });
    expect(rejected).toBe(0); // every message on the channel was a valid quote
    const health = await waitFor(async () => {
      const h = await readFeedHealth(fx.redis, redisNames(fx.ns), 'backpack');
      return h && Number(h.malformed) >= before + 6 ? h : null;
    });
    expect(Number(health.malformed)).toBeGreaterThanOrEqual(6);
  }, 30_000);

  it('recovers from a venue-initiated disconnect (gap measured)', async () => {
    const reconnectsBefore = feed.source.stats().reconnects;
    await waitFor(() => received.length > 0);
    const cutAt = Date.now();
    sim.fault({ kind: 'ws_disconnect', venue: 'backpack' });
    await waitFor(() => feed.source.stats().reconnects > reconnectsBefore, { timeoutMs: 30_000 });
    const resumed = await waitFor(() => received.find((r) => r.at > cutAt && r.q.receivedAt > cutAt + 50), {
      timeoutMs: 30_000,
      message: 'first quote after reconnect',
    });
    const lastBefore = [...received].reverse().find((r) => r.at <= cutAt)!;
    const gapMs = resumed.at - lastBefore.at;
    console.log(`[feed-backpack] disconnect: quote gap ${gapMs} ms (first retry ${5000} ms ± 20%)`);
    expect(gapMs).toBeLessThan(15_000);
    expect(feed.source.stats().connected).toBe(true);
    // The new socket's depth stream starts mid-sequence: the book resyncs from a new snapshot.
    await waitFor(() => received.find((r) => r.at > resumed.at && r.q.bids !== undefined), {
      message: 'depth back on quotes after reconnect',
    });
  }, 40_000);

  it('recovers from a silent stall (no frames on an open socket), gap measured', async () => {
    const stallsBefore = feed.source.stats().stalls;
    const startAt = Date.now();
    sim.fault({ kind: 'ws_stall', venue: 'backpack', durationMs: 3000 });
    await waitFor(() => feed.source.stats().stalls > stallsBefore, {
      timeoutMs: 20_000,
      message: 'stall detected',
    });
    const detectedAfter = Date.now() - startAt;
    const resumed = await waitFor(() => received.find((r) => r.at > startAt + 3000), {
      timeoutMs: 40_000,
      message: 'quotes after the stall',
    });
    const lastBefore = [...received].reverse().find((r) => r.at <= startAt + 100)!;
    const gapMs = resumed.at - lastBefore.at;
    console.log(`[feed-backpack] stall 3000 ms: detected after ~${detectedAfter} ms, quote gap ${gapMs} ms`);
    expect(gapMs).toBeLessThan(25_000);
    expect(feed.source.stats().connected).toBe(true);
  }, 60_000);
});
