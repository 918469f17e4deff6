import { type ControlFlags, readControlFlags } from '@arb/bus/control-flags';
import { readDailyStats } from '@arb/bus/daily-stats-record';
import { FEED_REPORT_MAX_AGE_MS, feedHealthy } from '@arb/bus/feed-health';
import { type HedgeRecord, readActiveHedge } from '@arb/bus/hedge-store';
import type { RedisNames } from '@arb/bus/keys';
import { type LedgerEntry, LedgerEntrySchema } from '@arb/bus/ledger-entry';
import { readLatestQuote } from '@arb/bus/quote-bus';
import { readNewest } from '@arb/bus/stream';
import { orderPathHealthy, readOrderHealth } from '@arb/bus/order-health';
import { buildRiskView, hedgePhase } from '@arb/bus/risk-view';
import { type DailyStats, emptyDailyStats, tradingDay } from '@arb/core/daily-stats';
import { decide } from '@arb/core/decide';
import type { HedgeDirection } from '@arb/core/direction';
import type { HedgePhase } from '@arb/core/hedge';
import type { StrategyParams } from '@arb/core/params';
import type { Quote } from '@arb/core/quote';
import { type SpreadStatus, spreadStatus } from '@arb/core/spread-status';
import { unwindSpread } from '@arb/core/spread';
import type { VenueId } from '@arb/core/venue';
import type { Redis } from 'ioredis';
import { unrealizedPnl } from './unrealized-pnl';

/** What the status line, the dashboard and the CLI read from the configuration (AppConfig fits). */
export interface StatusConfig {
  pair: string;
  strategy: StrategyParams;
  tradingTimeZone: string;
}

export interface FeedView {
  /** The feed reports itself connected in a health report not older than `healthMaxAgeMs`. */
  healthy: boolean;
  connected: boolean;
  /** Age of the latest quote by local receive time, ms; null without a quote. */
  quoteAgeMs: number | null;
  /** Age of the feed's last health report, ms; null when the feed's health hash is absent (not running). */
  reportAgeMs: number | null;
  reconnects: number;
  malformed: number;
}

export interface HedgeView {
  hedgeId: string;
  direction: HedgeDirection;
  qty: number;
  /** Risk's phase; before risk wrote a status: "opening" (or "closing" once a close intent exists). */
  phase: HedgePhase;
  createdAt: number;
  openedAt: number | null;
  /** Since openedAt (or createdAt while opening), ms. */
  ageMs: number;
  expectedEdge: number;
  /** Current executable unwind spread for the hedge's qty (USD per unit); null without quotes/depth. */
  unwindSpread: number | null;
  /** Mark-to-market PnL (USD) of the fills so far, closing at the current books, net of paid fees. */
  unrealizedPnl: number | null;
  exposure: Partial<Record<VenueId, number>> | null;
  closeRequested: boolean;
  note: string | null;
}

/** Everything one status line, one dashboard update or one CLI `status` shows, read at one instant. */
export interface StatusSnapshot {
  at: number;
  pair: string;
  quotes: Record<VenueId, Quote | null>;
  spread: SpreadStatus;
  thresholds: { open: number; close: number; tradeQty: number; maxQuoteAgeMs: number };
  feeds: Record<VenueId, FeedView>;
  control: ControlFlags;
  hedge: HedgeView | null;
  /**
   * What the strategy would do now, computed with core `decide` from what Redis holds (the strategy
   * publishes no status of its own to Redis): hold + reason, or the open/close it is about to take.
   */
  decision: { kind: 'hold'; reason: string; detail?: string } | { kind: 'open' | 'close'; detail: string };
  daily: DailyStats;
}

export interface ReadStatusOptions {
  now?: number;
  /** A feed health report older than this is unhealthy (default FEED_REPORT_MAX_AGE_MS, as the strategy). */
  healthMaxAgeMs?: number;
  /** Ledger entries scanned (newest first) for today's stats while risk has stored none (default 500). */
  ledgerScan?: number;
}

/** Reads the snapshot in a few round trips; never writes. */
export async function readStatusSnapshot(
  redis: Redis,
  names: RedisNames,
  config: StatusConfig,
  opts: ReadStatusOptions = {},
): Promise<StatusSnapshot> {
  const healthMaxAgeMs = opts.healthMaxAgeMs ?? FEED_REPORT_MAX_AGE_MS;
  const pair = config.pair;
  const [aster, backpack, healthA, healthB, control, record, orderA, orderB] = await Promise.all([
    readLatestQuote(redis, names, 'aster', pair),
    readLatestQuote(redis, names, 'backpack', pair),
    redis.hgetall(names.feedHealthKey('aster')),
    redis.hgetall(names.feedHealthKey('backpack')),
    readControlFlags(redis, names),
    readActiveHedge(redis, names, pair).catch(() => null),
    readOrderHealth(redis, names, 'aster').catch(() => null),
    readOrderHealth(redis, names, 'backpack').catch(() => null),
  ]);
  const now = opts.now ?? Date.now();
  const orderPaths = { aster: orderPathHealthy(orderA, now), backpack: orderPathHealthy(orderB, now) };
  const day = tradingDay(now, config.tradingTimeZone);
  const storedDaily = await readDailyStats(redis, names, day, config.tradingTimeZone);
  // The ledger is read only when needed: the live hedge's fills are among the newest entries; today's
  // stats fall back to a longer scan only while risk has not stored them.
  const scan = storedDaily === null ? (opts.ledgerScan ?? 500) : record ? 100 : 0;
  const ledger = scan > 0 ? await readRecentLedger(redis, names, scan) : [];
  const quotes = { aster, backpack };
  const feeds = {
    aster: feedView(healthA, aster, now, healthMaxAgeMs),
    backpack: feedView(healthB, backpack, now, healthMaxAgeMs),
  };
  const hedge = record ? hedgeView(record, quotes, ledger, now) : null;
  const daily = storedDaily ?? dailyFromLedger(ledger, day, config.tradingTimeZone, now, hedge ? 1 : 0);
  return {
    at: now,
    pair,
    quotes,
    spread: spreadStatus(quotes, config.strategy.tradeQty, config.strategy.fees, now),
    thresholds: {
      open: config.strategy.openThreshold,
      close: config.strategy.closeThreshold,
      tradeQty: config.strategy.tradeQty,
      maxQuoteAgeMs: config.strategy.maxQuoteAgeMs,
    },
    feeds,
    control,
    hedge,
    decision: wouldDecide(config.strategy, control, feeds, orderPaths, record, quotes, now),
    daily,
  };
}

