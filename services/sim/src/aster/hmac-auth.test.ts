import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AsterApiError } from './api-error';
import { asterHmacSignature, checkHmacAuth } from './hmac-auth';
import { readRequestParams } from './request-params';

// [DOC §SIGNED Endpoint Examples] of asterdex/api-docs V1 futures.
const DOC_KEY = 'dbefbc809e3e83c283a984c3a1459732ea7db1360ca80c5c2c8867408d28cc83';
const DOC_SECRET = '2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9';
const DOC_MSG =
  'symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC&recvWindow=5000&timestamp=1591702613943';
const DOC_SIG = '3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9';
const DOC_TS = 1591702613943;
const keys = [{ apiKey: DOC_KEY, secret: DOC_SECRET, account: 'doc' }];

function code(fn: () => unknown): number {
  try {
    fn();
  } catch (err) {
    if (err instanceof AsterApiError) return err.code;
    throw err;
  }
  return 0;
}

describe('HMAC-SHA256 signing (V1)', () => {
  it('reproduces the documented example signature', () => {
    expect(asterHmacSignature(DOC_SECRET, DOC_MSG)).toBe(DOC_SIG);
    // Independent of the simulator's helper.
    expect(createHmac('sha256', DOC_SECRET).update(DOC_MSG).digest('hex')).toBe(DOC_SIG);
  });

  it('accepts the documented request as query string, as body, and split between both', () => {
    const asQuery = readRequestParams(`${DOC_MSG}&signature=${DOC_SIG}`, '');
    const asBody = readRequestParams('', `${DOC_MSG}&signature=${DOC_SIG}`);
    const q = 'symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC';
    const b = 'quantity=1&price=9000&recvWindow=5000&timestamp=1591702613943';
    const mixedSig = createHmac('sha256', DOC_SECRET)
      .update(q + b)
      .digest('hex');
    expect(mixedSig).toBe('30baaf0fab549bbeda7f5ef201898b34122da25fd23c646cac2c529aebe670a4');
    const mixed = readRequestParams(q, `${b}&signature=${mixedSig}`);
    for (const p of [asQuery, asBody, mixed]) {
      const account = checkHmacAuth({ ...p, apiKeyHeader: DOC_KEY, serverTime: DOC_TS + 100, keys });
      expect(account).toBe('doc');
      expect(p.params.get('quantity')).toBe('1');
    }
  });

  it('accepts an upper-case signature (case-insensitive)', () => {
    const p = readRequestParams(`${DOC_MSG}&signature=${DOC_SIG.toUpperCase()}`, '');
    expect(checkHmacAuth({ ...p, apiKeyHeader: DOC_KEY, serverTime: DOC_TS, keys })).toBe('doc');
  });

  it('answers the documented codes for bad requests', () => {
    const ok = readRequestParams(`${DOC_MSG}&signature=${DOC_SIG}`, '');
    const tampered = readRequestParams(`${DOC_MSG.replace('9000', '9001')}&signature=${DOC_SIG}`, '');
    const base = { apiKeyHeader: DOC_KEY, serverTime: DOC_TS, keys };
    expect(code(() => checkHmacAuth({ ...tampered, ...base }))).toBe(-1022);
    expect(code(() => checkHmacAuth({ ...ok, ...base, apiKeyHeader: undefined }))).toBe(-2014);
    expect(code(() => checkHmacAuth({ ...ok, ...base, apiKeyHeader: 'nope' }))).toBe(-2015);
    // recvWindow 5000: 5001 ms late is stale, 1000 ms early is ahead.
    expect(code(() => checkHmacAuth({ ...ok, ...base, serverTime: DOC_TS + 5001 }))).toBe(-1021);
    expect(code(() => checkHmacAuth({ ...ok, ...base, serverTime: DOC_TS + 5000 }))).toBe(0);
    expect(code(() => checkHmacAuth({ ...ok, ...base, serverTime: DOC_TS - 1000 }))).toBe(-1021);
    const noSig = readRequestParams(DOC_MSG, '');
    expect(code(() => checkHmacAuth({ ...noSig, ...base }))).toBe(-1102);
  });

  it('defaults recvWindow to 5000 and caps it at 60000', () => {
    const sign = (msg: string) =>
      readRequestParams(`${msg}&signature=${asterHmacSignature(DOC_SECRET, msg)}`, '');
    const noWindow = sign(`symbol=BTCUSDT&timestamp=${DOC_TS}`);
    const base = { apiKeyHeader: DOC_KEY, keys };
    expect(code(() => checkHmacAuth({ ...noWindow, ...base, serverTime: DOC_TS + 5000 }))).toBe(0);
    expect(code(() => checkHmacAuth({ ...noWindow, ...base, serverTime: DOC_TS + 5001 }))).toBe(-1021);
    const big = sign(`symbol=BTCUSDT&recvWindow=60001&timestamp=${DOC_TS}`);
    expect(code(() => checkHmacAuth({ ...big, ...base, serverTime: DOC_TS }))).toBe(-1130);
  });
});
