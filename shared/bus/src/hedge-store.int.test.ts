import { makeHedgeId } from '@arb/core/hedge';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RedisFixture, redisFixture } from '@arb/testkit/redis';
import { waitFor } from '@arb/testkit/wait';
import { writeControlFlags } from './control-flags';
import { type HedgeIntent, HedgeIntentSchema } from './hedge-intent';
import type { HedgeStatus } from './hedge-status';
import {
  checkLegJob,
  listHedgeIds,
  readActiveHedge,
  readHedge,
  recordCloseIntent,
  recordOpenIntent,
  writeHedgeStatus,
} from './hedge-store';
import { redisNames } from './keys';
import { acquireLease, type LeaseHolder } from './leader-lease';
import { StateEventSchema } from './state-event';
import { readRange } from './stream';

let fx: RedisFixture;
let names: ReturnType<typeof redisNames>;
let redis: Redis;
let seq = 0;

function intent(pair: string, fence: number, over: Partial<HedgeIntent> = {}): HedgeIntent {
  seq++;
  return {
    v: 1,
    hedgeId: makeHedgeId(Date.now(), seq),
    pair,
    action: 'open',
    direction: 'buy_aster_sell_backpack',
    qty: 0.02,
    expectedEdge: 130,
    reason: 'spread',
    quoteSeqs: { aster: 10, backpack: 20 },
    priceGuards: { aster: 100_100, backpack: 99_900 },
    fence,
    createdAt: Date.now(),
    ...over,
  };
}

function status(hedgeId: string, pair: string, phase: HedgeStatus['phase']): HedgeStatus {
  return {
    v: 1,
    hedgeId,
    pair,
    phase,
    openedAt: null,
    closedAt: null,
    exposure: { aster: 0, backpack: 0 },
    updatedAt: 1,
  };
}

async function lead(pair: string, owner = 'leader'): Promise<LeaseHolder> {
  const fence = await acquireLease(redis, names, pair, owner, 30_000);
  if (fence === null) throw new Error('lease taken');
  return { owner, fence };
}

beforeAll(async () => {
  fx = await redisFixture();
  names = redisNames(fx.ns);
  redis = fx.redis;
});
beforeEach(async () => {
  await writeControlFlags(
    redis,
    names,
    { reconciled: true, paused: false, killed: false },
    { by: 't', reason: 't', at: 1 },
  );
});
afterAll(async () => {
  await fx.cleanup();
});

describe('open intents', () => {
  it('of many concurrent opens on separate connections, exactly one becomes the active hedge', async () => {
    const pair = 'C1';
    const holder = await lead(pair);
    const conns = Array.from({ length: 8 }, () => fx.connect());
    const intents = conns.map(() => intent(pair, holder.fence));
    const results = await Promise.all(conns.map((c, i) => recordOpenIntent(c, names, intents[i]!, holder)));
    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    const winner = intents[results.findIndex((r) => r.ok)]!;
    for (const r of results)
      if (!r.ok) expect(r).toEqual({ ok: false, reason: 'active', activeHedgeId: winner.hedgeId });
    const active = await readActiveHedge(redis, names, pair);
    expect(active?.hedgeId).toBe(winner.hedgeId);
    expect(active?.open).toEqual(winner);
    expect(active?.fence).toBe(holder.fence);
    expect(await listHedgeIds(redis, names, pair)).toEqual([winner.hedgeId]);
    // The intent went to risk's durable stream too, once.
    const stream = await readRange(redis, names.intentStream, HedgeIntentSchema);
    expect(stream.entries.filter((e) => e.message.pair === pair).map((e) => e.message)).toEqual([winner]);
    // Losers left nothing behind.
    for (const i of intents) if (i !== winner) expect(await readHedge(redis, names, i.hedgeId)).toBeNull();
    for (const c of conns) c.disconnect();
  });

  it('recording the same intent again is a no-op success', async () => {
    const pair = 'C2';
    const holder = await lead(pair);
    const i = intent(pair, holder.fence);
    expect(await recordOpenIntent(redis, names, i, holder)).toEqual({ ok: true, existing: false });
    expect(await recordOpenIntent(redis, names, i, holder)).toEqual({ ok: true, existing: true });
  });

  it('order workers can tell a recorded leg from a stale or unrecorded one', async () => {
    const pair = 'C8';
    const holder = await lead(pair);
    const i = intent(pair, holder.fence);
    await recordOpenIntent(redis, names, i, holder);
    const leg = { hedgeId: i.hedgeId, role: 'open', fence: holder.fence };
    expect(await checkLegJob(redis, names, leg)).toEqual({ ok: true });
    // Re-enqueued by a newer leader: fine. Claiming an older fence than the intent's: refused.
    expect(await checkLegJob(redis, names, { ...leg, fence: holder.fence + 1 })).toEqual({ ok: true });
    await redis.del(names.leaderKey(pair));
    const newer = await lead(pair, 'newer');
    const i2 = intent(pair, newer.fence);
    await writeHedgeStatus(redis, names, { ...status(i.hedgeId, pair, 'failed'), closedAt: 1 });
    expect((await recordOpenIntent(redis, names, i2, newer)).ok).toBe(true);
    expect(
      await checkLegJob(redis, names, { hedgeId: i2.hedgeId, role: 'open', fence: holder.fence }),
    ).toEqual({
      ok: false,
      reason: 'stale-fence',
    });
    expect(await checkLegJob(redis, names, { ...leg, role: 'close' })).toEqual({
      ok: false,
      reason: 'no-intent',
    });
    expect(await checkLegJob(redis, names, { ...leg, hedgeId: 'hnever1' })).toEqual({
      ok: false,
      reason: 'unknown-hedge',
    });
    // Risk's own legs (fence 0) need only the hedge.
    expect(await checkLegJob(redis, names, { ...leg, role: 'unwind', fence: 0 })).toEqual({ ok: true });
  });

  it('refuses a stale leader (lease lost to a newer fence)', async () => {
    const pair = 'C3';
    const old = await lead(pair, 'old');
    await redis.del(names.leaderKey(pair)); // the old lease expired
    const fresh = await lead(pair, 'new');
    expect(fresh.fence).toBeGreaterThan(old.fence);
    expect(await recordOpenIntent(redis, names, intent(pair, old.fence), old)).toEqual({
      ok: false,
      reason: 'not-leader',
    });
    expect(await readActiveHedge(redis, names, pair)).toBeNull();
    expect((await recordOpenIntent(redis, names, intent(pair, fresh.fence), fresh)).ok).toBe(true);
  });

  it('refuses while paused, killed or not reconciled', async () => {
    const pair = 'C4';
    const holder = await lead(pair);
    const meta = { by: 'test', reason: 'test', at: Date.now() };
    await writeControlFlags(redis, names, { paused: true }, meta);
    expect(await recordOpenIntent(redis, names, intent(pair, holder.fence), holder)).toMatchObject({
      reason: 'paused',
    });
    await writeControlFlags(redis, names, { paused: false, killed: true }, meta);
    expect(await recordOpenIntent(redis, names, intent(pair, holder.fence), holder)).toMatchObject({
      reason: 'killed',
    });
    await writeControlFlags(redis, names, { killed: false, reconciled: false }, meta);
    expect(await recordOpenIntent(redis, names, intent(pair, holder.fence), holder)).toMatchObject({
      reason: 'not-reconciled',
    });
    expect(await readActiveHedge(redis, names, pair)).toBeNull();
  });
});

