import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';
import { assertEconomics, checkEconomics } from './economics-check';

const LIVE = {
  MODE: 'live',
  LIVE_TRADING_CONFIRM: 'yes',
  DASHBOARD_PASSWORD: 'dash-pass-123',
  ASTER_API_KEY: 'k-123',
  ASTER_API_SECRET: 's-123',
  BACKPACK_API_KEY: Buffer.alloc(32, 1).toString('base64'),
  BACKPACK_SECRET_KEY: Buffer.alloc(32, 2).toString('base64'),
};

describe('checkEconomics', () => {
  it('shows that the original thresholds cannot pay four taker fills, and warns in sim', () => {
    const r = checkEconomics(loadConfig({}));
    // 100000 x 2 x (0.00035 + 0.0005) = 170 USD per BTC; the gap is 120 - 80 = 40.
    expect(r.breakEvenSpread).toBe(170);
    expect(r.thresholdGap).toBe(40);
    expect(r.netEdge).toBe(-130);
    expect(r.roundTripFeeUsd).toBe(3.4);
    expect(r.refPrice).toBe(100000);
    expect(r.verdict).toBe('warn');
    expect(r.message).toContain('break-even spread 170 USD');
    expect(() => assertEconomics(r)).not.toThrow();
  });

  it('warns in paper too', () => {
    expect(checkEconomics(loadConfig({ MODE: 'paper' })).verdict).toBe('warn');
  });

  it('refuses to start live unless ALLOW_UNPROFITABLE=true', () => {
    const r = checkEconomics(loadConfig(LIVE));
    expect(r.verdict).toBe('refuse');
    expect(r.message).toContain('ALLOW_UNPROFITABLE');
    expect(() => assertEconomics(r)).toThrow(ConfigError);
    expect(checkEconomics(loadConfig({ ...LIVE, ALLOW_UNPROFITABLE: 'true' })).verdict).toBe('warn');
  });

  it('is ok when the gap exceeds the break-even spread at the reference price', () => {
    const r = checkEconomics(loadConfig({ ...LIVE, ARB_THRESHOLD: '300', CLOSE_DIFF: '100' }));
    expect(r.verdict).toBe('ok');
    expect(r.netEdge).toBe(30);
    const cheap = checkEconomics(loadConfig({ ECONOMICS_REF_PRICE: '20000' }));
    expect(cheap.breakEvenSpread).toBe(34);
    expect(cheap.verdict).toBe('ok');
  });
});
