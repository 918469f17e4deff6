import type { FaultController } from './fault-controller';
import type { FaultSpec } from './fault-spec';

/** A scenario's fault timeline: each fault is added to the controller when its time (ms after start) comes. */
export class FaultSchedule {
  readonly #pending: { at: number; spec: FaultSpec }[];
  readonly #faults: FaultController;

  constructor(
    faults: FaultController,
    startedAt: number,
    entries: readonly { atMs: number; fault: FaultSpec }[],
  ) {
    this.#faults = faults;
    this.#pending = entries
      .map((e) => ({ at: startedAt + e.atMs, spec: e.fault }))
      .sort((a, b) => a.at - b.at);
  }

  get pending(): number {
    return this.#pending.length;
  }

  /** Adds every fault due by time t; returns how many were added. */
  advanceTo(t: number): number {
    let n = 0;
    while (this.#pending.length > 0 && (this.#pending[0] as { at: number }).at <= t) {
      const next = this.#pending.shift() as { at: number; spec: FaultSpec };
      this.#faults.add(next.spec);
      n++;
    }
    return n;
  }
}
