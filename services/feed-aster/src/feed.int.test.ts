import { readFeedHealth } from '@arb/bus/feed-runner';
import { redisNames } from '@arb/bus/keys';
import { type QuoteReject, readLatestQuote, subscribeQuotes } from '@arb/bus/quote-bus';
import type { Quote } from '@arb/core/quote';
import { SimAdminClient } from '@arb/sim/admin/client';
import { type RunningSim, startSim } from '@arb/sim/start-sim';
import { type RedisFixture, redisFixture } from '@arb/testkit/redis';
import { waitFor } from '@arb/testkit/wait';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AsterFeedSettings } from './feed-options';
import { startBookTickerProducer } from './book-ticker-producer';
import { type RunningAsterFeed, startAsterFeed } from './start-feed';

// The feed end to end: AsterDex simulator over a real WebSocket → feed → real Redis → a real subscriber.
let sim: RunningSim;
let admin: SimAdminClient;
let fx: RedisFixture;

beforeAll(async () => {
  sim = await startSim({ host: '127.0.0.1', asterPort: 0, backpackPort: 0, adminPort: 0, seed: 21 });
  admin = new SimAdminClient(sim.adminUrl);
  fx = await redisFixture();
});
afterAll(async () => {
  await fx?.cleanup();
  await sim?.close();
});

let feed: RunningAsterFeed | null = null;
let unsub: (() => Promise<void>) | null = null;
afterEach(async () => {
  await unsub?.();
  await feed?.stop();
  feed = null;
  unsub = null;
  await admin.clearFaults();
  await admin.setPaused(false);
});

function settings(pair: string, over: Partial<AsterFeedSettings['source']> = {}): AsterFeedSettings {
  return {
    pair,
    namespace: fx.ns,
    source: {
      wsUrl: sim.aster.wsUrl,
      symbol: 'BTCUSDT',
      depthLevels: 10,
      stallMs: 1500,
      reconnectBaseMs: 300,
      reconnectMaxMs: 3000,
      ...over,
    },
    streamMaxLen: 1000,
  };
}

/** Starts the feed under `pair` (a distinct channel per test) and collects what Redis subscribers see. */
async function run(pair: string, over: Partial<AsterFeedSettings['source']> = {}) {
  const names = redisNames(fx.ns);
  const got: Quote[] = [];
  const rejects: QuoteReject[] = [];
  const sub = fx.connect();
  const s = await subscribeQuotes(
    sub,
    names,
    ['aster'],
    pair,
    (q) => got.push(q),
    (r) => rejects.push(r),
  );
  unsub = () => s.close();
  feed = await startAsterFeed(settings(pair, over), fx.redis, undefined, 100);
  return { names, got, rejects, feed };
}

/** Largest silence between consecutive quotes received by the Redis subscriber at or after `from`. */
function maxGap(quotes: Quote[], from: number): number {
  let gap = 0;
  for (let i = 1; i < quotes.length; i++) {
    const b = quotes[i]!;
    if (b.receivedAt >= from) gap = Math.max(gap, b.receivedAt - quotes[i - 1]!.receivedAt);
  }
  return gap;
}

