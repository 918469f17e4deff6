import { createLogger } from '@arb/log/logger';
import { describe, expect, it } from 'vitest';
import { retryTransient } from './retry-transient';

const log = createLogger({ service: 'test', level: 'silent' });
/** What a venue client throws (VenueError's `retryable`: its category says the call may be repeated). */
const venueError = (message: string, retryable: boolean) => Object.assign(new Error(message), { retryable });
const refused = () => venueError('aster GET /fapi/v1/time: unavailable (code ECONNREFUSED)', true);

describe('retryTransient (start-up venue calls)', () => {
  it('retries a venue that is not up yet (connection refused) until it answers', async () => {
    let calls = 0;
    const r = await retryTransient(async () => {
      calls++;
      if (calls === 1) throw refused();
      return 'synced';
    }, log);
    expect(r).toBe('synced');
    expect(calls).toBe(2);
  });

  it('does not retry a definitive error, and gives up after the last attempt', async () => {
    let calls = 0;
    const auth = venueError('aster GET /x: auth (code -2015)', false);
    await expect(
      retryTransient(async () => {
        calls++;
        throw auth;
      }, log),
    ).rejects.toBe(auth);
    expect(calls).toBe(1);
    calls = 0;
    await expect(
      retryTransient(
        async () => {
          calls++;
          throw refused();
        },
        log,
        2,
      ),
    ).rejects.toThrow(/ECONNREFUSED/);
    expect(calls).toBe(2);
  });
});
