import { FaultSchedule } from '../faults/fault-schedule';
import type { SimCore } from './sim-core';

export interface SimDriver {
  schedule: FaultSchedule;
  /** Runs the market and the fault schedule up to the clock's now (the timer does this on its own). */
  step(): void;
  stop(): void;
}

/**
 * Moves a SimCore along its clock in real time: a short timer advances the market (which publishes book
 * changes) and adds the scenario's scheduled faults when due. With a ManualClock the timer is harmless:
 * nothing moves until the test advances the clock.
 */
export function startSimDriver(core: SimCore, intervalMs = 10): SimDriver {
  const schedule = new FaultSchedule(core.faults, core.market.startedAt, core.scenario.faults);
  const step = () => {
    const now = core.clock.now();
    schedule.advanceTo(now);
    core.market.advanceTo(now);
  };
  step();
  const timer = setInterval(step, intervalMs);
  timer.unref();
  return { schedule, step, stop: () => clearInterval(timer) };
}
