import { createPrivateKey, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SimCredentialDirectory } from '../engine/types';
import { BackpackApiError } from './api-error';
import { authenticate } from './authenticate';

const SEED = Buffer.from(Array.from({ length: 32 }, (_, i) => i + 1));
const API_KEY = 'ebVWLo/mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ=';
const KEY = createPrivateKey({
  key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), SEED]),
  format: 'der',
  type: 'pkcs8',
});
const CREDS: SimCredentialDirectory = {
  asterHmac: [],
  asterV3: [],
  backpack: [{ apiKey: API_KEY, account: 'acct-1' }],
};
const NOW = 1_700_000_000_000;

/** Signs like a client: the test's own string building, not the simulator's. */
function headers(message: string, ts: number, window?: number): Record<string, string> {
  const h: Record<string, string> = {
    'x-api-key': API_KEY,
    'x-timestamp': String(ts),
    'x-signature': sign(null, Buffer.from(message), KEY).toString('base64'),
  };
  if (window !== undefined) h['x-window'] = String(window);
  return h;
}

function failure(fn: () => unknown): { status: number; code: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof BackpackApiError) return { status: err.status, code: err.code };
    throw err;
  }
  throw new Error('expected a BackpackApiError');
}

describe('authenticate', () => {
  const params = { symbol: 'BTC_USDC_PERP', orderId: '111' };
  const msg = (ts: number, w = 5000) =>
    `instruction=orderQuery&orderId=111&symbol=BTC_USDC_PERP&timestamp=${ts}&window=${w}`;

  it('maps a valid request to its account; window 5000 is signed when the header is absent', () => {
    expect(
      authenticate({ headers: headers(msg(NOW), NOW), instruction: 'orderQuery', params }, CREDS, NOW),
    ).toBe('acct-1');
    const h = headers(msg(NOW, 60000), NOW, 60000);
    expect(authenticate({ headers: h, instruction: 'orderQuery', params }, CREDS, NOW + 59_000)).toBe(
      'acct-1',
    );
  });

  it('answers the documented errors', () => {
    const ok = headers(msg(NOW), NOW);
    const run =
      (h: Record<string, string>, now = NOW, instruction = 'orderQuery') =>
      () =>
        authenticate({ headers: h, instruction, params }, CREDS, now);
    expect(failure(run({ ...ok, 'x-api-key': '' }))).toEqual({ status: 401, code: 'UNAUTHORIZED' });
    const { 'x-api-key': _drop, ...noKey } = ok;
    expect(failure(run(noKey))).toEqual({ status: 401, code: 'UNAUTHORIZED' });
    expect(failure(run({ ...ok, 'x-api-key': 'eV88I83vDEMZGUwhuviYs8ggWbfOltFUF79mcnqsjL0=' }))).toEqual({
      status: 401,
      code: 'UNAUTHORIZED',
    });
    expect(failure(run(ok, NOW, 'orderCancel'))).toEqual({ status: 400, code: 'INVALID_SIGNATURE' });
    expect(failure(run(headers(msg(NOW).replace('111', '112'), NOW)))).toEqual({
      status: 400,
      code: 'INVALID_SIGNATURE',
    });
    expect(failure(run(ok, NOW + 5001))).toEqual({ status: 401, code: 'UNAUTHORIZED' });
    expect(failure(run(ok, NOW - 5001))).toEqual({ status: 401, code: 'UNAUTHORIZED' });
    expect(failure(run(headers(msg(NOW, 60001), NOW, 60001)))).toEqual({
      status: 400,
      code: 'INVALID_CLIENT_REQUEST',
    });
    expect(failure(run({ ...ok, 'x-timestamp': 'abc' }))).toEqual({
      status: 400,
      code: 'INVALID_CLIENT_REQUEST',
    });
  });
});
