import { assertNever, type VenueId } from '@arb/core/venue';

/**
 * The venue client order id of a leg, derived from its job id, so a re-run job finds its earlier order.
 * - Aster `newClientOrderId`: ≤ 36 chars of [.A-Z:/a-z0-9_-]; the job id itself.
 * - Backpack `clientId`: a uint32; the FNV-1a hash of the job id (never 0), as a decimal string.
 */
export function clientOrderIdFor(venue: VenueId, jobId: string): string {
  switch (venue) {
    case 'aster':
      if (!/^[.A-Z:/a-z0-9_-]{1,36}$/.test(jobId))
        throw new Error(`job id unusable as Aster client id: ${jobId}`);
      return jobId;
    case 'backpack':
      return String(fnv1a32(jobId) || 1);
    default:
      return assertNever(venue);
  }
}

/** 32-bit FNV-1a over the UTF-16 code units (ids here are ASCII). */
export function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
