import { Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import { AsterApiError } from './api-error';
import { readRequestParams } from './request-params';
import { checkV3Auth } from './v3-auth';
import { V3NonceStore } from './v3-nonce-store';

// A fixed test key (not a secret); signatures are made with ethers' signTypedData from the documented
// domain and type, independently of the simulator's verification code.
const signer = new Wallet('0x8f2a55949038a9610f50fb23b5883af3b4ecb3c3bb792cbcefbd1542c692be63');
const USER = '0x63DD5aCC6b1aa0f563956C0e534DD30B6dcF7C4e';
const DOMAIN = {
  name: 'AsterSignTransaction',
  version: '1',
  chainId: 1666,
  verifyingContract: '0x0000000000000000000000000000000000000000',
};
const TYPES = { Message: [{ name: 'msg', type: 'string' }] };
const NOW = 1_767_225_600_000;
const wallets = [{ user: USER, signer: signer.address, account: 'acct' }];

async function signed(params: Record<string, string>, key: Wallet = signer): Promise<string> {
  const msg = new URLSearchParams(params).toString();
  const sig = await key.signTypedData(DOMAIN, TYPES, { msg });
  return `${msg}&signature=${sig}`;
}

function check(body: string, nonces: V3NonceStore, serverTime = NOW): number | string {
  try {
    return checkV3Auth({
      ...readRequestParams('', body),
      serverTime,
      wallets,
      nonces,
      nonceWindowMs: 10_000,
    });
  } catch (err) {
    if (err instanceof AsterApiError) return err.code;
    throw err;
  }
}

const base = (nonce: number) => ({
  symbol: 'BTCUSDT',
  side: 'BUY',
  nonce: String(nonce),
  user: USER,
  signer: signer.address,
});

describe('V3 EIP-712 auth', () => {
  it('accepts a request signed by the registered signer and maps it to the account', async () => {
    expect(check(await signed(base(NOW * 1000)), new V3NonceStore(100))).toBe('acct');
  });

  it('rejects a tampered payload, a foreign signer key and an unknown wallet', async () => {
    const nonces = new V3NonceStore(100);
    const body = await signed(base(NOW * 1000));
    expect(check(body.replace('side=BUY', 'side=SELL'), nonces)).toBe(-1022);
    const other = Wallet.createRandom();
    expect(check(await signed(base(NOW * 1000 + 1), new Wallet(other.privateKey)), nonces)).toBe(-1022);
    expect(check(await signed({ ...base(NOW * 1000 + 2), user: other.address }), nonces)).toBe(-2015);
    expect(check(await signed({ ...base(NOW * 1000 + 3), signer: '' }), nonces)).toBe(-2014);
  });

  it('rejects a reused nonce with -4225 and a nonce outside ±10 s with -1021', async () => {
    const nonces = new V3NonceStore(100);
    const body = await signed(base(NOW * 1000));
    expect(check(body, nonces)).toBe('acct');
    expect(check(body, nonces)).toBe(-4225);
    expect(check(await signed(base((NOW - 10_001) * 1000)), nonces)).toBe(-1021);
    expect(check(await signed(base((NOW + 10_001) * 1000)), nonces)).toBe(-1021);
    expect(check(await signed(base((NOW - 9_000) * 1000)), nonces)).toBe('acct');
  });
});

describe('V3NonceStore', () => {
  it('keeps the last N nonces per agent and expires ones below a full list', () => {
    const s = new V3NonceStore(3);
    expect(s.accept('0xA', 10n)).toBe(true);
    expect(s.accept('0xa', 10n)).toBe(false);
    expect(s.accept('0xA', 20n)).toBe(true);
    expect(s.accept('0xA', 30n)).toBe(true);
    expect(s.accept('0xA', 5n)).toBe(false);
    expect(s.accept('0xA', 15n)).toBe(true);
    expect(s.accept('0xA', 10n)).toBe(false);
    expect(s.accept('0xB', 5n)).toBe(true);
  });
});
