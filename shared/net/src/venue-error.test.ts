import { describe, expect, it } from 'vitest';
import { VenueError, isUnknownOutcome, isVenueError } from './venue-error';

describe('VenueError', () => {
  it('names venue, endpoint, code and status in its message', () => {
    const e = new VenueError({
      venue: 'aster',
      endpoint: 'POST /fapi/v1/order',
      code: '-2019',
      httpStatus: 400,
      category: 'rejected',
      detail: 'Margin is insufficient.',
    });
    expect(e.name).toBe('VenueError');
    expect(e.message).toBe(
      'aster POST /fapi/v1/order: rejected (code -2019, HTTP 400): Margin is insufficient.',
    );
    expect(e.retryable).toBe(false);
    expect(isVenueError(e)).toBe(true);
    expect(isUnknownOutcome(e)).toBe(false);
    expect(e).toBeInstanceOf(Error);
  });

  it("gives a refused order's code, reason and wait (whole ms, none when not said)", () => {
    const limited = new VenueError({
      venue: 'aster',
      endpoint: 'POST /fapi/v3/order',
      code: 'LOCAL_RATE_BUDGET',
      category: 'rate_limited',
      retryAfterMs: 1234.2,
    });
    expect(limited.rejection()).toEqual({
      code: 'LOCAL_RATE_BUDGET',
      reason: limited.message,
      retryAfterMs: 1235,
    });
    const refused = new VenueError({ venue: 'aster', endpoint: 'x', code: '-2019', category: 'rejected' });
    expect(refused.rejection()).toEqual({ code: '-2019', reason: refused.message });
  });

  it('defaults retryable per category and keeps the cause', () => {
    const cause = new Error('socket hang up');
    const e = new VenueError({
      venue: 'backpack',
      endpoint: 'GET /x',
      code: 'TIMEOUT',
      category: 'unknown',
      cause,
    });
    expect(e.retryable).toBe(true);
    expect(e.cause).toBe(cause);
    expect(isUnknownOutcome(e)).toBe(true);
    expect(e.message).not.toContain('HTTP');
    expect(new VenueError({ venue: 'aster', endpoint: 'x', code: '1', category: 'auth' }).retryable).toBe(
      false,
    );
  });

  it('truncates long details and serializes without the cause', () => {
    const e = new VenueError({
      venue: 'aster',
      endpoint: 'GET /y',
      code: 'HTTP_5XX',
      category: 'unknown',
      detail: 'x'.repeat(1000),
      cause: new Error('inner'),
    });
    expect(e.detail.length).toBeLessThan(330);
    expect(JSON.stringify(e)).not.toContain('inner');
    expect(e.toJSON()).toMatchObject({ name: 'VenueError', code: 'HTTP_5XX', category: 'unknown' });
  });
});
