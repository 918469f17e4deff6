import { loadConfig } from '@arb/config/config';
import { checkEconomics } from '@arb/config/economics-check';
import { createLogger } from '@arb/log/logger';
import { runService } from '@arb/service/run-service';
import { startStrategy } from './strategy-service';

/**
 * strategy: both quote channels -> `decide` on every tick -> hedge intent recorded durably, then one
 * BullMQ job per leg on the per-venue queues. Single writer per pair through a leader lease with a
 * fencing token; other replicas wait on standby. Lifecycle (ready log, SIGTERM, fatal exit) from @arb/service.
 */
const config = loadConfig();
const log = createLogger({ service: 'strategy', level: config.logLevel });

await runService({
  name: 'strategy',
  log,
  healthHost: config.health.host,
  healthPort: config.health.port,
  async start(ctx) {
    const economics = checkEconomics(config);
    if (economics.verdict === 'refuse') throw new Error(economics.message);
    if (economics.verdict === 'warn') ctx.log.warn({ economics }, economics.message);
    const running = await startStrategy({
      redisUrl: config.redis.url,
      namespace: config.redis.namespace,
      pair: config.pair,
      params: config.strategy,
      checkIntervalMs: config.checkIntervalMs,
      statusIntervalMs: config.statusIntervalMs,
      leaseMs: config.strategyLeaseMs,
      openCooldownAfterFailureMs: config.openCooldownAfterFailureMs,
      log: ctx.log,
      metrics: ctx.metrics,
    });
    ctx.setHealth(() => ({
      ok: true,
      details: { leader: running.lease.isLeader(), owner: running.owner, hold: running.engine.lastHold },
    }));
    return () => running.stop();
  },
});
