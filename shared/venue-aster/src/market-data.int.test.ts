import type { Quote } from '@arb/core/quote';
import { SimAdminClient } from '@arb/sim/admin/client';
import { startAsterVenue } from '@arb/sim/aster/server';
import { defaultCredentialDirectory } from '@arb/sim/engine/credentials';
import type { RunningVenue } from '@arb/sim/engine/types';
import { type RunningSim, startSim } from '@arb/sim/start-sim';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AsterMarketData, type AsterMarketDataOptions } from './market-data';

// Real simulator, real WebSocket. Gaps are measured and logged; bounds are generous (shared machine).
let sim: RunningSim;
let admin: SimAdminClient;
const SYMBOL = 'BTCUSDT';

beforeAll(async () => {
  sim = await startSim({ host: '127.0.0.1', asterPort: 0, backpackPort: 0, adminPort: 0, seed: 11 });
  admin = new SimAdminClient(sim.adminUrl);
});

afterAll(async () => {
  await sim?.close();
});

let md: AsterMarketData | null = null;
afterEach(async () => {
  await md?.stop();
  md = null;
  await admin.clearFaults();
  await admin.setPaused(false);
});

function feed(over: Partial<AsterMarketDataOptions> = {}) {
  const quotes: Quote[] = [];
  const m = new AsterMarketData({
    wsUrl: sim.aster.wsUrl,
    symbol: SYMBOL,
    depthLevels: 5,
    stallMs: 1500,
    reconnectBaseMs: 200,
    reconnectMaxMs: 2000,
    ...over,
  });
  md = m;
  m.start((q) => quotes.push(q));
  return { m, quotes };
}

async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Largest silence between consecutive quotes received at or after `from`. */
function maxGap(quotes: Quote[], from: number): number {
  let gap = 0;
  for (let i = 1; i < quotes.length; i++) {
    const b = quotes[i]!;
    if (b.receivedAt >= from) gap = Math.max(gap, b.receivedAt - quotes[i - 1]!.receivedAt);
  }
  return gap;
}

describe('AsterMarketData against the simulator', () => {
  it('normalizes bookTicker + depth5 with the simulator book prices, sizes and timestamps', async () => {
    const { m, quotes } = feed();
    await until(() => quotes.some((q) => q.bids !== undefined) && quotes.length >= 20);
    const normalGap = maxGap(quotes, 0);
    await admin.setPaused(true);
    await new Promise((r) => setTimeout(r, 400));
    const book = await admin.book('aster', 5);
    const last = quotes.at(-1)!;
    expect(last.bid).toBe(book.bids[0]?.price);
    expect(last.bidQty).toBe(book.bids[0]?.qty);
    expect(last.ask).toBe(book.asks[0]?.price);
    expect(last.askQty).toBe(book.asks[0]?.qty);
    expect(last.bids?.[0]).toEqual([book.bids[0]?.price, book.bids[0]?.qty]);
    for (const q of quotes) {
      expect(q.venue).toBe('aster');
      expect(q.symbol).toBe(SYMBOL);
      expect(q.bid).toBeLessThan(q.ask);
      expect(Math.abs(q.receivedAt - q.venueTime)).toBeLessThan(2000);
    }
    expect(quotes.map((q) => q.seq)).toEqual(quotes.map((_, i) => i));
    const s = m.stats();
    expect(s).toMatchObject({ connected: true, malformed: 0, reconnects: 0 });
    console.log(`[measured] aster sim feed: ${quotes.length} quotes, largest normal gap ${normalGap} ms`);
  });

  it('recovers from a simulator-initiated disconnect (gap measured)', async () => {
    const { m, quotes } = feed();
    await until(() => quotes.length >= 10);
    const at = Date.now();
    await admin.addFault({ kind: 'ws_disconnect', venue: 'aster' });
    await until(() => m.stats().reconnects >= 1 && quotes.filter((q) => q.receivedAt > at).length >= 10);
    const gap = maxGap(quotes, at);
    console.log(`[measured] aster disconnect → quotes again after ${gap} ms (first retry 200 ms ±20%)`);
    expect(m.stats().connected).toBe(true);
    expect(gap).toBeLessThan(10_000);
  });

  it('detects a silent stall and reconnects (gap measured)', async () => {
    const { m, quotes } = feed({ stallMs: 800 });
    await until(() => quotes.length >= 10);
    const at = Date.now();
    await admin.addFault({ kind: 'ws_stall', venue: 'aster', durationMs: 2000 });
    await until(() => m.stats().stalls >= 1);
    await until(() => quotes.filter((q) => q.receivedAt > at + 2000).length >= 10);
    const gap = maxGap(quotes, at);
    console.log(
      `[measured] aster 2 s stall (stallMs 800) → ${m.stats().stalls} stall reconnect(s), quotes again after ${gap} ms`,
    );
    expect(m.stats().reconnects).toBeGreaterThanOrEqual(1);
    expect(gap).toBeLessThan(10_000);
  });

  it('carries the venue event time: a simulator timestamp skew shows in venueTime, not receivedAt', async () => {
    const { quotes } = feed();
    await until(() => quotes.length >= 5);
    await admin.addFault({ kind: 'timestamp_skew', venue: 'aster', skewMs: -5000, durationMs: 60_000 });
    const from = Date.now() + 100;
    await until(() => quotes.filter((q) => q.receivedAt > from).length >= 5);
    for (const q of quotes.filter((x) => x.receivedAt > from)) {
      expect(q.receivedAt - q.venueTime).toBeGreaterThan(4000);
      expect(q.receivedAt - q.venueTime).toBeLessThan(7000);
    }
  });

  it('counts malformed frames and never emits them', async () => {
    const { m, quotes } = feed();
    await until(() => quotes.length >= 5);
    await admin.addFault({ kind: 'ws_malformed', venue: 'aster', count: 5 });
    await until(() => m.stats().malformed >= 5);
    const n = quotes.length;
    await until(() => quotes.length >= n + 5);
    expect(m.stats().malformed).toBe(5);
    for (const q of quotes) expect(q.bid).toBeLessThan(q.ask);
  });
});

