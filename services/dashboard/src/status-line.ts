import type { DailyStats } from '@arb/core/daily-stats';
import type { HedgeDirection } from '@arb/core/direction';
import type { VenueId } from '@arb/core/venue';
import type { FeedView, StatusSnapshot } from './status-snapshot';

export { readStatusSnapshot, type StatusConfig, type StatusSnapshot } from './status-snapshot';

const VENUE_LABEL: Record<VenueId, string> = { aster: 'Aster', backpack: 'Backpack' };
const DIRECTION_SHORT: Record<HedgeDirection, string> = {
  buy_aster_sell_backpack: 'buy Aster/sell Backpack',
  buy_backpack_sell_aster: 'buy Backpack/sell Aster',
};

/** "1m05s", "2h03m", "850ms". */
export function formatAge(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '-';
  if (ms < 0) return `${Math.round(ms)}ms`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

const signed = (n: number, digits = 2) => `${n >= 0 ? '+' : ''}${n.toFixed(digits)}`;
const price = (n: number) => n.toFixed(1);

function feedPart(venue: VenueId, f: FeedView): string {
  const state = f.reportAgeMs === null ? 'down' : f.healthy ? 'ok' : f.connected ? 'late' : 'disconnected';
  return `${VENUE_LABEL[venue]} ${state} quote ${formatAge(f.quoteAgeMs)} reconnects ${f.reconnects}`;
}

/**
 * The status line (several short lines, same information as the original's 3-second line, richer):
 * books, executable spread each direction against the thresholds and the fee break-even, feed ages,
 * the hedge with its age and PnL, the strategy's hold reason and the control flags. Pure.
 */
export function renderStatusLine(s: StatusSnapshot): string {
  const time = new Date(s.at).toISOString().replace('T', ' ').slice(0, 19);
  const books = (['aster', 'backpack'] as const)
    .map((v) => {
      const b = s.spread.books[v];
      return b
        ? `${VENUE_LABEL[v]} ${price(b.bid)}/${price(b.ask)} (${price(b.mid)})`
        : `${VENUE_LABEL[v]} -/-`;
    })
    .join('  ');
  const spreads = (Object.keys(DIRECTION_SHORT) as HedgeDirection[])
    .map((d) => {
      const v = s.spread.open[d];
      return `${DIRECTION_SHORT[d]} ${v === null ? 'n/a' : signed(v)}`;
    })
    .join('  ');
  const be = s.spread.breakEven === null ? 'n/a' : s.spread.breakEven.toFixed(2);
  const t = s.thresholds;
  const lines = [
    `[${time}Z] ${s.pair}  ${books}`,
    `  spread  ${spreads} USD  (open >= ${t.open}, close < ${t.close}, break-even ${be}, size ${t.tradeQty})`,
    `  feeds   ${feedPart('aster', s.feeds.aster)}  |  ${feedPart('backpack', s.feeds.backpack)}`,
    `  hedge   ${hedgePart(s)}`,
    `  state   ${decisionPart(s)}${controlPart(s)}`,
  ];
  return lines.join('\n');
}

function hedgePart(s: StatusSnapshot): string {
  const h = s.hedge;
  if (!h) return 'none';
  const parts = [
    `${h.hedgeId} ${h.phase}`,
    `${DIRECTION_SHORT[h.direction]} ${h.qty}`,
    `age ${formatAge(h.ageMs)}`,
  ];
  parts.push(`unwind ${h.unwindSpread === null ? 'n/a' : h.unwindSpread.toFixed(2)}`);
  parts.push(`uPnL ${h.unrealizedPnl === null ? 'n/a' : `${signed(h.unrealizedPnl)} USD`}`);
  if (h.note) parts.push(h.note);
  return parts.join(', ');
}

function decisionPart(s: StatusSnapshot): string {
  const d = s.decision;
  if (d.kind === 'hold') return `hold: ${d.reason}${d.detail ? ` (${d.detail})` : ''}`;
  return `${d.kind} due: ${d.detail}`;
}

function controlPart(s: StatusSnapshot): string {
  const c = s.control;
  const flags = [
    c.killed ? 'KILLED' : null,
    c.paused ? 'PAUSED' : null,
    c.reconciled ? null : 'not reconciled',
  ]
    .filter((x) => x !== null)
    .join(', ');
  if (!flags) return '';
  const why = c.reason ? ` — ${c.reason}${c.updatedBy ? ` by ${c.updatedBy}` : ''}` : '';
  return `  [${flags}${why}]`;
}

/** The daily stats block as the original printed it (volume, trades, open positions, PnL). Pure. */
export function renderDailyStats(d: DailyStats): string {
  return [
    `Daily stats ${d.day} (${d.timeZone})`,
    `  Volume:         ${d.volume.toFixed(2)} USD`,
    `  Trades:         ${d.trades}`,
    `  Open positions: ${d.openPositions}`,
    `  PnL:            ${signed(d.realizedPnl)} USD (fees ${d.fees.toFixed(2)}, hedges opened ${d.hedgesOpened}, closed ${d.hedgesClosed})`,
  ].join('\n');
}

/** Status line and daily stats block together: what the launcher prints every STATUS_INTERVAL_MS. */
export function renderStatus(s: StatusSnapshot): string {
  return `${renderStatusLine(s)}\n${renderDailyStats(s.daily)}`;
}
