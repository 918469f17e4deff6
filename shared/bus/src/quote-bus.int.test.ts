import { deleteNamespace } from '@arb/testkit/redis';
import { randomBytes } from 'node:crypto';
import type { Quote } from '@arb/core/quote';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { redisNames } from './keys';
import {
  type QuoteReject,
  QuotePublisher,
  publishQuote,
  readLatestQuote,
  subscribeQuotes,
} from './quote-bus';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = new Redis(url);
const sub = new Redis(url);
const ns = `t-${randomBytes(4).toString('hex')}`;
const names = redisNames(ns);

afterAll(async () => {
  await deleteNamespace(redis, ns);
  redis.disconnect();
  sub.disconnect();
});

const quote = (over: Partial<Quote> = {}): Quote => ({
  v: 1,
  venue: 'aster',
  symbol: 'BTCUSDT',
  bid: 60000.1,
  bidQty: 1.5,
  ask: 60000.2,
  askQty: 0.25,
  venueTime: 1_700_000_000_000,
  receivedAt: 1_700_000_000_005,
  seq: 0,
  ...over,
});

async function until(cond: () => boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('quote bus (real Redis)', { timeout: 60_000 }, () => {
  it('publishes on the channel, sets the latest key, appends to the capped stream', async () => {
    const got: Quote[] = [];
    const rejects: QuoteReject[] = [];
    const s = await subscribeQuotes(
      sub,
      names,
      ['aster', 'backpack'],
      'BTC',
      (q) => got.push(q),
      (r) => rejects.push(r),
    );
    const q1 = quote({
      seq: 1,
      bids: [
        [60000.1, 1.5],
        [60000, 2],
      ],
      asks: [[60000.2, 0.25]],
    });
    await publishQuote(redis, names, 'BTC', q1, { streamMaxLen: 100 });
    await publishQuote(redis, names, 'BTC', quote({ venue: 'backpack', symbol: 'BTC_USDC_PERP', seq: 7 }));
    await until(() => got.length === 2);
    expect(got[0]).toEqual(q1);
    expect(got[1]?.venue).toBe('backpack');
    expect(await readLatestQuote(redis, names, 'aster', 'BTC')).toEqual(q1);
    expect(await redis.xlen(names.quoteStream('aster', 'BTC'))).toBe(1);
    expect(await redis.exists(names.quoteStream('backpack', 'BTC'))).toBe(0);
    expect(rejects).toEqual([]);
    expect(s.stats()).toEqual({ received: 2, rejected: 0 });
    await s.close();
  });

  it('validates on entry: bad JSON, schema violations and venue mismatches are counted, never delivered', async () => {
    const got: Quote[] = [];
    const rejects: QuoteReject[] = [];
    const s = await subscribeQuotes(
      sub,
      names,
      ['aster'],
      'ETH',
      (q) => got.push(q),
      (r) => rejects.push(r),
    );
    const ch = names.quoteChannel('aster', 'ETH');
    await redis.publish(ch, '{not json');
    await redis.publish(ch, JSON.stringify(quote({ bid: 60001, ask: 60000 })));
    await redis.publish(ch, JSON.stringify({ ...quote(), bid: 'x' }));
    await redis.publish(ch, JSON.stringify(quote({ venue: 'backpack' })));
    await redis.publish(ch, JSON.stringify(quote({ seq: 5 })));
    await until(() => s.stats().received === 5);
    expect(got.map((q) => q.seq)).toEqual([5]);
    expect(rejects.map((r) => r.reason)).toEqual(['json', 'schema', 'schema', 'venue_mismatch']);
    expect(rejects[1]?.detail).toContain('crossed');
    expect(s.stats()).toEqual({ received: 5, rejected: 4 });
    await s.close();
  });

  it('reads null for a missing or invalid latest quote', async () => {
    expect(await readLatestQuote(redis, names, 'backpack', 'SOL')).toBeNull();
    await redis.set(names.latestQuoteKey('backpack', 'SOL'), '{"v":1}');
    expect(await readLatestQuote(redis, names, 'backpack', 'SOL')).toBeNull();
  });

  it('caps the stream approximately at its max length', async () => {
    const p = new QuotePublisher(redis, names, 'aster', 'CAP', { streamMaxLen: 10 });
    for (let i = 0; i < 300; i++) await p.publish(quote({ seq: i }));
    expect(await redis.xlen(p.streamKey)).toBeLessThan(300);
    expect(JSON.parse((await redis.get(p.latestKey)) ?? '{}').seq).toBe(299);
  });
});
