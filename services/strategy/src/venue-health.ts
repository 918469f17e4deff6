/**
 * A venue is healthy for trading when its feed reports itself connected in its health hash (written by the
 * feed runner every second, expiring when the feed dies) and that report is recent. Quote freshness is
 * checked separately, per decision, by `decide`.
 */
export function feedHealthy(hash: Record<string, string> | null, now: number, maxAgeMs: number): boolean {
  if (hash === null) return false;
  if (hash.connected !== '1') return false;
  const updatedAt = Number(hash.updatedAt);
  if (!Number.isFinite(updatedAt)) return false;
  return now - updatedAt <= maxAgeMs;
}
