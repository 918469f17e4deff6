import { readFileSync } from 'node:fs';
import type { OrderRequest } from '@arb/core/order';
import { describe, expect, it } from 'vitest';
import { asterErrorCategory } from './errors';
import {
  orderState,
  parseBalance,
  parseMarketRules,
  parseOrder,
  parsePosition,
  sumCommission,
} from './parse-rest';
import type { AsterOrder, AsterSymbolInfo } from './types';
import { prepareAsterOrder } from './venue-client';

const bodies = JSON.parse(readFileSync(new URL('../test-data/rest-bodies.json', import.meta.url), 'utf8'));
const rules = parseMarketRules(bodies.symbolInfo as AsterSymbolInfo);

const req = (over: Partial<OrderRequest> = {}): OrderRequest => ({
  venue: 'aster',
  symbol: 'BTCUSDT',
  side: 'buy',
  qty: 0.02,
  reduceOnly: false,
  clientOrderId: 'h-abc-aster-open',
  ...over,
});

describe('Aster REST parsing', () => {
  it('reads market rules with exact strings', () => {
    expect(rules).toMatchObject({
      symbol: 'BTCUSDT',
      tickSize: 0.1,
      stepSize: 0.001,
      minQty: 0.001,
      minNotional: 5,
      tickSizeStr: '0.1',
      stepSizeStr: '0.001',
      marketMaxQtyStr: '10',
      maxQtyStr: '100',
    });
  });

  it('maps order answers to states', () => {
    const filled = parseOrder(bodies.orderFilled as AsterOrder);
    expect(filled).toMatchObject({
      orderId: '22542179',
      side: 'buy',
      executedQty: 0.02,
      avgPrice: 60020,
      state: { kind: 'done_filled' },
    });
    expect(parseOrder(bodies.orderExpiredNoFill as AsterOrder).state).toEqual({
      kind: 'done_unfilled',
      code: 'EXPIRED',
    });
    expect(parseOrder(bodies.orderAck as AsterOrder).state).toEqual({ kind: 'open' });
    expect(orderState('EXPIRED', 0.01)).toEqual({ kind: 'done_filled' });
    expect(() => parseOrder({ ...bodies.orderFilled, status: 'WEIRD' } as AsterOrder)).toThrow(
      /unknown order status/,
    );
    const noAvg = parseOrder({ ...bodies.orderFilled, avgPrice: '0' } as AsterOrder);
    expect(noAvg.avgPrice).toBeCloseTo(60020, 6);
  });

  it('sums commission of one order', () => {
    expect(sumCommission(bodies.userTrades, '22542179')).toEqual({ fee: 0.48016, asset: 'USDT' });
    expect(sumCommission(bodies.userTrades, '999')).toBeNull();
  });

  it('reads positions and balance', () => {
    expect(parsePosition(bodies.positionRisk, 'BTCUSDT')).toEqual({
      venue: 'aster',
      symbol: 'BTCUSDT',
      qty: -0.02,
      entryPrice: 60000,
      unrealizedPnl: -0.2,
      leverage: 5,
    });
    expect(parsePosition([], 'BTCUSDT').qty).toBe(0);
    expect(parseBalance(bodies.balance)).toEqual({
      venue: 'aster',
      asset: 'USDT',
      equity: 9999.8,
      available: 9759.8,
    });
  });

  it('classifies error codes', () => {
    expect(asterErrorCategory(-2019, 400)).toBe('rejected');
    expect(asterErrorCategory(-4164, 400)).toBe('rejected');
    expect(asterErrorCategory(-1007, 503)).toBe('unknown');
    expect(asterErrorCategory(-1007, 400)).toBe('unknown');
    expect(asterErrorCategory(-1003, 429)).toBe('rate_limited');
    expect(asterErrorCategory(null, 418)).toBe('rate_limited');
    expect(asterErrorCategory(-1022, 400)).toBe('auth');
    expect(asterErrorCategory(-2015, 401)).toBe('auth');
    expect(asterErrorCategory(-1121, 400)).toBe('config');
    expect(asterErrorCategory(-1102, 400)).toBe('bug');
    expect(asterErrorCategory(-9999, 400)).toBe('unknown');
  });
});

describe('prepareAsterOrder (exchangeInfo filters before sending)', () => {
  it('builds a market order with RESULT response and client order id', () => {
    const p = prepareAsterOrder(req({ qty: 0.0219 }), rules);
    expect(p).toEqual({
      ok: true,
      qty: '0.021',
      price: null,
      params: [
        ['symbol', 'BTCUSDT'],
        ['side', 'BUY'],
        ['type', 'MARKET'],
        ['quantity', '0.021'],
        ['newClientOrderId', 'h-abc-aster-open'],
        ['newOrderRespType', 'RESULT'],
      ],
    });
  });

  it('builds an IOC limit, reduce-only, price rounded on the safe side', () => {
    const buy = prepareAsterOrder(req({ limitPrice: 60000.17, reduceOnly: true }), rules);
    expect(buy.ok && buy.price).toBe('60000.1');
    const sell = prepareAsterOrder(req({ side: 'sell', limitPrice: 60000.11 }), rules);
    expect(sell.ok && sell.price).toBe('60000.2');
    expect(sell.ok && sell.params).toContainEqual(['timeInForce', 'IOC']);
    expect(buy.ok && buy.params).toContainEqual(['reduceOnly', 'true']);
    expect(sell.ok && sell.params.find((x) => x[0] === 'reduceOnly')).toBeUndefined();
  });

  it('refuses locally what the venue would reject', () => {
    expect(prepareAsterOrder(req({ qty: 0.0009 }), rules)).toMatchObject({
      ok: false,
      code: 'LOCAL_QTY_BELOW_MIN',
    });
    expect(prepareAsterOrder(req({ qty: 11 }), rules)).toMatchObject({
      ok: false,
      code: 'LOCAL_QTY_ABOVE_MAX',
    });
    expect(prepareAsterOrder(req({ qty: 11, limitPrice: 60000 }), rules).ok).toBe(true);
    expect(prepareAsterOrder(req({ qty: 0.001, limitPrice: 4000 }), rules)).toMatchObject({
      ok: false,
      code: 'LOCAL_MIN_NOTIONAL',
    });
    expect(prepareAsterOrder(req({ qty: 0.001, limitPrice: 4000, reduceOnly: true }), rules).ok).toBe(true);
    expect(prepareAsterOrder(req({ clientOrderId: 'x'.repeat(37) }), rules)).toMatchObject({
      ok: false,
      code: 'LOCAL_BAD_CLIENT_ORDER_ID',
    });
    expect(prepareAsterOrder(req({ clientOrderId: 'bad id!' }), rules)).toMatchObject({
      ok: false,
      code: 'LOCAL_BAD_CLIENT_ORDER_ID',
    });
  });
});
