import type { PairId } from '@arb/core/venue';
import type { Redis } from 'ioredis';
import { type HedgeAction, type HedgeIntent, HedgeIntentSchema } from './hedge-intent';
import { type HedgeStatus, HedgeStatusSchema, isTerminalStatus } from './hedge-status';
import type { RedisNames } from './keys';
import { type LeaseHolder, leaseValue } from './leader-lease';
import { type RedisScript, runScript, runScriptInOrder } from './redis-script';

/**
 * The durable hedge records and the pair's single active hedge (invariant 1, enforced in Redis).
 *
 * Hash `names.hedgeKey(id)`: open, close (HedgeIntent JSON), status (HedgeStatus JSON, by risk),
 * fence (the open's fencing token), pair, enqueued.open / enqueued.close ("1" once its legs are queued).
 * String `names.activeHedgeKey(pair)`: the live hedge's id, set with the open intent and cleared only when
 * risk writes the terminal status. Sorted set `names.hedgeIndex(pair)`: every hedge id by creation time.
 * Every recorded intent is also appended to the durable stream `names.intentStream` (field "m", read it
 * with stream.ts StreamConsumer + HedgeIntentSchema): risk's input to start or close its hedge reducer.
 * Every change publishes a StateEvent on `names.stateChannel` in the same script.
 */

const RECORD_OPEN: RedisScript = {
  name: 'arbRecordOpen',
  keys: 7,
  lua: `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {'not-leader'} end
local active = redis.call('GET', KEYS[2])
if active then
  if active == ARGV[2] and redis.call('HEXISTS', KEYS[3], 'open') == 1 then return {'ok', 'existing'} end
  return {'active', active}
end
local c = redis.call('HMGET', KEYS[5], 'killed', 'paused', 'reconciled')
if c[1] == '1' then return {'killed'} end
if c[2] == '1' then return {'paused'} end
if c[3] ~= '1' then return {'not-reconciled'} end
if redis.call('EXISTS', KEYS[3]) == 1 then return {'duplicate-id'} end
redis.call('HSET', KEYS[3], 'open', ARGV[3], 'fence', ARGV[5], 'pair', ARGV[7])
redis.call('SET', KEYS[2], ARGV[2])
redis.call('ZADD', KEYS[4], ARGV[4], ARGV[2])
redis.call('XADD', KEYS[7], '*', 'm', ARGV[3])
redis.call('PUBLISH', KEYS[6], ARGV[6])
return {'ok', 'new'}
`,
};

const RECORD_CLOSE: RedisScript = {
  name: 'arbRecordClose',
  keys: 5,
  lua: `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {'not-leader'} end
if redis.call('GET', KEYS[2]) ~= ARGV[2] then return {'not-active'} end
if redis.call('HEXISTS', KEYS[3], 'close') == 1 then return {'ok', 'existing'} end
local st = redis.call('HGET', KEYS[3], 'status')
if not st or cjson.decode(st).phase ~= 'open' then return {'not-open'} end
redis.call('HSET', KEYS[3], 'close', ARGV[3])
redis.call('XADD', KEYS[5], '*', 'm', ARGV[3])
redis.call('PUBLISH', KEYS[4], ARGV[4])
return {'ok', 'new'}
`,
};

const WRITE_STATUS: RedisScript = {
  name: 'arbWriteHedgeStatus',
  keys: 3,
  lua: `
if redis.call('EXISTS', KEYS[1]) == 0 then return {'unknown-hedge'} end
redis.call('HSET', KEYS[1], 'status', ARGV[1])
local freed = 0
if ARGV[3] == '1' and redis.call('GET', KEYS[2]) == ARGV[2] then
  redis.call('DEL', KEYS[2])
  freed = 1
end
redis.call('PUBLISH', KEYS[3], ARGV[4])
return {'ok', tostring(freed)}
`,
};

const READ_ACTIVE: RedisScript = {
  name: 'arbReadActiveHedge',
  keys: 1,
  lua: `
local id = redis.call('GET', KEYS[1])
if not id then return nil end
local h = redis.call('HGETALL', ARGV[1] .. id)
table.insert(h, 1, id)
return h
`,
};

