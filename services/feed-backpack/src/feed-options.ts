import type { AppConfig } from '@arb/config/config';
import { venueSymbol } from '@arb/core/venue';
import type { BackpackQuoteSourceOptions } from '@arb/venue-backpack/backpack-quote-source';

/**
 * Depth levels per side carried on each quote (local book from `depth.<sym>`). 10 levels cover far
 * more than the 0.02 BTC legs; 0 would subscribe bookTicker only. (Not in @arb/config yet.)
 */
export const DEFAULT_DEPTH_LEVELS = 10;

export interface BackpackFeedSettings {
  pair: string;
  namespace: string;
  source: Omit<BackpackQuoteSourceOptions, 'log' | 'now' | 'fetchSnapshot'>;
  streamMaxLen: number;
}

/** Maps the frozen app config to the feed's options (pure: no I/O, no env). */
export function feedSettings(config: AppConfig, depthLevels = DEFAULT_DEPTH_LEVELS): BackpackFeedSettings {
  const bp = config.venues.backpack;
  return {
    pair: config.pair,
    namespace: config.redis.namespace,
    source: {
      wsUrl: bp.wsUrl,
      restUrl: bp.restUrl,
      symbol: venueSymbol('backpack', config.pair),
      depthLevels,
      heartbeatMs: config.feeds.backpackHeartbeatMs,
      stallMs: config.feeds.backpackStallMs,
      reconnectBaseMs: config.feeds.backpackReconnectBaseMs,
      reconnectMaxMs: config.feeds.reconnectMaxMs,
    },
    streamMaxLen: config.feeds.recordStream ? config.feeds.streamMaxLen : 0,
  };
}
