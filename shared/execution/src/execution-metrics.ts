import { Counter, Histogram, type Registry } from 'prom-client';

/** The order worker's metrics, registered on the service's registry (served on /metrics). */
export interface ExecutionMetrics {
  /** Seconds from the leg's decision (job createdAt) to the venue's definitive answer. */
  decisionToAck: Histogram<'venue'>;
  /** Seconds from the order request leaving to the venue's answer. */
  sendToAck: Histogram<'venue'>;
  /** Reported outcomes by kind, and whether they came from probing the venue. */
  outcomes: Counter<'venue' | 'kind' | 'probed'>;
  /** Jobs refused without sending, by reason code. */
  refused: Counter<'venue' | 'reason'>;
  /** Venue calls that failed (probe, balance, resolve queries), by operation. */
  venueErrors: Counter<'venue' | 'op'>;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function createExecutionMetrics(registry: Registry): ExecutionMetrics {
  return {
    decisionToAck: new Histogram({
      name: 'arb_order_decision_to_ack_seconds',
      help: 'Leg decision (job createdAt) to the venue answer, seconds',
      labelNames: ['venue'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    sendToAck: new Histogram({
      name: 'arb_order_send_to_ack_seconds',
      help: 'Order request sent to the venue answer, seconds',
      labelNames: ['venue'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    outcomes: new Counter({
      name: 'arb_order_outcomes_total',
      help: 'Order outcomes reported to risk, by kind',
      labelNames: ['venue', 'kind', 'probed'],
      registers: [registry],
    }),
    refused: new Counter({
      name: 'arb_order_jobs_refused_total',
      help: 'Leg jobs refused without sending, by reason',
      labelNames: ['venue', 'reason'],
      registers: [registry],
    }),
    venueErrors: new Counter({
      name: 'arb_order_venue_errors_total',
      help: 'Failed venue calls of the order worker, by operation',
      labelNames: ['venue', 'op'],
      registers: [registry],
    }),
  };
}
