import { loadConfig } from '@arb/config/config';
import { configSecrets } from '@arb/config/config-secrets';
import { createLogger } from '@arb/log/logger';
import { runService } from '@arb/service/run-service';
import { startDashboard } from './start-dashboard';

/**
 * dashboard: live status page (spread chart, quotes, feed health, hedge, ledger, daily stats, controls),
 * Bull Board for the order queues, /metrics (its own + the pipeline's values kept in Redis) and /healthz,
 * on DASHBOARD_PORT behind HTTP Basic auth (DASHBOARD_USER / DASHBOARD_PASSWORD). Reads Redis; writes only
 * control commands. Lifecycle (ready log, SIGTERM, fatal exit) from @arb/service.
 */
const config = loadConfig();
const log = createLogger({ service: 'dashboard', level: config.logLevel, secrets: configSecrets(config) });

await runService({
  name: 'dashboard',
  log,
  healthHost: config.health.host,
  healthPort: config.health.port,
  async start(ctx) {
    const running = await startDashboard({
      redisUrl: config.redis.url,
      namespace: config.redis.namespace,
      status: config,
      auth: { user: config.dashboard.user, password: config.dashboard.password },
      host: config.health.host,
      port: config.dashboard.port,
      registry: ctx.metrics,
      log: ctx.log,
    });
    if (config.dashboard.passwordGenerated) {
      ctx.log.warn(
        { user: config.dashboard.user },
        'DASHBOARD_PASSWORD is not set: a random password was generated for this start (the launcher prints it; set DASHBOARD_PASSWORD to choose one)',
      );
      if (process.stderr.isTTY) {
        process.stderr.write(
          `dashboard password for ${config.dashboard.user}: ${config.dashboard.password}\n`,
        );
      }
    }
    ctx.setHealth(() => ({
      ok: true,
      details: { url: running.url, liveUpdates: running.server.hub.updates },
    }));
    ctx.log.info({ url: running.url, mode: config.mode, pair: config.pair }, 'dashboard listening');
    return () => running.stop();
  },
});
