import { type VenueId, VENUES } from '@arb/core/venue';
import { type ConnectionOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { HedgeIntent } from './hedge-intent';
import { markLegsEnqueued } from './hedge-store';
import { jobOptions, legsForIntent, type OrderJob } from './job-registry';
import { orderQueueFor, type RedisNames } from './keys';
import type { LegJob } from './leg-job';

export type OrderQueues = Record<VenueId, Queue<LegJob>>;

/**
 * One BullMQ queue per venue account, under `names.bullPrefix` (connection: bull-connection.ts).
 * Connection errors (Redis restarting...) go to `onError`; they also reject the commands they hit. Without
 * a listener an 'error' event would throw and end the process, so one is always attached.
 */
export function createOrderQueues(
  connection: ConnectionOptions,
  names: RedisNames,
  onError: (err: Error, venue: VenueId) => void = () => {},
): OrderQueues {
  return {
    aster: makeOrderQueue('aster', connection, names, onError),
    backpack: makeOrderQueue('backpack', connection, names, onError),
  };
}

function makeOrderQueue(
  venue: VenueId,
  connection: ConnectionOptions,
  names: RedisNames,
  onError: (err: Error, venue: VenueId) => void,
): Queue<LegJob> {
  const q = new Queue<LegJob>(orderQueueFor(venue), { connection, prefix: names.bullPrefix });
  q.on('error', (err) => onError(err, venue));
  return q;
}

/**
 * The order queues on ONE connection (the first queue's, shared by the second), returned with it: commands
 * sent on it run in the order they were sent, so an intent recorded on it (hedge-store) runs before the
 * legs added right after it. The connection is BullMQ's own client (BullMQ pins its own ioredis).
 */
export async function createSharedOrderQueues(
  connection: ConnectionOptions,
  names: RedisNames,
  onError: (err: Error, venue: VenueId) => void = () => {},
): Promise<{ queues: OrderQueues; connection: Redis }> {
  const aster = makeOrderQueue('aster', connection, names, onError);
  const client = await aster.client;
  const backpack = makeOrderQueue('backpack', client, names, onError);
  await backpack.waitUntilReady();
  // Same library, another pinned copy: the client is an ioredis Redis at runtime.
  return { queues: { aster, backpack }, connection: client as unknown as Redis };
}

export async function closeOrderQueues(queues: OrderQueues): Promise<void> {
  await Promise.all(VENUES.map((v) => queues[v].close()));
}

/** Adds one job with the registry's options; an already-present job id is a no-op (BullMQ dedup). */
export async function enqueueJob(queues: OrderQueues, job: OrderJob, delayMs = 0): Promise<void> {
  await queues[job.data.venue].add(job.name, job.data, jobOptions(job, delayMs));
}

/**
 * Enqueues both legs of a recorded intent (open or close), then marks them enqueued in the hedge record.
 * Safe to call again for the same intent (after a crash, by a new leader): ids are deterministic.
 */
export async function enqueueIntentLegs(
  redis: Redis,
  names: RedisNames,
  queues: OrderQueues,
  intent: HedgeIntent,
): Promise<OrderJob[]> {
  const jobs = legsForIntent(intent);
  await Promise.all(jobs.map((j) => enqueueJob(queues, j)));
  await markLegsEnqueued(redis, names, intent.hedgeId, intent.action);
  return jobs;
}
