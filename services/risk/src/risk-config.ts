import type { AppConfig } from '@arb/config/config';
import type { RiskServiceOptions } from './risk-service';

type ConfiguredOptions = Omit<RiskServiceOptions, 'venues' | 'log' | 'metrics' | 'onLeadershipLost'>;

/** Risk's options from the configuration; main.ts adds the venue clients, logger, metrics and hooks. */
export function riskOptionsFromConfig(config: AppConfig): ConfiguredOptions {
  return {
    redisUrl: config.redis.url,
    namespace: config.redis.namespace,
    pair: config.pair,
    forceCloseMs: config.strategy.forceCloseMs,
    maxQuoteAgeMs: config.strategy.maxQuoteAgeMs,
    reconcileIntervalMs: config.risk.reconcileIntervalMs,
    driftTolerance: config.risk.driftTolerance,
    flattenOnDrift: config.risk.flattenOnDrift,
    dailyLossLimit: config.risk.dailyLossLimit,
    cleanupPolicy: config.risk.cleanupPolicy,
    nakedAlertMs: config.risk.nakedAlertMs,
    stuckLegMs: config.risk.stuckLegMs,
    tradingTimeZone: config.tradingTimeZone,
  };
}
