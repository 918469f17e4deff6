import type { HedgePhase } from '@arb/core/hedge';
import type { RiskView } from '@arb/core/decide';
import type { VenueId } from '@arb/core/venue';
import type { ControlFlags } from './control-flags';
import type { HedgeRecord } from './hedge-store';

/**
 * The strategy's RiskView (input of `decide`) from what Redis says: control flags, the pair's active hedge
 * record (intents + risk's status), feed and order-path health; and the strategy's own last action time
 * (null when only Redis is known, as on the dashboard, which shows what the strategy would decide).
 *
 * A venue is healthy when its feed is; with no live hedge (the next decision can only be an open) also its
 * order path must be healthy (order-health.ts), so nothing opens while a venue's order path is rate-limited,
 * failing or unreported. A live hedge's close is not held by its order path: closing reduces exposure, the
 * close legs wait at their worker, and risk forces the close anyway.
 */
export function buildRiskView(input: {
  flags: ControlFlags;
  hedge: HedgeRecord | null;
  feedsHealthy: Record<VenueId, boolean>;
  orderPathsHealthy: Record<VenueId, boolean>;
  lastActionAt: number | null;
}): RiskView {
  const { flags, hedge } = input;
  const feeds = input.feedsHealthy;
  const paths = input.orderPathsHealthy;
  const venuesHealthy = hedge
    ? feeds
    : { aster: feeds.aster && paths.aster, backpack: feeds.backpack && paths.backpack };
  let lastActionAt = input.lastActionAt;
  for (const t of [hedge?.open?.createdAt, hedge?.close?.createdAt]) {
    if (t !== undefined && (lastActionAt === null || t > lastActionAt)) lastActionAt = t;
  }
  return {
    paused: flags.paused,
    killed: flags.killed,
    reconciled: flags.reconciled,
    venuesHealthy,
    activeHedge: hedge?.open
      ? {
          id: hedge.hedgeId,
          direction: hedge.open.direction,
          qty: hedge.open.qty,
          phase: hedgePhase(hedge),
          openedAt: hedge.status?.openedAt ?? null,
        }
      : null,
    lastActionAt,
  };
}

/**
 * The phase as far as the strategy can tell: risk's status when written; a close intent recorded but not
 * yet seen by risk already counts as closing; an open intent risk has not seen yet counts as opening.
 */
export function hedgePhase(hedge: HedgeRecord): HedgePhase {
  const phase = hedge.status?.phase;
  if (phase === undefined) return hedge.close ? 'closing' : 'opening';
  if (phase === 'open' && hedge.close) return 'closing';
  return phase;
}
