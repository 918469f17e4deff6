import { startBackpackVenue } from '@arb/sim/backpack/server';
import { defaultCredentialDirectory } from '@arb/sim/engine/credentials';
import { startSimDriver } from '@arb/sim/engine/driver';
import { createSimCore, type SimCore } from '@arb/sim/engine/sim-core';
import { type FaultSpecInput, FaultSpecSchema } from '@arb/sim/faults/fault-spec';

export interface BackpackSim {
  core: SimCore;
  restUrl: string;
  wsUrl: string;
  /** Injects one fault (the simulator's own fault controller). */
  fault(spec: FaultSpecInput): void;
  close(): Promise<void>;
}

/**
 * The simulator's Backpack venue (engine + market model + real HTTP/WS front-end) on a free port, in
 * process. Only the Backpack front-end: lighter than the full simulator for these tests.
 */
export async function startBackpackSim(seed = 7): Promise<BackpackSim> {
  const core = await createSimCore({ seed });
  const driver = startSimDriver(core);
  const venue = await startBackpackVenue({
    engine: core.engines.backpack,
    faults: core.faults,
    credentials: defaultCredentialDirectory(),
    host: '127.0.0.1',
    port: 0,
  });
  return {
    core,
    restUrl: venue.restUrl,
    wsUrl: venue.wsUrl,
    fault: (spec) => {
      core.faults.add(FaultSpecSchema.parse(spec));
    },
    close: async () => {
      await venue.close();
      driver.stop();
      core.close();
    },
  };
}
