import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DAILY_STATS_WINDOW_MS,
  DailyStatsTracker,
  dailyStats,
  dayFootprint,
  emptyDailyStats,
  isValidTimeZone,
  touchesDayOrLater,
  tradingDay,
} from './daily-stats';
import { type HedgeEvent, type HedgeState, newHedge, reduceHedge } from './hedge';

const T = Date.UTC(2026, 10, 28, 10, 0, 0); // 2026-11-28 10:00 UTC

describe('tradingDay', () => {
  it('is the UTC date by default', () => {
    expect(tradingDay(T)).toBe('2026-11-28');
    expect(tradingDay(Date.UTC(2026, 10, 28, 23, 59, 59, 999))).toBe('2026-11-28');
    expect(tradingDay(Date.UTC(2026, 10, 29, 0, 0, 0))).toBe('2026-11-29');
  });

  it('the per-minute cache answers what Intl says, at every instant of a minute, in odd-offset zones', () => {
    const zones = ['UTC', 'Asia/Kathmandu', 'America/St_Johns', 'Pacific/Chatham', 'Australia/Lord_Howe'];
    // One formatter per zone: building one per call (6000 here) took ~5 s under coverage on a 2-core CI.
    const formats = new Map(
      zones.map((tz) => [
        tz,
        new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }),
      ]),
    );
    const direct = (ts: number, tz: string) => formats.get(tz)?.format(new Date(ts));
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) }),
        fc.constantFrom(...zones),
        (ts, tz) => {
          const minute = Math.floor(ts / 60_000) * 60_000;
          // Warm the cache with the minute's first instant, then ask for any instant of that minute.
          expect(tradingDay(minute, tz)).toBe(direct(minute, tz));
          expect(tradingDay(ts, tz)).toBe(direct(ts, tz));
          expect(tradingDay(minute + 59_999, tz)).toBe(direct(minute + 59_999, tz));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('follows the configured time zone, including DST', () => {
    // 2026-11-28 20:00 UTC is 2026-11-29 04:00 in Shanghai (UTC+8)
    expect(tradingDay(Date.UTC(2026, 10, 28, 20, 0), 'Asia/Shanghai')).toBe('2026-11-29');
    expect(tradingDay(Date.UTC(2026, 10, 28, 3, 0), 'America/New_York')).toBe('2026-11-27');
    // New York summer time (UTC-4): 2026-07-01 03:30 UTC is still June 30
    expect(tradingDay(Date.UTC(2026, 6, 1, 3, 30), 'America/New_York')).toBe('2026-06-30');
    expect(tradingDay(Date.UTC(2026, 6, 1, 4, 30), 'America/New_York')).toBe('2026-07-01');
  });

  it('validates time zones', () => {
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(() => tradingDay(T, 'Mars/Olympus')).toThrow(RangeError);
  });
});

function hedge(id: string, events: [HedgeEvent, number][], createdAt: number): HedgeState {
  let s = newHedge(
    { id, pair: 'BTC', direction: 'buy_aster_sell_backpack', qty: 0.02, expectedEdge: 130 },
    createdAt,
  ).state;
  for (const [e, at] of events) s = reduceHedge(s, e, at).state;
  return s;
}

const f = (legId: string, avgPrice: number, executedAt: number, fee = 1): [HedgeEvent, number] => [
  { type: 'leg_filled', legId, qty: 0.02, avgPrice, fee, executedAt },
  executedAt,
];