describe('feed-aster against the simulator and Redis', () => {
  it('quotes arrive on Redis normalized with the simulator prices, sizes and timestamps', async () => {
    const { names, got, rejects } = await run('P1');
    await waitFor(() => got.length >= 20 && got.at(-1)?.bids !== undefined, {
      message: '20 quotes with depth',
    });
    await admin.setPaused(true);
    const lastSeq = got.at(-1)!.seq;
    await waitFor(
      async () => (await readLatestQuote(fx.redis, names, 'aster', 'P1'))?.seq === got.at(-1)?.seq,
      {
        message: 'latest key caught up',
      },
    );
    await new Promise((r) => setTimeout(r, 300));
    const book = await admin.book('aster', 10);
    const latest = (await readLatestQuote(fx.redis, names, 'aster', 'P1'))!;
    expect(latest.seq).toBeGreaterThanOrEqual(lastSeq);
    expect(latest).toMatchObject({
      v: 1,
      venue: 'aster',
      symbol: 'BTCUSDT',
      bid: book.bids[0]?.price,
      bidQty: book.bids[0]?.qty,
      ask: book.asks[0]?.price,
      askQty: book.asks[0]?.qty,
    });
    expect(latest.bids?.length).toBeGreaterThan(1);
    expect(latest.bids?.length).toBeLessThanOrEqual(10);
    expect(Math.abs(latest.receivedAt - latest.venueTime)).toBeLessThan(2000);
    for (let i = 1; i < got.length; i++) expect(got[i]!.seq).toBeGreaterThan(got[i - 1]!.seq);
    expect(rejects).toEqual([]);
    expect(await fx.redis.xlen(names.quoteStream('aster', 'P1'))).toBeGreaterThan(0);
    const h = await waitFor(async () => {
      const x = await readFeedHealth(fx.redis, names, 'aster');
      return x && Number(x.published) >= 20 ? x : null;
    });
    expect(h).toMatchObject({ connected: '1', malformed: '0', reconnects: '0', venue: 'aster', pair: 'P1' });
  });

  it('recovers from a simulator-initiated disconnect; gap measured on Redis', async () => {
    const { names, got } = await run('P2');
    await waitFor(() => got.length >= 10);
    const at = Date.now();
    await admin.addFault({ kind: 'ws_disconnect', venue: 'aster' });
    await waitFor(
      () => feed!.runner.stats().reconnects >= 1 && got.filter((q) => q.receivedAt > at).length >= 10,
      {
        timeoutMs: 30_000,
      },
    );
    const gap = maxGap(got, at);
    console.log(
      `[measured] feed-aster: disconnect → quotes on Redis again after ${gap} ms (first retry 300 ms ±20%)`,
    );
    expect(gap).toBeLessThan(15_000);
    await waitFor(async () => (await readFeedHealth(fx.redis, names, 'aster'))?.reconnects === '1');
  });

  it('detects a silent stall and reconnects; gap measured on Redis', async () => {
    const { got } = await run('P3', { stallMs: 1000 });
    await waitFor(() => got.length >= 10);
    const at = Date.now();
    await admin.addFault({ kind: 'ws_stall', venue: 'aster', durationMs: 2500 });
    await waitFor(() => feed!.runner.stats().stalls >= 1, { timeoutMs: 30_000 });
    await waitFor(() => got.filter((q) => q.receivedAt > at + 2500).length >= 10, { timeoutMs: 30_000 });
    const gap = maxGap(got, at);
    const s = feed!.runner.stats();
    console.log(
      `[measured] feed-aster: 2.5 s silent stall (stallMs 1000) → ${s.stalls} stall(s), ${s.reconnects} reconnect(s); quotes again after ${gap} ms`,
    );
    expect(gap).toBeLessThan(15_000);
  });

  it('counts malformed frames in health and never publishes them', async () => {
    const { names, got, rejects } = await run('P4');
    await waitFor(() => got.length >= 5);
    await admin.addFault({ kind: 'ws_malformed', venue: 'aster', count: 7 });
    await waitFor(async () => (await readFeedHealth(fx.redis, names, 'aster'))?.malformed === '7', {
      timeoutMs: 30_000,
      message: 'health counts 7 malformed',
    });
    const n = got.length;
    await waitFor(() => got.length >= n + 5);
    expect(rejects).toEqual([]);
    expect(feed!.runner.stats().publishErrors).toBe(0);
  });
});

