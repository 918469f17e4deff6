import type { HedgeStatus } from '@arb/bus/hedge-status';
import type { LedgerEntry } from '@arb/bus/ledger-entry';
import { type HedgeState, isTerminal } from '@arb/core/hedge';
import type { FilledOutcome } from '@arb/core/order';
import { venueSymbol } from '@arb/core/venue';

/**
 * What one fold of the hedge reducer adds to the books: a fill entry for every leg that got its fill in
 * this step (with the venue's order id and fee asset when the outcome carried them), `hedge_opened` when
 * both open legs filled, `hedge_closed` when the hedge ended. Derived from the before/after states, so a
 * duplicate outcome (no state change) writes nothing.
 */
export function ledgerEntriesFor(
  before: HedgeState | null,
  after: HedgeState,
  fills: readonly { legId: string; outcome: FilledOutcome }[] = [],
): LedgerEntry[] {
  const out: LedgerEntry[] = [];
  for (const leg of after.legs) {
    if (!leg.fill) continue;
    if (before?.legs.find((l) => l.id === leg.id)?.fill) continue;
    const venueFill = fills.find((f) => f.legId === leg.id)?.outcome;
    out.push({
      v: 1,
      kind: 'fill',
      hedgeId: after.id,
      pair: after.pair,
      at: Math.trunc(leg.fill.executedAt),
      role: leg.role,
      attempt: leg.attempt,
      legId: leg.id,
      venue: leg.venue,
      symbol: venueSymbol(leg.venue, after.pair),
      side: leg.side,
      qty: leg.fill.qty,
      price: leg.fill.avgPrice,
      fee: leg.fill.fee,
      feeAsset: venueFill?.feeAsset ?? '',
      clientOrderId: leg.clientOrderId,
      venueOrderId: venueFill?.venueOrderId ?? '',
    });
  }
  if ((before?.openedAt ?? null) === null && after.openedAt !== null) {
    out.push({
      v: 1,
      kind: 'hedge_opened',
      hedgeId: after.id,
      pair: after.pair,
      at: Math.trunc(after.openedAt),
      direction: after.direction,
      qty: after.qty,
    });
  }
  if (isTerminal(after.phase) && !(before && isTerminal(before.phase))) {
    out.push({
      v: 1,
      kind: 'hedge_closed',
      hedgeId: after.id,
      pair: after.pair,
      at: Math.trunc(after.closedAt ?? after.updatedAt),
      realizedPnl: after.realizedPnl,
      fees: after.fees,
      volume: after.volume,
      reason: closeReasonText(after),
    });
  }
  return out;
}

export function closeReasonText(s: HedgeState): string {
  if (s.writtenOff !== null) return `written_off: ${s.writtenOff}`;
  if (s.closeReason !== null) return s.closeReason;
  return s.phase === 'failed' ? (s.openedAt === null ? 'open_failed' : 'failed') : s.phase;
}

/** Risk's summary of a hedge for other processes (hedge-status.ts). */
export function statusOf(s: HedgeState): HedgeStatus {
  return {
    v: 1,
    hedgeId: s.id,
    pair: s.pair,
    phase: s.phase,
    openedAt: s.openedAt === null ? null : Math.trunc(s.openedAt),
    closedAt: s.closedAt === null ? null : Math.trunc(s.closedAt),
    exposure: { aster: s.exposure.aster, backpack: s.exposure.backpack },
    note: noteOf(s),
    updatedAt: Math.trunc(s.updatedAt),
  };
}

function noteOf(s: HedgeState): string {
  const legs = s.legs.map(
    (l) => `${l.venue} ${l.role}${l.attempt} ${l.status}${l.error ? ` (${l.error})` : ''}`,
  );
  return `${s.phase}${isTerminal(s.phase) ? ` (${closeReasonText(s)})` : ''}: ${legs.join(', ')}`.slice(
    0,
    500,
  );
}
