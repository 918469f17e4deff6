import { fillNotional } from './economics';
import { type HedgeState, isTerminal } from './hedge';

/**
 * Daily statistics by trading day. A trading day is a calendar date (YYYY-MM-DD) in a configurable
 * IANA time zone, UTC by default. Attribution:
 * - volume and trades: by each fill's execution time (a hedge spanning midnight counts on both days);
 * - realized PnL and fees: when the hedge ended (closedAt), net of all its fees;
 * - open positions: hedges not ended at the end of that day (for today: now).
 */
export interface DailyStats {
  day: string;
  timeZone: string;
  /** USD notional of every fill executed that day (all legs, both venues). */
  volume: number;
  /** Filled orders (legs) executed that day. */
  trades: number;
  /** Hedges whose both open legs filled that day. */
  hedgesOpened: number;
  /** Hedges that ended (closed, or failed / cleaned up) that day. */
  hedgesClosed: number;
  /** Hedges live at the end of the day (or at `asOf` for the current day). */
  openPositions: number;
  /** Sum of ended hedges' realized PnL, net of fees. */
  realizedPnl: number;
  /** Fees of fills executed that day. */
  fees: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // Throws RangeError for an unknown time zone: config should validate it with isValidTimeZone.
    f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

/**
 * The zones this runtime's tz database lists: checking a name against it leaves node's ICU time-zone
 * formatting data untouched (a DateTimeFormat with a timeZone maps ~6.5 MB of it into the process, which
 * every service would pay just to validate TRADING_TZ). Loaded on first use.
 */
let listedZones: Set<string> | undefined;

/** True for an IANA zone this runtime knows: "UTC", a listed zone, or any alias ICU accepts. */
export function isValidTimeZone(timeZone: string): boolean {
  if (timeZone === 'UTC') return true;
  listedZones ??= new Set(Intl.supportedValuesOf('timeZone'));
  if (listedZones.has(timeZone)) return true;
  // Aliases (e.g. Asia/Calcutta, Etc/GMT+5) are not listed but are valid names.
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/**
 * Trading days by time zone and minute: every zone's offset is a whole number of minutes, so all of a
 * minute falls on one day. Intl formatting costs microseconds and risk's daily stats ask for every hedge
 * of the day on each update. Cleared when it grows past a bound (a pure cache: no effect on results).
 */
const dayByMinute = new Map<string, string>();
const DAY_CACHE_MAX = 50_000;

/** The trading day (YYYY-MM-DD) of epoch-ms `ts` in `timeZone`. */
export function tradingDay(ts: number, timeZone = 'UTC'): string {
  // UTC needs no tz database: the ISO date is the trading day (and the default stays off ICU's data).
  if (timeZone === 'UTC') return new Date(ts).toISOString().slice(0, 10);
  const key = `${timeZone}|${Math.floor(ts / 60_000)}`;
  const cached = dayByMinute.get(key);
  if (cached !== undefined) return cached;
  const parts = formatter(timeZone).formatToParts(new Date(ts));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = `${get('year')}-${get('month')}-${get('day')}`;
  if (dayByMinute.size >= DAY_CACHE_MAX) dayByMinute.clear();
  dayByMinute.set(key, day);
  return day;
}

export function emptyDailyStats(day: string, timeZone = 'UTC'): DailyStats {
  return {
    day,
    timeZone,
    volume: 0,
    trades: 0,
    hedgesOpened: 0,
    hedgesClosed: 0,
    openPositions: 0,
    realizedPnl: 0,
    fees: 0,
  };
}

/**
 * What a hedge contributes to daily stats, and nothing else: its times, realized PnL and each fill's
 * execution time, notional and fee. A few hundred bytes where the hedge state (legs, order ids, intents)
 * takes kilobytes: risk holds one per hedge of the trading day.
 */
export interface HedgeDayFootprint {
  id: string;
  createdAt: number;
  openedAt: number | null;
  /** closedAt of a terminal hedge; null while it is live (a late fill can bring an ended hedge back). */
  endedAt: number | null;
  realizedPnl: number;
  /** Per filled leg, in leg order: executedAt, notional (USD), fee — flat, three numbers a fill. */
  fills: number[];
}

export function dayFootprint(h: HedgeState): HedgeDayFootprint {
  const fills: number[] = [];
  for (const leg of h.legs) {
    if (leg.fill)
      fills.push(leg.fill.executedAt, fillNotional({ side: leg.side, ...leg.fill }), leg.fill.fee);
  }
  return {
    id: h.id,
    createdAt: h.createdAt,
    openedAt: h.openedAt,
    endedAt: isTerminal(h.phase) ? h.closedAt : null,
    realizedPnl: h.realizedPnl,
    fills,
  };
}

/**
 * Folds hedges into the stats of `day`. `asOf` (epoch ms) bounds what is known: fills and ends after
 * it are ignored, and a hedge live at `asOf` counts as an open position if it started on or before the
 * day. Pass the hedges that may touch the day (ended that day or later, or still live).
 */
export function dailyStats(
  hedges: Iterable<HedgeState>,
  day: string,
  asOf: number,
  timeZone = 'UTC',
): DailyStats {
  const footprints: HedgeDayFootprint[] = [];
  for (const h of hedges) footprints.push(dayFootprint(h));
  return dailyStatsOfFootprints(footprints, day, asOf, timeZone);
}

/** `dailyStats` over footprints (the same sums, in the same order). */
export function dailyStatsOfFootprints(
  hedges: Iterable<HedgeDayFootprint>,
  day: string,
  asOf: number,
  timeZone = 'UTC',
): DailyStats {
  const stats = emptyDailyStats(day, timeZone);
  const onDay = (ts: number | null): ts is number =>
    ts !== null && ts <= asOf && tradingDay(ts, timeZone) === day;
  const afterDay = (ts: number) => tradingDay(ts, timeZone) > day;
  for (const h of hedges) {
    const f = h.fills;
    for (let i = 0; i < f.length; i += 3) {
      if (!onDay(f[i]!)) continue;
      stats.volume += f[i + 1]!;
      stats.fees += f[i + 2]!;
      stats.trades += 1;
    }
    if (onDay(h.openedAt)) stats.hedgesOpened += 1;
    const ended = h.endedAt !== null && h.endedAt <= asOf;
    if (ended && onDay(h.endedAt)) {
      stats.hedgesClosed += 1;
      stats.realizedPnl += h.realizedPnl;
    }
    const started = h.createdAt <= asOf && !afterDay(h.createdAt);
    const liveAtDayEnd = !ended || afterDay(h.endedAt!);
    if (started && liveAtDayEnd) stats.openPositions += 1;
  }
  return stats;
}

/** How far back (by creation time) hedges are considered for the current day's stats. */
export const DAILY_STATS_WINDOW_MS = 8 * 86_400_000;

/**
 * False only for a hedge that ended (closedAt set) with every timestamp before `day`: it adds nothing
 * to `dailyStats` of `day` or of any later day, so a caller that only ever folds the current day can
 * forget it once the day has rolled over.
 */
export function touchesDayOrLater(f: HedgeDayFootprint, day: string, timeZone = 'UTC'): boolean {
  if (f.endedAt === null) return true;
  let last = Math.max(f.createdAt, f.endedAt, f.openedAt ?? 0);
  for (let i = 0; i < f.fills.length; i += 3) if (f.fills[i]! > last) last = f.fills[i]!;
  return tradingDay(last, timeZone) >= day;
}

/**
 * The current trading day's stats kept from the hedge states as they change, instead of re-reading
 * every hedge of the window on each update. Holds the footprint (not the state) of each hedge of the
 * window that can still touch the current day; on a day rollover it drops the rest. `statsAt(now)`
 * equals `dailyStats` over every hedge created within `windowMs` before `now` (what risk used to read
 * from Redis each time).
 */
export class DailyStatsTracker {
  private readonly hedges = new Map<string, HedgeDayFootprint>();
  private day: string | null = null;

  constructor(
    private readonly timeZone = 'UTC',
    private readonly windowMs = DAILY_STATS_WINDOW_MS,
  ) {}

  /** Records the latest state of a hedge (replacing the one known), unless it cannot matter any more. */
  upsert(h: HedgeState, now: number): void {
    const day = tradingDay(now, this.timeZone);
    const f = dayFootprint(h);
    if (f.createdAt < now - this.windowMs || !touchesDayOrLater(f, day, this.timeZone)) {
      this.hedges.delete(f.id);
    } else {
      this.hedges.set(f.id, f);
    }
  }

  /** Stats of the trading day of `now`. */
  statsAt(now: number): DailyStats {
    const day = tradingDay(now, this.timeZone);
    const from = now - this.windowMs;
    if (day !== this.day) {
      this.day = day;
      for (const [id, h] of this.hedges) {
        if (h.createdAt < from || !touchesDayOrLater(h, day, this.timeZone)) this.hedges.delete(id);
      }
    }
    return dailyStatsOfFootprints(this.inWindow(from), day, now, this.timeZone);
  }

  /** Hedges held (bounded by the window and the current day). */
  get size(): number {
    return this.hedges.size;
  }

  private *inWindow(from: number): Iterable<HedgeDayFootprint> {
    for (const h of this.hedges.values()) if (h.createdAt >= from) yield h;
  }
}
