import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scheduledDislocations } from '../engine/sim-core';
import { loadScenario, parseScenario, SCENARIOS_DIR, ScenarioError } from './scenario';

describe('scenario files', () => {
  it('loads the shipped scenarios', async () => {
    const d = await loadScenario(resolve(SCENARIOS_DIR, 'default.json'));
    expect(d).toMatchObject({ name: 'default', seed: 42, startPrice: 100_000 });
    const list = scheduledDislocations(d).slice(0, 3);
    expect(list.map((x) => [x.startAt, x.direction])).toEqual([
      [15_000, 'buy_aster_sell_backpack'],
      [55_000, 'buy_backpack_sell_aster'],
      [95_000, 'buy_aster_sell_backpack'],
    ]);
    const r = await loadScenario(resolve(SCENARIOS_DIR, 'replay-example.json'));
    expect(r.replay?.file).toBe(resolve(SCENARIOS_DIR, 'recordings/sample-quotes.jsonl'));
  });

  it('rejects an invalid scenario with a clear message naming the field', () => {
    expect(() => parseScenario({ name: 'x', startPrice: -1 }, 'bad.json')).toThrow(ScenarioError);
    expect(() => parseScenario({ name: 'x', startPrice: -1 }, 'bad.json')).toThrow(/startPrice/);
    expect(() => parseScenario({ name: 'x', faults: [{ atMs: 1, fault: { kind: 'ws_stall' } }] })).toThrow(
      /durationMs/,
    );
    expect(() => parseScenario({ name: 'x', unknownKey: 1 })).toThrow(/unknownKey/);
  });

  it('fills defaults', () => {
    const s = parseScenario({ name: 'min' });
    expect(s.venues.aster.levels).toBe(20);
    expect(s.dislocations.at).toEqual([]);
    expect(s.faults).toEqual([]);
  });
});
