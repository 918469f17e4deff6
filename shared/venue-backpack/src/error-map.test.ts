import { VenueError } from '@arb/net/venue-error';
import { describe, expect, it } from 'vitest';
import { sendFailureOutcome } from './backpack-venue-client';
import { classifyHttpFailure, classifyTransportFailure, isNotFound } from './error-map';

describe('error classification', () => {
  it('documented rejections are rejected with the venue code', () => {
    const e = classifyHttpFailure(
      'POST /api/v1/order',
      400,
      '{"code":"INSUFFICIENT_MARGIN","message":"Insufficient margin"}',
    );
    expect(e).toMatchObject({
      category: 'rejected',
      code: 'INSUFFICIENT_MARGIN',
      httpStatus: 400,
      venue: 'backpack',
    });
    expect(sendFailureOutcome(e, 'c1')).toMatchObject({ kind: 'rejected', code: 'INSUFFICIENT_MARGIN' });
  });

  it('5xx is unknown whatever the body, and never rejected', () => {
    for (const body of ['{"code":"SERVER_ERROR","message":"x"}', '<html>bad gateway</html>', '']) {
      const e = classifyHttpFailure('POST /api/v1/order', 502, body);
      expect(e.category).toBe('unknown');
      expect(sendFailureOutcome(e, 'c1').kind).toBe('unknown');
    }
    expect(classifyHttpFailure('POST /api/v1/order', 503, '{"code":"MAINTENANCE"}').category).toBe('unknown');
  });

  it('timeouts and resets are unknown; refused connections never reached the venue', () => {
    expect(classifyTransportFailure('POST /api/v1/order', 'timeout', new Error('aborted')).category).toBe(
      'unknown',
    );
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(classifyTransportFailure('POST /api/v1/order', 'network', reset)).toMatchObject({
      category: 'unknown',
      code: 'ECONNRESET',
    });
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED'), {}),
    });
    expect(classifyTransportFailure('POST /api/v1/order', 'network', refused).category).toBe('unavailable');
  });

  it('429 is rate-limited with Retry-After; 404 RESOURCE_NOT_FOUND is "not found", not an outage', () => {
    expect(classifyHttpFailure('GET /api/v1/order', 429, '{"code":"TOO_MANY_REQUESTS"}', '2')).toMatchObject({
      category: 'rate_limited',
      retryAfterMs: 2000,
    });
    const nf = classifyHttpFailure(
      'GET /api/v1/order',
      404,
      '{"code":"RESOURCE_NOT_FOUND","message":"Not found"}',
    );
    expect(isNotFound(nf)).toBe(true);
    expect(nf).toBeInstanceOf(VenueError);
    expect(classifyHttpFailure('GET /api/v1/order', 401, '{"code":"INVALID_SIGNATURE"}').category).toBe(
      'auth',
    );
  });
});
