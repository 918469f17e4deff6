import { LEG_ROLES, type LegRole } from '@arb/core/hedge';
import { VENUES } from '@arb/core/venue';
import type { AdminFill, AdminOrder, AdminReject } from '@arb/sim/admin/client';
import { backpackClientId } from '@arb/venue-backpack/client-id';
import type { Stack } from '@arb/e2e/stack';
import { waitFor } from '@arb/testkit/wait';
import { type NakedReport, nakedTime } from './naked-time';

/**
 * The invariants asserted after every scenario, from the simulators' own order, fill, position, reject and
 * fault logs (the admin API), checked against the product's ledger and hedge records in Redis:
 * - no duplicate orders: client order ids unique per venue, at most one venue order per leg, no order
 *   refused as a duplicate client id, no order without a client id;
 * - no lost fills: every simulator fill is in the ledger (same venue order, quantity, price, fee), and the
 *   ledger has no fill the simulator does not;
 * - net BTC across both venues back to zero; the longest naked episode (from fill times) within a bound;
 * - no open order sent while a feed was stalled or skewed past the freshness limits (fault windows from the
 *   simulator's fault history);
 * - no secret value in any line of any process's output; no service died on its own.
 */
export interface InvariantOptions {
  /** Scenario start (epoch ms; the simulator runs on the system clock). */
  since: number;
  /** Longest acceptable naked episode (s). */
  nakedBoundS: number;
  /** PRICE_VALIDITY_MS of the stack (quotes older than this are never traded). */
  priceValidityMs: number;
  /** How old a decision may be when its order leaves the worker (the workers use PRICE_VALIDITY_MS). */
  maxDecisionAgeMs: number;
  /** MAX_QUOTE_SKEW_MS of the stack. */
  maxQuoteSkewMs: number;
  /** Labels of processes the scenario killed on purpose (their exit is not a failure). */
  killed?: readonly string[];
  /** How long to wait for the ledger to catch up with the simulators and for net BTC to reach zero. */
  settleTimeoutMs?: number;
}

export interface InvariantReport {
  violations: string[];
  orders: number;
  fills: number;
  naked: NakedReport;
  /** Positions at the end (signed BTC). */
  positions: { aster: number; backpack: number };
}

const round8 = (x: number): number => Number(x.toFixed(8));

interface Leg {
  hedgeId: string;
  venue: string;
  role: LegRole;
  attempt: number;
  legId: string;
}

/** Every leg id the scenario's hedges could have used, by the venue's wire client id. */
function legIndex(hedgeIds: readonly string[]): Map<string, Leg> {
  const out = new Map<string, Leg>();
  for (const hedgeId of hedgeIds)
    for (const venue of VENUES)
      for (const role of LEG_ROLES)
        for (let attempt = 1; attempt <= 6; attempt++) {
          const legId = `${hedgeId}-${venue}-${role}${attempt}`;
          const wire = venue === 'backpack' ? String(backpackClientId(legId)) : legId;
          out.set(`${venue}|${wire}`, { hedgeId, venue, role, attempt, legId });
        }
  return out;
}

/** Quote-poisoning fault windows [from, to] (epoch ms) per venue, from the simulator's fault history. */
export function poisonedWindows(
  history: readonly { at: number; spec: unknown }[],
  o: Pick<InvariantOptions, 'since' | 'priceValidityMs' | 'maxDecisionAgeMs' | 'maxQuoteSkewMs'>,
): { venue: string; kind: string; from: number; to: number }[] {
  const out: { venue: string; kind: string; from: number; to: number }[] = [];
  // A quote received just before the fault stays tradable for priceValidityMs, and a decision on it may
  // reach the venue up to maxDecisionAgeMs later: only orders after both limits are on a bad quote.
  const grace = o.priceValidityMs + o.maxDecisionAgeMs;
  for (const { at, spec } of history) {
    if (at < o.since) continue;
    const s = spec as { kind: string; venue: string; durationMs?: number; skewMs?: number };
    if (s.durationMs === undefined) continue;
    const poisoned =
      s.kind === 'ws_stall' || (s.kind === 'timestamp_skew' && Math.abs(s.skewMs ?? 0) > o.maxQuoteSkewMs);
    if (!poisoned || s.durationMs <= grace) continue;
    for (const venue of s.venue === '*' ? VENUES : [s.venue])
      out.push({ venue, kind: s.kind, from: at + grace, to: at + s.durationMs });
  }
  return out;
}

