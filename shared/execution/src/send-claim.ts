import { type RedisScript, runScript } from '@arb/bus/redis-script';
import type { Redis } from 'ioredis';
import type { LockAttempt } from './account-lock';
import { EXEC_MARKER_TTL_MS, type ExecMarker, parseExecMarker, serializeExecMarker } from './exec-marker';

/**
 * The order worker's one Redis round trip before a send, atomic: take (or keep) the venue account lock,
 * then read the leg's send marker and the pair's leader fence, and — only when the caller may send and
 * neither stands in the way — set the marker. A marker set here means "this run may send now"; one found
 * means an earlier run (of this job or of the same leg under another job id) may have sent.
 * KEYS: lock, marker, fence. ARGV: owner, lock ttl ms, job fence, may claim (1/0), marker JSON, marker ttl ms.
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
local fence = tonumber(redis.call('GET', KEYS[3]) or '0')
local jobFence = tonumber(ARGV[3])
if jobFence > 0 and jobFence < fence then return {'stale-fence', tostring(fence)} end
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
  /** The leg's fence (> 0) is older than the pair's current leader fence; nothing was marked. */
  | { kind: 'stale-fence'; fence: number };

export interface SendClaimKeys {
  lock: string;
  marker: string;
  fence: string;
}

export type SendClaimAttempt = LockAttempt<SendClaim> & { held: false; markerExists: boolean };

/** One claim attempt; `held: false` while another owner holds the account (markerExists as of then). */
export async function trySendClaim(
  redis: Redis,
  keys: SendClaimKeys,
  a: { owner: string; lockTtlMs: number; jobFence: number; claim: ExecMarker | null },
): Promise<LockAttempt<SendClaim> | SendClaimAttempt> {
  const r = (await runScript(
    redis,
    CLAIM_SEND,
    [keys.lock, keys.marker, keys.fence],
    [
      a.owner,
      a.lockTtlMs,
      a.jobFence,
      a.claim ? '1' : '0',
      a.claim ? serializeExecMarker(a.claim) : '',
      EXEC_MARKER_TTL_MS,
    ],
  )) as [string, (string | number)?, number?];
  switch (r[0]) {
    case 'busy':
      return { held: false, holder: String(r[1] ?? ''), markerExists: r[2] === 1 };
    case 'marked':
      return { held: true, value: { kind: 'marked', marker: parseExecMarker(String(r[1] ?? '')) } };
    case 'stale-fence':
      return { held: true, value: { kind: 'stale-fence', fence: Number(r[1]) } };
    case 'claimed':
      return { held: true, value: { kind: 'claimed' } };
    case 'unclaimed':
      return { held: true, value: { kind: 'unclaimed' } };
    default:
      throw new Error(`unexpected send claim reply ${JSON.stringify(r)}`);
  }
}
