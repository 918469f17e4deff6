import { type FeedLogger, type RunningFeed, startFeed } from '@arb/bus/feed-runner';
import { AsterMarketData } from '@arb/venue-aster/market-data';
import type { Redis } from 'ioredis';
import type { AsterFeedSettings } from './feed-options';

export type RunningAsterFeed = RunningFeed<AsterMarketData>;

/** Builds and starts the AsterDex feed: market data → shared feed runner → Redis. */
export function startAsterFeed(
  settings: AsterFeedSettings,
  redis: Redis,
  log?: FeedLogger,
  healthIntervalMs?: number,
): Promise<RunningAsterFeed> {
  const source = new AsterMarketData({ ...settings.source, ...(log ? { log } : {}) });
  return startFeed({ settings, venue: 'aster', source, redis, log, healthIntervalMs });
}