export async function checkInvariants(stack: Stack, o: InvariantOptions): Promise<InvariantReport> {
  const violations: string[] = [];
  const settle = o.settleTimeoutMs ?? 60_000;

  // Net BTC back to zero (venue truth), waited for within the settle time.
  let positions = { aster: Number.NaN, backpack: Number.NaN };
  try {
    positions = await waitFor(
      async () => {
        const p = await stack.positions();
        return round8(p.aster + p.backpack) === 0 ? p : null;
      },
      { timeoutMs: settle, message: 'net BTC across both venues back to zero' },
    );
  } catch {
    positions = await stack.positions();
    violations.push(
      `net BTC not zero after ${settle / 1000} s: aster ${positions.aster}, backpack ${positions.backpack}`,
    );
  }

  const orders: AdminOrder[] = await stack.admin.orders({ account: 'main' });
  const rejects: AdminReject[] = await stack.admin.rejects({ account: 'main' });

  // No duplicate orders.
  const byClientId = new Map<string, AdminOrder[]>();
  for (const ord of orders) {
    if (ord.clientOrderId === null) {
      violations.push(`${ord.venue} order ${ord.orderId} sent without a client order id`);
      continue;
    }
    const k = `${ord.venue}|${ord.clientOrderId}`;
    byClientId.set(k, [...(byClientId.get(k) ?? []), ord]);
  }
  for (const [k, list] of byClientId)
    if (list.length > 1) violations.push(`duplicate orders for client id ${k}: ${list.length}`);
  for (const r of rejects)
    if (r.reason === 'duplicate_client_order_id')
      violations.push(`${r.venue} refused a resend of client id ${r.input.clientOrderId} (duplicate)`);

  const hedgeIds = await stack.hedgeIds();
  const legs = legIndex(hedgeIds);
  const perLeg = new Map<string, number>();
  for (const ord of orders) {
    const leg = legs.get(`${ord.venue}|${ord.clientOrderId}`);
    if (leg) perLeg.set(leg.legId, (perLeg.get(leg.legId) ?? 0) + 1);
  }
  for (const [legId, n] of perLeg) if (n > 1) violations.push(`leg ${legId} has ${n} venue orders`);

  // No lost fills: the simulator's fills per (venue, order) equal the ledger's, within the settle time.
  const simFills: AdminFill[] = await stack.admin.fills({ account: 'main' });
  // Keys carry the wire client id as well as the venue order id: simulator order ids restart after the
  // simulator's reset between scenarios, client ids (derived from hedge ids) never repeat.
  const simAgg = aggregate(
    simFills.map((f) => ({
      key: `${f.venue}|${f.clientOrderId}|${f.orderId}`,
      qty: f.qty,
      price: f.price,
      fee: f.fee,
      what: `${f.venue} order ${f.orderId}`,
    })),
  );
  // This scenario's hedges: those created since it started, and any its simulator orders belong to.
  const mine = new Set<string>();
  for (const id of hedgeIds) {
    const h = await stack.hedge(id);
    if ((h?.open?.createdAt ?? 0) >= o.since) mine.add(id);
  }
  for (const ord of orders) {
    const leg = legs.get(`${ord.venue}|${ord.clientOrderId}`);
    if (leg) mine.add(leg.hedgeId);
  }
  let lost: string[] = [];
  try {
    await waitFor(
      async () => {
        const ledger = (await stack.ledger()).filter(
          (e) => e.kind === 'fill' && (mine.has(e.hedgeId) || e.at >= o.since),
        );
        const led = aggregate(
          ledger.flatMap((e) =>
            e.kind === 'fill'
              ? [
                  {
                    key: `${e.venue}|${e.venue === 'backpack' ? backpackClientId(e.clientOrderId) : e.clientOrderId}|${e.venueOrderId}`,
                    qty: e.qty,
                    price: e.price,
                    fee: e.fee,
                    what: `ledger ${e.legId} (${e.venue} order ${e.venueOrderId}, at ${e.at})`,
                  },
                ]
              : [],
          ),
        );
        lost = compareFills(simAgg, led);
        return lost.length === 0;
      },
      { timeoutMs: settle, message: 'ledger has every simulator fill' },
    );
  } catch {
    violations.push(...lost);
  }

  // No open order on a stale or skewed quote.
  const windows = poisonedWindows((await stack.admin.faults()).history, o);
  for (const ord of orders) {
    const leg = legs.get(`${ord.venue}|${ord.clientOrderId}`);
    if (leg?.role !== 'open') continue;
    for (const w of windows)
      if (ord.createdAt >= w.from && ord.createdAt <= w.to)
        violations.push(
          `open order ${leg.legId} sent at ${ord.createdAt} while ${w.venue} quotes were ${w.kind === 'ws_stall' ? 'stale (stall)' : 'skewed'} (${w.from}..${w.to})`,
        );
  }

  // Naked time from the simulators' fill times.
  const naked = nakedTime(
    simFills.map((f) => ({ venue: f.venue, side: f.side, qty: f.qty, time: f.time })),
    { until: Date.now() },
  );
  if (naked.longestSeconds > o.nakedBoundS)
    violations.push(`naked for ${naked.longestSeconds.toFixed(1)} s (bound ${o.nakedBoundS} s)`);

  // No secret in any process's output; no service died on its own.
  for (const leak of stack.secretLeaks()) violations.push(`secret in output: ${leak}`);
  for (const [label, p] of stack.procs)
    if (p.exit && !o.killed?.includes(label))
      violations.push(`${label} exited on its own (code ${p.exit.code}, signal ${p.exit.signal})`);

  return { violations, orders: orders.length, fills: simFills.length, naked, positions };
}

