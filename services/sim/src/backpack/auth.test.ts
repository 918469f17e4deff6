import { createPrivateKey, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildBatchSigningString, buildSigningString, verifyRequestSignature, verifySignature } from './auth';

// Vectors from /work/shared/venues/backpack.md §2, produced by CCXT 4.5.84 and Node crypto.sign with the
// seed 0x01..0x20, independently of the simulator's code.
const API_KEY = 'ebVWLo/mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ=';
const VECTORS: [string, string][] = [
  [
    'instruction=balanceQuery&timestamp=1700000000000&window=5000',
    'NUwGpfoyZN5IZ49PIv7j4PJiTs5E8rxw42myDXszA+60mNIQOCA423SyLvHbk4o6aj5oyCJsOGkiJ/zAkkzTAg==',
  ],
  [
    'instruction=orderExecute&clientId=12345&orderType=Limit&price=60000&quantity=0.001&reduceOnly=true&side=Bid&symbol=BTC_USDC_PERP&timeInForce=IOC&timestamp=1700000000000&window=5000',
    'h+XBdftYw209ncuGq5cMrEHNgZZFZ3P7IughgueVvgb9a21Namj0aQ1icXcn/ieGQ/NakRfHVeKFOXiM+mpHDQ==',
  ],
  [
    'instruction=orderQuery&orderId=111&symbol=BTC_USDC_PERP&timestamp=1700000000000&window=5000',
    'Pzj0s2ut8QU1nMCK+iHvlJZbdwbTcrQgxTJN1aRoqsvX/m9KUTnpn/R9K6Vu3+N6TRG0+bxpzIdymJ4KnQfyCQ==',
  ],
  [
    'instruction=orderCancel&orderId=111&symbol=BTC_USDC_PERP&timestamp=1700000000000&window=5000',
    'Wedwjp3jnxRMroWlqUK4b6XL0MCxOm4a3CGjA8kRJHAWREeJOyXYRbwyg5komZQCHM+0NeOim9QufIdNLVqPAQ==',
  ],
  [
    'instruction=positionQuery&timestamp=1700000000000&window=5000',
    'iukdwaQqsTZOjdDCUN0a+VhZXnLzqTNRZ6mopI8brQ/Dpue38G6BE1d5XapbB//BtTHs4vRZM24u/2XB3KoPCQ==',
  ],
];

describe('Backpack ED25519 verification', () => {
  it.each(VECTORS)('accepts the documented vector %s', (message, signature) => {
    expect(verifySignature(API_KEY, message, signature)).toBe(true);
  });

  it('refuses a tampered message, a tampered signature and another key', () => {
    const [message, signature] = VECTORS[1] as [string, string];
    expect(verifySignature(API_KEY, message.replace('quantity=0.001', 'quantity=0.002'), signature)).toBe(
      false,
    );
    const bytes = Buffer.from(signature, 'base64');
    bytes[10] = (bytes[10] ?? 0) ^ 0x01;
    expect(verifySignature(API_KEY, message, bytes.toString('base64'))).toBe(false);
    expect(verifySignature('eV88I83vDEMZGUwhuviYs8ggWbfOltFUF79mcnqsjL0=', message, signature)).toBe(false);
    expect(verifySignature('not-a-key', message, signature)).toBe(false);
    expect(verifySignature(API_KEY, message, 'c2hvcnQ=')).toBe(false);
  });

  it('rebuilds the documented signing strings from params', () => {
    expect(
      buildSigningString('orderCancel', { symbol: 'BTC_USDT', orderId: 28 }, '1614550000000', '5000'),
    ).toBe('instruction=orderCancel&orderId=28&symbol=BTC_USDT&timestamp=1614550000000&window=5000');
    expect(buildSigningString('balanceQuery', {}, '1700000000000', '5000')).toBe(VECTORS[0]?.[0]);
    const body = {
      symbol: 'BTC_USDC_PERP',
      side: 'Bid',
      orderType: 'Limit',
      timeInForce: 'IOC',
      reduceOnly: true,
      quantity: '0.001',
      price: '60000',
      clientId: 12345,
    };
    expect(buildSigningString('orderExecute', body, '1700000000000', '5000')).toBe(VECTORS[1]?.[0]);
    expect(
      verifyRequestSignature(API_KEY, VECTORS[1]?.[1] ?? '', 'orderExecute', body, '1700000000000', '5000'),
    ).toBe(true);
  });

  it('rebuilds the documented batch signing string', () => {
    const batch = [
      { symbol: 'SOL_USDC_PERP', side: 'Bid', orderType: 'Limit', price: '141', quantity: '12' },
      { symbol: 'SOL_USDC_PERP', side: 'Bid', orderType: 'Limit', price: '140', quantity: '11' },
    ];
    expect(buildBatchSigningString('orderExecute', batch, '1750793021519', '5000')).toBe(
      'instruction=orderExecute&orderType=Limit&price=141&quantity=12&side=Bid&symbol=SOL_USDC_PERP&instruction=orderExecute&orderType=Limit&price=140&quantity=11&side=Bid&symbol=SOL_USDC_PERP&timestamp=1750793021519&window=5000',
    );
  });

  it('accepts a signature made by an independent signer over the URL-encoded form CCXT signs', () => {
    const seed = Buffer.from(Array.from({ length: 32 }, (_, i) => i + 1));
    const key = createPrivateKey({
      key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]),
      format: 'der',
      type: 'pkcs8',
    });
    const params = { symbol: 'BTC_USDC_PERP', from: '2026-01-01T00:00:00' };
    const encoded =
      'instruction=fillHistoryQueryAll&from=2026-01-01T00%3A00%3A00&symbol=BTC_USDC_PERP&timestamp=1&window=5000';
    const signature = sign(null, Buffer.from(encoded), key).toString('base64');
    expect(verifyRequestSignature(API_KEY, signature, 'fillHistoryQueryAll', params, '1', '5000')).toBe(true);
    expect(verifyRequestSignature(API_KEY, signature, 'fillHistoryQueryAll', params, '2', '5000')).toBe(
      false,
    );
  });
});
