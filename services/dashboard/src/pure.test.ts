import type { LedgerEntry } from '@arb/bus/ledger-entry';
import { describe, expect, it } from 'vitest';
import { basicAuthUser, checkBasicAuth } from './basic-auth';
import { recentHedges } from './recent-hedges';
import { dailyFromLedger } from './status-snapshot';
import { unrealizedPnl } from './unrealized-pnl';

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
const T = Date.UTC(2026, 10, 28, 10, 0, 0);

const fill = (over: Partial<Extract<LedgerEntry, { kind: 'fill' }>>): LedgerEntry => ({
  v: 1,
  kind: 'fill',
  hedgeId: 'h-1',
  pair: 'BTC',
  at: T,
  role: 'open',
  attempt: 1,
  legId: 'h-1-aster-open1',
  venue: 'aster',
  symbol: 'BTCUSDT',
  side: 'buy',
  qty: 0.02,
  price: 100_000,
  fee: 0.7,
  feeAsset: 'USDT',
  clientOrderId: 'h-1-aster-open1',
  venueOrderId: '1',
  ...over,
});

describe('checkBasicAuth', () => {
  const creds = { user: 'admin', password: 's3cret-pass' };
  it('accepts the right credentials only', () => {
    expect(checkBasicAuth(basic('admin', 's3cret-pass'), creds)).toBe(true);
    expect(checkBasicAuth(basic('admin', 'wrong'), creds)).toBe(false);
    expect(checkBasicAuth(basic('root', 's3cret-pass'), creds)).toBe(false);
    expect(checkBasicAuth(undefined, creds)).toBe(false);
    expect(checkBasicAuth('Bearer xyz', creds)).toBe(false);
    expect(checkBasicAuth(`Basic ${Buffer.from('nocolon').toString('base64')}`, creds)).toBe(false);
  });
  it('passwords may contain ":"', () => {
    expect(checkBasicAuth(basic('admin', 'a:b:c-long'), { user: 'admin', password: 'a:b:c-long' })).toBe(
      true,
    );
    expect(basicAuthUser(basic('ops', 'x:y'))).toBe('ops');
  });
});

describe('unrealizedPnl', () => {
  it('marks the open legs to the current books, net of paid fees', () => {
    const fills = [
      { venue: 'aster' as const, side: 'buy' as const, qty: 0.02, price: 100_010, fee: 0.7 },
      { venue: 'backpack' as const, side: 'sell' as const, qty: 0.02, price: 100_150, fee: 1 },
    ];
    // cash: -2000.2 + 2003 - 1.7 = 1.1; close: sell aster 0.02 at bid 100050 (+2001), buy backpack at ask 100100 (-2002)
    const pnl = unrealizedPnl(fills, {
      aster: { bid: 100_050, ask: 100_060 },
      backpack: { bid: 100_090, ask: 100_100 },
    });
    expect(pnl).toBeCloseTo(1.1 + 2001 - 2002, 6);
  });
  it('is null without fills or without the quote of a venue holding a position', () => {
    expect(unrealizedPnl([], { aster: null, backpack: null })).toBeNull();
    const one = [{ venue: 'aster' as const, side: 'buy' as const, qty: 0.02, price: 100_010, fee: 0 }];
    expect(unrealizedPnl(one, { aster: null, backpack: { bid: 1, ask: 2 } })).toBeNull();
  });
  it('a flat hedge is its realized cash flow', () => {
    const fills = [
      { venue: 'aster' as const, side: 'buy' as const, qty: 0.02, price: 100, fee: 0.1 },
      { venue: 'aster' as const, side: 'sell' as const, qty: 0.02, price: 110, fee: 0.1 },
    ];
    expect(unrealizedPnl(fills, { aster: null, backpack: null })).toBeCloseTo(0.2 - 0.2, 9);
  });
});

describe('ledger views', () => {
  const entries: LedgerEntry[] = [
    {
      v: 1,
      kind: 'hedge_opened',
      hedgeId: 'h-1',
      pair: 'BTC',
      at: T,
      direction: 'buy_aster_sell_backpack',
      qty: 0.02,
    },
    fill({}),
    fill({ venue: 'backpack', side: 'sell', price: 100_150, fee: 1, at: T + 1, symbol: 'BTC_USDC_PERP' }),
    {
      v: 1,
      kind: 'hedge_closed',
      hedgeId: 'h-1',
      pair: 'BTC',
      at: T + 60_000,
      realizedPnl: 0.5,
      fees: 3.4,
      volume: 8000,
      reason: 'spread_converged',
    },
    fill({ hedgeId: 'h-2', at: T + 120_000, legId: 'h-2-aster-open1', clientOrderId: '=cmd()' }),
  ];

  it('recentHedges groups by hedge, newest first', () => {
    const hs = recentHedges(entries);
    expect(hs.map((h) => h.hedgeId)).toEqual(['h-2', 'h-1']);
    expect(hs[1]).toMatchObject({
      direction: 'buy_aster_sell_backpack',
      qty: 0.02,
      fills: 2,
      realizedPnl: 0.5,
      reason: 'spread_converged',
    });
    expect(hs[0]).toMatchObject({ realizedPnl: null, fills: 1, closedAt: null });
  });

  it('dailyFromLedger counts the day only', () => {
    const d = dailyFromLedger(entries, '2026-11-28', 'UTC', T + 200_000, 1);
    expect(d).toMatchObject({
      trades: 3,
      hedgesOpened: 1,
      hedgesClosed: 1,
      realizedPnl: 0.5,
      openPositions: 1,
    });
    expect(d.volume).toBeCloseTo(2000 + 2003 + 2000, 6);
    expect(dailyFromLedger(entries, '2026-11-29', 'UTC', T + 200_000, 0).trades).toBe(0);
  });
});
