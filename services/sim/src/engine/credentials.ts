import { SIM_ACCOUNT, SIM_CREDENTIALS } from '@arb/config/sim-credentials';
import type { SimCredentialDirectory } from './types';

/** The simulator's well-known default account (not secrets; see @arb/config/sim-credentials). */
export function defaultCredentialDirectory(): SimCredentialDirectory {
  return {
    asterHmac: [
      {
        apiKey: SIM_CREDENTIALS.asterHmac.apiKey,
        secret: SIM_CREDENTIALS.asterHmac.secret,
        account: SIM_ACCOUNT,
      },
    ],
    asterV3: [
      { user: SIM_CREDENTIALS.asterV3.user, signer: SIM_CREDENTIALS.asterV3.signer, account: SIM_ACCOUNT },
    ],
    backpack: [{ apiKey: SIM_CREDENTIALS.backpack.apiKey, account: SIM_ACCOUNT }],
  };
}

/** Concatenates directories; on a clash (same key/address) the first one listed wins. */
export function mergeCredentials(...dirs: SimCredentialDirectory[]): SimCredentialDirectory {
  const out: SimCredentialDirectory = { asterHmac: [], asterV3: [], backpack: [] };
  for (const d of dirs) {
    for (const c of d.asterHmac) if (!out.asterHmac.some((x) => x.apiKey === c.apiKey)) out.asterHmac.push(c);
    for (const c of d.asterV3) {
      const same = (x: typeof c) =>
        x.user.toLowerCase() === c.user.toLowerCase() && x.signer.toLowerCase() === c.signer.toLowerCase();
      if (!out.asterV3.some(same)) out.asterV3.push(c);
    }
    for (const c of d.backpack) if (!out.backpack.some((x) => x.apiKey === c.apiKey)) out.backpack.push(c);
  }
  return out;
}
