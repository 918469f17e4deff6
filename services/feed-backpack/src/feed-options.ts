import type { AppConfig } from '@arb/config/config';
import { venueSymbol } from '@arb/core/venue';
import type { BackpackQuoteSourceOptions } from '@arb/venue-backpack/backpack-quote-source';

export interface BackpackFeedSettings {
  pair: string;
  namespace: string;
  source: Omit<BackpackQuoteSourceOptions, 'log' | 'now' | 'fetchSnapshot'>;
  streamMaxLen: number;
}

/** Maps the frozen app config to the feed's options (pure: no I/O, no env). */
export function feedSettings(config: AppConfig): BackpackFeedSettings {
  const bp = config.venues.backpack;
  return {
    pair: config.pair,
    namespace: config.redis.namespace,
    source: {
      wsUrl: bp.wsUrl,
      restUrl: bp.restUrl,
      symbol: venueSymbol('backpack', config.pair),
      /** Levels per side from the local depth book; 0 = bookTicker only (no depth stream). */
      depthLevels: config.feeds.depthLevels,
      heartbeatMs: config.feeds.backpackHeartbeatMs,
      stallMs: config.feeds.backpackStallMs,
      reconnectBaseMs: config.feeds.backpackReconnectBaseMs,
      reconnectMaxMs: config.feeds.reconnectMaxMs,
    },
    streamMaxLen: config.feeds.recordStream ? config.feeds.streamMaxLen : 0,
  };
}
