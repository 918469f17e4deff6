import { afterEach, describe, expect, it } from 'vitest';
import {
  clearRegisteredSecrets,
  isSecretKey,
  REDACTED,
  redact,
  registerSecrets,
  scrubString,
} from './redact';

afterEach(() => clearRegisteredSecrets());

describe('scrubString', () => {
  it('scrubs credential query parameters', () => {
    expect(scrubString('a=1&signature=abc123&timestamp=2')).toBe(`a=1&signature=${REDACTED}&timestamp=2`);
    expect(scrubString('?apiKey=k&api_key=k2&listenKey=lk&token=t')).toBe(
      `?apiKey=${REDACTED}&api_key=${REDACTED}&listenKey=${REDACTED}&token=${REDACTED}`,
    );
  });
  it('scrubs auth headers written out, JSON fields and URL passwords', () => {
    expect(scrubString('Authorization: Bearer abc.def')).toBe(`Authorization: Bearer ${REDACTED}`);
    expect(scrubString('X-API-Key: abc, X-Signature: def')).toBe(
      `X-API-Key: ${REDACTED}, X-Signature: ${REDACTED}`,
    );
    expect(scrubString('{"apiSecret":"x\\"y","qty":"1"}')).toBe(`{"apiSecret":"${REDACTED}","qty":"1"}`);
    expect(scrubString('connect redis://user:pa55@host:6379/0 failed')).toBe(
      `connect redis://user:${REDACTED}@host:6379/0 failed`,
    );
  });
  it('scrubs 32-byte and longer 0x hex (private keys, signatures) but not addresses', () => {
    const pk = `0x${'ab'.repeat(32)}`;
    const addr = `0x${'cd'.repeat(20)}`;
    expect(scrubString(`key ${pk} addr ${addr}`)).toBe(`key 0x${REDACTED} addr ${addr}`);
  });
  it('scrubs registered secrets, raw and URL-encoded, and ignores very short ones', () => {
    registerSecrets(['abc', 's3cr3t+/=xyz', undefined, null]);
    expect(scrubString('v=s3cr3t+/=xyz e=s3cr3t%2B%2F%3Dxyz abc')).toBe(`v=${REDACTED} e=${REDACTED} abc`);
  });
  it('scrubs a listen key in a WS URL path but not a stream name', () => {
    const lk = 'pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1';
    expect(scrubString(`wss://fstream.asterdex.com/ws/${lk}`)).toBe(
      `wss://fstream.asterdex.com/ws/${REDACTED}`,
    );
    expect(scrubString('wss://fstream.asterdex.com/ws/btcusdt@bookTicker')).toBe(
      'wss://fstream.asterdex.com/ws/btcusdt@bookTicker',
    );
  });
  it('leaves ordinary text alone', () => {
    const s = 'spread 138.35 USD, seed=42, key arb:quote:aster:BTC';
    expect(scrubString(s)).toBe(s);
  });
});

describe('redact', () => {
  it('censors secret-named keys at any depth and keeps the rest', () => {
    const v = {
      a: { b: { c: { d: { e: { f: { password: 'p', ok: 1 } } } } } },
      list: [{ 'x-api-key': 'k' }],
    };
    expect(redact(v)).toEqual({
      a: { b: { c: { d: { e: { f: { password: REDACTED, ok: 1 } } } } } },
      list: [{ 'x-api-key': REDACTED }],
    });
  });
  it('does not mutate its input and cuts cycles', () => {
    const v: Record<string, unknown> = { secret: 's' };
    v.self = v;
    const r = redact(v) as Record<string, unknown>;
    expect(v.secret).toBe('s');
    expect(r).toEqual({ secret: REDACTED, self: '[Circular]' });
  });
  it('handles Maps, Sets, Buffers, URLs, bigint and Headers', () => {
    const h = new Headers({ 'X-API-Key': 'k', accept: 'json' });
    expect(
      redact({
        m: new Map([['apiSecret', 'x']]),
        s: new Set(['signature=abc']),
        b: Buffer.from('secret'),
        u: new URL('https://u:pw@h/p?signature=zz'),
        n: 10n,
        h,
      }),
    ).toEqual({
      m: { apiSecret: REDACTED },
      s: [`signature=${REDACTED}`],
      b: '[binary 6 bytes]',
      u: `https://u:${REDACTED}@h/p?signature=${REDACTED}`,
      n: '10',
      h: { 'x-api-key': REDACTED, accept: 'json' },
    });
  });
  it('serializes Errors with cause and own fields', () => {
    const e = Object.assign(new TypeError('bad signature=abc'), { code: 'E1', secret: 'x' });
    const r = redact(new Error('outer', { cause: e })) as Record<string, unknown>;
    expect(r.type).toBe('Error');
    expect(r.cause).toMatchObject({
      type: 'TypeError',
      message: `bad signature=${REDACTED}`,
      code: 'E1',
      secret: REDACTED,
    });
  });
  it('knows secret key names', () => {
    for (const k of [
      'apiKey',
      'API_SECRET',
      'signerPrivateKey',
      'X-MBX-APIKEY',
      'Authorization',
      'listenKey',
      'password',
    ]) {
      expect(isSecretKey(k), k).toBe(true);
    }
    for (const k of ['key', 'signer', 'user', 'seed', 'symbol', 'clientOrderId'])
      expect(isSecretKey(k), k).toBe(false);
  });
});
