import { describe, expect, it } from 'vitest';
import { csvField, LEDGER_CSV_COLUMNS, ledgerToCsv, ledgerToJson } from './ledger-export';

const rows = [
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
    const csv = ledgerToCsv(rows).trimEnd().split('\n');
    expect(csv[0]).toBe(LEDGER_CSV_COLUMNS.join(','));
    expect(csv[1]).toBe(
      '1-0,hedge_closed,0,1970-01-01T00:00:00.000Z,h1,BTC,,,,,,,,,,,,,,-1.5,3.4,8000,"written_off: manual, checked"',
    );
    expect(csvField('a"b')).toBe('"a""b"');
  });

  it('writes JSON entries with their stream ids', () => {
    expect(JSON.parse(ledgerToJson(rows))).toEqual([{ entryId: '1-0', ...rows[0]!.entry }]);
  });
});
