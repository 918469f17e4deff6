import { loadConfig } from '@arb/config/config';
import { checkEconomics } from '@arb/config/economics-check';
import { describe, expect, it } from 'vitest';
import { maskAccount, redactUrl, tradePlan, whereToLook } from './launch-report';

const LIVE_ENV = {
  MODE: 'live',
  LIVE_TRADING_CONFIRM: 'yes',
  ASTER_API_KEY: 'aster-api-key-0123456789abcdef',
  ASTER_API_SECRET: 'aster-secret-0123456789abcdef-very-secret',
  BACKPACK_API_KEY: 'bGl2ZS1iYWNrcGFjay1wdWJsaWMta2V5LTAxMjM0NTY=',
  BACKPACK_SECRET_KEY: 'bGl2ZS1iYWNrcGFjay1zZWNyZXQtc2VlZC05ODc2NTQ=',
  DASHBOARD_PASSWORD: 'a-chosen-dashboard-password',
  ALLOW_UNPROFITABLE: 'true',
};

describe('maskAccount', () => {
  it('keeps a wallet recognisable and hides keys but their last 4 characters', () => {
    expect(maskAccount('0x1234567890abcdef1234567890abcdef12345678')).toBe('0x1234…5678');
    expect(maskAccount('abcdefghijklmnop')).toBe('…mnop');
    expect(maskAccount('short')).toBe('…');
    expect(maskAccount('')).toBe('(none)');
  });
});

describe('tradePlan', () => {
  it('says what live mode will trade, with accounts masked and no secret', () => {
    const config = loadConfig(LIVE_ENV);
    const text = tradePlan(config, checkEconomics(config)).join('\n');
    expect(text).toContain('mode live (REAL ORDERS)');
    expect(text).toContain('BTCUSDT');
    expect(text).toContain('BTC_USDC_PERP');
    expect(text).toContain('size 0.02 BTC per leg, open at 120 USD spread, close below 80 USD');
    expect(text).toContain('leverage 5x');
    expect(text).toContain('https://fapi.asterdex.com');
    expect(text).toContain('https://api.backpack.exchange');
    expect(text).toContain('HMAC key …cdef');
    for (const secret of Object.values(LIVE_ENV).filter((v) => v.length > 12)) {
      expect(text).not.toContain(secret);
    }
  });

  it('includes the break-even when the thresholds cover it (otherwise it is a separate warning)', () => {
    const ok = loadConfig({ ARB_THRESHOLD: '400', CLOSE_DIFF: '50' });
    expect(tradePlan(ok, checkEconomics(ok)).join('\n')).toContain('break-even spread');
    const warn = loadConfig({});
    expect(tradePlan(warn, checkEconomics(warn)).join('\n')).not.toContain('break-even spread');
  });

  it('says where paper orders go', () => {
    const config = loadConfig({ MODE: 'paper', SIM_ASTER_PORT: '17101' });
    const text = tradePlan(config, checkEconomics(config)).join('\n');
    expect(text).toContain('simulator matching engine at http://127.0.0.1:17101');
  });
});

describe('whereToLook', () => {
  const ports = { 'feed-aster': 9101, dashboard: 9121 };

  it('prints the generated password (sim/paper) with the URLs and the PM2 commands', () => {
    const config = loadConfig({ DASHBOARD_PORT: '18080' });
    const text = whereToLook({
      config,
      pm2Home: '/x/pm2',
      healthBase: 9100,
      healthPorts: ports,
      redisUrl: 'redis://:pw@127.0.0.1:6379',
    }).join('\n');
    expect(text).toContain(`password ${config.dashboard.password} (generated for this run)`);
    expect(text).toContain('http://127.0.0.1:18080/queues');
    expect(text).toContain('PM2_HOME=/x/pm2 npx pm2 restart strategy');
    expect(text).toContain('feed-aster :9101');
    expect(text).toContain('/admin/health');
    expect(text).not.toContain(':pw@');
  });

  it('never prints a password that came from the environment', () => {
    const config = loadConfig(LIVE_ENV);
    const text = whereToLook({
      config,
      pm2Home: '/x',
      healthBase: 9100,
      healthPorts: ports,
      redisUrl: 'redis://127.0.0.1:6379',
    }).join('\n');
    expect(text).not.toContain(LIVE_ENV.DASHBOARD_PASSWORD);
    expect(text).toContain('(from DASHBOARD_PASSWORD)');
    expect(text).not.toContain('/admin/health');
  });
});

describe('redactUrl', () => {
  it('masks a password', () => {
    expect(redactUrl('redis://user:secret@h:1/0')).toBe('redis://user:***@h:1/0');
    expect(redactUrl('not a url')).toBe('(invalid url)');
  });
});