describe('close intents and status', () => {
  it('closes only an open active hedge, once; a terminal status frees the slot for the next open', async () => {
    const pair = 'C5';
    const holder = await lead(pair);
    const open = intent(pair, holder.fence);
    await recordOpenIntent(redis, names, open, holder);
    const close: HedgeIntent = { ...open, action: 'close', reason: 'spread', createdAt: Date.now() };
    // Risk has not reported the hedge open yet.
    expect(await recordCloseIntent(redis, names, close, holder)).toEqual({ ok: false, reason: 'not-open' });
    const base = {
      v: 1 as const,
      hedgeId: open.hedgeId,
      pair,
      updatedAt: Date.now(),
      closedAt: null,
      exposure: { aster: 0.02, backpack: -0.02 },
    };
    expect(await writeHedgeStatus(redis, names, { ...base, phase: 'open', openedAt: 1000 })).toBe(false);
    expect(await recordCloseIntent(redis, names, close, holder)).toEqual({ ok: true, existing: false });
    expect(await recordCloseIntent(redis, names, close, holder)).toEqual({ ok: true, existing: true });
    const other = intent(pair, holder.fence);
    expect(await recordCloseIntent(redis, names, { ...other, action: 'close' }, holder)).toEqual({
      ok: false,
      reason: 'not-active',
    });
    expect(await recordOpenIntent(redis, names, other, holder)).toMatchObject({
      ok: false,
      reason: 'active',
    });

    const rec = await readActiveHedge(redis, names, pair);
    expect(rec?.close).toEqual(close);
    expect(rec?.status?.phase).toBe('open');
    expect(rec?.status?.openedAt).toBe(1000);

    expect(
      await writeHedgeStatus(redis, names, { ...base, phase: 'closed', openedAt: 1000, closedAt: 2000 }),
    ).toBe(true);
    expect(await readActiveHedge(redis, names, pair)).toBeNull();
    expect((await readHedge(redis, names, open.hedgeId))?.status?.phase).toBe('closed');
    expect(await recordOpenIntent(redis, names, other, holder)).toEqual({ ok: true, existing: false });
  });

  it('publishes a state event with every change', async () => {
    const pair = 'C6';
    const holder = await lead(pair);
    const sub = fx.connect();
    const seen: unknown[] = [];
    sub.on('message', (_ch: string, msg: string) => seen.push(StateEventSchema.parse(JSON.parse(msg))));
    await sub.subscribe(names.stateChannel);
    const open = intent(pair, holder.fence);
    await recordOpenIntent(redis, names, open, holder);
    await writeHedgeStatus(redis, names, status(open.hedgeId, pair, 'open'));
    await writeControlFlags(redis, names, { paused: true }, { by: 't', reason: 't', at: 1 });
    await waitFor(() => seen.length >= 3);
    expect(seen).toEqual([
      { v: 1, kind: 'hedge', pair, hedgeId: open.hedgeId },
      { v: 1, kind: 'hedge', pair, hedgeId: open.hedgeId },
      { v: 1, kind: 'control' },
    ]);
    sub.disconnect();
  });

  it('refuses a status for an unknown hedge', async () => {
    await expect(writeHedgeStatus(redis, names, status('hnothere1', 'C7', 'open'))).rejects.toThrow(
      /unknown-hedge/,
    );
  });
});
