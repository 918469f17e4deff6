import { parseQuoteJson } from '@arb/bus/quote-bus';
import { decide, type RiskView } from '@arb/core/decide';
import { DEFAULT_STRATEGY_PARAMS } from '@arb/core/params';
import type { Quote } from '@arb/core/quote';
import { spawnService } from '@arb/testkit/process';
import { Redis } from 'ioredis';
import { sleep } from './clock';
import { cpuMs } from './proc-stats';
import type { BenchStack } from './stack';

/**
 * The strategy's cost per tick, two ways:
 *  - in-process: what the strategy does per quote message, i.e. parse + validate the JSON (the
 *    subscriber's entry check) and `decide` (the pure decision) on a healthy, reconciled, calm book;
 *  - the REAL strategy process, fed by the two real feeds at the stack's pacing (1000 ticks/s each at
 *    1 tick/ms): its CPU share of one core and CPU µs per received tick;
 *  - right after it, the same for a bare ioredis subscriber (bare-subscriber.ts, run as the services are)
 *    on the same channels: what merely receiving those messages costs on this machine.
 */

export interface StrategyMicroResult {
  iterations: number;
  parseUs: number;
  decideUs: number;
}

export interface StrategyProcessResult {
  seconds: number;
  ticksPerSec: number;
  cpuPercent: number;
  cpuUsPerTick: number;
}

const quote = (venue: 'aster' | 'backpack', i: number, now: number): Quote => ({
  v: 1,
  venue,
  symbol: venue === 'aster' ? 'BTCUSDT' : 'BTC_USDC_PERP',
  bid: 100000 + (i % 7) * 0.1,
  bidQty: 0.5,
  ask: 100000.1 + (i % 7) * 0.1,
  askQty: 0.6,
  venueTime: now,
  receivedAt: now,
  seq: i,
});

export function measureStrategyMicro(iterations: number): StrategyMicroResult {
  const now = Date.now();
  const raws = Array.from({ length: 64 }, (_, i) =>
    JSON.stringify(quote(i % 2 ? 'aster' : 'backpack', i, now)),
  );
  const state: RiskView = {
    paused: false,
    killed: false,
    reconciled: true,
    venuesHealthy: { aster: true, backpack: true },
    activeHedge: null,
    lastActionAt: null,
  };
  const quotes: { aster: Quote | null; backpack: Quote | null } = {
    aster: quote('aster', 0, now),
    backpack: quote('backpack', 1, now),
  };
  let sink = 0;
  const parsed: Quote[] = [];
  // warm-up, then timed
  for (const pass of [0, 1]) {
    const n = pass === 0 ? Math.min(5000, iterations) : iterations;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const r = parseQuoteJson(raws[i & 63] as string);
      if (r.ok && i < 64) parsed.push(r.quote);
      sink += r.ok ? 1 : 0;
    }
    const t1 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const q = parsed[i & 63] as Quote;
      quotes[q.venue] = q;
      const d = decide(DEFAULT_STRATEGY_PARAMS, state, quotes, now);
      sink += d.kind === 'hold' ? 1 : 0;
    }
    const t2 = process.hrtime.bigint();
    if (pass === 1) {
      if (sink < 0) throw new Error('unreachable');
      return {
        iterations: n,
        parseUs: Math.round((Number(t1 - t0) / n / 1000) * 100) / 100,
        decideUs: Math.round((Number(t2 - t1) / n / 1000) * 100) / 100,
      };
    }
  }
  throw new Error('unreachable');
}

export async function measureStrategyProcess(
  stack: BenchStack,
  redisUrl: string,
  seconds: number,
): Promise<StrategyProcessResult> {
  return measureSubscriberCpu(stack, redisUrl, stack.pid('strategy'), seconds);
}

/** The bare subscriber's CPU on the strategy's channels (spawned for the measurement, then stopped). */
export async function measureBareSubscriber(
  stack: BenchStack,
  redisUrl: string,
  seconds: number,
): Promise<StrategyProcessResult> {
  const p = spawnService({
    entry: 'bench/src/bare-subscriber.ts',
    name: 'bare-subscriber',
    args: [redisUrl, ...quoteChannels(stack)],
  });
  try {
    await p.waitForLine(/^ready$/, 120_000);
    return await measureSubscriberCpu(stack, redisUrl, p.pid as number, seconds);
  } finally {
    await p.stop();
  }
}

function quoteChannels(stack: BenchStack): string[] {
  return [stack.names.quoteChannel('aster', 'BTC'), stack.names.quoteChannel('backpack', 'BTC')];
}

/** CPU of process `pid` over `seconds`, per quote message published meanwhile (counted by the bench). */
async function measureSubscriberCpu(
  stack: BenchStack,
  redisUrl: string,
  pid: number,
  seconds: number,
): Promise<StrategyProcessResult> {
  const sub = new Redis(redisUrl, { maxRetriesPerRequest: null });
  let ticks = 0;
  sub.on('message', () => {
    ticks++;
  });
  await sub.subscribe(...quoteChannels(stack));
  try {
    await sleep(1000);
    const n0 = ticks;
    const c0 = cpuMs(pid);
    const t0 = performance.now();
    await sleep(seconds * 1000);
    const wall = (performance.now() - t0) / 1000;
    const cpu = cpuMs(pid) - c0;
    const n = ticks - n0;
    return {
      seconds: Math.round(wall * 10) / 10,
      ticksPerSec: Math.round(n / wall),
      cpuPercent: Math.round((cpu / 1000 / wall) * 1000) / 10,
      cpuUsPerTick: n > 0 ? Math.round(((cpu * 1000) / n) * 10) / 10 : 0,
    };
  } finally {
    await sub.quit();
  }
}