describe('feed-aster under a mix of faults', () => {
  it('keeps publishing valid, ordered quotes through disconnects, stalls and malformed frames', async () => {
    const { names, got, rejects } = await run('MIX', { stallMs: 700, reconnectBaseMs: 200 });
    await waitFor(() => got.length >= 5);
    const faults = [
      { kind: 'ws_disconnect', venue: 'aster' },
      { kind: 'ws_malformed', venue: 'aster', count: 3 },
      { kind: 'ws_stall', venue: 'aster', durationMs: 1200 },
      { kind: 'ws_disconnect', venue: 'aster' },
      { kind: 'timestamp_skew', venue: 'aster', skewMs: -2000, durationMs: 1000 },
      { kind: 'ws_malformed', venue: 'aster', count: 2 },
      { kind: 'ws_disconnect', venue: 'aster' },
    ] as const;
    const started = Date.now();
    for (const f of faults) {
      await admin.addFault(f);
      const before = got.length;
      await waitFor(() => got.length >= before + 5, { timeoutMs: 30_000, message: `quotes after ${f.kind}` });
    }
    const from = started;
    const gap = maxGap(got, from);
    const s = feed!.runner.stats();
    console.log(
      `[measured] feed-aster fault mix: ${got.length} quotes, ${s.reconnects} reconnects, ${s.stalls} stalls, ` +
        `${s.malformed} malformed, largest gap ${gap} ms`,
    );
    expect(rejects).toEqual([]);
    for (let i = 1; i < got.length; i++) expect(got[i]!.seq).toBeGreaterThan(got[i - 1]!.seq);
    expect(s.malformed).toBe(5);
    expect(s.reconnects).toBeGreaterThanOrEqual(3);
    expect(gap).toBeLessThan(15_000);
    await waitFor(async () => {
      const h = await readFeedHealth(fx.redis, names, 'aster');
      return h?.connected === '1' && h.malformed === '5';
    });
  });
});

describe('feed-aster hot path', () => {
  it.each([
    { label: 'default (no recording)', streamMaxLen: 0 },
    { label: 'recording to the capped stream', streamMaxLen: 1000 },
  ])(
    'throughput, $label: venue frames in → normalized quotes published on Redis',
    async ({ label, streamMaxLen }) => {
      // A WS server in a worker thread replays bookTicker frames as fast as the socket takes them. This
      // thread also runs the in-process simulator of the other tests (market driver every 10 ms), so the
      // number is conservative; src/hot-path-bench.ts measures the feed alone.
      const n = 60_000;
      const producer = await startBookTickerProducer(n);
      const port = producer.port;
      const pair = `TP${streamMaxLen}`;
      const names = redisNames(fx.ns);
      const sub = fx.connect();
      const s0 = await subscribeQuotes(sub, names, ['aster'], pair, () => {});
      unsub = () => s0.close();
      const st = settings(pair, { wsUrl: `ws://127.0.0.1:${port}`, depthLevels: 0, stallMs: 10_000 });
      feed = await startAsterFeed({ ...st, streamMaxLen }, fx.redis, undefined, 100);
      await waitFor(() => feed!.runner.stats().frames > 0, { timeoutMs: 30_000, intervalMs: 1 });
      const t0 = performance.now();
      await waitFor(() => feed!.runner.stats().lastPublishedSeq === n - 1, {
        timeoutMs: 120_000,
        intervalMs: 5,
      });
      const secs = (performance.now() - t0) / 1000;
      const s = feed!.runner.stats();
      console.log(
        `[measured] feed-aster hot path, ${label}: ${n} frames → ${s.published} published (+${s.coalesced} coalesced) in ${secs.toFixed(2)} s = ${Math.round(n / secs)} ticks/s`,
      );
      expect(s.malformed).toBe(0);
      expect((await readLatestQuote(fx.redis, names, 'aster', pair))?.seq).toBe(n - 1);
      await waitFor(() => s0.stats().received === s.published, {
        timeoutMs: 60_000,
        message: 'subscriber got all',
      });
      expect(s0.stats().rejected).toBe(0);
      await feed!.stop();
      feed = null;
      await producer.close();
    },
  );
});
