import { openSide, oppositeSide } from '@arb/core/direction';
import { type VenueId, VENUES, venueSymbol } from '@arb/core/venue';
import { type Job, type JobsOptions, UnrecoverableError } from 'bullmq';
import { clientOrderIdFor } from './client-order-id';
import type { HedgeIntent } from './hedge-intent';
import { orderQueueFor, type QueueName } from './keys';
import { type Leg, type LegJob, LegJobSchema } from './leg-job';

/**
 * The typed job registry: every BullMQ job the product runs, its queue, its payload, its id and options.
 * Queues are per venue account (QUEUES in keys.ts); job names say which leg. This module alone makes job
 * ids and job options.
 */
export const JOB_NAMES = { openLeg: 'open-leg', closeLeg: 'close-leg', cleanupLeg: 'cleanup-leg' } as const;
export type JobName = (typeof JOB_NAMES)[keyof typeof JOB_NAMES];
export const ALL_JOB_NAMES: readonly JobName[] = Object.values(JOB_NAMES);

/** Payload of each job name. */
export interface JobPayloads {
  'open-leg': LegJob & { leg: 'open' };
  'close-leg': LegJob & { leg: 'close' };
  'cleanup-leg': LegJob & { leg: 'cleanup' };
}
/** Job names and payloads as a discriminated union. */
export type OrderJob = {
  [N in JobName]: { name: N; queue: QueueName; id: string; data: JobPayloads[N] };
}[JobName];

const LEG_JOB: Record<Leg, JobName> = { open: 'open-leg', close: 'close-leg', cleanup: 'cleanup-leg' };

export function jobNameForLeg(leg: Leg): JobName {
  return LEG_JOB[leg];
}

/**
 * THE job id of a leg: `h-<hedgeId>-<venue>-<leg>` (round 0) or `...-<leg>-r<round>`. Deterministic, so
 * enqueueing the same leg twice is a no-op; no ":" and never all digits (BullMQ rules); ≤ 36 chars for
 * Aster ids (hedge ids are ≤ 16 chars).
 */
export function legJobId(hedgeId: string, venue: VenueId, leg: Leg, round = 0): string {
  if (!/^[a-z][a-z0-9]*$/.test(hedgeId)) throw new Error(`bad hedge id for a job id: ${hedgeId}`);
  if (!Number.isInteger(round) || round < 0) throw new Error(`bad round: ${round}`);
  return round === 0 ? `h-${hedgeId}-${venue}-${leg}` : `h-${hedgeId}-${venue}-${leg}-r${round}`;
}

/** Kept long enough for a re-enqueue to hit the existing job (dedup) and for audits; bounded in count. */
const KEEP_COMPLETED = { age: 7 * 24 * 3600, count: 10_000 };
const KEEP_FAILED = { age: 30 * 24 * 3600, count: 10_000 };

/** THE options of every job: its deterministic id, one attempt (legs are never blindly retried), removal. */
export function jobOptions(job: OrderJob): JobsOptions {
  return { jobId: job.id, attempts: 1, removeOnComplete: KEEP_COMPLETED, removeOnFail: KEEP_FAILED };
}

/** Builds one leg job (payload, id, queue); validates it. */
export function makeLegJob(spec: Omit<LegJob, 'v' | 'symbol' | 'clientOrderId'>): OrderJob {
  const id = legJobId(spec.hedgeId, spec.venue, spec.leg, spec.round);
  const data = LegJobSchema.parse({
    v: 1,
    ...spec,
    symbol: venueSymbol(spec.venue, spec.pair),
    clientOrderId: clientOrderIdFor(spec.venue, id),
  });
  return { name: jobNameForLeg(data.leg), queue: orderQueueFor(data.venue), id, data } as OrderJob;
}

/**
 * The two legs of an open or close intent: the open buys on the cheap venue and sells on the dear one;
 * the close takes the opposite sides, reduce-only. Limit prices are the intent's price guards.
 */
export function legsForIntent(intent: HedgeIntent): OrderJob[] {
  return VENUES.map((venue) => {
    const open = openSide(intent.direction, venue);
    return makeLegJob({
      hedgeId: intent.hedgeId,
      pair: intent.pair,
      leg: intent.action,
      round: 0,
      venue,
      side: intent.action === 'open' ? open : oppositeSide(open),
      qty: intent.qty,
      reduceOnly: intent.action === 'close',
      fence: intent.fence,
      limitPrice: intent.priceGuards[venue],
      createdAt: intent.createdAt,
    });
  });
}

export type JobHandler<N extends JobName, R> = (data: JobPayloads[N], job: Job) => Promise<R>;
export type HandlerRegistration<R> = { [N in JobName]: { name: N; handler: JobHandler<N, R> } }[JobName];

/** A job whose payload fails validation: definitive, never retried. */
export class InvalidJobError extends UnrecoverableError {
  override readonly name = 'InvalidJobError';
}

/**
 * The startup check and dispatcher of a worker: throws unless every job name has exactly one handler
 * (and no handler names an unknown job); returns a BullMQ processor that validates each job's payload
 * (InvalidJobError, unrecoverable) and calls its handler.
 */
export function createJobRouter<R>(
  registrations: readonly HandlerRegistration<R>[],
): (job: Job) => Promise<R> {
  const byName = new Map<string, HandlerRegistration<R>['handler']>();
  const problems: string[] = [];
  for (const r of registrations) {
    if (!ALL_JOB_NAMES.includes(r.name)) problems.push(`handler for unknown job "${r.name}"`);
    else if (byName.has(r.name)) problems.push(`more than one handler for "${r.name}"`);
    byName.set(r.name, r.handler);
  }
  for (const n of ALL_JOB_NAMES) if (!byName.has(n)) problems.push(`no handler for "${n}"`);
  if (problems.length > 0) throw new Error(`job registry check failed: ${problems.join('; ')}`);
  return async (job: Job) => {
    const handler = byName.get(job.name);
    if (!handler) throw new InvalidJobError(`unknown job name "${job.name}" (job ${job.id})`);
    const parsed = LegJobSchema.safeParse(job.data);
    if (!parsed.success)
      throw new InvalidJobError(`invalid payload of job ${job.id}: ${parsed.error.message}`);
    if (jobNameForLeg(parsed.data.leg) !== job.name) {
      throw new InvalidJobError(`job ${job.id} is "${job.name}" but its payload is a ${parsed.data.leg} leg`);
    }
    const expectedId = legJobId(parsed.data.hedgeId, parsed.data.venue, parsed.data.leg, parsed.data.round);
    if (job.id !== expectedId) throw new InvalidJobError(`job id ${job.id} should be ${expectedId}`);
    return (handler as (d: LegJob, j: Job) => Promise<R>)(parsed.data, job);
  };
}
