/**
 * Per-order client overhead: CCXT's backpack class vs the direct signed client, both sending the same
 * signed POST /api/v1/order to a local HTTP server that answers a canned filled order at once (so the
 * difference is client-side: request building, signing, CCXT's fetch/response machinery), then against
 * the simulator's Backpack front-end in process (signature verified, order matched) for end-to-end numbers.
 *
 *   npx tsx shared/venue-backpack/bench/transport-overhead.ts [iterations]
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { SIM_CREDENTIALS } from '@arb/config/sim-credentials';
import { CcxtBackpackTransport } from '../src/ccxt-transport';
import { DirectBackpackTransport } from '../src/direct-transport';
import type { BackpackRestTransport } from '../src/rest-transport';
import { startBackpackSim } from '@arb/sim/testing/backpack-sim';

const N = Number(process.argv[2] ?? 2000);
const ORDER = JSON.stringify({
  orderType: 'Market',
  id: '11197446312',
  clientId: 1234567,
  createdAt: 1753102447307,
  executedQuantity: '0.02000',
  executedQuoteQuantity: '2259.9',
  quantity: '0.02000',
  reduceOnly: false,
  timeInForce: 'IOC',
  selfTradePrevention: 'RejectTaker',
  side: 'Ask',
  status: 'Filled',
  symbol: 'BTC_USDC_PERP',
});

function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0;
  return {
    p50: q(0.5).toFixed(3),
    p90: q(0.9).toFixed(3),
    p99: q(0.99).toFixed(3),
    mean: (s.reduce((a, b) => a + b, 0) / s.length).toFixed(3),
  };
}

async function run(t: BackpackRestTransport, n: number, clientIdBase: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const body = {
      clientId: clientIdBase + i,
      orderType: 'Market',
      quantity: '0.00100',
      reduceOnly: false,
      side: i % 2 === 0 ? 'Bid' : 'Ask',
      symbol: 'BTC_USDC_PERP',
      timeInForce: 'IOC',
    };
    const t0 = performance.now();
    await t.call('POST', 'api/v1/order', body, true);
    out.push(performance.now() - t0);
  }
  return out;
}

async function main(): Promise<void> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(ORDER));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const creds = { apiKey: SIM_CREDENTIALS.backpack.apiKey, secret: SIM_CREDENTIALS.backpack.secret };
  const sim = await startBackpackSim();
  const targets: [string, string][] = [
    ['local canned server', url],
    ['simulator', sim.restUrl],
  ];
  for (const [label, restUrl] of targets) {
    const ccxt = new CcxtBackpackTransport({ restUrl, ...creds });
    const direct = new DirectBackpackTransport({ restUrl, ...creds });
    const n = label === 'simulator' ? Math.min(N, 300) : N;
    // Warm-up both (JIT, keep-alive sockets), then interleave halves to share machine noise.
    await run(ccxt, 50, 1_000_000);
    await run(direct, 50, 2_000_000);
    const a1 = await run(ccxt, n / 2, 3_000_000);
    const b1 = await run(direct, n / 2, 4_000_000);
    const a2 = await run(ccxt, n / 2, 5_000_000);
    const b2 = await run(direct, n / 2, 6_000_000);
    console.log(
      JSON.stringify({ target: label, n, ccxtMs: stats([...a1, ...a2]), directMs: stats([...b1, ...b2]) }),
    );
    await ccxt.close();
  }
  server.close();
  await sim.close();
}

await main();
