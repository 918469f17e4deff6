import { FaultController } from '../faults/fault-controller';
import { MarketModel, type VenueMarketParams } from '../market/market-model';
import { loadReplay, type ReplayTimeline } from '../market/replay';
import { parseScenario, type Scenario, type ScenarioInput } from '../market/scenario';
import type { Dislocation } from '../market/dislocation';
import { type SimClock, systemClock } from './clock';
import { MARGIN_ASSET, defaultRules } from './rules';
import type { SimVenue } from './types';
import { VenueEngine } from './venue-engine';

export interface SimCoreOptions {
  /** Overrides the scenario's seed. */
  seed?: number;
  /** A parsed scenario, or raw scenario JSON (validated); default: a quiet market with no dislocations. */
  scenario?: Scenario | ScenarioInput;
  clock?: SimClock;
  /** Pre-loaded replay timeline (otherwise read from scenario.replay.file). */
  replay?: ReplayTimeline;
  /** Paper mode: these venues' books stay empty until external (live) tops arrive. */
  awaitExternalTops?: readonly SimVenue[];
}

export interface SimCore {
  clock: SimClock;
  scenario: Scenario;
  seed: number;
  market: MarketModel;
  faults: FaultController;
  engines: Record<SimVenue, VenueEngine>;
  close(): void;
}

/**
 * The venue-neutral heart of the simulator without any sockets: one market model, one fault controller
 * and one engine per venue. Front-end tests can build one and start a front-end on it; `startSim` adds
 * both front-ends, the admin API, the real-time driver and scheduled faults.
 */
export async function createSimCore(opts: SimCoreOptions = {}): Promise<SimCore> {
  const scenario = parseScenario(opts.scenario ?? { name: 'quiet' });
  const replay =
    opts.replay ??
    (scenario.replay
      ? await loadReplay(scenario.replay.file, { loop: scenario.replay.loop, speed: scenario.replay.speed })
      : undefined);
  return buildSimCore({ ...opts, scenario, replay });
}

/** Synchronous variant for callers that already hold the parsed scenario (and replay, if any). */
export function buildSimCore(opts: SimCoreOptions & { scenario: Scenario }): SimCore {
  const clock = opts.clock ?? systemClock;
  const scenario = opts.scenario;
  const seed = opts.seed ?? scenario.seed ?? 42;
  const rules = { aster: defaultRules('aster'), backpack: defaultRules('backpack') };
  const venueParams = (v: SimVenue): VenueMarketParams => {
    const s = scenario.venues[v];
    return {
      tickSize: rules[v].tickSize,
      stepSize: rules[v].stepSize,
      basisUsd: s.basisUsd,
      basisNoiseUsd: s.basisNoiseUsd,
      spreadTicks: s.spreadTicks,
      levels: s.levels,
      levelGapTicks: s.levelGapTicks,
      topSize: s.topSize,
      updatesPerSecond: s.updatesPerSecond,
    };
  };
  for (const v of ['aster', 'backpack'] as const) {
    const s = scenario.venues[v];
    if (s.takerFee !== undefined) rules[v].takerFee = s.takerFee;
    if (s.makerFee !== undefined) rules[v].makerFee = s.makerFee;
  }
  const market = new MarketModel({
    clock,
    seed,
    startPrice: scenario.startPrice,
    volatilityUsd: scenario.volatilityUsd,
    basisReversionPerSec: scenario.basisReversionPerSec,
    tickMs: scenario.tickMs,
    venues: { aster: venueParams('aster'), backpack: venueParams('backpack') },
    dislocations: scheduledDislocations(scenario),
    ...(opts.replay ? { replay: opts.replay } : {}),
    awaitExternalTops: opts.awaitExternalTops ?? [],
  });
  const faults = new FaultController(clock);
  const engine = (venue: SimVenue) =>
    new VenueEngine({
      venue,
      rules: rules[venue],
      marginAsset: MARGIN_ASSET[venue],
      market,
      clock,
      faults,
      startingBalance: scenario.startingBalance,
      defaultLeverage: Math.min(scenario.defaultLeverage, rules[venue].maxLeverage),
      baselineVolume: scenario.baselineVolume24h,
    });
  const engines = { aster: engine('aster'), backpack: engine('backpack') };
  return {
    clock,
    scenario,
    seed,
    market,
    faults,
    engines,
    close: () => {
      engines.aster.close();
      engines.backpack.close();
    },
  };
}

/** The scenario's dislocations (explicit list plus the repeating schedule), relative to start. */
export function scheduledDislocations(scenario: Scenario): Dislocation[] {
  const out: Dislocation[] = scenario.dislocations.at.map((d) => ({
    startAt: d.atMs,
    direction: d.direction,
    sizeUsd: d.sizeUsd,
    durationMs: d.durationMs,
    rampMs: d.rampMs,
    revertMs: d.revertMs,
  }));
  const r = scenario.dislocations.repeat;
  if (r) {
    const flip =
      r.startDirection === 'buy_aster_sell_backpack' ? 'buy_backpack_sell_aster' : 'buy_aster_sell_backpack';
    for (let i = 0; i < r.count; i++) {
      out.push({
        startAt: r.firstAtMs + i * r.everyMs,
        direction: r.alternate && i % 2 === 1 ? flip : r.startDirection,
        sizeUsd: r.sizeUsd,
        durationMs: r.durationMs,
        rampMs: r.rampMs,
        revertMs: r.revertMs,
      });
    }
  }
  return out.sort((a, b) => a.startAt - b.startAt);
}
