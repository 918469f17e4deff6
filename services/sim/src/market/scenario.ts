import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { FaultSpecSchema } from '../faults/fault-spec';

const Direction = z.enum(['buy_aster_sell_backpack', 'buy_backpack_sell_aster']);
const range = z.tuple([z.number().nonnegative(), z.number().nonnegative()]).refine(([a, b]) => a <= b, {
  message: 'range must be [min, max] with min <= max',
});

const VenueMarketSchema = z.strictObject({
  basisUsd: z.number().default(0),
  basisNoiseUsd: z.number().nonnegative().default(3),
  spreadTicks: range.default([1, 5]),
  levels: z.number().int().min(1).max(200).default(20),
  levelGapTicks: range.default([1, 8]),
  topSize: range.default([0.08, 0.6]),
  updatesPerSecond: z.number().positive().max(1000).default(25),
  takerFee: z.number().min(0).max(0.1).optional(),
  makerFee: z.number().min(-0.01).max(0.1).optional(),
});

const DislocationSchema = z.strictObject({
  /** ms after the simulator starts. */
  atMs: z.number().nonnegative(),
  direction: Direction,
  sizeUsd: z.number().positive(),
  durationMs: z.number().nonnegative(),
  rampMs: z.number().nonnegative().default(300),
  revertMs: z.number().positive().default(2500),
});

const RepeatSchema = z.strictObject({
  firstAtMs: z.number().nonnegative(),
  everyMs: z.number().positive(),
  /** Stop after this many (default: enough for 24 h). */
  count: z.number().int().positive().default(2160),
  startDirection: Direction.default('buy_aster_sell_backpack'),
  /** Alternate the direction each time. */
  alternate: z.boolean().default(true),
  sizeUsd: z.number().positive(),
  durationMs: z.number().nonnegative(),
  rampMs: z.number().nonnegative().default(300),
  revertMs: z.number().positive().default(2500),
});

export const ScenarioSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  seed: z.number().int().nonnegative().optional(),
  startPrice: z.number().positive().default(100_000),
  /** Standard deviation of the true price per sqrt(second), USD. */
  volatilityUsd: z.number().nonnegative().default(6),
  basisReversionPerSec: z.number().positive().default(0.5),
  tickMs: z.number().int().min(1).max(1000).default(20),
  startingBalance: z.number().nonnegative().default(100_000),
  defaultLeverage: z.number().int().min(1).default(20),
  baselineVolume24h: z.number().nonnegative().default(12_000),
  venues: z
    .strictObject({
      aster: VenueMarketSchema.default(VenueMarketSchema.parse({})),
      backpack: VenueMarketSchema.default(VenueMarketSchema.parse({})),
    })
    .default({ aster: VenueMarketSchema.parse({}), backpack: VenueMarketSchema.parse({}) }),
  dislocations: z
    .strictObject({
      at: z.array(DislocationSchema).default([]),
      repeat: RepeatSchema.optional(),
    })
    .default({ at: [] }),
  faults: z.array(z.strictObject({ atMs: z.number().nonnegative(), fault: FaultSpecSchema })).default([]),
  replay: z
    .strictObject({
      /** JSONL file of recorded quotes, relative to the scenario file. */
      file: z.string().min(1),
      loop: z.boolean().default(true),
      speed: z.number().positive().default(1),
    })
    .optional(),
});
export type Scenario = z.infer<typeof ScenarioSchema>;
export type ScenarioInput = z.input<typeof ScenarioSchema>;

export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
}

export function parseScenario(raw: unknown, source = 'scenario'): Scenario {
  const parsed = ScenarioSchema.safeParse(raw);
  if (!parsed.success) throw new ScenarioError(`${source}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** Reads and validates a scenario file; a replay file path is resolved against the scenario's folder. */
export async function loadScenario(path: string): Promise<Scenario> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    throw new ScenarioError(`${path}: cannot read scenario JSON`, { cause });
  }
  const scenario = parseScenario(raw, path);
  if (scenario.replay) scenario.replay.file = resolve(dirname(path), scenario.replay.file);
  return scenario;
}

/** The scenarios shipped in services/sim/scenarios. */
export const SCENARIOS_DIR = resolve(import.meta.dirname, '../../scenarios');
