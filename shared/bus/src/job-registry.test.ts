import type { Job } from 'bullmq';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientOrderIdFor } from './client-order-id';
import { newHedgeId } from './hedge-id';
import type { HedgeIntent } from './hedge-intent';
import {
  createJobRouter,
  InvalidJobError,
  JOB_NAMES,
  jobOptions,
  legJobId,
  legsForIntent,
} from './job-registry';
import { LEGS } from './leg-job';

const intent: HedgeIntent = {
  v: 1,
  hedgeId: 'hmigx2k3aab12',
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
  it('are deterministic, readable, free of ":", never all digits, and fit Aster client ids', () => {
    expect(legJobId('habc123', 'aster', 'open')).toBe('h-habc123-aster-open');
    expect(legJobId('habc123', 'backpack', 'cleanup', 2)).toBe('h-habc123-backpack-cleanup-r2');
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        fc.constantFrom('aster' as const, 'backpack' as const),
        fc.constantFrom(...LEGS),
        fc.integer({ min: 0, max: 9 }),
        (now, r, venue, leg, round) => {
          const id = legJobId(
            newHedgeId(now, () => r),
            venue,
            leg,
            round,
          );
          expect(id).not.toContain(':');
          expect(/^\d+$/.test(id)).toBe(false);
          if (venue === 'aster') expect(id.length).toBeLessThanOrEqual(36);
          expect(
            legJobId(
              newHedgeId(now, () => r),
              venue,
              leg,
              round,
            ),
          ).toBe(id);
          if (venue === 'aster') expect(clientOrderIdFor('aster', id)).toBe(id);
          else expect(clientOrderIdFor('backpack', id)).toMatch(/^[1-9]\d{0,9}$/);
        },
      ),
    );
  });

  it('rejects hedge ids that would make bad job ids', () => {
    expect(() => legJobId('12:34', 'aster', 'open')).toThrow();
    expect(() => legJobId('habc', 'aster', 'open', -1)).toThrow();
  });

  it('Backpack client ids are uint32 and differ between the legs of a hedge', () => {
    const ids = LEGS.flatMap((leg) =>
      [0, 1].map((r) => clientOrderIdFor('backpack', legJobId('habc123', 'backpack', leg, r))),
    );
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(Number(id)).toBeLessThan(2 ** 32);
  });
});

describe('legs of an intent', () => {
  it('open: buy on the cheap venue, sell on the dear one, equal size, not reduce-only', () => {
    const [a, b] = legsForIntent(intent);
    expect(a).toMatchObject({ name: 'open-leg', queue: 'order-aster', id: 'h-hmigx2k3aab12-aster-open' });
    expect(a!.data).toMatchObject({
      venue: 'aster',
      symbol: 'BTCUSDT',
      side: 'buy',
      qty: 0.02,
      reduceOnly: false,
    });
    expect(a!.data.limitPrice).toBe(100_050);
    expect(a!.data.clientOrderId).toBe('h-hmigx2k3aab12-aster-open');
    expect(b).toMatchObject({
      name: 'open-leg',
      queue: 'order-backpack',
      id: 'h-hmigx2k3aab12-backpack-open',
    });
    expect(b!.data).toMatchObject({
      venue: 'backpack',
      symbol: 'BTC_USDC_PERP',
      side: 'sell',
      qty: 0.02,
      fence: 3,
    });
  });

  it('close: opposite sides, reduce-only', () => {
    const [a, b] = legsForIntent({ ...intent, action: 'close', direction: 'buy_backpack_sell_aster' });
    expect(a!.data).toMatchObject({ venue: 'aster', side: 'buy', reduceOnly: true, leg: 'close' });
    expect(b!.data).toMatchObject({ venue: 'backpack', side: 'sell', reduceOnly: true, leg: 'close' });
    expect(a!.name).toBe('close-leg');
  });

  it('every job: one attempt, its deterministic id, kept for dedup', () => {
    for (const job of legsForIntent(intent)) {
      expect(jobOptions(job)).toMatchObject({ jobId: job.id, attempts: 1 });
      expect(jobOptions(job).removeOnComplete).not.toBe(true);
    }
  });
});

describe('job router', () => {
  const ok = async () => 'done';
  const all = [
    { name: JOB_NAMES.openLeg, handler: ok },
    { name: JOB_NAMES.closeLeg, handler: ok },
    { name: JOB_NAMES.cleanupLeg, handler: ok },
  ] as const;

  it('requires exactly one handler per job name', () => {
    expect(() => createJobRouter(all.slice(0, 2))).toThrow(/no handler for "cleanup-leg"/);
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
      {
        name: 'open-leg',
        handler: async (d) => {
          seen.push(`open:${d.venue}`);
          return 'o';
        },
      },
      { name: 'close-leg', handler: ok },
      { name: 'cleanup-leg', handler: ok },
    ]);
    const [leg] = legsForIntent(intent);
    const asJob = (name: string, id: string, data: unknown) => ({ name, id, data }) as unknown as Job;
    expect(await route(asJob(leg!.name, leg!.id, leg!.data))).toBe('o');
    expect(seen).toEqual(['open:aster']);
    await expect(route(asJob('close-leg', leg!.id, leg!.data))).rejects.toBeInstanceOf(InvalidJobError);
    await expect(route(asJob('open-leg', 'h-other-aster-open', leg!.data))).rejects.toBeInstanceOf(
      InvalidJobError,
    );
    await expect(route(asJob('open-leg', leg!.id, { ...leg!.data, qty: -1 }))).rejects.toBeInstanceOf(
      InvalidJobError,
    );
    await expect(route(asJob('nope', leg!.id, leg!.data))).rejects.toBeInstanceOf(InvalidJobError);
  });
});
