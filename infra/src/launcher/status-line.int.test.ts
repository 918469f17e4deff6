import { writeControlFlags } from '@arb/bus/control-flags';
import { redisNames } from '@arb/bus/keys';
import { loadConfig } from '@arb/config/config';
import type { Quote } from '@arb/core/quote';
import { type RedisFixture, redisFixture } from '@arb/testkit/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { minimalStatus, renderLauncherStatus } from './status-line';

let fx: RedisFixture;
beforeAll(async () => {
  fx = await redisFixture({ prefix: 't-status' });
});
afterAll(async () => {
  await fx?.cleanup();
});

const quote = (venue: 'aster' | 'backpack', bid: number, ask: number, at: number): Quote => ({
  v: 1,
  venue,
  symbol: venue === 'aster' ? 'BTCUSDT' : 'BTC_USDC_PERP',
  bid,
  bidQty: 1,
  ask,
  askQty: 1,
  venueTime: at,
  receivedAt: at,
  seq: 1,
});

describe('launcher status line (real Redis)', () => {
  it('shows books, spread, ages and trading state; the full status comes from the dashboard module', async () => {
    const names = redisNames(fx.ns);
    const config = loadConfig({ ARB_NAMESPACE: fx.ns });
    const now = Date.now();
    await fx.redis.set(
      names.latestQuoteKey('aster', 'BTC'),
      JSON.stringify(quote('aster', 100000, 100001, now - 1500)),
    );
    await fx.redis.set(
      names.latestQuoteKey('backpack', 'BTC'),
      JSON.stringify(quote('backpack', 100200, 100201, now - 500)),
    );
    const minimal = await minimalStatus(fx.redis, names, config, now);
    expect(minimal).toContain('Aster 100000.0/100001.0');
    expect(minimal).toContain('Backpack 100200.0/100201.0');
    expect(minimal).toContain('buy Aster/sell Backpack 199.00 USD');
    expect(minimal).toContain('age A 1.5s B 0.5s');
    expect(minimal).toContain('not reconciled (no opens)');
    expect(minimal).toContain('no hedge');

    await writeControlFlags(
      fx.redis,
      names,
      { reconciled: true, paused: true },
      { by: 't', reason: 'ops', at: now },
    );
    expect(await minimalStatus(fx.redis, names, config, now)).toContain('paused (ops)');

    const full = await renderLauncherStatus(fx.redis, names, config, () => now);
    expect(full).toContain('BTC');
    expect(full).toContain('Daily stats');
    expect(full).not.toContain('full status unavailable');
  });
});
