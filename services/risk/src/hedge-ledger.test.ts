import { newHedge, reduceHedge } from '@arb/core/hedge';
import { describe, expect, it } from 'vitest';
import { ledgerEntriesFor, statusOf } from './hedge-ledger';

describe('ledgerEntriesFor', () => {
  it('writes each fill once, then hedge_opened and hedge_closed with the realized PnL', () => {
    const h0 = newHedge(
      { id: 'h1', pair: 'BTC', direction: 'buy_aster_sell_backpack', qty: 0.02, expectedEdge: 150 },
      1000,
    ).state;
    const fill = (legId: string, price: number, fee: number) =>
      ({ type: 'leg_filled', legId, qty: 0.02, avgPrice: price, fee, executedAt: 2000 }) as const;
    const h1 = reduceHedge(h0, fill('h1-aster-open1', 100_000, 0.7), 2000).state;
    const e1 = ledgerEntriesFor(h0, h1, [
      {
        legId: 'h1-aster-open1',
        outcome: {
          kind: 'filled',
          venue: 'aster',
          clientOrderId: 'h1-aster-open1',
          venueOrderId: '77',
          side: 'buy',
          qty: 0.02,
          avgPrice: 100_000,
          fee: 0.7,
          feeAsset: 'USDT',
          executedAt: 2000,
        },
      },
    ]);
    expect(e1).toEqual([
      expect.objectContaining({
        kind: 'fill',
        legId: 'h1-aster-open1',
        venueOrderId: '77',
        feeAsset: 'USDT',
      }),
    ]);
    // A duplicate outcome changes nothing: no entry.
    expect(ledgerEntriesFor(h1, reduceHedge(h1, fill('h1-aster-open1', 100_000, 0.7), 2001).state)).toEqual(
      [],
    );
    const h2 = reduceHedge(h1, fill('h1-backpack-open1', 100_200, 1), 2002).state;
    expect(ledgerEntriesFor(h1, h2).map((e) => e.kind)).toEqual(['fill', 'hedge_opened']);
    const h3 = reduceHedge(h2, { type: 'close_requested', reason: 'spread_converged' }, 3000).state;
    const h4 = reduceHedge(h3, fill('h1-aster-close1', 100_100, 0.7), 3001).state;
    const h5 = reduceHedge(h4, fill('h1-backpack-close1', 100_150, 1), 3002).state;
    const closed = ledgerEntriesFor(h4, h5);
    expect(closed.map((e) => e.kind)).toEqual(['fill', 'hedge_closed']);
    const pnl = (100_200 - 100_000 + 100_100 - 100_150) * 0.02 - 3.4;
    expect(closed[1]).toMatchObject({ kind: 'hedge_closed', reason: 'spread_converged' });
    expect((closed[1] as { realizedPnl: number }).realizedPnl).toBeCloseTo(pnl, 9);
    expect(statusOf(h5)).toMatchObject({ phase: 'closed', exposure: { aster: 0, backpack: 0 } });
  });
});
