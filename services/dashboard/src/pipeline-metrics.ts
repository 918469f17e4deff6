import type { RedisNames } from '@arb/bus/keys';
import { HEDGE_DIRECTIONS } from '@arb/core/direction';
import { VENUES } from '@arb/core/venue';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { Gauge, type Registry } from 'prom-client';
import { type LegLatency, readLegLatency } from './leg-latency';
import { readStatusSnapshot, type StatusConfig, type StatusSnapshot } from './status-snapshot';

const JOB_STATES = [
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'waiting-children',
  'failed',
  'completed',
] as const;

interface PipelineReading {
  snapshot: StatusSnapshot;
  queues: { name: string; counts: Record<string, number> }[];
  hedgesTotal: number;
  nakedSeconds: number;
  ledgerEntries: number;
  alerts: number;
  latency: LegLatency;
}

export interface PipelineMetricsOptions {
  registry: Registry;
  redis: Redis;
  names: RedisNames;
  config: StatusConfig;
  queues: readonly Queue[];
  /** Readings are shared by all gauges of one scrape and reused for this long (default 500 ms). */
  cacheMs?: number;
  now?: () => number;
}

/**
 * The pipeline's values kept in Redis, as Prometheus gauges computed at scrape time: queue depths,
 * feed health (connected, quote age, stale seconds, reconnects, malformed frames), the live hedge (age,
 * unrealized PnL, naked seconds), hedges, daily stats (PnL, volume, trades), control flags, spreads.
 * leg latencies over the newest order outcomes (decision → venue answer, order sent → venue answer, per
 * venue, from the outcome stream and the intents' times). The services' own histograms (strategy
 * tick→intent, order workers decision→ack) stay on their own /metrics.
 */
