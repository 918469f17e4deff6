import { describe, expect, it } from 'vitest';
import { BackpackApiError } from './api-error';
import { parseOrderRequest } from './order-request';

const SYM = 'BTC_USDC_PERP';

function codeOf(body: Record<string, unknown>): string {
  try {
    parseOrderRequest(body, SYM);
  } catch (err) {
    if (err instanceof BackpackApiError) return err.code;
    throw err;
  }
  return 'ok';
}

describe('order request', () => {
  const market = { symbol: SYM, side: 'Ask', orderType: 'Market', quantity: '0.001' };
  const limit = {
    symbol: SYM,
    side: 'Bid',
    orderType: 'Limit',
    quantity: '0.001',
    price: '60000',
    timeInForce: 'IOC',
  };

  it('maps CCXT bodies to engine input', () => {
    const parsed = parseOrderRequest(
      { ...market, clientId: 12345, reduceOnly: true, timeInForce: 'IOC' },
      SYM,
    );
    expect(parsed.input).toEqual({
      side: 'sell',
      type: 'market',
      tif: 'IOC',
      qty: 0.001,
      reduceOnly: true,
      clientOrderId: '12345',
    });
    const l = parseOrderRequest({ ...limit, clientId: 4294967295 }, SYM);
    expect(l.input).toMatchObject({
      side: 'buy',
      type: 'limit',
      tif: 'IOC',
      price: 60000,
      clientOrderId: '4294967295',
    });
    const q = parseOrderRequest({ symbol: SYM, side: 'Bid', orderType: 'Market', quoteQuantity: '100' }, SYM);
    expect(q.input.qty).toBeNull();
    expect(q.quoteQuantity).toBe(100);
    expect(q.extras.quoteQuantity).toBe('100');
  });

  it('validates clientId as uint32', () => {
    expect(codeOf({ ...market, clientId: 0 })).toBe('ok');
    expect(codeOf({ ...market, clientId: 4294967296 })).toBe('INVALID_CLIENT_REQUEST');
    expect(codeOf({ ...market, clientId: -1 })).toBe('INVALID_CLIENT_REQUEST');
    expect(codeOf({ ...market, clientId: 1.5 })).toBe('INVALID_CLIENT_REQUEST');
    expect(codeOf({ ...market, clientId: '77' })).toBe('INVALID_CLIENT_REQUEST');
    // CCXT leaks a non-numeric clientOrderId into the body; the simulator refuses it rather than ignore it.
    expect(codeOf({ ...market, clientOrderId: 'abc' })).toBe('INVALID_CLIENT_REQUEST');
  });

  it('refuses malformed orders with the documented codes', () => {
    expect(codeOf({ ...market, symbol: 'ETH_USDC_PERP' })).toBe('INVALID_SYMBOL');
    expect(codeOf({ ...market, side: 'Buy' })).toBe('INVALID_CLIENT_REQUEST');
    expect(codeOf({ ...market, quantity: '-1' })).toBe('INVALID_QUANTITY');
    expect(codeOf({ ...market, quantity: 'abc' })).toBe('INVALID_QUANTITY');
    expect(codeOf({ ...market, quoteQuantity: '5' })).toBe('INVALID_QUANTITY');
    expect(codeOf({ ...limit, price: undefined })).toBe('INVALID_PRICE');
    expect(codeOf({ ...limit, postOnly: true })).toBe('INVALID_ORDER');
    expect(codeOf({ ...market, postOnly: true })).toBe('INVALID_ORDER');
    expect(codeOf({ ...market, triggerPrice: '1' })).toBe('INVALID_ORDER');
    expect(codeOf({ ...market, reduceOnly: 'yes' })).toBe('INVALID_CLIENT_REQUEST');
    expect(codeOf({ ...market, timeInForce: 'GTD' })).toBe('INVALID_CLIENT_REQUEST');
  });
});