describe('AsterMarketData and the connection lifetime', () => {
  let venue: RunningVenue;
  beforeAll(async () => {
    // A second Aster front-end on the same engine with a 2.5 s connection lifetime.
    venue = await startAsterVenue({
      engine: sim.engines.aster,
      faults: sim.faults,
      credentials: defaultCredentialDirectory(),
      host: '127.0.0.1',
      port: 0,
      // Short lifetime; server pings every 200 ms with a 1 s pong deadline (ws answers pings itself).
      aster: { wsMaxLifetimeMs: 2500, wsPingIntervalMs: 200, wsPongTimeoutMs: 1000 },
    });
  });
  afterAll(async () => {
    await venue.close();
  });

  it('rotates make-before-break ahead of the lifetime: no reconnect, no gap beyond normal', async () => {
    const { m, quotes } = feed({ wsUrl: venue.wsUrl, lifetimeMs: 1500 });
    await until(() => quotes.length >= 5);
    const from = Date.now();
    const normalGap = maxGap(quotes, 0);
    await until(() => m.stats().rotations >= 3, 30_000);
    const gap = maxGap(quotes, from);
    console.log(
      `[measured] aster rotation: 3 rotations, largest gap ${gap} ms (normal before: ${normalGap} ms)`,
    );
    expect(m.stats().reconnects).toBe(0);
    expect(m.stats().duplicates).toBeGreaterThanOrEqual(0);
    expect(gap).toBeLessThan(5_000);
  });

  it('without rotation, the venue closing at the lifetime is recovered by reconnect (gap measured)', async () => {
    const { m, quotes } = feed({ wsUrl: venue.wsUrl, lifetimeMs: 0 });
    await until(() => quotes.length >= 5);
    const from = Date.now();
    await until(() => m.stats().reconnects >= 2, 30_000);
    await until(() => quotes.filter((q) => q.receivedAt > Date.now() - 500).length > 0);
    const gap = maxGap(quotes, from);
    console.log(`[measured] aster lifetime close → reconnect, largest gap ${gap} ms (first retry 200 ms)`);
    expect(gap).toBeLessThan(10_000);
  });
});
