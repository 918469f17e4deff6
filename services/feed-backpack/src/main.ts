import { loadConfig } from '@arb/config/config';
import { createLogger } from '@arb/log/logger';
import { runService } from '@arb/service/run-service';
import { Redis } from 'ioredis';
import { feedSettings } from './feed-options';
import { startBackpackFeed } from './start-feed';

/**
 * feed-backpack: Backpack bookTicker (+ depth) -> normalized quotes on Redis (channel, latest key,
 * optional capped stream) and a health hash. Lifecycle (ready log, SIGTERM, fatal exit) from @arb/service.
 */
const config = loadConfig();
const log = createLogger({
  service: 'feed-backpack',
  level: config.logLevel,
  secrets: [config.venues.backpack.secret].filter((s) => s !== ''),
});

await runService({
  name: 'feed-backpack',
  log,
  healthHost: config.health.host,
  healthPort: config.health.port,
  async start(ctx) {
    const settings = feedSettings(config);
    const redis = new Redis(config.redis.url, { maxRetriesPerRequest: null, lazyConnect: true });
    await redis.connect();
    const feed = await startBackpackFeed(settings, redis, ctx.log);
    ctx.setHealth(() => {
      const s = feed.runner.stats();
      return s.connected
        ? { ok: true, details: { ...s } }
        : { ok: false, reason: 'backpack websocket not connected', details: { ...s } };
    });
    ctx.log.info(
      {
        mode: config.mode,
        wsUrl: settings.source.wsUrl,
        symbol: settings.source.symbol,
        pair: settings.pair,
      },
      'backpack feed started',
    );
    return async () => {
      await feed.stop();
      await redis.quit();
    };
  },
});
