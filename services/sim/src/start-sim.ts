import { startAdminServer } from './admin/server';
import { startAsterVenue } from './aster/server';
import { startBackpackVenue } from './backpack/server';
import type { SimClock } from './engine/clock';
import { defaultCredentialDirectory, mergeCredentials } from './engine/credentials';
import { startSimDriver } from './engine/driver';
import { createSimCore, type SimCore } from './engine/sim-core';
import type { RunningVenue, SimCredentialDirectory, SimVenue } from './engine/types';
import type { VenueEngine } from './engine/venue-engine';
import type { FaultController } from './faults/fault-controller';
import { startLiveQuoteFeed } from './market/live-quotes';
import { loadScenario, type Scenario, type ScenarioInput } from './market/scenario';

export interface StartSimOptions {
  host: string;
  /** 0 = any free port (tests). */
  asterPort: number;
  backpackPort: number;
  adminPort: number;
  /** Overrides the scenario's seed. */
  seed?: number;
  /** A scenario file path, a parsed scenario or raw scenario JSON; default: a quiet random walk. */
  scenario?: string | Scenario | ScenarioInput;
  /** Extra accepted credentials; the well-known sim account (@arb/config/sim-credentials) is always added. */
  credentials?: SimCredentialDirectory;
  /** Default: the system clock. A ManualClock makes the market move only when the test advances it. */
  clock?: SimClock;
  /** The admin API (sim mode only). Default true. */
  adminEnabled?: boolean;
  /**
   * Paper mode: follow these venues' public bookTicker streams (WS base URLs) so orders fill against real
   * prices; depth behind the real top of book is synthesized. Books stay empty (market orders rejected
   * 'no_liquidity') until the first real quote arrives.
   */
  liveQuotes?: Partial<Record<SimVenue, string>>;
  /** Problems of the live quote feeds (malformed frames, reconnects). */
  onLiveQuoteIssue?: (venue: SimVenue, issue: { kind: string; detail: string }) => void;
}

export interface RunningSim {
  aster: RunningVenue;
  backpack: RunningVenue;
  /** Base URL of the admin API ('' when adminEnabled is false). */
  adminUrl: string;
  engines: Record<SimVenue, VenueEngine>;
  faults: FaultController;
  core: SimCore;
  close(): Promise<void>;
}

/**
 * Starts the whole simulator in-process: market + engines, the AsterDex and Backpack front-ends, the
 * admin API and the real-time driver (which also adds the scenario's scheduled faults). Tests in other
 * packages use this with ports 0; services/sim/src/main.ts is the standalone service.
 */
export async function startSim(opts: StartSimOptions): Promise<RunningSim> {
  const scenario = typeof opts.scenario === 'string' ? await loadScenario(opts.scenario) : opts.scenario;
  const core = await createSimCore({
    ...(opts.seed === undefined ? {} : { seed: opts.seed }),
    ...(scenario === undefined ? {} : { scenario }),
    ...(opts.clock ? { clock: opts.clock } : {}),
    awaitExternalTops: (['aster', 'backpack'] as const).filter((v) => Boolean(opts.liveQuotes?.[v])),
  });
  const credentials = mergeCredentials(defaultCredentialDirectory(), opts.credentials ?? emptyDirectory());
  const driver = startSimDriver(core);
  const closers: (() => Promise<void> | void)[] = [() => driver.stop(), () => core.close()];
  const closeAll = async () => {
    for (const c of closers.splice(0).reverse()) {
      try {
        await c();
      } catch {
        // keep closing the rest
      }
    }
  };
  try {
    for (const venue of ['aster', 'backpack'] as const) {
      const wsUrl = opts.liveQuotes?.[venue];
      if (!wsUrl) continue;
      const feed = startLiveQuoteFeed({
        venue,
        wsUrl,
        onTop: (top) => core.market.setExternalTop(venue, top),
        onIssue: (issue) => opts.onLiveQuoteIssue?.(venue, issue),
      });
      closers.push(() => feed.close());
    }
    const common = { faults: core.faults, credentials, host: opts.host };
    const aster = await startAsterVenue({ ...common, engine: core.engines.aster, port: opts.asterPort });
    closers.push(() => aster.close());
    const backpack = await startBackpackVenue({
      ...common,
      engine: core.engines.backpack,
      port: opts.backpackPort,
    });
    closers.push(() => backpack.close());
    let adminUrl = '';
    if (opts.adminEnabled ?? true) {
      const admin = await startAdminServer({
        core,
        host: opts.host,
        port: opts.adminPort,
        venueUrls: {
          aster: { restUrl: aster.restUrl, wsUrl: aster.wsUrl },
          backpack: { restUrl: backpack.restUrl, wsUrl: backpack.wsUrl },
        },
      });
      closers.push(() => admin.close());
      adminUrl = admin.url;
    }
    return { aster, backpack, adminUrl, engines: core.engines, faults: core.faults, core, close: closeAll };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

function emptyDirectory(): SimCredentialDirectory {
  return { asterHmac: [], asterV3: [], backpack: [] };
}