function num(s: string | undefined): number {
  const n = Number(s);
  return Number.isFinite(n) ? n : 0;
}

export function feedView(
  hash: Record<string, string>,
  quote: Quote | null,
  now: number,
  healthMaxAgeMs: number,
): FeedView {
  const present = Object.keys(hash).length > 0;
  const updatedAt = Number(hash.updatedAt);
  const reportAgeMs = present && Number.isFinite(updatedAt) ? now - updatedAt : null;
  return {
    healthy: feedHealthy(present ? hash : null, now, healthMaxAgeMs),
    connected: hash.connected === '1',
    quoteAgeMs: quote ? now - quote.receivedAt : null,
    reportAgeMs,
    reconnects: num(hash.reconnects),
    malformed: num(hash.malformed),
  };
}

function hedgeView(
  record: HedgeRecord,
  quotes: Record<VenueId, Quote | null>,
  ledger: readonly LedgerEntry[],
  now: number,
): HedgeView | null {
  const open = record.open;
  if (!open) return null;
  const openedAt = record.status?.openedAt ?? null;
  let unwind: number | null = null;
  if (quotes.aster && quotes.backpack) {
    const r = unwindSpread({ aster: quotes.aster, backpack: quotes.backpack }, open.direction, open.qty);
    unwind = r.kind === 'ok' ? r.spread : null;
  }
  const fills = ledger.filter(
    (e): e is Extract<LedgerEntry, { kind: 'fill' }> => e.kind === 'fill' && e.hedgeId === record.hedgeId,
  );
  return {
    hedgeId: record.hedgeId,
    direction: open.direction,
    qty: open.qty,
    phase: hedgePhase(record),
    createdAt: open.createdAt,
    openedAt,
    ageMs: now - (openedAt ?? open.createdAt),
    expectedEdge: open.expectedEdge,
    unwindSpread: unwind,
    unrealizedPnl: unrealizedPnl(fills, quotes),
    exposure: record.status?.exposure ?? null,
    closeRequested: record.close !== null,
    note: record.status?.note ?? null,
  };
}

function wouldDecide(
  params: StrategyParams,
  control: ControlFlags,
  feeds: Record<VenueId, FeedView>,
  orderPaths: Record<VenueId, boolean>,
  record: HedgeRecord | null,
  quotes: Record<VenueId, Quote | null>,
  now: number,
): StatusSnapshot['decision'] {
  const view = buildRiskView({
    flags: control,
    hedge: record,
    feedsHealthy: { aster: feeds.aster.healthy, backpack: feeds.backpack.healthy },
    orderPathsHealthy: orderPaths,
    lastActionAt: null,
  });
  const d = decide(params, view, quotes, now);
  if (d.kind === 'hold') return d.detail === undefined ? { kind: 'hold', reason: d.reason } : { ...d };
  if (d.kind === 'open') return { kind: 'open', detail: `${d.direction} at ${d.expectedEdge.toFixed(2)}` };
  return { kind: 'close', detail: d.reason };
}

/** The newest `count` ledger entries, oldest first (invalid entries skipped). */
export async function readRecentLedger(
  redis: Redis,
  names: RedisNames,
  count: number,
): Promise<LedgerEntry[]> {
  const { entries } = await readNewest(redis, names.ledgerStream, LedgerEntrySchema, count);
  return entries.map((e) => e.message).reverse();
}

/**
 * Today's stats from the ledger, when risk has not stored them under dailyStatsKey: volume, trades and
 * fees from fills executed today, hedges opened/closed and realized PnL from today's open/close entries.
 * Only the scanned (recent) entries count, so this is a fallback, not the books.
 */
export function dailyFromLedger(
  entries: readonly LedgerEntry[],
  day: string,
  timeZone: string,
  asOf: number,
  openPositions: number,
): DailyStats {
  const s = emptyDailyStats(day, timeZone);
  for (const e of entries) {
    if (e.at > asOf || tradingDay(e.at, timeZone) !== day) continue;
    if (e.kind === 'fill') {
      s.volume += e.qty * e.price;
      s.trades += 1;
      s.fees += e.fee;
    } else if (e.kind === 'hedge_opened') {
      s.hedgesOpened += 1;
    } else {
      s.hedgesClosed += 1;
      s.realizedPnl += e.realizedPnl;
    }
  }
  s.openPositions = openPositions;
  return s;
}
