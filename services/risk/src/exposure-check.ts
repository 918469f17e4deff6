import { sumDecimal } from '@arb/core/decimal';
import type { HedgeState } from '@arb/core/hedge';
import { isTerminal, outstandingLegs } from '@arb/core/hedge';
import type { Side } from '@arb/core/order';
import { type VenueId, VENUES } from '@arb/core/venue';

/** What the venues say, per venue: the signed position and how many orders are resting. */
export interface VenueTruth {
  position: Record<VenueId, number>;
  openOrders: Record<VenueId, number>;
}

export interface FlattenOrder {
  venue: VenueId;
  side: Side;
  qty: number;
}

export type ExposureVerdict =
  /** Legs are in flight: positions are moving, nothing can be concluded this round. */
  | { kind: 'busy'; reason: string }
  | {
      kind: 'ok' | 'drift';
      /** Signed base position the ledger expects per venue (sum of live hedges' exposure). */
      expected: Record<VenueId, number>;
      /** Venue position minus expected, per venue. */
      drift: Record<VenueId, number>;
      /** Net BTC across both venues from venue truth. */
      net: number;
      /** Resting orders on a venue (the product only sends IOC/market orders: any is foreign). */
      foreignOrders: Record<VenueId, number>;
      /** Reduce-only orders that bring each drifting venue back to what the ledger expects. */
      flatten: FlattenOrder[];
      /** Drift that a reduce-only order cannot fix (the venue holds less than expected, or the other side). */
      unfixable: VenueId[];
      message: string;
    };

/**
 * Compares venue truth with the ledger's expected exposure. Drift on a venue is its position minus what
 * the live hedges' fills imply; beyond `tolerance` (base units) on either venue, or with resting orders,
 * the verdict is `drift`. Live hedges with legs in flight (or a flatten in flight) make it `busy`.
 */
export function checkExposure(input: {
  truth: VenueTruth;
  hedges: readonly HedgeState[];
  tolerance: number;
  flattenInFlight: number;
}): ExposureVerdict {
  const live = input.hedges.filter((h) => !isTerminal(h.phase));
  const moving = live.filter((h) => outstandingLegs(h).length > 0);
  if (moving.length > 0) {
    return { kind: 'busy', reason: `legs in flight on ${moving.map((h) => h.id).join(', ')}` };
  }
  if (input.flattenInFlight > 0)
    return { kind: 'busy', reason: `${input.flattenInFlight} flatten orders in flight` };
  const expected = { aster: 0, backpack: 0 } as Record<VenueId, number>;
  const drift = { aster: 0, backpack: 0 } as Record<VenueId, number>;
  const flatten: FlattenOrder[] = [];
  const unfixable: VenueId[] = [];
  const problems: string[] = [];
  for (const v of VENUES) {
    expected[v] = sumDecimal(live.map((h) => h.exposure[v]));
    drift[v] = sumDecimal([input.truth.position[v], -expected[v]]);
    if (Math.abs(drift[v]) <= input.tolerance) continue;
    problems.push(`${v} holds ${input.truth.position[v]} BTC, ledger expects ${expected[v]}`);
    const pos = input.truth.position[v];
    // Reduce-only can only move the position toward zero without crossing it.
    const target = expected[v];
    if (pos !== 0 && target * pos >= 0 && Math.abs(target) < Math.abs(pos)) {
      flatten.push({ venue: v, side: pos > 0 ? 'sell' : 'buy', qty: Math.abs(drift[v]) });
    } else unfixable.push(v);
  }
  for (const v of VENUES) {
    if (input.truth.openOrders[v] > 0) problems.push(`${v} has ${input.truth.openOrders[v]} resting orders`);
  }
  const net = sumDecimal(VENUES.map((v) => input.truth.position[v]));
  return {
    kind: problems.length === 0 ? 'ok' : 'drift',
    expected,
    drift,
    net,
    foreignOrders: { ...input.truth.openOrders },
    flatten,
    unfixable,
    message: problems.length === 0 ? 'venues match the ledger' : problems.join('; '),
  };
}
