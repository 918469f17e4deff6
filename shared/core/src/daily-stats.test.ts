import { describe, expect, it } from 'vitest';
import { dailyStats, emptyDailyStats, isValidTimeZone, tradingDay } from './daily-stats';
import { type HedgeEvent, type HedgeState, newHedge, reduceHedge } from './hedge';

const T = Date.UTC(2026, 10, 28, 10, 0, 0); // 2026-11-28 10:00 UTC

describe('tradingDay', () => {
  it('is the UTC date by default', () => {
    expect(tradingDay(T)).toBe('2026-11-28');
    expect(tradingDay(Date.UTC(2026, 10, 28, 23, 59, 59, 999))).toBe('2026-11-28');
    expect(tradingDay(Date.UTC(2026, 10, 29, 0, 0, 0))).toBe('2026-11-29');
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
