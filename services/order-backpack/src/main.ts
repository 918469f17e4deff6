import { redisNames } from '@arb/bus/keys';
import { loadConfig } from '@arb/config/config';
import { configSecrets } from '@arb/config/config-secrets';
import { runOrderWorker } from '@arb/execution/order-worker';
import { createLogger } from '@arb/log/logger';
import { runService } from '@arb/service/run-service';
import { BackpackVenueClient } from '@arb/venue-backpack/backpack-venue-client';

/**
 * order-backpack: the Backpack leg queue -> one order at a time on the Backpack account (probe by client
 * order id first, never a blind resend) -> outcomes on the durable outcome stream. All logic is
 * @arb/execution's order worker; this file maps config to it. Lifecycle from @arb/service.
 */
const config = loadConfig();
const log = createLogger({
  service: 'order-backpack',
  level: config.logLevel,
  secrets: configSecrets(config),
});
const closeTimeoutMs = config.orders.requestTimeoutMs + config.orders.unknownResolveTimeoutMs + 5_000;

await runService({
  name: 'order-backpack',
  log,
  healthPort: config.health.port,
  healthHost: config.health.host,
  shutdownTimeoutMs: closeTimeoutMs + 5_000,
  async start(ctx) {
    const venue = new BackpackVenueClient({
      restUrl: config.orderVenues.backpack.restUrl,
      apiKey: config.venues.backpack.apiKey,
      secret: config.venues.backpack.secret,
      windowMs: config.venues.backpack.windowMs,
      timeoutMs: config.orders.requestTimeoutMs,
      transport: config.venues.backpack.restClient,
    });
    try {
      const worker = await runOrderWorker({
        venue,
        pair: config.pair,
        redisUrl: config.redis.url,
        names: redisNames(config.redis.namespace),
        leverage: config.leverage,
        maxDecisionAgeMs: config.strategy.maxQuoteAgeMs,
        requestTimeoutMs: config.orders.requestTimeoutMs,
        venueWindowMs: config.venues.backpack.windowMs,
        unknownResolveTimeoutMs: config.orders.unknownResolveTimeoutMs,
        closeTimeoutMs,
        metrics: ctx.metrics,
        log: ctx.log,
        source: 'order-backpack',
      });
      ctx.setHealth(() => worker.health());
      return async () => {
        await worker.stop();
        await venue.close();
      };
    } catch (err) {
      await venue.close();
      throw err;
    }
  },
});
