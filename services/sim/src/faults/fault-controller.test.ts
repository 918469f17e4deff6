import { describe, expect, it } from 'vitest';
import { ManualClock } from '../engine/clock';
import { FaultController } from './fault-controller';
import { type FaultSpecInput, FaultSpecSchema } from './fault-spec';
import { routeMatches } from './route-match';

const setup = () => {
  const clock = new ManualClock();
  const faults = new FaultController(clock);
  const add = (spec: FaultSpecInput) => faults.add(FaultSpecSchema.parse(spec));
  return { clock, faults, add };
};

describe('routeMatches', () => {
  it('matches exact ids, path prefixes, id prefixes and *', () => {
    expect(routeMatches('*', 'GET /fapi/v1/time')).toBe(true);
    expect(routeMatches('POST /fapi/v1/order', 'POST /fapi/v1/order')).toBe(true);
    expect(routeMatches('POST /fapi/v1/order', 'GET /fapi/v1/order')).toBe(false);
    expect(routeMatches('/fapi/', 'DELETE /fapi/v3/order')).toBe(true);
    expect(routeMatches('/api/v1/order', 'POST /api/v1/orders')).toBe(true);
    expect(routeMatches('POST /api/', 'POST /api/v1/order')).toBe(true);
    expect(routeMatches('POST /api/', 'GET /api/v1/order')).toBe(false);
  });
});

describe('FaultController', () => {
  it('one-shot (count) faults apply to the next N matching requests only', () => {
    const { faults, add } = setup();
    add({ kind: 'http_error', venue: 'aster', route: 'POST /fapi/v1/order', status: 502, count: 2 });
    expect(faults.route('aster', 'GET /fapi/v1/depth').failStatus).toBeNull();
    expect(faults.route('backpack', 'POST /fapi/v1/order').failStatus).toBeNull();
    expect(faults.route('aster', 'POST /fapi/v1/order').failStatus).toBe(502);
    expect(faults.route('aster', 'POST /fapi/v1/order').failStatus).toBe(502);
    expect(faults.route('aster', 'POST /fapi/v1/order').failStatus).toBeNull();
    expect(faults.active()).toHaveLength(0);
  });

  it('duration faults apply to every match until they expire; neither = until cleared', () => {
    const { clock, faults, add } = setup();
    add({ kind: 'rate_limit', venue: 'backpack', route: '/api/', retryAfterSec: 3, durationMs: 1000 });
    add({ kind: 'latency', venue: '*', route: '*', ms: 150 });
    for (let i = 0; i < 5; i++) {
      const f = faults.route('backpack', 'GET /api/v1/depth');
      expect(f).toMatchObject({ rateLimitRetryAfterSec: 3, latencyMs: 150 });
    }
    clock.advance(1000);
    expect(faults.route('backpack', 'GET /api/v1/depth')).toMatchObject({
      rateLimitRetryAfterSec: null,
      latencyMs: 150,
    });
    expect(faults.clear()).toBe(1);
    expect(faults.route('aster', 'GET /x').latencyMs).toBe(0);
  });

  it('maintenance answers 503 on every route of the venue for its period, without consuming others', () => {
    const { clock, faults, add } = setup();
    add({ kind: 'maintenance', venue: 'aster', durationMs: 5000 });
    add({
      kind: 'timeout_after_execution',
      venue: 'aster',
      route: 'POST /fapi/v3/order',
      drop: true,
      count: 1,
    });
    expect(faults.route('aster', 'GET /fapi/v1/time').failStatus).toBe(503);
    expect(faults.route('aster', 'POST /fapi/v3/order')).toMatchObject({
      failStatus: 503,
      afterExecution: null,
    });
    expect(faults.route('backpack', 'GET /api/v1/markets').failStatus).toBeNull();
    clock.advance(5000);
    expect(faults.route('aster', 'POST /fapi/v3/order')).toMatchObject({
      failStatus: null,
      afterExecution: 'drop',
    });
    expect(faults.route('aster', 'POST /fapi/v3/order').afterExecution).toBeNull();
  });

  it('timeout-after-execution carries its delay', () => {
    const { faults, add } = setup();
    add({ kind: 'timeout_after_execution', venue: 'backpack', route: 'POST /api/v1/order', delayMs: 15000 });
    expect(faults.route('backpack', 'POST /api/v1/order').afterExecution).toEqual({ delayMs: 15000 });
    expect(faults.route('backpack', 'POST /api/v1/order').afterExecution).toEqual({ delayMs: 15000 });
  });

  it('WS faults: stall for a period, N malformed frames, timestamp skew, disconnect now', () => {
    const { clock, faults, add } = setup();
    let drops = 0;
    const off = faults.onWsDisconnect('backpack', () => drops++);
    add({ kind: 'ws_disconnect', venue: 'backpack' });
    add({ kind: 'ws_disconnect', venue: 'aster' });
    expect(drops).toBe(1);
    off();
    add({ kind: 'ws_disconnect', venue: '*' });
    expect(drops).toBe(1);
    const t0 = clock.now();
    add({ kind: 'ws_stall', venue: 'aster', durationMs: 3000 });
    add({ kind: 'ws_malformed', venue: 'aster', count: 2 });
    add({ kind: 'timestamp_skew', venue: 'aster', skewMs: -5000, durationMs: 10_000 });
    expect(faults.ws('aster')).toEqual({
      stalledUntil: t0 + 3000,
      malformedRemaining: 2,
      timestampSkewMs: -5000,
    });
    expect(faults.ws('backpack')).toEqual({ stalledUntil: 0, malformedRemaining: 0, timestampSkewMs: 0 });
    faults.consumeMalformed('aster');
    faults.consumeMalformed('aster');
    faults.consumeMalformed('aster');
    clock.advance(3000);
    expect(faults.ws('aster')).toEqual({ stalledUntil: 0, malformedRemaining: 0, timestampSkewMs: -5000 });
    clock.advance(7000);
    expect(faults.ws('aster').timestampSkewMs).toBe(0);
  });

  it('validates specs', () => {
    expect(FaultSpecSchema.safeParse({ kind: 'timeout_after_execution', route: '*' }).success).toBe(false);
    expect(FaultSpecSchema.safeParse({ kind: 'ws_stall' }).success).toBe(false);
    expect(FaultSpecSchema.safeParse({ kind: 'http_error', status: 404 }).success).toBe(false);
    expect(FaultSpecSchema.safeParse({ kind: 'nope' }).success).toBe(false);
    expect(FaultSpecSchema.parse({ kind: 'http_error' })).toEqual({
      kind: 'http_error',
      venue: '*',
      route: '*',
      status: 500,
    });
  });
});
