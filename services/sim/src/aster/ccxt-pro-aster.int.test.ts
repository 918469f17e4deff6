import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AsterHarness, startAsterHarness } from './test-harness';

/** ccxt.pro's `aster` class (public streams), unmodified except for its URLs. */
const SYMBOL = 'BTC/USDT:USDT';
let h: AsterHarness;
let ex: InstanceType<typeof ccxt.pro.aster>;

beforeAll(async () => {
  h = await startAsterHarness();
  const base = h.venue.restUrl;
  ex = new ccxt.pro.aster({
    options: { defaultType: 'swap' },
    urls: {
      api: {
        fapiPublic: `${base}/fapi`,
        fapiPrivate: `${base}/fapi`,
        sapiPublic: `${base}/api`,
        sapiPrivate: `${base}/api`,
        ws: {
          public: { swap: `${h.venue.wsUrl}/stream`, spot: `${h.venue.wsUrl}/stream` },
          private: { swap: `${h.venue.wsUrl}/ws`, spot: `${h.venue.wsUrl}/ws` },
        },
      },
    },
  });
  // CCXT refuses a plain ws:// URL until its HTTP agent is loaded (its own API, no code change).
  await ex.loadHttpProxyAgent();
});

afterAll(async () => {
  await ex?.close();
  await h?.close();
});

describe('ccxt.pro aster against the simulator streams', () => {
  it('watchBidsAsks (btcusdt@bookTicker via SUBSCRIBE on /stream)', async () => {
    const t = await ex.watchBidsAsks([SYMBOL]);
    const row = t[SYMBOL];
    expect(row?.bid).toBeGreaterThan(0);
    expect(row?.ask).toBeGreaterThan(row?.bid ?? 0);
    expect(row?.bidVolume).toBeGreaterThan(0);
  });

  it('watchOrderBook(5) (btcusdt@depth5 snapshots)', async () => {
    const first = await ex.watchOrderBook(SYMBOL, 5);
    expect(first.bids.length).toBe(5);
    expect(first.asks.length).toBe(5);
    const again = await ex.watchOrderBook(SYMBOL, 5);
    expect((again.bids[0]?.[0] as number) < (again.asks[0]?.[0] as number)).toBe(true);
    expect(again.timestamp).toBeGreaterThanOrEqual(first.timestamp as number);
  });
});
