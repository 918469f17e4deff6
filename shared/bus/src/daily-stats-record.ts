import { type DailyStats, emptyDailyStats } from '@arb/core/daily-stats';
import type { Redis } from 'ioredis';
import type { RedisNames } from './keys';

/**
 * The trading day's stats, written by risk after each ledger change and read by the dashboard.
 * Travels: the key `names.dailyStatsKey(day)`, a DailyStats as JSON with `v` and `updatedAt`.
 */
export async function writeDailyStats(
  redis: Redis,
  names: RedisNames,
  stats: DailyStats,
  updatedAt: number,
): Promise<void> {
  await redis.set(names.dailyStatsKey(stats.day), JSON.stringify({ v: 1, ...stats, updatedAt }));
}

/** The stored stats of `day` (see parseDailyStats), or null when there are none or they are unusable. */
export async function readDailyStats(
  redis: Redis,
  names: RedisNames,
  day: string,
  timeZone: string,
): Promise<DailyStats | null> {
  const key = names.dailyStatsKey(day);
  // A hash (WRONGTYPE for GET) is read as an object of its fields.
  const raw = await redis.get(key).catch(async () => {
    const h = await redis.hgetall(key);
    return Object.keys(h).length === 0 ? null : JSON.stringify(h);
  });
  return parseDailyStats(raw, day, timeZone);
}

const NUMERIC = [
  'volume',
  'trades',
  'hedgesOpened',
  'hedgesClosed',
  'openPositions',
  'realizedPnl',
  'fees',
] as const satisfies readonly (keyof DailyStats)[];

/**
 * Risk's stored daily stats (the value under dailyStatsKey(day): a DailyStats as JSON, or a hash of its
 * fields read as JSON), or null when absent or unusable. Numbers may be numeric strings; missing numeric
 * fields count as 0, but a value that is present and not a number makes the whole record unusable.
 */
export function parseDailyStats(raw: string | null, day: string, timeZone: string): DailyStats | null {
  if (raw === null) return null;
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return null;
  const obj = data as Record<string, unknown>;
  const stats = emptyDailyStats(day, typeof obj.timeZone === 'string' ? obj.timeZone : timeZone);
  let any = false;
  for (const k of NUMERIC) {
    const v = obj[k];
    if (v === undefined || v === null) continue;
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
    if (!Number.isFinite(n)) return null;
    stats[k] = n;
    any = true;
  }
  return any ? stats : null;
}
