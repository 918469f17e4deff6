import { SIM_CREDENTIALS } from '@arb/config/sim-credentials';
import ccxt from 'ccxt';
import { defaultCredentialDirectory } from '../engine/credentials';
import { createSimCore, type SimCore } from '../engine/sim-core';
import type { RunningVenue } from '../engine/types';
import { type FaultSpecInput, FaultSpecSchema } from '../faults/fault-spec';
import { type BackpackVenueOptions, startBackpackVenue } from './server';

/** Test-only: a real engine (seeded) with the Backpack front-end on a free port, driven in real time. */
export interface BackpackTestVenue {
  core: SimCore;
  venue: RunningVenue;
  /** CCXT's unmodified `backpack` class with only its URLs pointed at the simulator. */
  rest(options?: Record<string, unknown>): InstanceType<typeof ccxt.backpack>;
  /** ccxt.pro `backpack`; CCXT needs loadHttpProxyAgent() before it opens a plain ws:// URL. */
  pro(options?: Record<string, unknown>): Promise<InstanceType<typeof ccxt.pro.backpack>>;
  fault(spec: FaultSpecInput): void;
  stop(): Promise<void>;
}

export async function startBackpackTestVenue(ws?: BackpackVenueOptions['ws']): Promise<BackpackTestVenue> {
  const core = await createSimCore({ seed: 11 });
  const driver = setInterval(() => core.market.advanceTo(Date.now()), 20);
  const venue = await startBackpackVenue({
    engine: core.engines.backpack,
    faults: core.faults,
    credentials: defaultCredentialDirectory(),
    host: '127.0.0.1',
    port: 0,
    ...(ws ? { ws } : {}),
  });
  const keys = { apiKey: SIM_CREDENTIALS.backpack.apiKey, secret: SIM_CREDENTIALS.backpack.secret };
  const clients: { close(): Promise<unknown> }[] = [];
  return {
    core,
    venue,
    rest(options = {}) {
      const ex = new ccxt.backpack({ ...keys, ...options });
      ex.urls.api = { public: venue.restUrl, private: venue.restUrl };
      return ex;
    },
    async pro(options = {}) {
      const ex = new ccxt.pro.backpack({ ...keys, ...options });
      await ex.loadHttpProxyAgent();
      ex.urls.api = {
        public: venue.restUrl,
        private: venue.restUrl,
        ws: { public: venue.wsUrl, private: venue.wsUrl },
      };
      clients.push(ex);
      return ex;
    },
    fault(spec) {
      core.faults.add(FaultSpecSchema.parse(spec));
    },
    async stop() {
      for (const c of clients) await c.close().catch(() => undefined);
      clearInterval(driver);
      await venue.close();
      core.close();
    },
  };
}

/** Polls until `check` returns a value other than undefined (no timed assertions: generous deadline). */
export async function waitFor<T>(check: () => T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** waitFor with an async check. */
export async function waitForAsync<T>(
  check: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
