/** The simulator's notion of time (epoch ms). Inject a ManualClock in tests for deterministic runs. */
export interface SimClock {
  now(): number;
}

export const systemClock: SimClock = { now: () => Date.now() };

/** A clock that only moves when told to. */
export class ManualClock implements SimClock {
  #now: number;

  constructor(startMs = 1_767_225_600_000) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  advance(ms: number): number {
    if (ms < 0) throw new RangeError('ManualClock cannot go back in time');
    this.#now += ms;
    return this.#now;
  }

  set(ms: number): void {
    if (ms < this.#now) throw new RangeError('ManualClock cannot go back in time');
    this.#now = ms;
  }
}
