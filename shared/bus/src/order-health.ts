import { VENUES, type VenueId } from '@arb/core/venue';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { RedisNames } from './keys';

/**
 * What an order worker knows of its venue's ORDER path (the feed's health is a separate hash): ok, or
 * degraded — rate-limited (429/418 with Retry-After), 5xx / maintenance, timeouts — with the reason and
 * `until`, the earliest time the worker will try the venue again (the Retry-After end, or a cooldown).
 * A degraded path stays degraded until a venue call succeeds again, even past `until`.
 *
 * Travels: the JSON string key `names.orderHealthKey(venue)`, SET with a TTL by the venue's order worker on
 * every change and on a periodic refresh, so a dead worker's report expires. Read by the strategy (no
 * opens while a venue's order path is degraded, stale or absent) and for display.
 */
export const OrderHealthSchema = z.object({
  v: z.literal(1),
  venue: z.enum(VENUES),
  state: z.enum(['ok', 'degraded']),
  /** Why degraded (the last venue error); null when ok. */
  reason: z.string().nullable(),
  /** Epoch ms: the earliest time the worker tries the venue again (null when ok). */
  until: z.number().int().nonnegative().nullable(),
  /** Epoch ms of this report (the periodic refresh rewrites it). */
  updatedAt: z.number().int().nonnegative(),
});
export type OrderHealth = z.infer<typeof OrderHealthSchema>;

/** A report older than this is stale (its worker stopped refreshing it): the order path counts as down. */
export const ORDER_HEALTH_MAX_AGE_MS = 5000;

/** Writes the report with a TTL (a worker that dies stops refreshing; the key then expires). */
export async function writeOrderHealth(
  redis: Redis,
  names: RedisNames,
  health: OrderHealth,
  ttlMs: number,
): Promise<void> {
  const parsed = OrderHealthSchema.parse(health);
  await redis.set(names.orderHealthKey(parsed.venue), JSON.stringify(parsed), 'PX', Math.max(1, ttlMs));
}

/** The venue's report, validated; null when absent. Throws on a malformed value (a bug, not a state). */
export async function readOrderHealth(
  redis: Redis,
  names: RedisNames,
  venue: VenueId,
): Promise<OrderHealth | null> {
  return parseOrderHealth(await redis.get(names.orderHealthKey(venue)), venue);
}

/** Parses the key's value; null when absent. A value for another venue is refused. */
export function parseOrderHealth(raw: string | null, venue: VenueId): OrderHealth | null {
  if (raw === null) return null;
  const h = OrderHealthSchema.parse(JSON.parse(raw));
  if (h.venue !== venue) throw new Error(`order health of ${h.venue} under ${venue}'s key`);
  return h;
}

/**
 * The order path may take new exposure: a report exists, is recent, and says ok. Absent (no worker, or it
 * died), stale, or degraded: not healthy.
 */
export function orderPathHealthy(
  health: OrderHealth | null,
  now: number,
  maxAgeMs: number = ORDER_HEALTH_MAX_AGE_MS,
): boolean {
  if (health === null) return false;
  if (now - health.updatedAt > maxAgeMs) return false;
  return health.state === 'ok';
}
