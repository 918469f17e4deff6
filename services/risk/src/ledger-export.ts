import type { RedisNames } from '@arb/bus/keys';
import { type LedgerEntry, LedgerEntrySchema } from '@arb/bus/ledger-entry';
import { readRange } from '@arb/bus/stream';
import type { Redis } from 'ioredis';

/** Every column any ledger entry kind has, in CSV order. */
export const LEDGER_CSV_COLUMNS = [
  'entryId',
  'kind',
  'at',
  'atIso',
  'hedgeId',
  'pair',
  'legId',
  'role',
  'attempt',
  'venue',
  'symbol',
  'side',
  'qty',
  'price',
  'fee',
  'feeAsset',
  'clientOrderId',
  'venueOrderId',
  'direction',
  'realizedPnl',
  'fees',
  'volume',
  'reason',
] as const;

export interface LedgerRow {
  entryId: string;
  entry: LedgerEntry;
}

export interface LedgerExportOptions {
  format: 'csv' | 'json';
  /** Epoch ms bounds on the entry's `at` (inclusive); default everything. */
  from?: number;
  to?: number;
}

/** Reads the whole ledger stream (validated; invalid entries are skipped and counted). */
export async function readLedger(
  redis: Redis,
  names: RedisNames,
): Promise<{ rows: LedgerRow[]; rejected: number }> {
  const { entries, rejected } = await readRange(redis, names.ledgerStream, LedgerEntrySchema);
  return { rows: entries.map((e) => ({ entryId: e.id, entry: e.message })), rejected: rejected.length };
}

/** The ledger as CSV (header + one line per entry) or JSON (an array of entries with their ids). */
export async function exportLedger(
  redis: Redis,
  names: RedisNames,
  opts: LedgerExportOptions,
): Promise<string> {
  const { rows } = await readLedger(redis, names);
  const kept = rows.filter(
    (r) =>
      (opts.from === undefined || r.entry.at >= opts.from) &&
      (opts.to === undefined || r.entry.at <= opts.to),
  );
  return opts.format === 'json' ? ledgerToJson(kept) : ledgerToCsv(kept);
}

export function ledgerToJson(rows: readonly LedgerRow[]): string {
  return `${JSON.stringify(
    rows.map((r) => ({ entryId: r.entryId, ...r.entry })),
    null,
    2,
  )}\n`;
}

export function ledgerToCsv(rows: readonly LedgerRow[]): string {
  const lines = [LEDGER_CSV_COLUMNS.join(',')];
  for (const r of rows) {
    const flat: Record<string, unknown> = {
      entryId: r.entryId,
      atIso: new Date(r.entry.at).toISOString(),
      ...r.entry,
    };
    lines.push(LEDGER_CSV_COLUMNS.map((c) => csvField(flat[c])).join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** RFC 4180: quote fields with commas, quotes or line breaks; numbers as JavaScript prints them. */
export function csvField(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
