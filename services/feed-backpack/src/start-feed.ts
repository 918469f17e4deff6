import { FeedRunner, type FeedLogger } from '@arb/bus/feed-runner';
import { redisNames } from '@arb/bus/keys';
import { BackpackQuoteSource } from '@arb/venue-backpack/backpack-quote-source';
import type { Redis } from 'ioredis';
import type { BackpackFeedSettings } from './feed-options';

export interface RunningBackpackFeed {
  source: BackpackQuoteSource;
  runner: FeedRunner;
  /** Stops the socket, drains publishes, writes the final health (does not close Redis). */
  stop(): Promise<void>;
}

/** Builds and starts the Backpack feed: quote source -> shared feed runner -> Redis. */
export async function startBackpackFeed(
  settings: BackpackFeedSettings,
  redis: Redis,
  log?: FeedLogger,
  healthIntervalMs?: number,
): Promise<RunningBackpackFeed> {
  const source = new BackpackQuoteSource({ ...settings.source, ...(log ? { log } : {}) });
  const runner = new FeedRunner({
    redis,
    names: redisNames(settings.namespace),
    venue: 'backpack',
    pair: settings.pair,
    source,
    streamMaxLen: settings.streamMaxLen,
    ...(healthIntervalMs === undefined ? {} : { healthIntervalMs }),
    ...(log ? { log } : {}),
  });
  await runner.start();
  return { source, runner, stop: () => runner.stop() };
}
