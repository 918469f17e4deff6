import { newHedge, reduceHedge } from '@arb/core/hedge';
import { describe, expect, it } from 'vitest';
import { checkExposure } from './exposure-check';

const flatTruth = { position: { aster: 0, backpack: 0 }, openOrders: { aster: 0, backpack: 0 } };

function openHedge() {
  let { state } = newHedge(
    { id: 'h1', pair: 'BTC', direction: 'buy_aster_sell_backpack', qty: 0.02, expectedEdge: 150 },
    1000,
  );
  state = reduceHedge(
    state,
    { type: 'leg_filled', legId: 'h1-aster-open1', qty: 0.02, avgPrice: 100, fee: 0 },
    1001,
  ).state;
  state = reduceHedge(
    state,
    { type: 'leg_filled', legId: 'h1-backpack-open1', qty: 0.02, avgPrice: 101, fee: 0 },
    1002,
  ).state;
  return state;
}

describe('checkExposure', () => {
  it('is ok when the venues are flat and no hedge is live', () => {
    const v = checkExposure({ truth: flatTruth, hedges: [], tolerance: 0.001, flattenInFlight: 0 });
    expect(v.kind).toBe('ok');
  });

  it('matches an open hedge against the venue positions', () => {
    const h = openHedge();
    expect(h.phase).toBe('open');
    const truth = { ...flatTruth, position: { aster: 0.02, backpack: -0.02 } };
    const v = checkExposure({ truth, hedges: [h], tolerance: 0.001, flattenInFlight: 0 });
    expect(v).toMatchObject({ kind: 'ok', net: 0, expected: { aster: 0.02, backpack: -0.02 } });
  });

  it('reports an unknown position as drift with a reduce-only flatten order', () => {
    const truth = { ...flatTruth, position: { aster: 0.05, backpack: 0 } };
    const v = checkExposure({ truth, hedges: [], tolerance: 0.001, flattenInFlight: 0 });
    expect(v.kind).toBe('drift');
    if (v.kind === 'busy') throw new Error('busy');
    expect(v.flatten).toEqual([{ venue: 'aster', side: 'sell', qty: 0.05 }]);
    expect(v.net).toBe(0.05);
    expect(v.unfixable).toEqual([]);
  });

  it('flattens only the excess over a live hedge, and calls a missing position unfixable', () => {
    const h = openHedge();
    const truth = { ...flatTruth, position: { aster: 0.07, backpack: 0 } };
    const v = checkExposure({ truth, hedges: [h], tolerance: 0.001, flattenInFlight: 0 });
    if (v.kind !== 'drift') throw new Error(v.kind);
    expect(v.flatten).toEqual([{ venue: 'aster', side: 'sell', qty: 0.05 }]);
    expect(v.unfixable).toEqual(['backpack']);
  });

  it('tolerates drift within the tolerance', () => {
    const truth = { ...flatTruth, position: { aster: 0.0005, backpack: 0 } };
    expect(checkExposure({ truth, hedges: [], tolerance: 0.001, flattenInFlight: 0 }).kind).toBe('ok');
  });

  it('calls resting orders drift', () => {
    const truth = { ...flatTruth, openOrders: { aster: 0, backpack: 2 } };
    expect(checkExposure({ truth, hedges: [], tolerance: 0.001, flattenInFlight: 0 }).kind).toBe('drift');
  });

  it('is busy while legs or flatten orders are in flight', () => {
    const { state } = newHedge(
      { id: 'h2', pair: 'BTC', direction: 'buy_aster_sell_backpack', qty: 0.02, expectedEdge: 150 },
      1000,
    );
    expect(
      checkExposure({ truth: flatTruth, hedges: [state], tolerance: 0.001, flattenInFlight: 0 }).kind,
    ).toBe('busy');
    expect(checkExposure({ truth: flatTruth, hedges: [], tolerance: 0.001, flattenInFlight: 1 }).kind).toBe(
      'busy',
    );
  });
});
