import type { RedisNames } from '@arb/bus/keys';
import { type OrderOutcomeEvent, OrderOutcomeEventSchema } from '@arb/bus/order-outcome-event';
import { readNewest } from '@arb/bus/stream';
import { VENUES, type VenueId } from '@arb/core/venue';
import type { Redis } from 'ioredis';

export interface LatencyStats {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Per venue, ms: decision (the intent's createdAt) → venue answer, and order sent → venue answer. */
export type LegLatency = Record<
  VenueId,
  { decisionToAck: LatencyStats | null; sendToAck: LatencyStats | null }
>;

/** Nearest-rank quantiles of `values` (ms); null when empty. Pure. */
export function latencyStats(values: readonly number[]): LatencyStats | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const q = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
  return { count: sorted.length, p50: q(0.5), p90: q(0.9), p99: q(0.99), max: sorted[sorted.length - 1]! };
}

/**
 * Leg latencies from order outcome events and the decision times of their intents (hedge id + action →
 * createdAt). Probed outcomes (re-runs, resolutions of unknowns) are left out: their send time is not
 * the order's. Pure.
 */
export function legLatency(
  events: readonly OrderOutcomeEvent[],
  decidedAt: (hedgeId: string, action: 'open' | 'close') => number | undefined,
): LegLatency {
  const acc: Record<VenueId, { d: number[]; s: number[] }> = {
    aster: { d: [], s: [] },
    backpack: { d: [], s: [] },
  };
  for (const e of events) {
    if (e.probed) continue;
    const a = acc[e.outcome.venue];
    a.s.push(e.ackAt - e.sentAt);
    if (e.role === 'open' || e.role === 'close') {
      const t = decidedAt(e.hedgeId, e.role);
      if (t !== undefined && e.ackAt >= t) a.d.push(e.ackAt - t);
    }
  }
  const out = {} as LegLatency;
  for (const v of VENUES)
    out[v] = { decisionToAck: latencyStats(acc[v].d), sendToAck: latencyStats(acc[v].s) };
  return out;
}

/** Reads the newest `count` outcome events and their intents' decision times from Redis. */
export async function readLegLatency(redis: Redis, names: RedisNames, count = 200): Promise<LegLatency> {
  // Invalid entries are skipped here (risk counts rejects).
  const events = (await readNewest(redis, names.outcomeStream, OrderOutcomeEventSchema, count)).entries.map(
    (e) => e.message,
  );
  const ids = [...new Set(events.map((e) => e.hedgeId))];
  const decided = new Map<string, number>();
  if (ids.length > 0) {
    const res = await redis.pipeline(ids.map((id) => ['hmget', names.hedgeKey(id), 'open', 'close'])).exec();
    ids.forEach((id, k) => {
      const [err, vals] = res?.[k] ?? [null, null];
      if (err || !Array.isArray(vals)) return;
      for (const [j, action] of (['open', 'close'] as const).entries()) {
        const raw = vals[j];
        if (typeof raw !== 'string') continue;
        try {
          const createdAt = (JSON.parse(raw) as { createdAt?: unknown }).createdAt;
          if (typeof createdAt === 'number') decided.set(`${id}|${action}`, createdAt);
        } catch {
          // unreadable intent: no decision time
        }
      }
    });
  }
  return legLatency(events, (id, action) => decided.get(`${id}|${action}`));
}
