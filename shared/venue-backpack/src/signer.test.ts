import { describe, expect, it } from 'vitest';
import { BackpackSigner, signingString } from './signer';

// Vectors from /work/shared/venues/backpack.md §2 (CCXT 4.5.84 and node:crypto agree).
const SECRET = 'AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=';
const API_KEY = 'ebVWLo/mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ=';
const TS = 1700000000000;

describe('BackpackSigner', () => {
  const signer = new BackpackSigner(API_KEY, SECRET);

  it('derives the public key from the seed', () => {
    expect(signer.publicKey()).toBe(API_KEY);
  });

  it('builds the documented signing string (sorted keys, instruction first, timestamp and window last)', () => {
    expect(signingString('orderCancel', { symbol: 'BTC_USDT', orderId: '28' }, 1614550000000, 5000)).toBe(
      'instruction=orderCancel&orderId=28&symbol=BTC_USDT&timestamp=1614550000000&window=5000',
    );
    expect(signingString('balanceQuery', {}, TS, 5000)).toBe(
      'instruction=balanceQuery&timestamp=1700000000000&window=5000',
    );
  });

  it.each([
    [
      'balanceQuery',
      {},
      'NUwGpfoyZN5IZ49PIv7j4PJiTs5E8rxw42myDXszA+60mNIQOCA423SyLvHbk4o6aj5oyCJsOGkiJ/zAkkzTAg==',
    ],
    [
      'orderExecute',
      {
        clientId: 12345,
        orderType: 'Limit',
        price: '60000',
        quantity: '0.001',
        reduceOnly: true,
        side: 'Bid',
        symbol: 'BTC_USDC_PERP',
        timeInForce: 'IOC',
      },
      'h+XBdftYw209ncuGq5cMrEHNgZZFZ3P7IughgueVvgb9a21Namj0aQ1icXcn/ieGQ/NakRfHVeKFOXiM+mpHDQ==',
    ],
    [
      'orderQuery',
      { orderId: '111', symbol: 'BTC_USDC_PERP' },
      'Pzj0s2ut8QU1nMCK+iHvlJZbdwbTcrQgxTJN1aRoqsvX/m9KUTnpn/R9K6Vu3+N6TRG0+bxpzIdymJ4KnQfyCQ==',
    ],
    [
      'positionQuery',
      {},
      'iukdwaQqsTZOjdDCUN0a+VhZXnLzqTNRZ6mopI8brQ/Dpue38G6BE1d5XapbB//BtTHs4vRZM24u/2XB3KoPCQ==',
    ],
  ] as const)('signs %s like the reference vectors', (instruction, params, expected) => {
    const h = signer.headers(instruction, params, TS, 5000);
    expect(h['X-Signature']).toBe(expected);
    expect(h['X-API-Key']).toBe(API_KEY);
    expect(h['X-Timestamp']).toBe(String(TS));
    expect(h['X-Window']).toBe('5000');
  });

  it('refuses a secret that is not a 32-byte seed', () => {
    expect(() => new BackpackSigner(API_KEY, 'AAAA')).toThrow(/32-byte/);
  });
});
