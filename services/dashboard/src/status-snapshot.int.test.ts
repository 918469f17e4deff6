import { writeControlFlags } from '@arb/bus/control-flags';
import { type RedisNames, redisNames } from '@arb/bus/keys';
import { writeOrderHealth } from '@arb/bus/order-health';
import { publishQuote } from '@arb/bus/quote-bus';
import { tradingDay } from '@arb/core/daily-stats';
import { DEFAULT_STRATEGY_PARAMS } from '@arb/core/params';
import { type RedisFixture, redisFixture } from '@arb/testkit/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderStatus } from './status-line';
import { readStatusSnapshot } from './status-snapshot';
import { openTestHedge } from './test-hedge-writer';
import { testQuote } from './test-fixtures';

const CONFIG = { pair: 'BTC', strategy: DEFAULT_STRATEGY_PARAMS, tradingTimeZone: 'UTC' };

describe('readStatusSnapshot (real Redis)', () => {
  let fx: RedisFixture;
  let names: RedisNames;

  beforeAll(async () => {
    fx = await redisFixture();
    names = redisNames(fx.ns);
  });
  afterAll(async () => {
    await fx?.cleanup();
  });

  it('an empty namespace: no quotes, feeds down, holding for reconciliation, zero stats', async () => {
    const s = await readStatusSnapshot(fx.redis, names, CONFIG);
    expect(s.quotes).toEqual({ aster: null, backpack: null });
    expect(s.feeds.aster).toMatchObject({ healthy: false, reportAgeMs: null, quoteAgeMs: null });
    expect(s.decision).toEqual({ kind: 'hold', reason: 'not_reconciled' });
    expect(s.hedge).toBeNull();
    expect(s.daily).toMatchObject({ volume: 0, trades: 0, openPositions: 0, realizedPnl: 0 });
    expect(renderStatus(s)).toContain('hold: not_reconciled');
  });

  it('reads quotes, feed health, flags, the hedge and risk-stored daily stats', async () => {
    const now = Date.now();
    await publishQuote(fx.redis, names, 'BTC', testQuote('aster', 100_000, 100_010, now, 5));
    await publishQuote(fx.redis, names, 'BTC', testQuote('backpack', 100_050, 100_060, now, 9));
    for (const v of ['aster', 'backpack'] as const) {
      await fx.redis.hset(names.feedHealthKey(v), {
        connected: '1',
        updatedAt: String(now),
        reconnects: '3',
        malformed: '1',
      });
      // Standing in for the order workers: the order path of each venue reports ok.
      await writeOrderHealth(
        fx.redis,
        names,
        { v: 1, venue: v, state: 'ok', reason: null, until: null, updatedAt: now },
        60_000,
      );
    }
    await writeControlFlags(
      fx.redis,
      names,
      { reconciled: true },
      { by: 'risk', reason: 'reconciled', at: now },
    );
    let s = await readStatusSnapshot(fx.redis, names, CONFIG, { now: now + 10 });
    expect(s.spread.open.buy_aster_sell_backpack).toBe(40);
    expect(s.feeds.backpack).toMatchObject({
      healthy: true,
      connected: true,
      quoteAgeMs: 10,
      reconnects: 3,
      malformed: 1,
    });
    expect(s.decision).toMatchObject({ kind: 'hold', reason: 'spread_below_open' });
    // An order path reported degraded (e.g. a 429 storm): the strategy would hold on that venue.
    const asterPath = (state: 'ok' | 'degraded') =>
      writeOrderHealth(
        fx.redis,
        names,
        {
          v: 1,
          venue: 'aster',
          state,
          reason: state === 'ok' ? null : 'rate_limited',
          until: null,
          updatedAt: now,
        },
        60_000,
      );
    await asterPath('degraded');
    s = await readStatusSnapshot(fx.redis, names, CONFIG, { now: now + 10 });
    expect(s.decision).toMatchObject({ kind: 'hold', reason: 'venue_unhealthy' });
    await asterPath('ok');

    const hedge = await openTestHedge(fx.redis, names, 'BTC', now);
    s = await readStatusSnapshot(fx.redis, names, CONFIG, { now: now + 65_000 });
    expect(s.hedge).toMatchObject({ hedgeId: hedge.hedgeId, phase: 'open', qty: 0.02, openedAt: now + 5 });
    expect(s.hedge?.ageMs).toBe(65_000 - 5);
    // Fills: buy aster 100010, sell backpack 100150, fees 1.4; marked: sell aster at 100000, buy backpack at 100060.
    expect(s.hedge?.unrealizedPnl).toBeCloseTo(
      0.02 * (100_150 - 100_010) - 1.4 + 0.02 * (100_000 - 100_060),
      6,
    );
    // 65 s later the feeds' health reports are stale too: the strategy would hold on unhealthy venues.
    expect(s.decision).toMatchObject({ kind: 'hold', reason: 'venue_unhealthy' });
    // Ledger fallback for today's stats (risk has not stored any yet).
    expect(s.daily).toMatchObject({ trades: 2, hedgesOpened: 1, openPositions: 1 });

    const day = tradingDay(now, 'UTC');
    const stored = {
      v: 1,
      day,
      timeZone: 'UTC',
      volume: 9024.11,
      trades: 2,
      hedgesOpened: 1,
      hedgesClosed: 0,
      openPositions: 1,
      realizedPnl: 0,
      fees: 3.2,
      updatedAt: now,
    };
    await fx.redis.set(names.dailyStatsKey(day), JSON.stringify(stored));
    await writeControlFlags(fx.redis, names, { paused: true }, { by: 'cli:ops', reason: 'lunch', at: now });
    s = await readStatusSnapshot(fx.redis, names, CONFIG, { now: now + 20 });
    expect(s.daily).toMatchObject({ volume: 9024.11, trades: 2, openPositions: 1, fees: 3.2 });
    expect(s.control).toMatchObject({ paused: true, reason: 'lunch', updatedBy: 'cli:ops' });
    expect(s.decision).toEqual({ kind: 'hold', reason: 'paused' });
    const text = renderStatus(s);
    expect(text).toContain(`hedge   ${hedge.hedgeId} open`);
    expect(text).toContain('Volume:         9024.11 USD');
    expect(text).toContain('[PAUSED — lunch by cli:ops]');

    await hedge.close(now + 100, 2.5);
    s = await readStatusSnapshot(fx.redis, names, CONFIG, { now: now + 200 });
    expect(s.hedge).toBeNull();
  });
});
