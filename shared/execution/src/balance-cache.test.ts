import type { BalanceSnapshot } from '@arb/core/venue-client';
import { describe, expect, it } from 'vitest';
import { BalanceCache } from './balance-cache';

function harness() {
  const clock = { t: 1000 };
  const pending: { resolve: (b: BalanceSnapshot) => void; reject: (e: Error) => void }[] = [];
  let reads = 0;
  const cache = new BalanceCache(
    () =>
      new Promise<BalanceSnapshot>((resolve, reject) => {
        reads++;
        pending.push({ resolve, reject });
      }),
    5_000,
    () => clock.t,
  );
  const snap = (available: number): BalanceSnapshot => ({
    venue: 'aster',
    asset: 'USDT',
    equity: available,
    available,
  });
  const answer = async (available: number) => {
    pending.shift()?.resolve(snap(available));
    await new Promise((r) => setImmediate(r));
  };
  return { clock, cache, answer, pending, reads: () => reads };
}

describe('BalanceCache', () => {
  it('serves a read younger than maxAge without a venue call, and reads again once older', async () => {
    const h = harness();
    const first = h.cache.get();
    await h.answer(100);
    expect(await first).toMatchObject({ ok: true, value: { available: 100 } });
    h.clock.t += 5_000;
    expect(await h.cache.get()).toMatchObject({ ok: true, value: { available: 100 } });
    expect(h.reads()).toBe(1);
    h.clock.t += 1;
    const again = h.cache.get();
    expect(h.reads()).toBe(2);
    await h.answer(90);
    expect(await again).toMatchObject({ ok: true, value: { available: 90 } });
  });

  it('joins a read in flight; a failed read is returned and not cached', async () => {
    const h = harness();
    const a = h.cache.get();
    const b = h.cache.refresh();
    expect(h.reads()).toBe(1);
    h.pending.shift()?.reject(new Error('HTTP 503'));
    expect(await a).toEqual({ ok: false, error: 'Error: HTTP 503' });
    expect(await b).toEqual({ ok: false, error: 'Error: HTTP 503' });
    expect(h.cache.ageMs()).toBeNull();
  });

  it('after invalidate, a read that started before it neither serves nor fills the cache', async () => {
    const h = harness();
    const before = h.cache.refresh(); // e.g. the idle refresh, started before a fill
    h.cache.invalidate(); // the fill
    const after = h.cache.get();
    expect(h.reads()).toBe(2);
    await h.answer(100); // the pre-fill answer
    await h.answer(60);
    expect(await before).toMatchObject({ ok: true, value: { available: 100 } });
    expect(await after).toMatchObject({ ok: true, value: { available: 60 } });
    expect(await h.cache.get()).toMatchObject({ ok: true, value: { available: 60 } });
    expect(h.reads()).toBe(2);
  });
});
