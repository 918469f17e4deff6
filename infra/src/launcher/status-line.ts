import { readControlFlags } from '@arb/bus/control-flags';
import { readActiveHedge } from '@arb/bus/hedge-store';
import type { RedisNames } from '@arb/bus/keys';
import { readLatestQuote } from '@arb/bus/quote-bus';
import type { AppConfig } from '@arb/config/config';
import { formatSpreadStatus, spreadStatus } from '@arb/core/spread-status';
import { readStatusSnapshot, renderStatus } from '@arb/dashboard/status-line';
import type { Redis } from 'ioredis';

/**
 * The launcher's status line (every STATUS_INTERVAL_MS): the dashboard's status module (books, spreads
 * against thresholds and break-even, feeds, hedge, hold reason, daily stats), the same text as
 * `npm run cli -- status`. Should it fail on a tick, a minimal line read here from Redis takes its place
 * (both books, best executable spread and break-even, quote ages, trading flags, the active hedge).
 */
export async function renderLauncherStatus(
  redis: Redis,
  names: RedisNames,
  config: AppConfig,
  now: () => number = Date.now,
): Promise<string> {
  try {
    return renderStatus(await readStatusSnapshot(redis, names, config));
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return `${await minimalStatus(redis, names, config, now())} | (full status unavailable: ${why})`;
  }
}

export async function minimalStatus(
  redis: Redis,
  names: RedisNames,
  config: AppConfig,
  now: number,
): Promise<string> {
  const [aster, backpack, flags, active] = await Promise.all([
    readLatestQuote(redis, names, 'aster', config.pair),
    readLatestQuote(redis, names, 'backpack', config.pair),
    readControlFlags(redis, names),
    readActiveHedge(redis, names, config.pair).catch(() => null),
  ]);
  const status = spreadStatus({ aster, backpack }, config.strategy.tradeQty, config.strategy.fees, now);
  const age = (ms: number | undefined) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)}s`);
  const ages = `age A ${age(status.books.aster?.ageMs)} B ${age(status.books.backpack?.ageMs)}`;
  const trading = flags.killed
    ? 'KILLED'
    : flags.paused
      ? `paused${flags.reason ? ` (${flags.reason})` : ''}`
      : flags.reconciled
        ? 'trading'
        : 'not reconciled (no opens)';
  let hedge = 'no hedge';
  if (active) {
    const phase = active.status?.phase ?? 'opening';
    const since = active.status?.openedAt ?? active.open?.createdAt;
    hedge = `hedge ${active.hedgeId} ${phase}${since ? ` ${age(now - since)}` : ''}`;
  }
  const time = new Date(now).toISOString().slice(11, 19);
  return `${time} ${formatSpreadStatus(status)} | open>=${config.strategy.openThreshold} close<${config.strategy.closeThreshold} | ${ages} | ${trading} | ${hedge}`;
}
