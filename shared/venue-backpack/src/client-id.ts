import { createHash } from 'node:crypto';
import { BACKPACK_CLIENT_ID_MAX } from './constants';

/**
 * The product's client order id (a string derived from the leg's job id) -> Backpack's uint32 `clientId`.
 *
 * Mapping:
 * - A string that is already a canonical decimal uint32 ("0".."4294967295", no leading zeros) maps to
 *   itself, so a caller that allocates its own uint32 ids gets them unchanged (collision-free).
 * - Any other string maps to the first 4 bytes (big-endian) of SHA-256(utf8(string)).
 *
 * Deterministic, so a re-run job recomputes the same clientId and finds its earlier order through the
 * venue's open orders and order history (the reverse lookup: hash the string, match `clientId`).
 * Collision odds: for n orders inside the lookup window (the last BACKPACK_HISTORY_LIMIT history rows,
 * i.e. the orders that matter), P(any collision) ~ n^2 / 2^33: 1.2e-6 for n = 100, 4.7e-6 for n = 200.
 */
export function backpackClientId(clientOrderId: string): number {
  if (/^(0|[1-9]\d{0,9})$/.test(clientOrderId)) {
    const n = Number(clientOrderId);
    if (n <= BACKPACK_CLIENT_ID_MAX) return n;
  }
  return createHash('sha256').update(clientOrderId, 'utf8').digest().readUInt32BE(0);
}
