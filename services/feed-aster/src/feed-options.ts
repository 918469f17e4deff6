import type { AppConfig } from '@arb/config/config';
import { venueSymbol } from '@arb/core/venue';
import type { AsterMarketDataOptions } from '@arb/venue-aster/market-data';

export interface AsterFeedSettings {
  pair: string;
  namespace: string;
  source: Omit<AsterMarketDataOptions, 'log' | 'now'>;
  /** Capped quote stream length; 0 = not recorded. */
  streamMaxLen: number;
}

/** Maps the frozen app config to the feed's options (pure: no I/O, no env). */
export function feedSettings(config: AppConfig): AsterFeedSettings {
  return {
    pair: config.pair,
    namespace: config.redis.namespace,
    source: {
      wsUrl: config.venues.aster.wsUrl,
      symbol: venueSymbol('aster', config.pair),
      depthLevels: config.feeds.depthLevels,
      stallMs: config.feeds.asterStallMs,
      reconnectBaseMs: config.feeds.asterReconnectBaseMs,
      reconnectMaxMs: config.feeds.reconnectMaxMs,
    },
    streamMaxLen: config.feeds.recordStream ? config.feeds.streamMaxLen : 0,
  };
}
