import type { SimClock } from '../engine/clock';
import type {
  SimRejectReason,
  SimRouteFaults,
  SimVenue,
  SimWsFaults,
  SimFaultControl,
} from '../engine/types';
import type { OrderRejectSource } from '../engine/venue-engine';
import type { FaultSpec } from './fault-spec';
import { routeMatches } from './route-match';

export interface ActiveFault {
  id: number;
  spec: FaultSpec;
  addedAt: number;
  /** Absolute sim time the fault stops applying; null = until used up or cleared. */
  expiresAt: number | null;
  /** Uses left for one-shot faults; null = unlimited. */
  remaining: number | null;
}

const SIM_VENUES: readonly SimVenue[] = ['aster', 'backpack'];

/**
 * The fault state both front-ends and the engines consult. See fault-spec.ts for lifetime semantics.
 * Precedence per request: maintenance (503) > http_error > rate_limit > timeout_after_execution; only the
 * fault that decides the answer is consumed (plus every matching latency fault, which adds up).
 */
export class FaultController implements SimFaultControl, OrderRejectSource {
  readonly #clock: SimClock;
  #faults: ActiveFault[] = [];
  #nextId = 1;
  readonly #history: { at: number; spec: FaultSpec }[] = [];
  readonly #disconnectListeners: Record<SimVenue, Set<() => void>> = {
    aster: new Set(),
    backpack: new Set(),
  };

  constructor(clock: SimClock) {
    this.#clock = clock;
  }

  add(spec: FaultSpec): ActiveFault {
    const now = this.#clock.now();
    this.#history.push({ at: now, spec });
    const duration = 'durationMs' in spec ? spec.durationMs : undefined;
    const count = 'count' in spec ? spec.count : undefined;
    const fault: ActiveFault = {
      id: this.#nextId++,
      spec,
      addedAt: now,
      expiresAt: duration === undefined ? null : now + duration,
      remaining: count ?? null,
    };
    if (spec.kind === 'ws_disconnect') {
      fault.remaining = 0;
      for (const v of venuesOf(spec.venue)) for (const l of [...this.#disconnectListeners[v]]) l();
      return fault;
    }
    this.#faults.push(fault);
    return fault;
  }

  /** Removes every fault (of one venue, or all). */
  clear(venue?: SimVenue): number {
    const before = this.#faults.length;
    this.#faults = venue === undefined ? [] : this.#faults.filter((f) => !appliesTo(f.spec.venue, venue));
    return before - this.#faults.length;
  }

  active(): ActiveFault[] {
    this.#prune();
    return this.#faults.map((f) => ({ ...f }));
  }

  history(): { at: number; spec: FaultSpec }[] {
    return [...this.#history];
  }

  route(venue: SimVenue, routeId: string): SimRouteFaults {
    const matching = this.#live(venue).filter(
      (f) => 'route' in f.spec && routeMatches(f.spec.route, routeId),
    );
    const out: SimRouteFaults = {
      latencyMs: 0,
      failStatus: null,
      rateLimitRetryAfterSec: null,
      afterExecution: null,
    };
    for (const f of matching) {
      if (f.spec.kind !== 'latency') continue;
      out.latencyMs += f.spec.ms;
      this.#use(f);
    }
    const maintenance = this.#live(venue).find((f) => f.spec.kind === 'maintenance');
    if (maintenance) {
      out.failStatus = 503;
      return out;
    }
    const http = matching.find((f) => f.spec.kind === 'http_error');
    if (http && http.spec.kind === 'http_error') {
      out.failStatus = http.spec.status;
      this.#use(http);
      return out;
    }
    const limited = matching.find((f) => f.spec.kind === 'rate_limit');
    if (limited && limited.spec.kind === 'rate_limit') {
      out.rateLimitRetryAfterSec = limited.spec.retryAfterSec;
      this.#use(limited);
      return out;
    }
    const after = matching.find((f) => f.spec.kind === 'timeout_after_execution');
    if (after && after.spec.kind === 'timeout_after_execution') {
      out.afterExecution = after.spec.drop ? 'drop' : { delayMs: after.spec.delayMs ?? 0 };
      this.#use(after);
    }
    return out;
  }

  ws(venue: SimVenue): SimWsFaults {
    const live = this.#live(venue);
    let stalledUntil = 0;
    let malformedRemaining = 0;
    let timestampSkewMs = 0;
    for (const f of live) {
      if (f.spec.kind === 'ws_stall') stalledUntil = Math.max(stalledUntil, f.expiresAt ?? 0);
      if (f.spec.kind === 'ws_malformed') malformedRemaining += f.remaining ?? 0;
      if (f.spec.kind === 'timestamp_skew') timestampSkewMs += f.spec.skewMs;
    }
    return { stalledUntil, malformedRemaining, timestampSkewMs };
  }

  consumeMalformed(venue: SimVenue): void {
    const f = this.#live(venue).find((x) => x.spec.kind === 'ws_malformed');
    if (f) this.#use(f);
  }

  onWsDisconnect(venue: SimVenue, listener: () => void): () => void {
    const set = this.#disconnectListeners[venue];
    set.add(listener);
    return () => set.delete(listener);
  }

  takeOrderReject(venue: SimVenue): { reason: SimRejectReason; message: string } | null {
    const f = this.#live(venue).find((x) => x.spec.kind === 'reject_orders');
    if (f?.spec.kind !== 'reject_orders') return null;
    this.#use(f);
    return { reason: f.spec.reason, message: `injected fault #${f.id}: order rejected (${f.spec.reason})` };
  }

  #live(venue: SimVenue): ActiveFault[] {
    this.#prune();
    return this.#faults.filter((f) => appliesTo(f.spec.venue, venue));
  }

  #use(f: ActiveFault): void {
    if (f.remaining !== null) f.remaining -= 1;
  }

  #prune(): void {
    const now = this.#clock.now();
    this.#faults = this.#faults.filter(
      (f) => (f.remaining === null || f.remaining > 0) && (f.expiresAt === null || now < f.expiresAt),
    );
  }
}

function appliesTo(target: SimVenue | '*', venue: SimVenue): boolean {
  return target === '*' || target === venue;
}

function venuesOf(target: SimVenue | '*'): readonly SimVenue[] {
  return target === '*' ? SIM_VENUES : [target];
}
