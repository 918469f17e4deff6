import type { HedgeRecord } from './hedge-store';
import { describe, expect, it } from 'vitest';
import { buildRiskView, hedgePhase } from './risk-view';

const open = {
  v: 1 as const,
  hedgeId: 'habc',
  pair: 'BTC',
  action: 'open' as const,
  direction: 'buy_aster_sell_backpack' as const,
  qty: 0.02,
  expectedEdge: 150,
  reason: 'spread',
  quoteSeqs: { aster: 1, backpack: 1 },
  priceGuards: { aster: 1, backpack: 1 },
  fence: 1,
  createdAt: 1000,
};
const record = (over: Partial<HedgeRecord>): HedgeRecord => ({
  hedgeId: 'habc',
  pair: 'BTC',
  fence: 1,
  open,
  close: null,
  status: null,
  enqueued: { open: true, close: false },
  ...over,
});
const status = (phase: 'open' | 'closed', openedAt: number | null) => ({
  v: 1 as const,
  hedgeId: 'habc',
  pair: 'BTC',
  phase,
  openedAt,
  closedAt: null,
  exposure: { aster: 0, backpack: 0 },
  updatedAt: 1,
});

describe('risk view', () => {
  it('phases: opening until risk reports, closing once a close is recorded, else risk says', () => {
    expect(hedgePhase(record({}))).toBe('opening');
    expect(hedgePhase(record({ status: status('open', 5) }))).toBe('open');
    expect(hedgePhase(record({ status: status('open', 5), close: { ...open, action: 'close' } }))).toBe(
      'closing',
    );
    expect(hedgePhase(record({ close: { ...open, action: 'close' } }))).toBe('closing');
    expect(hedgePhase(record({ status: status('closed', 5) }))).toBe('closed');
  });

  it('carries flags, health, the hedge with its open time, and the latest action time', () => {
    const v = buildRiskView({
      flags: { paused: true, killed: false, reconciled: true },
      hedge: record({ status: status('open', 5000), close: { ...open, action: 'close', createdAt: 9000 } }),
      feedsHealthy: { aster: true, backpack: false },
      orderPathsHealthy: { aster: false, backpack: false },
      lastActionAt: 2000,
    });
    expect(v).toMatchObject({ paused: true, killed: false, reconciled: true, lastActionAt: 9000 });
    expect(v.activeHedge).toEqual({
      id: 'habc',
      direction: 'buy_aster_sell_backpack',
      qty: 0.02,
      phase: 'closing',
      openedAt: 5000,
    });
    // A live hedge: only the feeds count (its close is not held by the order paths).
    expect(v.venuesHealthy).toEqual({ aster: true, backpack: false });
  });

  it('with no live hedge, a venue is healthy only when its feed AND its order path are', () => {
    const view = (feeds: [boolean, boolean], paths: [boolean, boolean]) =>
      buildRiskView({
        flags: { paused: false, killed: false, reconciled: true },
        hedge: null,
        feedsHealthy: { aster: feeds[0], backpack: feeds[1] },
        orderPathsHealthy: { aster: paths[0], backpack: paths[1] },
        lastActionAt: null,
      }).venuesHealthy;
    expect(view([true, true], [true, true])).toEqual({ aster: true, backpack: true });
    expect(view([true, true], [false, true])).toEqual({ aster: false, backpack: true });
    expect(view([false, true], [true, true])).toEqual({ aster: false, backpack: true });
    expect(view([true, false], [true, false])).toEqual({ aster: true, backpack: false });
  });
});
