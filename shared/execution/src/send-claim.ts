import { type RedisScript, runScript } from '@arb/bus/redis-script';
import type { Redis } from 'ioredis';
import type { LockAttempt } from './account-lock';
import { EXEC_MARKER_TTL_MS, type ExecMarker, parseExecMarker, serializeExecMarker } from './exec-marker';

/**
 * The order worker's one Redis round trip before a send, atomic: take (or keep) the venue account lock,
 * read the leg's send marker and — for a strategy leg (fence > 0) — its hedge intent, and, only when the
 * caller may send and nothing stands in the way, set the marker. A marker set here means "this run may
 * send now"; one found means an earlier run (of this job or of the same leg under another job id) may
 * have sent. A strategy leg is only sent when its intent (hedge field `open` or `close`, = its role) is
 * recorded under the leg's fence or an older one: the strategy may enqueue legs in the same flight as the
 * intent (same connection, after it), so a leg whose intent was refused never executes.
 * KEYS: lock, marker, hedge. ARGV: owner, lock ttl ms, job fence, may claim (1/0), marker JSON, marker ttl
 * ms, intent field ('' for legs of risk, fence 0).
 */
const CLAIM_SEND: RedisScript = {
  name: 'arbClaimSend',
  keys: 3,
  lua: `
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then
  return {'busy', holder, redis.call('EXISTS', KEYS[2])}
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
local marker = redis.call('GET', KEYS[2])
if marker then return {'marked', marker} end
if ARGV[7] ~= '' then
  local intent = redis.call('HGET', KEYS[3], ARGV[7])
  if not intent then return {'no-intent'} end
  local fence = tonumber(cjson.decode(intent).fence) or 0
  if tonumber(ARGV[3]) < fence then return {'stale-fence', tostring(fence)} end
end
if ARGV[4] == '1' then
  redis.call('SET', KEYS[2], ARGV[5], 'PX', ARGV[6])
  return {'claimed'}
end
return {'unclaimed'}`,
};

/** What the claim found, the account lock being held by this run in every case. */
export type SendClaim =
  | { kind: 'claimed' }
  /** Nothing stands in the way, but the caller did not ask to claim (its own checks refused the send). */
  | { kind: 'unclaimed' }
  | { kind: 'marked'; marker: ExecMarker }
  /** The leg's fence (> 0) is older than the fence its intent was recorded under; nothing was marked. */
  | { kind: 'stale-fence'; fence: number }
  /** A strategy leg whose intent is not recorded (refused, or never made); nothing was marked. */
  | { kind: 'no-intent' };

export interface SendClaimKeys {
  lock: string;
  marker: string;
  /** names.hedgeKey(leg.hedgeId). */
  hedge: string;
}

export type SendClaimAttempt = LockAttempt<SendClaim> & { held: false; markerExists: boolean };

/** One claim attempt; `held: false` while another owner holds the account (markerExists as of then). */
export async function trySendClaim(
  redis: Redis,
  keys: SendClaimKeys,
  a: {
    owner: string;
    lockTtlMs: number;
    /** The leg's fence; > 0 = a strategy leg, whose intent (`intentField`) must be recorded. */
    jobFence: number;
    /** The hedge field holding the leg's intent: its role, 'open' or 'close' (ignored for fence 0). */
    intentField: 'open' | 'close' | null;
    claim: ExecMarker | null;
  },
): Promise<LockAttempt<SendClaim> | SendClaimAttempt> {
  const r = (await runScript(
    redis,
    CLAIM_SEND,
    [keys.lock, keys.marker, keys.hedge],
    [
      a.owner,
      a.lockTtlMs,
      a.jobFence,
      a.claim ? '1' : '0',
      a.claim ? serializeExecMarker(a.claim) : '',
      EXEC_MARKER_TTL_MS,
      a.jobFence > 0 ? (a.intentField ?? '-') : '',
    ],
  )) as [string, (string | number)?, number?];
  switch (r[0]) {
    case 'busy':
      return { held: false, holder: String(r[1] ?? ''), markerExists: r[2] === 1 };
    case 'marked':
      return { held: true, value: { kind: 'marked', marker: parseExecMarker(String(r[1] ?? '')) } };
    case 'stale-fence':
      return { held: true, value: { kind: 'stale-fence', fence: Number(r[1]) } };
    case 'no-intent':
      return { held: true, value: { kind: 'no-intent' } };
    case 'claimed':
      return { held: true, value: { kind: 'claimed' } };
    case 'unclaimed':
      return { held: true, value: { kind: 'unclaimed' } };
    default:
      throw new Error(`unexpected send claim reply ${JSON.stringify(r)}`);
  }
}
