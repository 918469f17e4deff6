import { loadConfig } from '@arb/config/config';
import { describe, expect, it } from 'vitest';
import { feedSettings } from './feed-options';

describe('feedSettings', () => {
  it('sim mode: the simulator URLs, production timings (30 s ping, 5 s first retry), depth levels', () => {
    const s = feedSettings(
      loadConfig({ MODE: 'sim', SIM_BACKPACK_PORT: '7191', ARB_NAMESPACE: 'x' }, { dotenvPath: false }),
    );
    expect(s).toMatchObject({
      pair: 'BTC',
      namespace: 'x',
      source: {
        symbol: 'BTC_USDC_PERP',
        restUrl: expect.stringContaining(':7191'),
        wsUrl: expect.stringMatching(/^ws:\/\/.*:7191$/),
        heartbeatMs: 30_000,
        reconnectBaseMs: 5000,
        depthLevels: 10,
      },
      streamMaxLen: 0,
    });
  });

  it('paper mode: the real public Backpack endpoints by config alone', () => {
    const s = feedSettings(
      loadConfig({ MODE: 'paper', RECORD_QUOTES: 'true', FEED_DEPTH_LEVELS: '0' }, { dotenvPath: false }),
    );
    expect(s.source).toMatchObject({
      wsUrl: 'wss://ws.backpack.exchange',
      restUrl: 'https://api.backpack.exchange',
      depthLevels: 0,
    });
    expect(s.streamMaxLen).toBeGreaterThan(0);
  });
});
