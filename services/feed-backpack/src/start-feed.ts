import { type FeedLogger, type RunningFeed, startFeed } from '@arb/bus/feed-runner';
import { BackpackQuoteSource } from '@arb/venue-backpack/backpack-quote-source';
import type { Redis } from 'ioredis';
import type { BackpackFeedSettings } from './feed-options';

export type RunningBackpackFeed = RunningFeed<BackpackQuoteSource>;

/** Builds and starts the Backpack feed: quote source -> shared feed runner -> Redis. */
export function startBackpackFeed(
  settings: BackpackFeedSettings,
  redis: Redis,
  log?: FeedLogger,
  healthIntervalMs?: number,
): Promise<RunningBackpackFeed> {
  const source = new BackpackQuoteSource({ ...settings.source, ...(log ? { log } : {}) });
  return startFeed({ settings, venue: 'backpack', source, redis, log, healthIntervalMs });
}