describe('dailyStats', () => {
  const H = 3_600_000;
  const closed = hedge(
    'ha',
    [
      f('ha-aster-open1', 100_000, T),
      f('ha-backpack-open1', 100_150, T + 1),
      [{ type: 'close_requested', reason: 'spread_converged' }, T + H],
      f('ha-aster-close1', 100_050, T + H),
      f('ha-backpack-close1', 100_100, T + H + 1),
    ],
    T - 10,
  );
  const open = hedge(
    'hb',
    [f('hb-aster-open1', 100_000, T + 2 * H), f('hb-backpack-open1', 100_130, T + 2 * H)],
    T + 2 * H,
  );
  const failed = hedge(
    'hc',
    [
      [{ type: 'leg_rejected', legId: 'hc-aster-open1', code: 'x', reason: 'y' }, T + 3 * H],
      [{ type: 'leg_rejected', legId: 'hc-backpack-open1', code: 'x', reason: 'y' }, T + 3 * H],
    ],
    T + 3 * H,
  );

  it('folds volume, trades, hedges, open positions and realized PnL net of fees', () => {
    expect(closed.phase).toBe('closed');
    const s = dailyStats([closed, open, failed], '2026-11-28', T + 5 * H);
    const closedPnl = 0.02 * (100_150 - 100_000) + 0.02 * (100_050 - 100_100) - 4;
    expect(s.realizedPnl).toBeCloseTo(closedPnl, 9);
    expect(s.trades).toBe(6);
    expect(s.volume).toBeCloseTo(0.02 * (100_000 + 100_150 + 100_050 + 100_100 + 100_000 + 100_130), 6);
    expect(s.fees).toBeCloseTo(6, 9);
    expect(s.hedgesOpened).toBe(2);
    expect(s.hedgesClosed).toBe(2); // the closed one and the failed one
    expect(s.openPositions).toBe(1);
  });

  it('respects asOf and other days', () => {
    const early = dailyStats([closed, open], '2026-11-28', T + 30 * 60_000);
    expect(early.trades).toBe(2);
    expect(early.realizedPnl).toBe(0);
    expect(early.openPositions).toBe(1);
    const before = dailyStats([closed, open], '2026-11-27', T + 5 * H);
    expect(before).toEqual(emptyDailyStats('2026-11-27'));
    const after = dailyStats([closed, open], '2026-11-29', T + 48 * H);
    expect(after.trades).toBe(0);
    expect(after.openPositions).toBe(1); // still live
  });

  it('a hedge spanning midnight counts fills on each day and PnL on the day it closed', () => {
    const late = Date.UTC(2026, 10, 28, 23, 50);
    const next = Date.UTC(2026, 10, 29, 0, 20);
    const h = hedge(
      'hd',
      [
        f('hd-aster-open1', 100_000, late),
        f('hd-backpack-open1', 100_150, late),
        [{ type: 'close_requested', reason: 'force_close_time' }, next],
        f('hd-aster-close1', 100_100, next),
        f('hd-backpack-close1', 100_100, next),
      ],
      late,
    );
    const day1 = dailyStats([h], '2026-11-28', next + H);
    const day2 = dailyStats([h], '2026-11-29', next + H);
    expect(day1).toMatchObject({
      trades: 2,
      hedgesOpened: 1,
      hedgesClosed: 0,
      openPositions: 1,
      realizedPnl: 0,
    });
    expect(day2).toMatchObject({ trades: 2, hedgesOpened: 0, hedgesClosed: 1, openPositions: 0 });
    expect(day2.realizedPnl).toBeCloseTo(h.realizedPnl, 9);
    // in Shanghai both are the 29th
    const sh = dailyStats([h], '2026-11-29', next + H, 'Asia/Shanghai');
    expect(sh).toMatchObject({
      trades: 4,
      hedgesOpened: 1,
      hedgesClosed: 1,
      openPositions: 0,
      timeZone: 'Asia/Shanghai',
    });
  });
});

