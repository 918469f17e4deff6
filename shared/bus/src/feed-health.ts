/**
 * Reading a feed's health hash (`names.feedHealthKey(venue)`, written by feed-runner.ts about every
 * second, expiring when the feed dies): one rule for the strategy's trading gate and the dashboard.
 */

/** A health report older than this is stale: the feed counts as unhealthy. */
export const FEED_REPORT_MAX_AGE_MS = 5000;

/**
 * A venue is healthy for trading when its feed reports itself connected and that report is recent. Quote
 * freshness is checked separately, per decision, by core `decide`. An empty hash (absent key) is null.
 */
export function feedHealthy(
  hash: Record<string, string> | null,
  now: number,
  maxAgeMs: number = FEED_REPORT_MAX_AGE_MS,
): boolean {
  if (hash === null) return false;
  if (hash.connected !== '1') return false;
  const updatedAt = Number(hash.updatedAt);
  if (!Number.isFinite(updatedAt)) return false;
  return now - updatedAt <= maxAgeMs;
}
