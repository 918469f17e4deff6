import type { Redis } from 'ioredis';
import type { RedisNames } from './keys';
import { type LedgerEntry, LedgerEntrySchema } from './ledger-entry';
import { readRange } from './stream';

/**
 * The ledger as the operator exports it (CLI `ledger-export`, risk's tests): read from the durable ledger
 * stream in pages, filtered by time, written as CSV or JSON.
 */
export interface LedgerRow {
  /** The stream entry id (time-ordered). */
  entryId: string;
  entry: LedgerEntry;
}

export type LedgerFormat = 'csv' | 'json';

export interface LedgerReadOptions {
  /** Epoch ms bounds on the entry's `at` (inclusive); default everything. */
  from?: number;
  to?: number;
  /** Stream entries per XRANGE page (default 1000). */
  pageSize?: number;
}

/**
 * Reads the whole ledger stream (or entries with `at` in [from, to]) in pages, oldest first. Invalid
 * entries are counted in `rejected`, never exported.
 */
export async function readLedger(
  redis: Redis,
  names: RedisNames,
  opts: LedgerReadOptions = {},
): Promise<{ rows: LedgerRow[]; rejected: number }> {
  const pageSize = opts.pageSize ?? 1000;
  const rows: LedgerRow[] = [];
  let rejected = 0;
  let start = '-';
  for (;;) {
    const page = await readRange(redis, names.ledgerStream, LedgerEntrySchema, { start, count: pageSize });
    rejected += page.rejected.length;
    for (const e of page.entries) {
      if (opts.from !== undefined && e.message.at < opts.from) continue;
      if (opts.to !== undefined && e.message.at > opts.to) continue;
      rows.push({ entryId: e.id, entry: e.message });
    }
    const last = [...page.entries.map((e) => e.id), ...page.rejected.map((r) => r.id)]
      .sort(compareStreamIds)
      .at(-1);
    if (last === undefined || page.entries.length + page.rejected.length < pageSize) break;
    start = `(${last}`;
  }
  return { rows, rejected };
}

/** The ledger (or its [from, to] part) as CSV or JSON text. */
export async function exportLedger(
  redis: Redis,
  names: RedisNames,
  opts: LedgerReadOptions & { format: LedgerFormat },
): Promise<string> {
  const { rows } = await readLedger(redis, names, opts);
  return formatLedger(rows, opts.format);
}

export function formatLedger(rows: readonly LedgerRow[], format: LedgerFormat): string {
  return format === 'csv' ? ledgerToCsv(rows) : ledgerToJson(rows);
}

function compareStreamIds(a: string, b: string): number {
  const [am = '0', as = '0'] = a.split('-');
  const [bm = '0', bs = '0'] = b.split('-');
  const d = BigInt(am) - BigInt(bm);
  if (d !== 0n) return d < 0n ? -1 : 1;
  const e = BigInt(as) - BigInt(bs);
  return e === 0n ? 0 : e < 0n ? -1 : 1;
}

/** Every column any ledger entry kind fills, in CSV order; empty where the kind has none. */
export const LEDGER_CSV_COLUMNS = [
  'entryId',
  'time',
  'at',
  'kind',
  'hedgeId',
  'pair',
  'role',
  'attempt',
  'legId',
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

/** RFC 4180 field: quoted when it holds a comma, quote or line break; formula-leading chars neutralized. */
export function csvField(value: unknown): string {
  if (value === undefined || value === null) return '';
  let s = String(value);
  // A text cell starting with = + - @ is run as a formula by spreadsheets; numbers are left alone.
  if (typeof value !== 'number' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Header + one line per entry; `time` is the entry's `at` as an ISO-8601 UTC string. */
export function ledgerToCsv(rows: readonly LedgerRow[]): string {
  const lines = [LEDGER_CSV_COLUMNS.join(',')];
  for (const { entryId, entry } of rows) {
    const record: Record<string, unknown> = { ...entry, entryId, time: new Date(entry.at).toISOString() };
    lines.push(LEDGER_CSV_COLUMNS.map((c) => csvField(record[c])).join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** An array of the entries, each with its stream id as `entryId`. */
export function ledgerToJson(rows: readonly LedgerRow[]): string {
  return `${JSON.stringify(
    rows.map(({ entryId, entry }) => ({ entryId, ...entry })),
    null,
    2,
  )}\n`;
}
