import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../engine/clock';
import { createSimCore } from '../engine/sim-core';
import type { SimBook } from '../engine/types';
import { loadScenario, SCENARIOS_DIR } from './scenario';

interface Sample {
  t: number;
  /** backpack bid - aster ask: the edge of buying Aster and selling Backpack. */
  buyAster: number;
  /** aster bid - backpack ask. */
  buyBackpack: number;
}

async function sampleDefault(seconds: number, seed?: number) {
  const clock = new ManualClock();
  const scenario = await loadScenario(resolve(SCENARIOS_DIR, 'default.json'));
  const sim = await createSimCore({ clock, scenario, ...(seed === undefined ? {} : { seed }) });
  const start = clock.now();
  let aster: SimBook = sim.engines.aster.book();
  let backpack: SimBook = sim.engines.backpack.book();
  let changes = { aster: 0, backpack: 0 };
  sim.engines.aster.onBook((b) => {
    aster = b;
    changes.aster++;
  });
  sim.engines.backpack.onBook((b) => {
    backpack = b;
    changes.backpack++;
  });
  const samples: Sample[] = [];
  const topSizes: number[] = [];
  for (let t = 0; t <= seconds * 1000; t += 20) {
    clock.set(start + t);
    sim.market.advanceTo(clock.now());
    const ab = aster.bids[0]!;
    const aa = aster.asks[0]!;
    const bb = backpack.bids[0]!;
    const ba = backpack.asks[0]!;
    expect(ab.price).toBeLessThan(aa.price);
    expect(bb.price).toBeLessThan(ba.price);
    topSizes.push(ab.qty, aa.qty, bb.qty, ba.qty);
    samples.push({ t, buyAster: bb.price - aa.price, buyBackpack: ab.price - ba.price });
  }
  const rate = { aster: changes.aster / seconds, backpack: changes.backpack / seconds };
  changes = { aster: 0, backpack: 0 };
  return { samples, rate, topSizes, aster, backpack };
}

describe('default scenario market', () => {
  it('dislocates above 120 USD executable in both directions within a minute, then reverts below 80', async () => {
    const { samples, rate, topSizes, aster } = await sampleDefault(70);
    const firstAbove = (key: 'buyAster' | 'buyBackpack') => samples.find((s) => s[key] > 120)?.t;
    const a = firstAbove('buyAster');
    const b = firstAbove('buyBackpack');
    expect(a).toBeGreaterThanOrEqual(15_000);
    expect(a).toBeLessThan(16_000);
    expect(b).toBeGreaterThanOrEqual(55_000);
    expect(b).toBeLessThan(56_000);
    // Held above 120 for a few seconds.
    const heldA = samples.filter((s) => s.buyAster > 120).length * 20;
    const heldB = samples.filter((s) => s.buyBackpack > 120).length * 20;
    expect(heldA).toBeGreaterThan(3000);
    expect(heldB).toBeGreaterThan(3000);
    // Reverted below 80 within ~8 s of the start, and quiet otherwise.
    const outside = samples.filter(
      (s) => !(s.t >= 15_000 && s.t < 23_000) && !(s.t >= 55_000 && s.t < 63_000),
    );
    expect(Math.max(...outside.map((s) => Math.max(s.buyAster, s.buyBackpack)))).toBeLessThan(80);
    expect(samples.filter((s) => s.t >= 23_000 && s.t < 55_000).every((s) => s.buyAster < 80)).toBe(true);
    // Realistic book: tens of changes per second, 20 levels, top sizes comfortably above 0.02 BTC.
    expect(rate.aster).toBeGreaterThan(15);
    expect(rate.backpack).toBeGreaterThan(10);
    expect(Math.min(...topSizes)).toBeGreaterThan(0.02);
    expect(aster.bids).toHaveLength(20);
    expect(aster.asks).toHaveLength(20);
    const mid = (aster.bids[0]!.price + aster.asks[0]!.price) / 2;
    expect(Math.abs(mid - 100_000)).toBeLessThan(2_000);
  });

  it('replays identically for a seed, and differs across seeds', async () => {
    const one = await sampleDefault(5);
    const two = await sampleDefault(5);
    const other = await sampleDefault(5, 99);
    expect(two.samples).toEqual(one.samples);
    expect(other.samples).not.toEqual(one.samples);
  });
});

describe('replay scenario', () => {
  it('plays back the recorded tops of book, including the recorded dislocation', async () => {
    const clock = new ManualClock();
    const scenario = await loadScenario(resolve(SCENARIOS_DIR, 'replay-example.json'));
    const sim = await createSimCore({ clock, scenario });
    const start = clock.now();
    let maxEdge = Number.NEGATIVE_INFINITY;
    const seen = new Set<number>();
    for (let t = 0; t <= 12_000; t += 20) {
      clock.set(start + t);
      const a = sim.engines.aster.book(5);
      const b = sim.engines.backpack.book(5);
      seen.add(a.bids[0]!.price);
      maxEdge = Math.max(maxEdge, b.bids[0]!.price - a.asks[0]!.price);
      expect(a.bids).toHaveLength(5);
    }
    expect(seen.size).toBeGreaterThan(50);
    expect(maxEdge).toBeGreaterThan(120);
  });
});

describe('external tops (paper mode)', () => {
  it('builds the book around the external top, and empties it again when that top goes stale', async () => {
    const clock = new ManualClock();
    const sim = await createSimCore({ clock, scenario: { name: 'ext' }, awaitExternalTops: ['aster'] });
    expect(sim.engines.aster.book().bids).toEqual([]);
    sim.market.setExternalTop('aster', { bid: 91_000.5, bidQty: 0.3, ask: 91_000.9, askQty: 0.2 });
    clock.advance(40);
    const book = sim.engines.aster.book();
    expect(book.bids[0]).toEqual({ price: 91_000.5, qty: 0.3 });
    expect(book.asks[0]).toEqual({ price: 91_000.9, qty: 0.2 });
    expect(book.bids).toHaveLength(20);
    clock.advance(9_000);
    expect(sim.engines.aster.book().bids[0]?.price).toBe(91_000.5);
    clock.advance(2_000);
    expect(sim.engines.aster.book().bids).toEqual([]);
  });
});
