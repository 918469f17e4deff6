import { describe, expect, it } from 'vitest';
import { redisNames } from './keys';

describe('redisNames', () => {
  // Keys risk keeps across restarts (and the dashboard reads): their names are data, never renamed lightly.
  it("names risk's own keys under the namespace", () => {
    const n = redisNames('arb');
    expect(n.riskFlattenKey).toBe('arb:risk:flatten');
    expect(n.riskCommandsDoneKey).toBe('arb:risk:commands:done');
    expect(n.riskNakedSinceKey).toBe('arb:risk:naked-since');
    expect(n.riskLossKilledDayKey).toBe('arb:risk:loss-killed-day');
    expect(n.riskLeaderKey('BTC')).toBe('arb:leader:risk:BTC');
    expect(n.riskFencingKey('BTC')).toBe('arb:leader:risk:BTC:fence');
  });

  it("keeps risk's lease apart from the strategy's", () => {
    const n = redisNames('t-1');
    expect(n.riskLeaderKey('BTC')).not.toBe(n.leaderKey('BTC'));
    expect(n.riskFencingKey('BTC')).not.toBe(n.fencingKey('BTC'));
  });
});
