import { describe, expect, it } from 'vitest';
import {
  ORDER_HEALTH_MAX_AGE_MS,
  type OrderHealth,
  orderPathHealthy,
  parseOrderHealth,
} from './order-health';

const ok: OrderHealth = { v: 1, venue: 'aster', state: 'ok', reason: null, until: null, updatedAt: 10_000 };
const degraded: OrderHealth = {
  v: 1,
  venue: 'aster',
  state: 'degraded',
  reason: 'aster GET /fapi/v1/order: rate_limited (code HTTP_429, HTTP 429)',
  until: 11_000,
  updatedAt: 10_000,
};

describe('order path health', () => {
  it('healthy only when a recent report says ok', () => {
    expect(orderPathHealthy(ok, 10_500, 5000)).toBe(true);
    expect(orderPathHealthy(null, 10_500, 5000)).toBe(false);
    expect(orderPathHealthy(degraded, 10_500, 5000)).toBe(false);
    expect(orderPathHealthy(ok, 15_000, 5000)).toBe(true);
    expect(orderPathHealthy(ok, 15_001, 5000)).toBe(false);
  });

  it('a degraded path stays unhealthy past its until (only a successful call clears it)', () => {
    expect(orderPathHealthy(degraded, 12_000, 5000)).toBe(false);
    expect(ORDER_HEALTH_MAX_AGE_MS).toBe(5000);
  });

  it('parses and validates the stored JSON; refuses another venue or a malformed value', () => {
    expect(parseOrderHealth(null, 'aster')).toBeNull();
    expect(parseOrderHealth(JSON.stringify(degraded), 'aster')).toEqual(degraded);
    expect(() => parseOrderHealth(JSON.stringify(degraded), 'backpack')).toThrow(/aster/);
    expect(() => parseOrderHealth(JSON.stringify({ ...ok, state: 'fine' }), 'aster')).toThrow();
    expect(() => parseOrderHealth('{', 'aster')).toThrow();
  });
});
