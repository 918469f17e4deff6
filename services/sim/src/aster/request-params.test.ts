import { describe, expect, it } from 'vitest';
import { readRequestParams } from './request-params';

describe('readRequestParams', () => {
  it('lets the query string win over the body', () => {
    const p = readRequestParams('symbol=BTCUSDT&side=BUY', 'side=SELL&quantity=1');
    expect(p.params.get('side')).toBe('BUY');
    expect(p.params.get('quantity')).toBe('1');
  });

  it('signs query + body concatenated without "&" and drops the trailing signature', () => {
    const p = readRequestParams('a=1&b=2', 'c=3&signature=abc');
    expect(p.signedPayload).toBe('a=1&b=2c=3');
    expect(p.signature).toBe('abc');
    expect(p.params.has('signature')).toBe(false);
    const q = readRequestParams('signature=def', '');
    expect(q.signedPayload).toBe('');
    expect(q.signature).toBe('def');
  });

  it('keeps a signature that is not last inside the signed payload (so it cannot verify)', () => {
    const p = readRequestParams('signature=abc&a=1', '');
    expect(p.signature).toBe('abc');
    expect(p.signedPayload).toBe('signature=abc&a=1');
  });

  it('decodes percent-encoded values (V3 addresses, JSON params)', () => {
    const p = readRequestParams('', 'user=0xAbC&batch=%5B%7B%22a%22%3A1%7D%5D');
    expect(p.params.get('batch')).toBe('[{"a":1}]');
  });
});
