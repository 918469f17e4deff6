import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimAdminClient } from '../admin/client';
import { type RunningSim, startSim } from '../start-sim';

// Paper mode: a second simulator follows the first one's public bookTicker streams, as it would follow
// the real venues, and fills orders against those prices.
let source: RunningSim;
let paper: RunningSim;
let waiting: RunningSim;

const until = async <T>(fn: () => Promise<T> | T, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> => {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

beforeAll(async () => {
  const opts = { host: '127.0.0.1', asterPort: 0, backpackPort: 0, adminPort: 0 };
  source = await startSim({ ...opts, seed: 3, scenario: { name: 'real-venues', startPrice: 87_000 } });
  paper = await startSim({
    ...opts,
    seed: 4,
    scenario: { name: 'paper' },
    liveQuotes: { aster: source.aster.wsUrl, backpack: source.backpack.wsUrl },
  });
});

afterAll(async () => {
  await waiting?.close();
  await paper?.close();
  await source?.close();
});

describe('live quotes (paper mode)', () => {
  it('keeps the books empty (orders find no liquidity) until the first real quote arrives', async () => {
    waiting = await startSim({
      host: '127.0.0.1',
      asterPort: 0,
      backpackPort: 0,
      adminPort: 0,
      scenario: { name: 'paper-unreachable' },
      liveQuotes: { aster: 'ws://127.0.0.1:9' },
    });
    const book = waiting.engines.aster.book();
    expect(book.bids).toEqual([]);
    expect(book.asks).toEqual([]);
    const order = {
      side: 'buy',
      type: 'market',
      tif: 'IOC',
      qty: 0.01,
      reduceOnly: false,
      clientOrderId: null,
    } as const;
    expect(waiting.engines.aster.placeOrder('p', order)).toMatchObject({ ok: false, reason: 'no_liquidity' });
    // Only the venues given live quotes wait.
    expect(waiting.engines.backpack.book().bids.length).toBeGreaterThan(0);
  });

  it("follows the source venues' top of book and fills orders at those prices", async () => {
    const src = new SimAdminClient(source.adminUrl);
    // Live: the paper sim (started at 100000) has taken the source's prices (near 87000).
    for (const venue of ['aster', 'backpack'] as const) {
      await until(
        () => paper.engines[venue].book(1),
        (b) => (b.bids[0]?.price ?? 0) < 90_000,
      );
    }
    await src.setPaused(true);
    await src.price({ price: 87_500 });
    for (const venue of ['aster', 'backpack'] as const) {
      // Read both sides each time: the source re-publishes the jump on its next tick.
      const { want, got } = await until(
        async () => ({ want: await src.book(venue, 1), got: paper.engines[venue].book(1) }),
        ({ want, got }) =>
          Math.abs(want.bids[0]!.price - 87_500) < 50 &&
          got.bids[0]?.price === want.bids[0]!.price &&
          got.asks[0]?.price === want.asks[0]!.price,
      );
      // Paused sources alternate their top sizes by one step; the paper book follows within a step.
      expect(Math.abs(got.bids[0]!.qty - want.bids[0]!.qty)).toBeLessThan(0.0011);
      const r = paper.engines[venue].placeOrder('p', {
        side: 'buy',
        type: 'market',
        tif: 'IOC',
        qty: 0.001,
        reduceOnly: false,
        clientOrderId: null,
      });
      expect(r.ok && r.order.avgPrice).toBe(want.asks[0]!.price);
    }
    expect(Math.abs(paper.core.market.truePrice() - 87_500)).toBeLessThan(50);
  });
});
