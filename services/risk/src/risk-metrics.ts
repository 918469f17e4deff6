import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Risk's metrics on the service registry (served on /metrics by @arb/service). */
export function createRiskMetrics(registry: Registry) {
  const r = [registry];
  return {
    nakedSeconds: new Gauge({
      name: 'risk_naked_seconds',
      help: 'Longest current naked time (net exposure of a hedge not zero), seconds; 0 when none',
      registers: r,
    }),
    nakedEpisodes: new Histogram({
      name: 'risk_naked_episode_seconds',
      help: 'Duration of each naked episode of a hedge, from the first one-sided fill to flat net exposure',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers: r,
    }),
    hedgesLive: new Gauge({
      name: 'risk_hedges_live',
      help: 'Hedges not ended, by phase',
      labelNames: ['phase'],
      registers: r,
    }),
    hedgesEnded: new Counter({
      name: 'risk_hedges_ended_total',
      help: 'Hedges that ended, by outcome (closed, failed, written_off) and close reason',
      labelNames: ['outcome', 'reason'],
      registers: r,
    }),
    realizedPnl: new Gauge({
      name: 'risk_realized_pnl_usd',
      help: 'Realized PnL of the current trading day, net of fees (USD)',
      registers: r,
    }),
    drift: new Gauge({
      name: 'risk_drift_btc',
      help: 'Venue position minus the ledger-expected position at the last reconciliation (base units)',
      labelNames: ['venue'],
      registers: r,
    }),
    netBtc: new Gauge({
      name: 'risk_net_btc',
      help: 'Net base position across both venues from venue truth at the last reconciliation',
      registers: r,
    }),
    reconcileAge: new Gauge({
      name: 'risk_reconcile_age_seconds',
      help: 'Seconds since the last successful reconciliation (-1: never)',
      registers: r,
    }),
    reconciles: new Counter({
      name: 'risk_reconciles_total',
      help: 'Reconciliation rounds by result (ok, drift, busy, error)',
      labelNames: ['result'],
      registers: r,
    }),
    outcomes: new Counter({
      name: 'risk_outcomes_total',
      help: 'Order outcomes folded, by kind',
      labelNames: ['kind'],
      registers: r,
    }),
    actions: new Counter({
      name: 'risk_actions_total',
      help: 'Reducer actions executed, by kind',
      labelNames: ['kind'],
      registers: r,
    }),
    rejects: new Counter({
      name: 'risk_stream_rejects_total',
      help: 'Invalid stream entries acknowledged and skipped, by stream',
      labelNames: ['stream'],
      registers: r,
    }),
    errors: new Counter({
      name: 'risk_errors_total',
      help: 'Failures while handling an input (left pending for a retry), by where',
      labelNames: ['where'],
      registers: r,
    }),
  };
}
export type RiskMetrics = ReturnType<typeof createRiskMetrics>;
