import { readControlFlags } from '@arb/bus/control-flags';
import { readActiveHedge } from '@arb/bus/hedge-store';
import type { RedisNames } from '@arb/bus/keys';
import { readLatestQuote } from '@arb/bus/quote-bus';
import type { AppConfig } from '@arb/config/config';
import { formatSpreadStatus, spreadStatus } from '@arb/core/spread-status';
import type { Redis } from 'ioredis';

/**
 * The launcher's status line (every STATUS_INTERVAL_MS). The dashboard's status-line module
 * (`renderStatus(await readStatusSnapshot(redis, names, config))`) is used when it exists; until then a
 * minimal line from Redis: both books, best executable spread and break-even, quote ages, trading flags
 * and the active hedge.
 */
export interface StatusSource {
  readonly kind: 'dashboard' | 'launcher';
  render(): Promise<string>;
}

interface DashboardStatusModule {
  readStatusSnapshot(redis: Redis, names: RedisNames, config: AppConfig): Promise<unknown>;
  renderStatus(snapshot: unknown): string;
}

function isDashboardModule(m: unknown): m is DashboardStatusModule {
  const x = m as Partial<DashboardStatusModule> | null;
  return typeof x?.readStatusSnapshot === 'function' && typeof x.renderStatus === 'function';
}

/** The dashboard's module when present (loaded by name: it is optional at build time). */
export async function statusSource(
  redis: Redis,
  names: RedisNames,
  config: AppConfig,
  now: () => number = Date.now,
): Promise<StatusSource> {
  const specifier = '@arb/dashboard/status-line';
  try {
    const mod: unknown = await import(specifier);
    if (isDashboardModule(mod)) {
      return {
        kind: 'dashboard',
        render: async () => mod.renderStatus(await mod.readStatusSnapshot(redis, names, config)),
      };
    }
  } catch {
    // Not built yet: fall back to the minimal line.
  }
  return { kind: 'launcher', render: () => minimalStatus(redis, names, config, now()) };
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