export type RecordRefusal = 'not-leader' | 'active' | 'paused' | 'killed' | 'not-reconciled' | 'duplicate-id';
export type RecordResult =
  | { ok: true; existing: boolean }
  | { ok: false; reason: RecordRefusal | 'not-active' | 'not-open'; activeHedgeId?: string };

function hedgeEvent(intent: { pair: string; hedgeId: string }): string {
  return JSON.stringify({ v: 1, kind: 'hedge', pair: intent.pair, hedgeId: intent.hedgeId });
}

/**
 * Records an open intent and makes it the pair's active hedge, atomically, only if the caller still holds
 * the lease with `holder`'s fence, no hedge is active, and trading is allowed (reconciled, not paused,
 * not killed). Recording the same hedge again is `{ ok: true, existing: true }`.
 */
export async function recordOpenIntent(
  redis: Redis,
  names: RedisNames,
  intent: HedgeIntent,
  holder: LeaseHolder,
): Promise<RecordResult> {
  const parsed = HedgeIntentSchema.parse(intent);
  if (parsed.action !== 'open') throw new Error('recordOpenIntent needs an open intent');
  if (parsed.fence !== holder.fence) throw new Error('intent fence differs from the lease holder fence');
  // In order: the strategy sends the intent's legs right behind it on the same connection.
  const res = (await runScriptInOrder(
    redis,
    RECORD_OPEN,
    [
      names.leaderKey(parsed.pair),
      names.activeHedgeKey(parsed.pair),
      names.hedgeKey(parsed.hedgeId),
      names.hedgeIndex(parsed.pair),
      names.controlKey,
      names.stateChannel,
      names.intentStream,
    ],
    [
      leaseValue(holder),
      parsed.hedgeId,
      JSON.stringify(parsed),
      parsed.createdAt,
      parsed.fence,
      hedgeEvent(parsed),
      parsed.pair,
    ],
  )) as string[];
  return toResult(res);
}

/**
 * Records the close intent of the active hedge, only by the lease holder, only while risk reports the
 * hedge `open`, once (a second call is `{ ok: true, existing: true }`). Allowed while paused or killed.
 */
export async function recordCloseIntent(
  redis: Redis,
  names: RedisNames,
  intent: HedgeIntent,
  holder: LeaseHolder,
): Promise<RecordResult> {
  const parsed = HedgeIntentSchema.parse(intent);
  if (parsed.action !== 'close') throw new Error('recordCloseIntent needs a close intent');
  const res = (await runScriptInOrder(
    redis,
    RECORD_CLOSE,
    [
      names.leaderKey(parsed.pair),
      names.activeHedgeKey(parsed.pair),
      names.hedgeKey(parsed.hedgeId),
      names.stateChannel,
      names.intentStream,
    ],
    [leaseValue(holder), parsed.hedgeId, JSON.stringify(parsed), hedgeEvent(parsed)],
  )) as string[];
  return toResult(res);
}

function toResult(res: string[]): RecordResult {
  const [code, arg] = res;
  if (code === 'ok') return { ok: true, existing: arg === 'existing' };
  if (code === 'active') return { ok: false, reason: 'active', activeHedgeId: arg ?? '' };
  return { ok: false, reason: code as RecordRefusal };
}

/** Risk: stores the hedge's status; a terminal phase frees the pair's active slot. Returns whether it did. */
export async function writeHedgeStatus(
  redis: Redis,
  names: RedisNames,
  status: HedgeStatus,
): Promise<boolean> {
  const parsed = HedgeStatusSchema.parse(status);
  const res = (await runScript(
    redis,
    WRITE_STATUS,
    [names.hedgeKey(parsed.hedgeId), names.activeHedgeKey(parsed.pair), names.stateChannel],
    [JSON.stringify(parsed), parsed.hedgeId, isTerminalStatus(parsed) ? '1' : '0', hedgeEvent(parsed)],
  )) as string[];
  if (res[0] !== 'ok') throw new Error(`cannot write status of ${parsed.hedgeId}: ${res[0]}`);
  return res[1] === '1';
}

