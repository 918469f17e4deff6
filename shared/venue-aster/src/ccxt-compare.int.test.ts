import ccxt from 'ccxt';
import { Wallet } from 'ethers';
import { type RunningSim, startSim } from '@arb/sim/start-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AsterVenueClient } from './venue-client';

/**
 * Why the hot path uses a direct client: the same V3 market order through CCXT 4.5.84's `aster` class and
 * through AsterVenueClient, against the simulator on one machine. Latencies are logged, not asserted.
 */
const W = new Wallet('0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba');
let sim: RunningSim;

beforeAll(async () => {
  sim = await startSim({
    host: '127.0.0.1',
    asterPort: 0,
    backpackPort: 0,
    adminPort: 0,
    seed: 5,
    credentials: {
      asterHmac: [],
      asterV3: [{ user: W.address, signer: W.address, account: 'bench' }],
      backpack: [],
    },
  });
});
afterAll(async () => {
  await sim?.close();
});

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

describe('CCXT vs direct client (V3 market orders on the simulator)', () => {
  it('measures order round trips', async () => {
    const base = sim.aster.restUrl;
    const ex = new ccxt.aster({
      privateKey: W.privateKey,
      walletAddress: W.address,
      // CCXT's default client-side throttle (rateLimit 333 ms) alone would dominate; measure without it.
      enableRateLimit: false,
      options: { defaultType: 'swap' },
      urls: {
        api: {
          fapiPublic: `${base}/fapi`,
          fapiPrivate: `${base}/fapi`,
          sapiPublic: `${base}/api`,
          sapiPrivate: `${base}/api`,
        },
      },
    });
    await ex.loadMarkets();
    const direct = new AsterVenueClient({
      baseUrl: base,
      credentials: { kind: 'v3', user: W.address, signer: W.address, signerPrivateKey: W.privateKey },
      recvWindowMs: 5000,
      timeoutMs: 5000,
    });
    await direct.init('BTCUSDT');
    const n = 15;
    const ccxtMs: number[] = [];
    const rawMs: number[] = [];
    const fullMs: number[] = [];
    for (let i = 0; i < n + 2; i++) {
      const side = i % 2 === 0 ? 'buy' : 'sell';
      let t = performance.now();
      await ex.createOrder('BTC/USDT:USDT', 'market', side, 0.01, undefined, {
        clientOrderId: `cc-${i}-${Date.now()}`,
        newOrderRespType: 'RESULT',
      });
      if (i >= 2) ccxtMs.push(performance.now() - t);
      t = performance.now();
      await direct.rest.signed(
        'POST',
        direct.rest.paths.order,
        [
          ['symbol', 'BTCUSDT'],
          ['side', side === 'buy' ? 'SELL' : 'BUY'],
          ['type', 'MARKET'],
          ['quantity', '0.010'],
          ['newClientOrderId', `dr-${i}-${Date.now()}`],
          ['newOrderRespType', 'RESULT'],
        ],
        1,
      );
      if (i >= 2) rawMs.push(performance.now() - t);
      t = performance.now();
      const o = await direct.placeOrder({
        venue: 'aster',
        symbol: 'BTCUSDT',
        side,
        qty: 0.01,
        reduceOnly: false,
        clientOrderId: `df-${i}-${Date.now()}`,
      });
      if (i >= 2) fullMs.push(performance.now() - t);
      expect(o.kind).toBe('filled');
    }
    console.log(
      `[measured] V3 market order, median of ${n}: CCXT createOrder ${median(ccxtMs).toFixed(1)} ms (throttle off; its default rateLimit adds up to 333 ms); ` +
        `direct signed POST ${median(rawMs).toFixed(1)} ms; direct placeOrder incl. userTrades fee ${median(fullMs).toFixed(1)} ms`,
    );
    await direct.close();
  });
});