describe('DailyStatsTracker', () => {
  const H = 3_600_000;
  // A hedge round trip opened at `at`, closed `closeAfter` later (or left open).
  const trip = (id: string, at: number, closeAfter: number | null): HedgeState[] => {
    const states: HedgeState[] = [];
    let s = newHedge(
      { id, pair: 'BTC', direction: 'buy_aster_sell_backpack', qty: 0.02, expectedEdge: 130 },
      at,
    ).state;
    states.push(s);
    const steps: [HedgeEvent, number][] = [
      f(`${id}-aster-open1`, 100_000, at + 10),
      f(`${id}-backpack-open1`, 100_150, at + 20),
    ];
    if (closeAfter !== null) {
      steps.push(
        [{ type: 'close_requested', reason: 'spread_converged' }, at + closeAfter],
        f(`${id}-aster-close1`, 100_040, at + closeAfter + 10),
        f(`${id}-backpack-close1`, 100_100, at + closeAfter + 20),
      );
    }
    for (const [e, t] of steps) {
      s = reduceHedge(s, e, t).state;
      states.push(s);
    }
    return states;
  };

  it('touchesDayOrLater is false only for hedges ended before the day', () => {
    const [first, ...rest] = trip('ta', T, H);
    const ended = rest.at(-1)!;
    expect(ended.phase).toBe('closed');
    expect(touchesDayOrLater(dayFootprint(ended), '2026-11-28')).toBe(true);
    expect(touchesDayOrLater(dayFootprint(ended), '2026-11-29')).toBe(false);
    expect(touchesDayOrLater(dayFootprint(first!), '2026-11-30')).toBe(true); // live: an open position every day
    const acrossMidnight = trip('tb', Date.UTC(2026, 10, 28, 23, 50), 20 * 60_000).at(-1)!;
    expect(touchesDayOrLater(dayFootprint(acrossMidnight), '2026-11-29')).toBe(true);
  });

  it('equals dailyStats over the window at every step, across day rollovers', () => {
    // Hedges every 5 h over 4 days (some left open, some spanning midnight), updates in time order.
    const updates: { state: HedgeState; at: number }[] = [];
    for (let i = 0; i < 20; i++) {
      const at = T - 2 * 24 * H + i * 5 * H + i * 7_000;
      const states = trip(`h${i}`, at, i % 4 === 3 ? null : (i % 3) * 2 * H + 30 * 60_000);
      for (const [k, state] of states.entries()) updates.push({ state, at: at + k * 15 * 60_000 });
    }
    updates.sort((a, b) => a.at - b.at);
    const tracker = new DailyStatsTracker('Asia/Shanghai');
    const latest = new Map<string, HedgeState>();
    for (const u of updates) {
      tracker.upsert(u.state, u.at);
      latest.set(u.state.id, u.state);
      const now = u.at + 1;
      const inWindow = [...latest.values()].filter((h) => h.createdAt >= now - DAILY_STATS_WINDOW_MS);
      expect(tracker.statsAt(now)).toEqual(
        dailyStats(inWindow, tradingDay(now, 'Asia/Shanghai'), now, 'Asia/Shanghai'),
      );
    }
    // Bounded: ended hedges of past days were dropped; the open ones stay.
    expect(tracker.size).toBeLessThan(latest.size);
    expect(tracker.size).toBeGreaterThanOrEqual(5);
  });

  it('property: equals dailyStats at every update, with late fills bringing ended hedges back', () => {
    // Hedges driven by random outcomes on any leg (a fill on a rejected leg of an ended hedge is the late
    // fill that sends it back to cleanup), updates minutes to hours apart across several trading days.
    const event = fc.record({
      hedge: fc.nat({ max: 4 }),
      kind: fc.constantFrom('fill', 'fill', 'reject', 'unknown', 'close', 'start'),
      leg: fc.nat(),
      price: fc.integer({ min: 99_000, max: 101_000 }),
      gapMs: fc.integer({ min: 1, max: 9 * H }),
    });
    fc.assert(
      fc.property(
        fc.array(event, { minLength: 1, maxLength: 60 }),
        fc.constantFrom('UTC', 'Asia/Kathmandu'),
        (events, tz) => {
          const tracker = new DailyStatsTracker(tz, 2 * 24 * H);
          const latest = new Map<string, HedgeState>();
          // Five slots, each driving its current hedge; 'start' puts a new hedge in the slot.
          const slots = new Map<number, string>();
          let now = T;
          let started = 0;
          for (const e of events) {
            now += e.gapMs;
            const current = slots.get(e.hedge);
            let s = current === undefined ? undefined : latest.get(current);
            if (e.kind === 'start' || !s) {
              slots.set(e.hedge, `p${started}`);
              s = newHedge(
                {
                  id: `p${started++}`,
                  pair: 'BTC',
                  direction: 'buy_aster_sell_backpack',
                  qty: 0.02,
                  expectedEdge: 1,
                },
                now,
              ).state;
            } else if (e.kind === 'close') {
              s = reduceHedge(s, { type: 'close_requested', reason: 'manual' }, now).state;
            } else {
              const leg = s.legs[e.leg % s.legs.length]!;
              const ev: HedgeEvent =
                e.kind === 'fill'
                  ? {
                      type: 'leg_filled',
                      legId: leg.id,
                      qty: leg.qty,
                      avgPrice: e.price,
                      fee: 0.37,
                      executedAt: now,
                    }
                  : e.kind === 'reject'
                    ? { type: 'leg_rejected', legId: leg.id, code: 'x', reason: 'y' }
                    : { type: 'leg_unknown', legId: leg.id, reason: 'timeout' };
              s = reduceHedge(s, ev, now).state;
            }
            latest.set(s.id, s);
            tracker.upsert(s, now);
            const at = now + 1;
            const inWindow = [...latest.values()].filter((h) => h.createdAt >= at - 2 * 24 * H);
            expect(tracker.statsAt(at)).toEqual(dailyStats(inWindow, tradingDay(at, tz), at, tz));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps to the window by creation time', () => {
    const tracker = new DailyStatsTracker('UTC', 24 * H);
    const open = trip('tw', T, null).at(-1)!;
    tracker.upsert(open, T + H);
    expect(tracker.statsAt(T + H).openPositions).toBe(1);
    expect(tracker.statsAt(T + 25 * H).openPositions).toBe(0);
    expect(tracker.size).toBe(0);
  });
});
