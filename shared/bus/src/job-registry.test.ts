import { LEG_ROLES, makeHedgeId, newHedge } from '@arb/core/hedge';
import type { Job } from 'bullmq';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HedgeIntent } from './hedge-intent';
import {
  createJobRouter,
  InvalidJobError,
  JOB_NAMES,
  jobOptions,
  legJobFromOrder,
  legJobId,
  legsForIntent,
} from './job-registry';

const intent: HedgeIntent = {
  v: 1,
  hedgeId: 'hmigx2k3a0a1b',
  pair: 'BTC',
  action: 'open',
  direction: 'buy_aster_sell_backpack',
  qty: 0.02,
  expectedEdge: 130,
  reason: 'spread',
  quoteSeqs: { aster: 1, backpack: 2 },
  priceGuards: { aster: 100_050, backpack: 99_950 },
  fence: 3,
  createdAt: 1_700_000_000_000,
};

describe('job ids', () => {
  it('are the core leg ids: deterministic, free of ":", never all digits, ≤ 36 chars', () => {
    expect(legJobId('habc123', 'aster', 'open', 1)).toBe('habc123-aster-open1');
    expect(legJobId('habc123', 'backpack', 'unwind', 2)).toBe('habc123-backpack-unwind2');
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        fc.integer({ min: 0, max: 36 ** 4 - 1 }),
        fc.constantFrom('aster' as const, 'backpack' as const),
        fc.constantFrom(...LEG_ROLES),
        fc.integer({ min: 1, max: 99 }),
        (now, nonce, venue, role, attempt) => {
          const id = legJobId(makeHedgeId(now, nonce), venue, role, attempt);
          expect(id).not.toContain(':');
          expect(/^\d+$/.test(id)).toBe(false);
          expect(id).toMatch(/^[A-Za-z0-9_-]{1,36}$/);
          expect(legJobId(makeHedgeId(now, nonce), venue, role, attempt)).toBe(id);
        },
      ),
    );
  });

  it('rejects hedge ids or attempts that would make bad job ids', () => {
    expect(() => legJobId('12:34', 'aster', 'open', 1)).toThrow();
    expect(() => legJobId('habc', 'aster', 'open', 0)).toThrow();
  });
});

