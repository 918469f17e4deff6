import { createHmac } from 'node:crypto';
import { resolve } from 'node:path';
import { SIM_CREDENTIALS } from '@arb/config/sim-credentials';
import ccxt from 'ccxt';
import { afterAll, describe, expect, it } from 'vitest';
import { SimAdminClient } from '../admin/client';
import { SCENARIOS_DIR } from '../market/scenario';
import { type RunningSim, startSim } from '../start-sim';
import { ManualClock } from './clock';

const running: RunningSim[] = [];

afterAll(async () => {
  await Promise.all(running.map((s) => s.close()));
});

/** Aster's server time is the sim clock, so a client signs with it (as real clients sync to server time). */
async function asterOrder(
  sim: RunningSim,
  clock: ManualClock,
  params: Record<string, string>,
): Promise<number> {
  const qs = new URLSearchParams({ symbol: 'BTCUSDT', ...params, timestamp: String(clock.now()) }).toString();
  const signature = createHmac('sha256', SIM_CREDENTIALS.asterHmac.secret).update(qs).digest('hex');
  const res = await fetch(`${sim.aster.restUrl}/fapi/v1/order`, {
    method: 'POST',
    headers: {
      'X-MBX-APIKEY': SIM_CREDENTIALS.asterHmac.apiKey,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: `${qs}&signature=${signature}`,
  });
  await res.text();
  return res.status;
}

/** Runs one seeded session: real clients place the same orders at the same (manual) sim times. */
async function session(seed: number, startMs: number) {
  const clock = new ManualClock(startMs);
  const sim = await startSim({
    host: '127.0.0.1',
    asterPort: 0,
    backpackPort: 0,
    adminPort: 0,
    seed,
    scenario: resolve(SCENARIOS_DIR, 'default.json'),
    clock,
  });
  running.push(sim);
  const bp = new ccxt.backpack({
    apiKey: SIM_CREDENTIALS.backpack.apiKey,
    secret: SIM_CREDENTIALS.backpack.secret,
  });
  bp.urls.api = { public: sim.backpack.restUrl, private: sim.backpack.restUrl };
  // A resting limit far below the market: only the 15 s dislocation (Aster cheap) reaches it.
  const asterMid = sim.engines.aster.markPrice();
  const restPrice = (Math.round(asterMid * 10) / 10 - 60).toFixed(1);
  const statuses: number[] = [];
  statuses.push(
    await asterOrder(sim, clock, {
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.05',
      price: restPrice,
      newClientOrderId: 'rest',
    }),
  );
  for (let i = 0; i < 12; i++) {
    clock.advance(1_613);
    const side = i % 3 === 0 ? 'SELL' : 'BUY';
    statuses.push(
      await asterOrder(sim, clock, {
        side,
        type: 'MARKET',
        quantity: (0.1 + i * 0.05).toFixed(3),
        newClientOrderId: `m-${i}`,
      }),
    );
    await bp.createOrder(
      'BTC/USDC:USDC',
      'market',
      side === 'BUY' ? 'sell' : 'buy',
      0.01 + i * 0.001,
      undefined,
      { clientOrderId: 1000 + i },
    );
  }
  const admin = new SimAdminClient(sim.adminUrl);
  const fills = (await admin.fills()).map((f) => [
    f.venue,
    f.tradeId,
    f.orderId,
    f.side,
    f.price,
    f.qty,
    f.fee,
    f.isMaker,
    f.time,
  ]);
  const positions = await admin.positions();
  return { statuses, fills, positions };
}

describe('seeded replay over real clients', () => {
  it('the same seed and the same orders at the same sim times give the same fills', async () => {
    const t0 = Date.now();
    const a = await session(2024, t0);
    const b = await session(2024, t0);
    expect(a.statuses.every((s) => s === 200)).toBe(true);
    expect(a.fills.length).toBeGreaterThan(24);
    expect(a.fills.some((f) => f[7] === true)).toBe(true);
    expect(b).toEqual(a);
    const c = await session(7, t0);
    expect(c.fills).not.toEqual(a.fills);
  });
});
