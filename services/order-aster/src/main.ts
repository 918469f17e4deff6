import { redisNames } from '@arb/bus/keys';
import { type AsterVenueConfig, loadConfig } from '@arb/config/config';
import { configSecrets } from '@arb/config/config-secrets';
import { venueSymbol } from '@arb/core/venue';
import { runOrderWorker } from '@arb/execution/order-worker';
import { retryTransient } from '@arb/service/retry-transient';
import { createLogger } from '@arb/log/logger';
import { runService } from '@arb/service/run-service';
import { asterRateBudget } from '@arb/venue-aster/rate-budget';
import { AsterVenueClient } from '@arb/venue-aster/venue-client';
import { Redis } from 'ioredis';

/**
 * order-aster: the AsterDex leg queue -> one order at a time on the Aster account (probe by client order
 * id first, never a blind resend) -> outcomes on the durable outcome stream. All logic is @arb/execution's
 * order worker; this file maps config to it. Lifecycle (ready, /healthz, /metrics, SIGTERM) from @arb/service.
 */
const config = loadConfig();
const log = createLogger({ service: 'order-aster', level: config.logLevel, secrets: configSecrets(config) });
const closeTimeoutMs = config.orders.requestTimeoutMs + config.orders.unknownResolveTimeoutMs + 5_000;

await runService({
  name: 'order-aster',
  log,
  healthPort: config.health.port,
  healthHost: config.health.host,
  shutdownTimeoutMs: closeTimeoutMs + 5_000,
  async start(ctx) {
    const names = redisNames(config.redis.namespace);
    // The Aster request-weight budget is shared with the feed and risk through Redis.
    // Fail fast while Redis is away (the venue enforces its own limit; rest-client then proceeds and
    // logs): a budget take must never hold a claimed order past its send deadline.
    const budgetRedis = new Redis(config.redis.url, {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      lazyConnect: true,
    });
    budgetRedis.on('error', (err) => ctx.log.warn({ err }, 'rate budget redis error'));
    await budgetRedis.connect();
    const venue = new AsterVenueClient({
      baseUrl: config.orderVenues.aster.restUrl,
      credentials: config.venues.aster.auth,
      recvWindowMs: config.venues.aster.recvWindowMs,
      timeoutMs: config.orders.requestTimeoutMs,
      budget: asterRateBudget(budgetRedis, names.rateBudgetKey('aster')),
      log: ctx.log,
    });
    const closeVenue = async () => {
      await venue.close();
      await budgetRedis.quit().catch(() => budgetRedis.disconnect());
    };
    try {
      // Server time and market rules: the simulator (or the venue) may not answer yet when PM2 starts
      // everything at once; a transient failure is retried like the worker's other start-up calls.
      await retryTransient(() => venue.init(venueSymbol('aster', config.pair)), ctx.log);
      const worker = await runOrderWorker({
        venue,
        pair: config.pair,
        redisUrl: config.redis.url,
        names,
        leverage: config.leverage,
        maxDecisionAgeMs: config.strategy.maxQuoteAgeMs,
        requestTimeoutMs: config.orders.requestTimeoutMs,
        venueWindowMs: asterRequestWindowMs(config.venues.aster),
        unknownResolveTimeoutMs: config.orders.unknownResolveTimeoutMs,
        closeTimeoutMs,
        metrics: ctx.metrics,
        log: ctx.log,
        source: 'order-aster',
      });
      ctx.setHealth(() => worker.health());
      return async () => {
        await worker.stop();
        await closeVenue();
      };
    } catch (err) {
      await closeVenue();
      throw err;
    }
  },
});

/** How long Aster accepts a signed request after signing: the V3 nonce window (±10 s), else recvWindow. */
function asterRequestWindowMs(aster: AsterVenueConfig): number {
  return aster.auth.kind === 'v3' ? 10_000 : aster.recvWindowMs;
}
