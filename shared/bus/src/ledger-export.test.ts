import { describe, expect, it } from 'vitest';
import type { LedgerEntry } from './ledger-entry';
import { csvField, formatLedger, LEDGER_CSV_COLUMNS, ledgerToCsv, ledgerToJson } from './ledger-export';

const T = Date.UTC(2026, 10, 28, 10, 0, 0);

/** A ledger opening a hedge, then a fill whose client order id a spreadsheet would run as a formula. */
const entries: LedgerEntry[] = [
  {
    v: 1,
    kind: 'hedge_opened',
    hedgeId: 'h-1',
    pair: 'BTC',
    at: T,
    direction: 'buy_aster_sell_backpack',
    qty: 0.02,
  },
  {
    v: 1,
    kind: 'fill',
    hedgeId: 'h-1',
    pair: 'BTC',
    at: T + 1,
    role: 'open',
    attempt: 1,
    legId: 'h-1-aster-open1',
    venue: 'aster',
    symbol: 'BTCUSDT',
    side: 'buy',
    qty: 0.02,
    price: 100_000,
    fee: 0.7,
    feeAsset: 'USDT',
    clientOrderId: '=cmd()',
    venueOrderId: '1',
  },
];

const closed = [
  {
    entryId: '1-0',
    entry: {
      v: 1 as const,
      kind: 'hedge_closed' as const,
      hedgeId: 'h1',
      pair: 'BTC',
      at: 0,
      realizedPnl: -1.5,
      fees: 3.4,
      volume: 8000,
      reason: 'written_off: manual, checked',
    },
  },
];

describe('ledger export', () => {
  it('writes CSV with every column and RFC 4180 quoting', () => {
    const csv = ledgerToCsv(closed).trimEnd().split('\n');
    expect(csv[0]).toBe(LEDGER_CSV_COLUMNS.join(','));
    expect(csv[1]).toBe(
      '1-0,1970-01-01T00:00:00.000Z,0,hedge_closed,h1,BTC,,,,,,,,,,,,,,-1.5,3.4,8000,"written_off: manual, checked"',
    );
    expect(csvField('a"b')).toBe('"a""b"');
  });

  it('CSV has a header, one row per entry, escaped and formula-safe fields', () => {
    const csv = ledgerToCsv(entries.map((entry, i) => ({ entryId: `${i}-0`, entry })));
    const lines = csv.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^entryId,time,at,kind,hedgeId/);
    expect(lines[1]).toContain('2026-11-28T10:00:00.000Z');
    expect(lines[2]).toContain("'=cmd()");
    expect(csvField('a,"b"')).toBe('"a,""b"""');
    expect(csvField(-1.5)).toBe('-1.5');
  });

  it('writes JSON entries with their stream ids', () => {
    expect(JSON.parse(ledgerToJson(closed))).toEqual([{ entryId: '1-0', ...closed[0]!.entry }]);
    const json = JSON.parse(ledgerToJson([{ entryId: '1-0', entry: entries[0]! }]));
    expect(json[0]).toMatchObject({ entryId: '1-0', kind: 'hedge_opened' });
  });

  it('formatLedger picks the writer by format', () => {
    expect(formatLedger(closed, 'csv')).toBe(ledgerToCsv(closed));
    expect(formatLedger(closed, 'json')).toBe(ledgerToJson(closed));
  });
});
