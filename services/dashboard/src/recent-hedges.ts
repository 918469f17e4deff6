import type { LedgerEntry } from '@arb/bus/ledger-entry';

/** One hedge as the ledger tells it (the dashboard's "recent hedges" table). */
export interface RecentHedge {
  hedgeId: string;
  pair: string;
  direction: string | null;
  qty: number | null;
  openedAt: number | null;
  closedAt: number | null;
  realizedPnl: number | null;
  fees: number;
  volume: number;
  fills: number;
  reason: string | null;
}

/** Groups ledger entries (oldest first) by hedge; newest hedge first, at most `limit`. Pure. */
export function recentHedges(entries: readonly LedgerEntry[], limit = 20): RecentHedge[] {
  const byId = new Map<string, RecentHedge & { last: number }>();
  for (const e of entries) {
    let h = byId.get(e.hedgeId);
    if (!h) {
      h = {
        hedgeId: e.hedgeId,
        pair: e.pair,
        direction: null,
        qty: null,
        openedAt: null,
        closedAt: null,
        realizedPnl: null,
        fees: 0,
        volume: 0,
        fills: 0,
        reason: null,
        last: e.at,
      };
      byId.set(e.hedgeId, h);
    }
    h.last = Math.max(h.last, e.at);
    if (e.kind === 'fill') {
      h.fills += 1;
      h.fees += e.fee;
      h.volume += e.qty * e.price;
    } else if (e.kind === 'hedge_opened') {
      h.direction = e.direction;
      h.qty = e.qty;
      h.openedAt = e.at;
    } else {
      h.closedAt = e.at;
      h.realizedPnl = e.realizedPnl;
      h.fees = e.fees;
      h.volume = e.volume;
      h.reason = e.reason;
    }
  }
  return [...byId.values()]
    .sort((a, b) => b.last - a.last)
    .slice(0, limit)
    .map(({ last: _last, ...h }) => h);
}
