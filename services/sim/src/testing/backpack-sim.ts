import type { SimCore } from '../engine/sim-core';
import { type FaultSpecInput, FaultSpecSchema } from '../faults/fault-spec';
import { startSim } from '../start-sim';

export interface BackpackSim {
  core: SimCore;
  restUrl: string;
  wsUrl: string;
  /** Injects one fault through the simulator's own fault controller. */
  fault(spec: FaultSpecInput): void;
  close(): Promise<void>;
}

/** The whole simulator in process on free ports (admin API off), for tests of Backpack clients. */
export async function startBackpackSim(seed = 7): Promise<BackpackSim> {
  const sim = await startSim({
    host: '127.0.0.1',
    asterPort: 0,
    backpackPort: 0,
    adminPort: 0,
    seed,
    adminEnabled: false,
  });
  return {
    core: sim.core,
    restUrl: sim.backpack.restUrl,
    wsUrl: sim.backpack.wsUrl,
    fault: (spec) => {
      sim.faults.add(FaultSpecSchema.parse(spec));
    },
    close: () => sim.close(),
  };
}
