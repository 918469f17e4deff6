import { loadConfig } from '@arb/config/config';
import { configSecrets } from '@arb/config/config-secrets';
import { venueSymbol } from '@arb/core/venue';
import { createLogger } from '@arb/log/logger';
import { retryTransient } from '@arb/service/retry-transient';
import { runService } from '@arb/service/run-service';
import { AsterVenueClient } from '@arb/venue-aster/venue-client';
import { BackpackVenueClient } from '@arb/venue-backpack/backpack-venue-client';
import { riskOptionsFromConfig } from './risk-config';
import { startRisk } from './risk-service';

/**
 * risk: intents + order outcomes -> the core hedge reducer (state, ledger, status in Redis) -> leg jobs,
 * venue look-ups, alerts; forced close; reconciliation with both venues (gates trading); commands; daily
 * loss limit; daily stats. One instance. Lifecycle (ready, /healthz, /metrics, SIGTERM) from @arb/service.
 */
const config = loadConfig();
const log = createLogger({ service: 'risk', level: config.logLevel, secrets: configSecrets(config) });

await runService({
  name: 'risk',
  log,
  healthPort: config.health.port,
  healthHost: config.health.host,
  async start(ctx) {
    const aster = new AsterVenueClient({
      baseUrl: config.orderVenues.aster.restUrl,
      credentials: config.venues.aster.auth,
      recvWindowMs: config.venues.aster.recvWindowMs,
      timeoutMs: config.orders.requestTimeoutMs,
      log: ctx.log,
    });
    const backpack = new BackpackVenueClient({
      restUrl: config.orderVenues.backpack.restUrl,
      apiKey: config.venues.backpack.apiKey,
      secret: config.venues.backpack.secret,
      windowMs: config.venues.backpack.windowMs,
      timeoutMs: config.orders.requestTimeoutMs,
      transport: config.venues.backpack.restClient,
    });
    try {
      // The simulator (or a venue) may not be listening yet when the stack starts together.
      await retryTransient(() => aster.init(venueSymbol('aster', config.pair)), ctx.log);
      const risk = await startRisk({
        ...riskOptionsFromConfig(config),
        venues: { aster, backpack },
        onLeadershipLost: (reason) => {
          // Another instance may be acting now: stop at once; the supervisor restarts this one as standby.
          ctx.log.fatal({ reason }, 'risk lease lost; exiting');
          process.exit(1);
        },
        log: ctx.log,
        metrics: ctx.metrics,
      });
      ctx.setHealth(() => risk.health());
      return async () => {
        await risk.stop();
        await Promise.all([aster.close(), backpack.close()]);
      };
    } catch (err) {
      await Promise.all([aster.close(), backpack.close()]);
      throw err;
    }
  },
});
