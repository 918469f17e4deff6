import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { SimVenue } from '@arb/sim/engine/types';
import type { DislocationDirection } from '@arb/sim/market/dislocation';
import { waitFor } from '@arb/testkit/wait';
import { subscribeWhenReady } from '@arb/bus/redis-subscribe';
import { nowNs, sleep } from './clock';
import type { BenchStack } from './stack';
import { type Summary, summarize } from './stats';

/**
 * Tick -> order through the REAL pipeline: the bench scripts a dislocation on the in-process simulator
 * (market paused, so only scripted ticks move prices), and measures on one clock:
 *   t0     the dislocated book of the second venue has been handed to its WS front-end (sent);
 *   legN   each venue's first order POST after t0 arrives at the simulator (request headers parsed);
 *   fill   the second of the two opening legs has filled in the simulator's engine.
 * Then it waits for the hedge to close (the dislocation ends; strategy closes; risk clears the active
 * hedge) before the next one, alternating directions.
 */

export interface PipelineOptions {
  count: number;
  warmup: number;
  /** How long each dislocation holds (ms). */
  holdMs: number;
  sizeUsd: number;
  /**
   * Also time each venue's dislocated quote on Redis (tickToQuote): a bench subscriber then receives and
   * parses every quote (2 x 1000/s at 1 ms) in the simulator's process, which loads the system measured.
   */
  traceQuotes?: boolean;
  /**
   * Each dislocation's cycle lasts at least this long (ms). About 17 request weight per hedge cycle on
   * AsterDex (2 orders, the fills' trades for their fees, the balance re-read after the open) against 1920
   * per minute (80 % of the venue's 2400), less risk's reconciliation: cycles shorter than ~600 ms run the
   * budget dry.
   */
  minCycleMs?: number;
  log?: (s: string) => void;
}

export interface PipelineResult {
  dislocations: number;
  /** Dislocations where no order arrived at one of the venues (timeouts). */
  missed: number;
  /** Tick -> each leg's order request at the simulator (both legs' samples). */
  tickToLeg: Summary;
  /** Tick -> the later leg's request. */
  tickToBothLegs: Summary;
  /**
   * Tick -> the dislocated quote of each venue on Redis (the feed's PUBLISH, received by a bench
   * subscriber: includes one pub/sub hop). Empty unless `traceQuotes`.
   */
  tickToQuote: Summary;
  /** Tick -> the hedge intent recorded (the strategy's state notice, received by a bench subscriber). */
  tickToIntent: Summary;
  /**
   * Tick -> the first request of any kind each order worker sends the venue for the leg: the order itself
   * on a fresh delivery; the probe by client order id on a re-delivery.
   */
  tickToFirstRequest: Summary;
  /** Per leg: first request -> order POST (0 when the first request is the order: no probe). */
  probeToOrder: Summary;
  /** Tick -> the second opening leg filled (in the simulator's engine). */
  tickToSecondFill: Summary;
  /** Whole cycles (dislocation -> hedge closed and cleared), ms. */
  cycleMs: Summary;
  /**
   * Event-loop delay of the bench process, which runs the simulator (both venues' books at the pacing,
   * matching, signature checks): a busy venue loop delays the POST timestamps, not the pipeline's work.
   */
  simLoopDelayUs: { p50: number; p99: number; max: number };
  /** CPU used per second of wall time by the bench process (simulator) during the dislocations, %. */
  simCpuPercent: number;
}

interface Pending {
  /** Each venue's book mid when armed, null before (a book is the dislocated one once its mid moved away). */
  armedBookMid: Partial<Record<SimVenue, number>> | null;
  emitted: Partial<Record<SimVenue, bigint>>;
  t0: bigint | null;
  req: Partial<Record<SimVenue, bigint>>;
  first: Partial<Record<SimVenue, bigint>>;
  fill: Partial<Record<SimVenue, bigint>>;
  /** Each venue's mid when armed, and when its dislocated quote arrived on Redis. */
  baseMid: Partial<Record<SimVenue, number>>;
  quote: Partial<Record<SimVenue, bigint>>;
  intent: bigint | null;
}

