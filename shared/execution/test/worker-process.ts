/**
 * A real order-worker process for the integration tests: the same wiring as the services' main.ts
 * (config from the environment, venue client, runOrderWorker inside runService), plus BullMQ lock and
 * stall timings from argv so a SIGKILLed job is re-run in seconds instead of a minute.
 *
 *   tsx shared/execution/test/worker-process.ts --venue aster --lock-ms 2000 --stalled-ms 1000
 */
import { parseArgs } from 'node:util';
import { redisNames } from '@arb/bus/keys';
import { loadConfig } from '@arb/config/config';
import { configSecrets } from '@arb/config/config-secrets';
import type { VenueClient } from '@arb/core/venue-client';
import { venueSymbol } from '@arb/core/venue';
import { createLogger } from '@arb/log/logger';
import { runService } from '@arb/service/run-service';
import { AsterVenueClient } from '@arb/venue-aster/venue-client';
import { BackpackVenueClient } from '@arb/venue-backpack/backpack-venue-client';
import { runOrderWorker } from '../src/order-worker';

const { values } = parseArgs({
  options: {
    venue: { type: 'string' },
    'lock-ms': { type: 'string' },
    'stalled-ms': { type: 'string' },
  },
});
const venueId = values.venue === 'backpack' ? 'backpack' : 'aster';
const config = loadConfig();
const name = `order-${venueId}`;
const log = createLogger({ service: name, level: config.logLevel, secrets: configSecrets(config) });

await runService({
  name,
  log,
  healthPort: config.health.port,
  healthHost: config.health.host,
  shutdownTimeoutMs: config.orders.requestTimeoutMs + config.orders.unknownResolveTimeoutMs + 10_000,
  async start(ctx) {
    let venue: VenueClient;
    if (venueId === 'aster') {
      const aster = new AsterVenueClient({
        baseUrl: config.orderVenues.aster.restUrl,
        credentials: config.venues.aster.auth,
        recvWindowMs: config.venues.aster.recvWindowMs,
        timeoutMs: config.orders.requestTimeoutMs,
        fillPollDelayMs: 50,
        log: ctx.log,
      });
      await aster.init(venueSymbol('aster', config.pair));
      venue = aster;
    } else {
      venue = new BackpackVenueClient({
        restUrl: config.orderVenues.backpack.restUrl,
        apiKey: config.venues.backpack.apiKey,
        secret: config.venues.backpack.secret,
        windowMs: config.venues.backpack.windowMs,
        timeoutMs: config.orders.requestTimeoutMs,
      });
    }
    const worker = await runOrderWorker({
      venue,
      pair: config.pair,
      redisUrl: config.redis.url,
      names: redisNames(config.redis.namespace),
      leverage: config.leverage,
      maxDecisionAgeMs: config.strategy.maxQuoteAgeMs,
      requestTimeoutMs: config.orders.requestTimeoutMs,
      // Aster V3 nonces are accepted ±10 s; HMAC recvWindow; Backpack X-Window.
      venueWindowMs:
        venueId === 'backpack'
          ? config.venues.backpack.windowMs
          : config.venues.aster.auth.kind === 'v3'
            ? 10_000
            : config.venues.aster.recvWindowMs,
      unknownResolveTimeoutMs: config.orders.unknownResolveTimeoutMs,
      metrics: ctx.metrics,
      log: ctx.log,
      source: name,
      ...(values['lock-ms'] ? { lockDurationMs: Number(values['lock-ms']) } : {}),
      ...(values['stalled-ms'] ? { stalledIntervalMs: Number(values['stalled-ms']) } : {}),
    });
    ctx.setHealth(() => worker.health());
    return async () => {
      await worker.stop();
      await venue.close();
    };
  },
});