describe('legs of an intent', () => {
  it('open: buy on the cheap venue, sell on the dear one, equal size, not reduce-only', () => {
    const [a, b] = legsForIntent(intent);
    expect(a).toMatchObject({ name: 'open-leg', queue: 'order-aster', id: 'hmigx2k3a0a1b-aster-open1' });
    expect(a!.data).toMatchObject({
      venue: 'aster',
      symbol: 'BTCUSDT',
      side: 'buy',
      qty: 0.02,
      reduceOnly: false,
    });
    expect(a!.data.limitPrice).toBe(100_050);
    expect(a!.data.clientOrderId).toBe('hmigx2k3a0a1b-aster-open1');
    expect(b).toMatchObject({
      name: 'open-leg',
      queue: 'order-backpack',
      id: 'hmigx2k3a0a1b-backpack-open1',
    });
    expect(b!.data).toMatchObject({
      venue: 'backpack',
      symbol: 'BTC_USDC_PERP',
      side: 'sell',
      qty: 0.02,
      fence: 3,
    });
  });

  it('are the same jobs (ids, sides, sizes) as the core reducer places for a new hedge', () => {
    const { actions } = newHedge(
      { id: intent.hedgeId, pair: 'BTC', direction: intent.direction, qty: 0.02, expectedEdge: 130 },
      1,
    );
    const fromCore = actions.flatMap((a) =>
      a.kind === 'place_leg' ? [legJobFromOrder(a.order, { fence: 3, createdAt: intent.createdAt })] : [],
    );
    const fromIntent = legsForIntent(intent);
    expect(fromCore.map((j) => [j.id, j.name, j.data.side, j.data.qty, j.data.reduceOnly])).toEqual(
      fromIntent.map((j) => [j.id, j.name, j.data.side, j.data.qty, j.data.reduceOnly]),
    );
  });

  it('close: opposite sides, reduce-only; with risk exposure, flattens exactly that', () => {
    const close: HedgeIntent = { ...intent, action: 'close', direction: 'buy_backpack_sell_aster' };
    const [a, b] = legsForIntent(close);
    expect(a!.data).toMatchObject({
      venue: 'aster',
      side: 'buy',
      reduceOnly: true,
      role: 'close',
      qty: 0.02,
    });
    expect(b!.data).toMatchObject({ venue: 'backpack', side: 'sell', reduceOnly: true, role: 'close' });
    expect(a!.name).toBe('close-leg');
    expect(a!.id).toBe('hmigx2k3a0a1b-aster-close1');
    const partial = legsForIntent(close, {
      v: 1,
      hedgeId: close.hedgeId,
      pair: 'BTC',
      phase: 'open',
      openedAt: 1,
      closedAt: null,
      exposure: { aster: -0.015, backpack: 0 },
      updatedAt: 1,
    });
    expect(partial).toHaveLength(1);
    expect(partial[0]!.data).toMatchObject({ venue: 'aster', side: 'buy', qty: 0.015, reduceOnly: true });
  });

  it('every job: one attempt, its deterministic id, kept for dedup', () => {
    for (const job of legsForIntent(intent)) {
      expect(jobOptions(job)).toMatchObject({ jobId: job.id, attempts: 1 });
      expect(jobOptions(job).removeOnComplete).not.toBe(true);
      // a backed-off retry: held in BullMQ's delayed set, whole ms; none otherwise
      expect(jobOptions(job).delay).toBeUndefined();
      expect(jobOptions(job, 1500.2).delay).toBe(1501);
    }
  });
});

describe('job router', () => {
  const ok = async () => 'done';
  const all = [
    { name: JOB_NAMES.openLeg, handler: ok },
    { name: JOB_NAMES.completeLeg, handler: ok },
    { name: JOB_NAMES.closeLeg, handler: ok },
    { name: JOB_NAMES.unwindLeg, handler: ok },
  ] as const;

  it('requires exactly one handler per job name', () => {
    expect(() => createJobRouter(all.slice(0, 3))).toThrow(/no handler for "unwind-leg"/);
    expect(() => createJobRouter([...all, { name: JOB_NAMES.openLeg, handler: ok }])).toThrow(
      /more than one handler/,
    );
    expect(() => createJobRouter([...all, { name: 'refund' as 'open-leg', handler: ok }])).toThrow(
      /unknown job "refund"/,
    );
    expect(() => createJobRouter(all)).not.toThrow();
  });

  it('dispatches valid jobs and refuses bad payloads, names and ids as unrecoverable', async () => {
    const seen: string[] = [];
    const route = createJobRouter<string>([
      ...all.slice(1),
      {
        name: 'open-leg',
        handler: async (d) => {
          seen.push(`open:${d.venue}`);
          return 'o';
        },
      },
    ]);
    const [leg] = legsForIntent(intent);
    const asJob = (name: string, id: string, data: unknown) => ({ name, id, data }) as unknown as Job;
    expect(await route(asJob(leg!.name, leg!.id, leg!.data))).toBe('o');
    expect(seen).toEqual(['open:aster']);
    await expect(route(asJob('close-leg', leg!.id, leg!.data))).rejects.toBeInstanceOf(InvalidJobError);
    await expect(route(asJob('open-leg', 'hother-aster-open1', leg!.data))).rejects.toBeInstanceOf(
      InvalidJobError,
    );
    await expect(route(asJob('open-leg', leg!.id, { ...leg!.data, qty: -1 }))).rejects.toBeInstanceOf(
      InvalidJobError,
    );
    await expect(route(asJob('nope', leg!.id, leg!.data))).rejects.toBeInstanceOf(InvalidJobError);
  });
});
