import { RateBudget } from '@arb/net/rate-budget';
import type { Redis } from 'ioredis';
import { ASTER_WEIGHT_LIMIT_PER_MINUTE, ASTER_WEIGHT_WINDOW_MS } from './constants';

/**
 * The AsterDex request-weight budget shared by every process of this deployment (feed, order worker,
 * risk): the venue's REQUEST_WEIGHT per minute times `share` (headroom for other users of the IP).
 * `key` comes from '@arb/bus/keys' rateBudgetKey('aster'). Each process spends a locally held allowance
 * of the default 20 weight (about 1 % of the 1920 per minute), so a take, the order POST included, costs
 * no Redis round trip in the common case; the remaining headroom also covers what other processes hold
 * when the venue's header raises the counter.
 */
export function asterRateBudget(redis: Redis, key: string, share = 0.8, maxWaitMs = 0): RateBudget {
  return new RateBudget({
    redis,
    venue: 'aster',
    key,
    limit: Math.floor(ASTER_WEIGHT_LIMIT_PER_MINUTE * share),
    windowMs: ASTER_WEIGHT_WINDOW_MS,
    // Default: refuse at once (an order delayed to the next window would act on a stale decision).
    maxWaitMs,
  });
}