interface Agg {
  what: string;
  qty: number;
  notional: number;
  fee: number;
}

function aggregate(
  rows: { key: string; qty: number; price: number; fee: number; what: string }[],
): Map<string, Agg> {
  const out = new Map<string, Agg>();
  for (const r of rows) {
    const a = out.get(r.key) ?? { what: r.what, qty: 0, notional: 0, fee: 0 };
    a.qty += r.qty;
    a.notional += r.qty * r.price;
    a.fee += r.fee;
    out.set(r.key, a);
  }
  return out;
}

function compareFills(sim: Map<string, Agg>, ledger: Map<string, Agg>): string[] {
  const out: string[] = [];
  for (const [k, s] of sim) {
    const l = ledger.get(k);
    if (!l) {
      out.push(`fill of ${s.what} (${round8(s.qty)} BTC) missing from the ledger`);
      continue;
    }
    if (round8(l.qty) !== round8(s.qty))
      out.push(`fill of ${s.what}: ledger qty ${l.qty} != simulator ${s.qty}`);
    if (Math.abs(l.fee - s.fee) > 1e-6)
      out.push(`fill of ${s.what}: ledger fee ${l.fee} != simulator ${s.fee}`);
    if (Math.abs(l.notional - s.notional) > 1e-4 * Math.max(1, s.qty))
      out.push(`fill of ${s.what}: ledger notional ${l.notional} != simulator ${s.notional}`);
  }
  for (const [k, l] of ledger) if (!sim.has(k)) out.push(`${l.what} has no simulator fill`);
  return out;
}