export function registerPipelineMetrics(o: PipelineMetricsOptions): { read(): Promise<PipelineReading> } {
  const now = o.now ?? Date.now;
  const cacheMs = o.cacheMs ?? 500;
  let cached: { at: number; value: Promise<PipelineReading> } | null = null;

  async function readFresh(): Promise<PipelineReading> {
    const t = now();
    const [snapshot, queues, hedgesTotal, naked, ledgerEntries, alerts, latency] = await Promise.all([
      readStatusSnapshot(o.redis, o.names, o.config, { now: t }),
      Promise.all(o.queues.map(async (q) => ({ name: q.name, counts: await q.getJobCounts(...JOB_STATES) }))),
      o.redis.zcard(o.names.hedgeIndex(o.config.pair)),
      o.redis.hgetall(o.names.riskNakedSinceKey),
      o.redis.xlen(o.names.ledgerStream),
      o.redis.xlen(o.names.alertStream),
      readLegLatency(o.redis, o.names),
    ]);
    let nakedSeconds = 0;
    for (const v of Object.values(naked)) {
      const since = Number(v);
      if (Number.isFinite(since)) nakedSeconds = Math.max(nakedSeconds, (t - since) / 1000);
    }
    return { snapshot, queues, hedgesTotal, nakedSeconds, ledgerEntries, alerts, latency };
  }

  function read(): Promise<PipelineReading> {
    const t = now();
    if (cached && t - cached.at < cacheMs) return cached.value;
    const value = readFresh();
    cached = { at: t, value };
    value.catch(() => {
      if (cached?.value === value) cached = null;
    });
    return value;
  }

  const registers = [o.registry];
  const pair = o.config.pair;
  const gauge = <L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    fill: (g: Gauge<L>, r: PipelineReading) => void,
  ) =>
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers,
      async collect() {
        this.reset();
        fill(this, await read());
      },
    });

  gauge('arb_queue_jobs', 'BullMQ jobs per order queue and state', ['queue', 'state'], (g, r) => {
    for (const q of r.queues)
      for (const [state, n] of Object.entries(q.counts)) g.set({ queue: q.name, state }, n);
  });
  gauge('arb_feed_connected', '1 while the feed reports its venue socket connected', ['venue'], (g, r) => {
    for (const v of VENUES) g.set({ venue: v }, r.snapshot.feeds[v].connected ? 1 : 0);
  });
  gauge(
    'arb_feed_healthy',
    '1 while the feed is connected and its health report is recent',
    ['venue'],
    (g, r) => {
      for (const v of VENUES) g.set({ venue: v }, r.snapshot.feeds[v].healthy ? 1 : 0);
    },
  );
  gauge('arb_feed_quote_age_seconds', 'Age of the latest quote (local receive time)', ['venue'], (g, r) => {
    for (const v of VENUES) {
      const a = r.snapshot.feeds[v].quoteAgeMs;
      if (a !== null) g.set({ venue: v }, a / 1000);
    }
  });
  gauge(
    'arb_feed_stale_seconds',
    'Seconds the latest quote is past the freshness limit (PRICE_VALIDITY_MS); 0 while fresh',
    ['venue'],
    (g, r) => {
      const limit = r.snapshot.thresholds.maxQuoteAgeMs;
      for (const v of VENUES) {
        const a = r.snapshot.feeds[v].quoteAgeMs;
        g.set({ venue: v }, a === null ? 0 : Math.max(0, (a - limit) / 1000));
      }
    },
  );
  gauge(
    'arb_feed_reconnects',
    'Reconnects reported by the running feed since it started',
    ['venue'],
    (g, r) => {
      for (const v of VENUES) g.set({ venue: v }, r.snapshot.feeds[v].reconnects);
    },
  );
  gauge(
    'arb_feed_malformed',
    'Malformed frames reported by the running feed since it started',
    ['venue'],
    (g, r) => {
      for (const v of VENUES) g.set({ venue: v }, r.snapshot.feeds[v].malformed);
    },
  );
  gauge(
    'arb_spread_usd',
    'Executable open spread per direction for the trade size',
    ['direction'],
    (g, r) => {
      for (const d of HEDGE_DIRECTIONS) {
        const s = r.snapshot.spread.open[d];
        if (s !== null) g.set({ direction: d }, s);
      }
    },
  );
  gauge('arb_break_even_usd', 'Round-trip fee break-even spread at the current mid', [], (g, r) => {
    if (r.snapshot.spread.breakEven !== null) g.set(r.snapshot.spread.breakEven);
  });
  gauge('arb_hedge_active', '1 while the pair has a live hedge', ['pair'], (g, r) => {
    g.set({ pair }, r.snapshot.hedge ? 1 : 0);
  });
  gauge('arb_hedge_age_seconds', 'Age of the live hedge', ['pair'], (g, r) => {
    if (r.snapshot.hedge) g.set({ pair }, r.snapshot.hedge.ageMs / 1000);
  });
  gauge('arb_hedge_unrealized_pnl_usd', 'Mark-to-market PnL of the live hedge', ['pair'], (g, r) => {
    const u = r.snapshot.hedge?.unrealizedPnl;
    if (u !== undefined && u !== null) g.set({ pair }, u);
  });
  gauge(
    'arb_naked_seconds',
    'Longest time a hedge has had net exposure (risk naked-since), 0 when none',
    [],
    (g, r) => {
      g.set(r.nakedSeconds);
    },
  );
  gauge('arb_hedges', 'Hedges recorded for the pair (all time)', ['pair'], (g, r) => {
    g.set({ pair }, r.hedgesTotal);
  });
  gauge('arb_daily_pnl_usd', 'Realized PnL of the trading day, net of fees', ['pair'], (g, r) => {
    g.set({ pair }, r.snapshot.daily.realizedPnl);
  });
  gauge('arb_daily_volume_usd', 'Notional traded during the trading day', ['pair'], (g, r) => {
    g.set({ pair }, r.snapshot.daily.volume);
  });
  gauge('arb_daily_trades', 'Filled legs during the trading day', ['pair'], (g, r) => {
    g.set({ pair }, r.snapshot.daily.trades);
  });
  gauge('arb_daily_hedges_closed', 'Hedges ended during the trading day', ['pair'], (g, r) => {
    g.set({ pair }, r.snapshot.daily.hedgesClosed);
  });
  gauge('arb_open_positions', 'Open hedges', ['pair'], (g, r) => {
    g.set({ pair }, r.snapshot.daily.openPositions);
  });
  gauge('arb_control_flag', 'Control flags (paused, killed, reconciled) as 0/1', ['flag'], (g, r) => {
    const c = r.snapshot.control;
    g.set({ flag: 'paused' }, c.paused ? 1 : 0);
    g.set({ flag: 'killed' }, c.killed ? 1 : 0);
    g.set({ flag: 'reconciled' }, c.reconciled ? 1 : 0);
  });
  gauge('arb_ledger_entries', 'Entries in the ledger stream', [], (g, r) => {
    g.set(r.ledgerEntries);
  });
  gauge('arb_alerts', 'Entries in the alert stream', [], (g, r) => {
    g.set(r.alerts);
  });
  for (const [key, name, help] of [
    [
      'decisionToAck',
      'arb_pipeline_leg_decision_to_ack_seconds',
      'Decision (intent recorded) to venue answer',
    ],
    ['sendToAck', 'arb_pipeline_leg_send_to_ack_seconds', 'Order sent to venue answer'],
  ] as const) {
    gauge(
      name,
      `${help}, quantiles over the newest 200 order outcomes (non-probed)`,
      ['venue', 'quantile'],
      (g, r) => {
        for (const v of VENUES) {
          const st = r.latency[v][key];
          if (!st) continue;
          for (const [q, value] of [
            ['0.5', st.p50],
            ['0.9', st.p90],
            ['0.99', st.p99],
            ['1', st.max],
          ] as const) {
            g.set({ venue: v, quantile: q }, value / 1000);
          }
        }
      },
    );
  }
  return { read };
}