const us = (a: bigint, b: bigint) => Number(b - a) / 1000;

export async function measurePipeline(stack: BenchStack, o: PipelineOptions): Promise<PipelineResult> {
  const { sim } = stack;
  const portVenue = new Map<number, SimVenue>([
    [Number(new URL(sim.aster.restUrl).port), 'aster'],
    [Number(new URL(sim.backpack.restUrl).port), 'backpack'],
  ]);
  let cur: Pending | null = null;

  const onRequest = (m: unknown) => {
    const { request, server } = m as { request: IncomingMessage; server: Server };
    if (!cur?.t0) return;
    const venue = portVenue.get((server.address() as AddressInfo | null)?.port ?? -1);
    if (!venue) return;
    const t = nowNs();
    if (cur.first[venue] === undefined) cur.first[venue] = t;
    const path = (request.url ?? '').split('?')[0] ?? '';
    if (request.method === 'POST' && path.endsWith('/order') && cur.req[venue] === undefined)
      cur.req[venue] = t;
  };
  subscribe('http.server.request.start', onRequest);

  // Quotes and state notices as any subscriber sees them: where the tick is on its way.
  const lastMid: Partial<Record<SimVenue, number>> = {};
  const sub = stack.redis.duplicate();
  const channels = new Map<string, SimVenue>([
    [stack.names.quoteChannel('aster', 'BTC'), 'aster'],
    [stack.names.quoteChannel('backpack', 'BTC'), 'backpack'],
  ]);
  sub.on('message', (channel: string, message: string) => {
    const t = nowNs();
    if (channel === stack.names.stateChannel) {
      if (cur?.t0 && cur.intent === null) cur.intent = t;
      return;
    }
    const venue = channels.get(channel);
    if (!venue) return;
    const q = JSON.parse(message) as { bid: number; ask: number };
    const mid = (q.bid + q.ask) / 2;
    lastMid[venue] = mid;
    const base = cur?.baseMid[venue];
    if (
      cur?.t0 &&
      base !== undefined &&
      cur.quote[venue] === undefined &&
      Math.abs(mid - base) > o.sizeUsd / 4
    )
      cur.quote[venue] = t;
  });
  const traceQuotes = o.traceQuotes ?? false;
  await subscribeWhenReady(sub, ...(traceQuotes ? channels.keys() : []), stack.names.stateChannel);

  const unsubs: (() => void)[] = [];
  const restore: (() => void)[] = [];
  // Each venue's latest book mid: a book counts as dislocated only once its mid has moved by a quarter of
  // the dislocation from where it was when armed (each venue moves by about half of it).
  const bookMid: Partial<Record<SimVenue, number>> = {};
  for (const venue of ['aster', 'backpack'] as const) {
    unsubs.push(
      sim.core.market.onBook(venue, (book) => {
        bookMid[venue] = book.mid;
        if (!cur?.armedBookMid || cur.t0) return;
        const base = cur.armedBookMid[venue];
        if (base === undefined || Math.abs(book.mid - base) <= o.sizeUsd / 4) return;
        cur.emitted[venue] = nowNs();
        if (cur.emitted.aster !== undefined && cur.emitted.backpack !== undefined) cur.t0 = nowNs();
      }),
    );
    const engine = sim.core.engines[venue];
    const place = engine.placeOrder.bind(engine);
    engine.placeOrder = (account, input) => {
      const r = place(account, input);
      if (r.ok && r.order.executedQty > 0 && cur?.req[venue] !== undefined && cur.fill[venue] === undefined)
        cur.fill[venue] = nowNs();
      return r;
    };
    restore.push(() => {
      engine.placeOrder = place;
    });
  }

  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const leg: number[] = [];
  const both: number[] = [];
  const fill: number[] = [];
  const first: number[] = [];
  const probe: number[] = [];
  const quote: number[] = [];
  const intent: number[] = [];
  const cycle: number[] = [];
  let missed = 0;
  try {
    for (let i = 0; i < o.count + o.warmup; i++) {
      const direction: DislocationDirection =
        i % 2 === 0 ? 'buy_aster_sell_backpack' : 'buy_backpack_sell_aster';
      const started = performance.now();
      const p: Pending = {
        armedBookMid: null,
        emitted: {},
        t0: null,
        req: {},
        first: {},
        fill: {},
        baseMid: { ...lastMid },
        quote: {},
        intent: null,
      };
      cur = p;
      sim.core.market.addDislocation({
        direction,
        sizeUsd: o.sizeUsd,
        durationMs: o.holdMs,
        rampMs: 0,
        revertMs: 0,
      });
      // Armed only now: addDislocation first brings the market up to now, which can publish the books of
      // a tick that was due (still undislocated); the dislocated books leave on the next step.
      p.armedBookMid = { ...bookMid };
      const ok = await waitFor(() => p.req.aster !== undefined && p.req.backpack !== undefined, {
        timeoutMs: Math.max(5000, o.holdMs * 2),
        intervalMs: 5,
      }).catch(() => false);
      await waitFor(() => p.fill.aster !== undefined && p.fill.backpack !== undefined, {
        timeoutMs: o.holdMs + 2000,
        intervalMs: 5,
      }).catch(() => false);
      // The hedge closes once the dislocation ends; the next opens only when none is live.
      await waitFor(async () => (await stack.activeHedge()) === null, { timeoutMs: 120_000, intervalMs: 10 });
      await sleep(Math.max(0, o.holdMs + 30 - (performance.now() - started)));
      await waitFor(async () => (await stack.activeHedge()) === null, { timeoutMs: 120_000, intervalMs: 10 });
      // Let the strategy's view of the hedge catch up (state event -> snapshot) before the next tick.
      await sleep(Math.max(50, (o.minCycleMs ?? 0) - (performance.now() - started)));
      cur = null;
      if (i < o.warmup) continue;
      cycle.push((performance.now() - started) * 1000);
      const t0 = p.t0;
      if (!ok || !t0 || p.req.aster === undefined || p.req.backpack === undefined) {
        missed++;
        continue;
      }
      const a = us(t0, p.req.aster);
      const b = us(t0, p.req.backpack);
      leg.push(a, b);
      for (const v of ['aster', 'backpack'] as const) {
        const f = p.first[v];
        const r = p.req[v];
        if (f !== undefined && r !== undefined) {
          first.push(us(t0, f));
          probe.push(us(f, r));
        }
      }
      both.push(Math.max(a, b));
      for (const v of ['aster', 'backpack'] as const) {
        const q = p.quote[v];
        if (q !== undefined) quote.push(us(t0, q));
      }
      if (p.intent !== null) intent.push(us(t0, p.intent));
      if (p.fill.aster !== undefined && p.fill.backpack !== undefined) {
        fill.push(Math.max(us(t0, p.fill.aster), us(t0, p.fill.backpack)));
      }
      if ((i + 1) % 50 === 0) o.log?.(`pipeline: ${i + 1 - o.warmup}/${o.count}`);
    }
  } finally {
    loopDelay.disable();
    unsubscribe('http.server.request.start', onRequest);
    sub.disconnect();
    for (const u of unsubs) u();
    for (const r of restore) r();
  }
  const c = summarize(cycle);
  const cpu = process.cpuUsage(cpu0);
  const simCpuPercent =
    Math.round(((cpu.user + cpu.system) / 1000 / (performance.now() - wall0)) * 1000) / 10;
  return {
    dislocations: o.count,
    missed,
    tickToLeg: summarize(leg),
    tickToBothLegs: summarize(both),
    tickToQuote: summarize(quote),
    tickToIntent: summarize(intent),
    tickToFirstRequest: summarize(first),
    probeToOrder: summarize(probe),
    tickToSecondFill: summarize(fill),
    cycleMs: { ...c, p50: c.p50 / 1000, p99: c.p99 / 1000, max: c.max / 1000, mean: c.mean / 1000 },
    simLoopDelayUs: {
      p50: Math.round(loopDelay.percentile(50) / 1000),
      p99: Math.round(loopDelay.percentile(99) / 1000),
      max: Math.round(loopDelay.max / 1000),
    },
    simCpuPercent,
  };
}
