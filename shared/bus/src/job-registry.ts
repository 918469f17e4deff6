import { openSide, oppositeSide } from '@arb/core/direction';
import { type LegOrder, type LegRole, legId } from '@arb/core/hedge';
import { type VenueId, VENUES, venueSymbol } from '@arb/core/venue';
import { type Job, type JobsOptions, UnrecoverableError } from 'bullmq';
import type { HedgeIntent } from './hedge-intent';
import type { HedgeStatus } from './hedge-status';
import { orderQueueFor, type QueueName } from './keys';
import { type LegJob, LegJobSchema } from './leg-job';

/**
 * The typed job registry: every BullMQ job the product runs, its queue, its payload, its id and options.
 * Queues are per venue account (QUEUES in keys.ts); job names say the leg's role. This module alone makes
 * job ids and job options.
 */
export const JOB_NAMES = {
  openLeg: 'open-leg',
  completeLeg: 'complete-leg',
  closeLeg: 'close-leg',
  unwindLeg: 'unwind-leg',
} as const;
export type JobName = (typeof JOB_NAMES)[keyof typeof JOB_NAMES];
export const ALL_JOB_NAMES: readonly JobName[] = Object.values(JOB_NAMES);

const ROLE_JOB = {
  open: 'open-leg',
  complete: 'complete-leg',
  close: 'close-leg',
  unwind: 'unwind-leg',
} as const;
type RoleJob = typeof ROLE_JOB;

/** Payload of each job name: a leg job of the matching role. */
export type JobPayloads = { [R in LegRole as RoleJob[R]]: LegJob & { role: R } };
/** Job names and payloads as a discriminated union. */
export type OrderJob = {
  [N in JobName]: { name: N; queue: QueueName; id: string; data: JobPayloads[N] };
}[JobName];

export function jobNameForRole(role: LegRole): JobName {
  return ROLE_JOB[role];
}

/**
 * THE job id of a leg: the core's leg id `<hedgeId>-<venue>-<role><attempt>` (e.g. `hmigx2k3a0a1b-aster-open1`).
 * Deterministic, so enqueueing the same leg twice is a no-op; no ":" and never all digits (BullMQ rules);
 * ≤ 36 chars (Aster client order ids), since hedge ids are ≤ 15 chars.
 */
export function legJobId(hedgeId: string, venue: VenueId, role: LegRole, attempt: number): string {
  if (!/^[A-Za-z0-9_-]{1,15}$/.test(hedgeId)) throw new Error(`bad hedge id for a job id: ${hedgeId}`);
  if (!Number.isInteger(attempt) || attempt < 1) throw new Error(`bad attempt: ${attempt}`);
  return legId(hedgeId, venue, role, attempt);
}

/** Kept long enough for a re-enqueue to hit the existing job (dedup) and for audits; bounded in count. */
const KEEP_COMPLETED = { age: 7 * 24 * 3600, count: 10_000 };
const KEEP_FAILED = { age: 30 * 24 * 3600, count: 10_000 };

/**
 * THE options of every job: its deterministic id, one attempt (legs are never blindly retried), removal,
 * and a delay for a backed-off retry (`delayMs` > 0: BullMQ holds it in its delayed set until then).
 */
export function jobOptions(job: OrderJob, delayMs = 0): JobsOptions {
  const opts: JobsOptions = {
    jobId: job.id,
    attempts: 1,
    removeOnComplete: KEEP_COMPLETED,
    removeOnFail: KEEP_FAILED,
  };
  if (delayMs > 0) opts.delay = Math.ceil(delayMs);
  return opts;
}

/** Builds one leg job (payload, id, queue); validates it. */
export function makeLegJob(spec: Omit<LegJob, 'v' | 'symbol' | 'clientOrderId'>): OrderJob {
  const id = legJobId(spec.hedgeId, spec.venue, spec.role, spec.attempt);
  const data = LegJobSchema.parse({
    v: 1,
    ...spec,
    symbol: venueSymbol(spec.venue, spec.pair),
    clientOrderId: id,
  });
  return { name: jobNameForRole(data.role), queue: orderQueueFor(data.venue), id, data } as OrderJob;
}

/** Risk: the job for a core `place_leg` action. */
export function legJobFromOrder(
  order: LegOrder,
  extra: { fence: number; limitPrice?: number; createdAt: number },
): OrderJob {
  return makeLegJob({
    hedgeId: order.hedgeId,
    pair: order.pair,
    role: order.role,
    attempt: order.attempt,
    venue: order.venue,
    side: order.side,
    qty: order.qty,
    reduceOnly: order.reduceOnly,
    ...extra,
  });
}

/**
 * The legs of a recorded intent, identical to the core reducer's first legs (same ids):
 * - open: buy `qty` on the cheap venue, sell `qty` on the dear one;
 * - close: reduce-only orders flattening each venue's exposure as risk reported it in `status` (a venue
 *   already flat gets no leg); without exposure figures, the opposite of the open legs.
 * Limit prices are the intent's price guards.
 */
export function legsForIntent(intent: HedgeIntent, status?: HedgeStatus | null): OrderJob[] {
  const jobs: OrderJob[] = [];
  for (const venue of VENUES) {
    const open = openSide(intent.direction, venue);
    let side = intent.action === 'open' ? open : oppositeSide(open);
    let qty = intent.qty;
    if (intent.action === 'close' && status) {
      const exposure = status.exposure[venue] ?? 0;
      if (exposure === 0) continue;
      side = exposure > 0 ? 'sell' : 'buy';
      qty = Math.abs(exposure);
    }
    jobs.push(
      makeLegJob({
        hedgeId: intent.hedgeId,
        pair: intent.pair,
        role: intent.action,
        attempt: 1,
        venue,
        side,
        qty,
        reduceOnly: intent.action === 'close',
        fence: intent.fence,
        limitPrice: intent.priceGuards[venue],
        createdAt: intent.createdAt,
      }),
    );
  }
  return jobs;
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
    const d = parsed.data;
    if (jobNameForRole(d.role) !== job.name) {
      throw new InvalidJobError(`job ${job.id} is "${job.name}" but its payload is a ${d.role} leg`);
    }
    const expectedId = legJobId(d.hedgeId, d.venue, d.role, d.attempt);
    if (job.id !== expectedId || d.clientOrderId !== expectedId) {
      throw new InvalidJobError(`job ${job.id} should have id and client order id ${expectedId}`);
    }
    return (handler as (d: LegJob, j: Job) => Promise<R>)(d, job);
  };
}
