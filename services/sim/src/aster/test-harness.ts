import { createHmac } from 'node:crypto';
import { Wallet } from 'ethers';
import { SIM_ACCOUNT, SIM_CREDENTIALS } from '@arb/config/sim-credentials';
import { defaultCredentialDirectory, mergeCredentials } from '../engine/credentials';
import { createSimCore, type SimCore } from '../engine/sim-core';
import type { RunningVenue } from '../engine/types';
import type { AsterTuning } from './options';
import { startAsterVenue } from './server';

/**
 * Test harness (used by the *.int.test.ts files only): a real SimCore on the system clock, moved along
 * by a short timer, with the Aster front-end on a free port. Signing helpers below are written from the
 * venue docs with node:crypto / ethers, independently of the simulator's verification code.
 */

/** The HMAC key pair of the docs' signing example [DOC §SIGNED Endpoint Examples], registered as account 'doc'. */
export const DOC_HMAC = {
  apiKey: 'dbefbc809e3e83c283a984c3a1459732ea7db1360ca80c5c2c8867408d28cc83',
  secret: '2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9',
};

/** A fixed wallet whose own key signs (user = signer), as CCXT's `aster` class sends. Not a secret. */
export const CCXT_WALLET = new Wallet('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');

export interface AsterHarness {
  core: SimCore;
  venue: RunningVenue;
  close(): Promise<void>;
}

export async function startAsterHarness(tuning: Partial<AsterTuning> = {}): Promise<AsterHarness> {
  const core = await createSimCore({ seed: 7 });
  const timer = setInterval(() => core.market.advanceTo(core.clock.now()), 10);
  const credentials = mergeCredentials(defaultCredentialDirectory(), {
    asterHmac: [{ ...DOC_HMAC, account: 'doc' }],
    asterV3: [{ user: CCXT_WALLET.address, signer: CCXT_WALLET.address, account: 'ccxt' }],
    backpack: [],
  });
  const venue = await startAsterVenue({
    engine: core.engines.aster,
    faults: core.faults,
    credentials,
    host: '127.0.0.1',
    port: 0,
    aster: tuning,
  });
  return {
    core,
    venue,
    async close() {
      clearInterval(timer);
      await venue.close();
      core.close();
    },
  };
}

export interface RawResponse {
  status: number;
  headers: Headers;
  body: Record<string, unknown> & { code?: number; msg?: string };
}

export async function rawRequest(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal } = {},
): Promise<RawResponse> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: JSON.parse(text) as RawResponse['body'] };
}

/** A V1 request signed as the docs say: HMAC-SHA256 over query + body, `signature` last. */
export async function hmacRequest(
  restUrl: string,
  method: string,
  path: string,
  params: Record<string, string>,
  opts: {
    apiKey?: string | null;
    secret?: string;
    timestamp?: number;
    inBody?: boolean;
    tamper?: boolean;
  } = {},
): Promise<RawResponse> {
  const all = new URLSearchParams({ ...params, timestamp: String(opts.timestamp ?? Date.now()) }).toString();
  const secret = opts.secret ?? SIM_CREDENTIALS.asterHmac.secret;
  const signature = createHmac('sha256', secret).update(all).digest('hex');
  const sent = `${opts.tamper ? all.replace(/quantity=[^&]*/, 'quantity=0.002') : all}&signature=${signature}`;
  const headers: Record<string, string> = {};
  const apiKey = opts.apiKey === undefined ? SIM_CREDENTIALS.asterHmac.apiKey : opts.apiKey;
  if (apiKey !== null) headers['X-MBX-APIKEY'] = apiKey;
  const inBody = opts.inBody ?? method !== 'GET';
  if (inBody) headers['Content-Type'] = 'application/x-www-form-urlencoded';
  return rawRequest(`${restUrl}${path}${inBody ? '' : `?${sent}`}`, {
    method,
    headers,
    ...(inBody ? { body: sent } : {}),
  });
}

const V3_DOMAIN = {
  name: 'AsterSignTransaction',
  version: '1',
  chainId: 1666,
  verifyingContract: '0x0000000000000000000000000000000000000000',
};

/** A V3 request: params + nonce(µs) + user + signer, EIP-712 `Message{msg}` over the param string. */
export async function v3Request(
  restUrl: string,
  method: string,
  path: string,
  params: Record<string, string>,
  opts: { nonce?: string; wallet?: Wallet; user?: string } = {},
): Promise<RawResponse> {
  const wallet = opts.wallet ?? new Wallet(SIM_CREDENTIALS.asterV3.signerPrivateKey);
  const user = opts.user ?? (opts.wallet ? wallet.address : SIM_CREDENTIALS.asterV3.user);
  const msg = new URLSearchParams({
    ...params,
    nonce: opts.nonce ?? String(Date.now() * 1000),
    user,
    signer: wallet.address,
  }).toString();
  const sig = await wallet.signTypedData(V3_DOMAIN, { Message: [{ name: 'msg', type: 'string' }] }, { msg });
  const sent = `${msg}&signature=${sig}`;
  if (method === 'GET') return rawRequest(`${restUrl}${path}?${sent}`, { method });
  return rawRequest(`${restUrl}${path}`, {
    method,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: sent,
  });
}

export { SIM_ACCOUNT };

/** Polls until `fn` returns a value (not undefined), or throws after `timeoutMs`. */
export async function waitFor<T>(
  fn: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('waitFor: timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
