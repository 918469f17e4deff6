import { describe, expect, it } from 'vitest';
import { DEFAULT_DEGRADED_COOLDOWN_MS, VenueHealth } from './venue-health';

/** Shaped as the venue clients' VenueError (category, retryAfterMs). */
const venueError = (message: string, category: string, retryAfterMs: number | null = null) =>
  Object.assign(new Error(message), { name: 'VenueError', category, retryAfterMs });
const rateLimited = (retryAfterMs: number | null) =>
  venueError(
    'aster GET /fapi/v1/order: rate_limited (code HTTP_429, HTTP 429)',
    'rate_limited',
    retryAfterMs,
  );

function setup() {
  const clock = { t: 1_000_000 };
  let changes = 0;
  const h = new VenueHealth(() => clock.t, { cooldownMs: 3000, onChange: () => changes++ });
  return { clock, h, changes: () => changes };
}

describe('VenueHealth: the order path', () => {
  it('starts ok; a 429 degrades it until its Retry-After end, and a success before then does not clear it', () => {
    const { clock, h, changes } = setup();
    expect(h.orderHealth('aster')).toEqual({
      v: 1,
      venue: 'aster',
      state: 'ok',
      reason: null,
      until: null,
      updatedAt: clock.t,
    });
    h.failed(rateLimited(1000));
    expect(h.orderHealth('aster')).toMatchObject({ state: 'degraded', until: 1_001_000 });
    expect(h.orderHealth('aster').reason).toContain('rate_limited');
    expect(changes()).toBe(1);
    expect(h.recheckDue()).toBe(false);
    clock.t += 500;
    h.ok();
    expect(h.orderHealth('aster').state).toBe('degraded');
    expect(changes()).toBe(1);
    clock.t += 500;
    expect(h.recheckDue()).toBe(true);
    // Past `until` it stays degraded until a call succeeds.
    clock.t += 10_000;
    expect(h.orderHealth('aster').state).toBe('degraded');
    h.ok();
    expect(h.orderHealth('aster')).toMatchObject({ state: 'ok', until: null, reason: null });
    expect(h.recheckDue()).toBe(false);
    expect(changes()).toBe(2);
  });

  it('5xx, timeouts, maintenance and plain errors degrade for the cooldown; a success clears them', () => {
    const { clock, h } = setup();
    h.failed(venueError('backpack POST /api/v1/order: unknown (code HTTP_503, HTTP 503)', 'unknown'));
    expect(h.orderHealth('backpack')).toMatchObject({ state: 'degraded', until: clock.t + 3000 });
    h.ok();
    expect(h.orderHealth('backpack').state).toBe('ok');
    h.failed(new Error('TIMEOUT'));
    expect(h.orderHealth('backpack')).toMatchObject({ state: 'degraded', until: clock.t + 3000 });
    // A rate limit without Retry-After: the cooldown.
    const d = new VenueHealth(() => clock.t);
    d.failed(rateLimited(null));
    expect(d.orderHealth('aster').until).toBe(clock.t + DEFAULT_DEGRADED_COOLDOWN_MS);
  });

  it("a venue's business rejection of one request does not degrade the path", () => {
    const { h, changes } = setup();
    h.failed(venueError('aster GET /x: rejected (code -2013, HTTP 400)', 'rejected'));
    expect(h.orderHealth('aster').state).toBe('ok');
    expect(h.snapshot().ok).toBe(false);
    expect(changes()).toBe(0);
  });

  it('a later, shorter error keeps the rate limit end; an unchanged state notifies nobody', () => {
    const { clock, h, changes } = setup();
    h.failed(rateLimited(10_000));
    clock.t += 100;
    h.failed(new Error('ECONNRESET'));
    expect(h.orderHealth('aster').until).toBe(1_010_000);
    expect(changes()).toBe(2); // the reason changed
    h.failed(new Error('ECONNRESET'));
    expect(changes()).toBe(2);
  });

  it('recognises a placeOrder "rejection" that is the path refusing (rate limit, unreachable)', () => {
    const { h } = setup();
    expect(h.rejectedByPath('Margin is insufficient')).toBe(false);
    expect(h.orderHealth('aster').state).toBe('ok');
    expect(h.rejectedByPath('aster POST /fapi/v3/order: rate_limited (code -1003, HTTP 429)')).toBe(true);
    expect(h.orderHealth('aster').state).toBe('degraded');
    const b = setup().h;
    expect(b.rejectedByPath('backpack POST /api/v1/order: unavailable (code ECONNREFUSED)')).toBe(true);
    expect(b.orderHealth('backpack').state).toBe('degraded');
  });
});
