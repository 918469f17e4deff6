import type { OrderOutcomeEvent } from '@arb/bus/order-outcome-event';
import { describe, expect, it } from 'vitest';
import { latencyStats, legLatency } from './leg-latency';

const ev = (
  venue: 'aster' | 'backpack',
  role: 'open' | 'close' | 'unwind',
  sentAt: number,
  ackAt: number,
  probed = false,
): OrderOutcomeEvent => ({
  v: 1,
  hedgeId: 'h1',
  pair: 'BTC',
  role,
  attempt: 1,
  jobId: `h1-${venue}-${role}1`,
  outcome: { kind: 'rejected', venue, clientOrderId: 'c', code: 'x', reason: 'y' },
  sentAt,
  ackAt,
  probed,
});

describe('latencyStats', () => {
  it('nearest-rank quantiles', () => {
    expect(latencyStats([])).toBeNull();
    expect(latencyStats([5])).toEqual({ count: 1, p50: 5, p90: 5, p99: 5, max: 5 });
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(latencyStats(hundred)).toEqual({ count: 100, p50: 50, p90: 90, p99: 99, max: 100 });
  });
});

describe('legLatency', () => {
  it('decision→ack from the intent time, send→ack from the event; probed outcomes left out', () => {
    const decided = { 'h1|open': 1000, 'h1|close': 5000 } as Record<string, number>;
    const l = legLatency(
      [
        ev('aster', 'open', 1002, 1010),
        ev('backpack', 'open', 1003, 1030),
        ev('aster', 'close', 5001, 5004),
        ev('aster', 'unwind', 6000, 6100),
        ev('backpack', 'close', 1, 99_999, true),
      ],
      (id, action) => decided[`${id}|${action}`],
    );
    expect(l.aster.decisionToAck).toMatchObject({ count: 2, max: 10 });
    expect(l.aster.sendToAck).toMatchObject({ count: 3, max: 100 });
    expect(l.backpack.decisionToAck).toMatchObject({ count: 1, p50: 30 });
    expect(l.backpack.sendToAck).toMatchObject({ count: 1, p50: 27 });
  });
});