/** Marks that an action's legs were enqueued (after the jobs were added). */
export async function markLegsEnqueued(
  redis: Redis,
  names: RedisNames,
  hedgeId: string,
  action: HedgeAction,
): Promise<void> {
  await redis.hset(names.hedgeKey(hedgeId), `enqueued.${action}`, '1');
}

export interface HedgeRecord {
  hedgeId: string;
  pair: string;
  fence: number;
  open: HedgeIntent | null;
  close: HedgeIntent | null;
  status: HedgeStatus | null;
  enqueued: { open: boolean; close: boolean };
}

export function parseHedgeRecord(hedgeId: string, hash: Record<string, string>): HedgeRecord {
  return {
    hedgeId,
    pair: hash.pair ?? '',
    fence: Number(hash.fence ?? 0),
    open: hash.open === undefined ? null : HedgeIntentSchema.parse(JSON.parse(hash.open)),
    close: hash.close === undefined ? null : HedgeIntentSchema.parse(JSON.parse(hash.close)),
    status: hash.status === undefined ? null : HedgeStatusSchema.parse(JSON.parse(hash.status)),
    enqueued: { open: hash['enqueued.open'] === '1', close: hash['enqueued.close'] === '1' },
  };
}

export async function readHedge(
  redis: Redis,
  names: RedisNames,
  hedgeId: string,
): Promise<HedgeRecord | null> {
  const hash = await redis.hgetall(names.hedgeKey(hedgeId));
  return Object.keys(hash).length === 0 ? null : parseHedgeRecord(hedgeId, hash);
}

/** The pair's active hedge with its record, read in one atomic step; null when none is active. */
export async function readActiveHedge(
  redis: Redis,
  names: RedisNames,
  pair: PairId,
): Promise<HedgeRecord | null> {
  const prefix = names.hedgeKey('');
  const res = (await runScript(redis, READ_ACTIVE, [names.activeHedgeKey(pair)], [prefix])) as
    | string[]
    | null;
  if (!res) return null;
  const [id, ...flat] = res;
  const hash: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) hash[flat[i]!] = flat[i + 1]!;
  return parseHedgeRecord(id!, hash);
}

/** Hedge ids of a pair by creation time (oldest first). */
export async function listHedgeIds(
  redis: Redis,
  names: RedisNames,
  pair: PairId,
  opts: { from?: number; to?: number } = {},
): Promise<string[]> {
  return redis.zrangebyscore(names.hedgeIndex(pair), opts.from ?? '-inf', opts.to ?? '+inf');
}

export type LegJobCheck = { ok: true } | { ok: false; reason: 'unknown-hedge' | 'no-intent' | 'stale-fence' };

/**
 * Order workers, before sending: is this leg backed by a recorded hedge, and (for strategy legs, fence > 0)
 * by an intent recorded under this fence or an older one? Intents are fenced when recorded (only the
 * lease holder can record), so a leg is legitimate even when its leader has died since; a newer leader may
 * re-enqueue a recorded intent's legs under its own (larger) fence. A leg whose intent was never recorded,
 * or that claims an older fence than its intent, is refused. Legs created by risk (fence 0) only need the
 * hedge to exist. Prefer this to comparing with currentFence(), which also refuses legitimate legs
 * recorded just before a leader change.
 */
export async function checkLegJob(
  redis: Redis,
  names: RedisNames,
  job: { hedgeId: string; role: string; fence: number },
): Promise<LegJobCheck> {
  const hedge = await readHedge(redis, names, job.hedgeId);
  if (!hedge?.open) return { ok: false, reason: 'unknown-hedge' };
  if (job.fence === 0) return { ok: true };
  const intent = job.role === 'close' ? hedge.close : job.role === 'open' ? hedge.open : null;
  if (!intent) return { ok: false, reason: 'no-intent' };
  return job.fence >= intent.fence ? { ok: true } : { ok: false, reason: 'stale-fence' };
}
