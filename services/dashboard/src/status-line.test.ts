import { DEFAULT_STRATEGY_PARAMS } from '@arb/core/params';
import { emptyDailyStats } from '@arb/core/daily-stats';
import { spreadStatus } from '@arb/core/spread-status';
import { describe, expect, it } from 'vitest';
import { formatAge, renderDailyStats, renderStatus, renderStatusLine } from './status-line';
import type { StatusSnapshot } from './status-snapshot';
import { testQuote } from './test-fixtures';

const AT = Date.UTC(2026, 10, 28, 7, 30, 0);

function snapshot(over: Partial<StatusSnapshot> = {}): StatusSnapshot {
  const quotes = {
    aster: testQuote('aster', 100_000, 100_010, AT - 40),
    backpack: testQuote('backpack', 100_150, 100_160, AT - 120),
  };
  return {
    at: AT,
    pair: 'BTC',
    quotes,
    spread: spreadStatus(quotes, 0.02, DEFAULT_STRATEGY_PARAMS.fees, AT),
    thresholds: { open: 120, close: 80, tradeQty: 0.02, maxQuoteAgeMs: 500 },
    feeds: {
      aster: {
        healthy: true,
        connected: true,
        quoteAgeMs: 40,
        reportAgeMs: 300,
        reconnects: 0,
        malformed: 0,
      },
      backpack: {
        healthy: true,
        connected: true,
        quoteAgeMs: 120,
        reportAgeMs: 500,
        reconnects: 2,
        malformed: 1,
      },
    },
    control: { paused: false, killed: false, reconciled: true },
    hedge: null,
    decision: { kind: 'open', detail: 'buy_aster_sell_backpack at 140.00' },
    daily: { ...emptyDailyStats('2026-11-28'), volume: 9024.11, trades: 2, openPositions: 1, realizedPnl: 0 },
    ...over,
  };
}

describe('renderStatusLine', () => {
  it('shows both books, both directions against thresholds and break-even, feed ages and the decision', () => {
    const text = renderStatusLine(snapshot());
    expect(text).toContain('[2026-11-28 07:30:00Z] BTC');
    expect(text).toContain('Aster 100000.0/100010.0 (100005.0)');
    expect(text).toContain('Backpack 100150.0/100160.0 (100155.0)');
    // buy Aster at 100010, sell Backpack at 100150 => +140; the other way 100000 - 100160 => -160.
    expect(text).toContain('buy Aster/sell Backpack +140.00');
    expect(text).toContain('buy Backpack/sell Aster -160.00');
    expect(text).toMatch(/open >= 120, close < 80, break-even \d+\.\d\d, size 0.02/);
    expect(text).toContain('Aster ok quote 40ms reconnects 0');
    expect(text).toContain('Backpack ok quote 120ms reconnects 2');
    expect(text).toContain('hedge   none');
    expect(text).toContain('open due: buy_aster_sell_backpack at 140.00');
  });

  it('shows a hedge with phase, age, unwind spread and unrealized PnL, and flags with who/why', () => {
    const text = renderStatusLine(
      snapshot({
        hedge: {
          hedgeId: 'h-abc',
          direction: 'buy_aster_sell_backpack',
          qty: 0.02,
          phase: 'open',
          createdAt: AT - 130_000,
          openedAt: AT - 125_000,
          ageMs: 125_000,
          expectedEdge: 140,
          unwindSpread: 95.5,
          unrealizedPnl: -1.234,
          exposure: { aster: 0.02, backpack: -0.02 },
          closeRequested: false,
          note: 'both legs filled',
        },
        control: { paused: true, killed: false, reconciled: true, reason: 'manual', updatedBy: 'cli:ops' },
        decision: { kind: 'hold', reason: 'paused' },
      }),
    );
    expect(text).toContain(
      'hedge   h-abc open, buy Aster/sell Backpack 0.02, age 2m05s, unwind 95.50, uPnL -1.23 USD, both legs filled',
    );
    expect(text).toContain('state   hold: paused  [PAUSED — manual by cli:ops]');
  });

  it('copes with missing quotes and a dead feed', () => {
    const quotes = { aster: null, backpack: null };
    const text = renderStatusLine(
      snapshot({
        quotes,
        spread: spreadStatus(quotes, 0.02, DEFAULT_STRATEGY_PARAMS.fees, AT),
        feeds: {
          aster: {
            healthy: false,
            connected: false,
            quoteAgeMs: null,
            reportAgeMs: null,
            reconnects: 0,
            malformed: 0,
          },
          backpack: {
            healthy: false,
            connected: false,
            quoteAgeMs: null,
            reportAgeMs: 9000,
            reconnects: 0,
            malformed: 0,
          },
        },
        control: { paused: false, killed: false, reconciled: false },
        decision: { kind: 'hold', reason: 'not_reconciled' },
      }),
    );
    expect(text).toContain('Aster -/-  Backpack -/-');
    expect(text).toContain('buy Aster/sell Backpack n/a');
    expect(text).toContain('break-even n/a');
    expect(text).toContain('Aster down quote -');
    expect(text).toContain('Backpack disconnected');
    expect(text).toContain('hold: not_reconciled  [not reconciled]');
  });
});

describe('renderDailyStats', () => {
  it('is the original block: volume, trades, open positions, PnL', () => {
    const text = renderDailyStats({
      ...emptyDailyStats('2026-11-28', 'UTC'),
      volume: 9024.11,
      trades: 2,
      openPositions: 1,
      realizedPnl: 3.5,
      fees: 1.25,
      hedgesOpened: 1,
      hedgesClosed: 1,
    });
    expect(text.split('\n')).toEqual([
      'Daily stats 2026-11-28 (UTC)',
      '  Volume:         9024.11 USD',
      '  Trades:         2',
      '  Open positions: 1',
      '  PnL:            +3.50 USD (fees 1.25, hedges opened 1, closed 1)',
    ]);
  });

  it('renderStatus is the line followed by the block', () => {
    const s = snapshot();
    expect(renderStatus(s)).toBe(`${renderStatusLine(s)}\n${renderDailyStats(s.daily)}`);
  });
});

describe('formatAge', () => {
  it.each([
    [null, '-'],
    [850, '850ms'],
    [1500, '1.5s'],
    [65_000, '1m05s'],
    [7_380_000, '2h03m'],
  ])('%s -> %s', (ms, out) => {
    expect(formatAge(ms)).toBe(out);
  });
});
