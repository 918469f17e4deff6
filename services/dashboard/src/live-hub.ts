import { AlertSchema, type Alert } from '@arb/bus/alert';
import { subscribeWhenReady } from '@arb/bus/redis-subscribe';
import type { RedisNames } from '@arb/bus/keys';
import { readNewest } from '@arb/bus/stream';
import { redact } from '@arb/log/redact';
import type { Redis } from 'ioredis';
import { type LegLatency, readLegLatency } from './leg-latency';
import { type RecentHedge, recentHedges } from './recent-hedges';
import {
  readRecentLedger,
  readStatusSnapshot,
  type StatusConfig,
  type StatusSnapshot,
} from './status-snapshot';

/** One point of the spread chart: time (epoch ms) and executable spreads per direction. */
export interface SpreadPoint {
  t: number;
  /** buy Aster / sell Backpack */
  ab: number | null;
  /** buy Backpack / sell Aster */
  ba: number | null;
  be: number | null;
}

export interface LiveUpdate {
  snapshot: StatusSnapshot;
  point: SpreadPoint | null;
  hedges: RecentHedge[];
  alerts: Alert[];
  latency: LegLatency | null;
}

export interface LiveHubOptions {
  redis: Redis;
  /** A connection of its own for SUBSCRIBE. */
  subscriber: Redis;
  names: RedisNames;
  config: StatusConfig;
  /** Minimum time between two updates while quotes flow (default 250 ms): quote bursts are coalesced. */
  throttleMs?: number;
  /** An update is sent at least this often even without quotes (ages move; default 1000 ms). */
  heartbeatMs?: number;
  /** Chart points kept for new pages (default 3600). */
  historySize?: number;
  onError?: (err: unknown) => void;
}

/**
 * Turns quote and state notices on Redis into throttled dashboard updates: a quote or state event marks
 * the view dirty, a timer rebuilds the snapshot (at most every throttleMs, at least every heartbeatMs)
 * and hands it to every listener (the SSE connections). Keeps the recent spread history for new pages.
 */
export class LiveHub {
  private readonly o: LiveHubOptions;
  private readonly listeners = new Set<(u: LiveUpdate) => void>();
  private readonly history: SpreadPoint[] = [];
  private timer: NodeJS.Timeout | null = null;
  private quotesDirty = true;
  private stateDirty = true;
  private lastUpdateAt = 0;
  private building = false;
  private last: LiveUpdate | null = null;
  private hedges: RecentHedge[] = [];
  private alerts: Alert[] = [];
  private latency: LegLatency | null = null;
  private lastSeqs = '';
  private readonly onMessage = (channel: string) => {
    if (channel === this.o.names.stateChannel) this.stateDirty = true;
    else this.quotesDirty = true;
  };
  updates = 0;

  constructor(opts: LiveHubOptions) {
    this.o = opts;
  }

  async start(): Promise<void> {
    const { names, config, subscriber } = this.o;
    subscriber.on('message', this.onMessage);
    await subscribeWhenReady(
      subscriber,
      names.quoteChannel('aster', config.pair),
      names.quoteChannel('backpack', config.pair),
      names.stateChannel,
    );
    const throttle = this.o.throttleMs ?? 250;
    this.timer = setInterval(() => void this.tick(), throttle);
    await this.tick();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.o.subscriber.off('message', this.onMessage);
    if (this.o.subscriber.status === 'ready') await this.o.subscriber.unsubscribe().catch(() => {});
    this.listeners.clear();
  }

  subscribe(fn: (u: LiveUpdate) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  listenerCount(): number {
    return this.listeners.size;
  }

  latest(): LiveUpdate | null {
    return this.last;
  }

  chartHistory(): readonly SpreadPoint[] {
    return this.history;
  }

  private async tick(): Promise<void> {
    if (this.building) return;
    const now = Date.now();
    const due =
      this.quotesDirty || this.stateDirty || now - this.lastUpdateAt >= (this.o.heartbeatMs ?? 1000);
    if (!due) return;
    this.building = true;
    try {
      const refreshTables = this.stateDirty || now - this.lastUpdateAt >= 2000 || this.last === null;
      this.quotesDirty = false;
      this.stateDirty = false;
      const snapshot = await readStatusSnapshot(this.o.redis, this.o.names, this.o.config);
      if (refreshTables) await this.readTables();
      const point = this.pointFor(snapshot);
      const update = redact({
        snapshot,
        point,
        hedges: this.hedges,
        alerts: this.alerts,
        latency: this.latency,
      }) as LiveUpdate;
      this.last = update;
      this.lastUpdateAt = now;
      this.updates++;
      for (const fn of this.listeners) fn(update);
    } catch (err) {
      this.o.onError?.(err);
    } finally {
      this.building = false;
    }
  }

  private async readTables(): Promise<void> {
    const [ledger, alerts, latency] = await Promise.all([
      readRecentLedger(this.o.redis, this.o.names, 500),
      readNewest(this.o.redis, this.o.names.alertStream, AlertSchema, 10),
      readLegLatency(this.o.redis, this.o.names),
    ]);
    this.latency = latency;
    this.hedges = recentHedges(ledger, 20);
    this.alerts = alerts.entries.map((e) => e.message);
  }

  /** A chart point when a quote changed since the last point (same quotes: no new point). */
  private pointFor(s: StatusSnapshot): SpreadPoint | null {
    const seqs = `${s.quotes.aster?.seq ?? '-'}:${s.quotes.backpack?.seq ?? '-'}`;
    if (seqs === this.lastSeqs || (s.quotes.aster === null && s.quotes.backpack === null)) return null;
    this.lastSeqs = seqs;
    const point: SpreadPoint = {
      t: s.at,
      ab: s.spread.open.buy_aster_sell_backpack,
      ba: s.spread.open.buy_backpack_sell_aster,
      be: s.spread.breakEven,
    };
    this.history.push(point);
    const max = this.o.historySize ?? 3600;
    if (this.history.length > max) this.history.splice(0, this.history.length - max);
    return point;
  }
}
