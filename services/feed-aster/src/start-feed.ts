import { type FeedLogger, FeedRunner } from '@arb/bus/feed-runner';
import { redisNames } from '@arb/bus/keys';
import { AsterMarketData } from '@arb/venue-aster/market-data';
import type { Redis } from 'ioredis';
import type { AsterFeedSettings } from './feed-options';

export interface RunningAsterFeed {
  source: AsterMarketData;
  runner: FeedRunner;
  /** Stops the socket, drains publishes, writes the final health (does not close Redis). */
  stop(): Promise<void>;
}

/** Builds and starts the AsterDex feed: market data → shared feed runner → Redis. */
export async function startAsterFeed(
  settings: AsterFeedSettings,
  redis: Redis,
  log?: FeedLogger,
  healthIntervalMs?: number,
): Promise<RunningAsterFeed> {
  const source = new AsterMarketData({ ...settings.source, ...(log ? { log } : {}) });
  const runner = new FeedRunner({
    redis,
    names: redisNames(settings.namespace),
    venue: 'aster',
    pair: settings.pair,
    source,
    streamMaxLen: settings.streamMaxLen,
    ...(healthIntervalMs === undefined ? {} : { healthIntervalMs }),
    ...(log ? { log } : {}),
  });
  await runner.start();
  return { source, runner, stop: () => runner.stop() };
}
