import { loadConfig } from '@arb/config/config';
import { createLogger } from '@arb/log/logger';
import { runService } from '@arb/service/run-service';
import { Redis } from 'ioredis';
import { feedSettings } from './feed-options';
import { startAsterFeed } from './start-feed';

/**
 * feed-aster: AsterDex bookTicker (+ partial depth) → normalized quotes on Redis (channel, latest key,
 * optional capped stream) and a health hash. Lifecycle (ready log, /healthz + /metrics, SIGTERM/SIGINT,
 * fatal exit on unhandled rejection) from @arb/service. Public market data only: no keys are used, so the
 * real venue (paper mode) is reached by config alone.
 */
const config = loadConfig();
const log = createLogger({ service: 'feed-aster', level: config.logLevel });

await runService({
  name: 'feed-aster',
  log,
  healthPort: config.health.port,
  healthHost: config.health.host,
  async start(ctx) {
    const settings = feedSettings(config);
    const redis = new Redis(config.redis.url, { maxRetriesPerRequest: null, lazyConnect: true });
    await redis.connect();
    const feed = await startAsterFeed(settings, redis, ctx.log);
    ctx.setHealth(() => {
      const s = feed.runner.stats();
      return s.connected
        ? { ok: true, details: { ...s } }
        : { ok: false, reason: 'aster websocket not connected', details: { ...s } };
    });
    ctx.log.info(
      {
        mode: config.mode,
        wsUrl: settings.source.wsUrl,
        symbol: settings.source.symbol,
        pair: settings.pair,
      },
      'aster feed started',
    );
    return async () => {
      await feed.stop();
      await redis.quit();
    };
  },
});
