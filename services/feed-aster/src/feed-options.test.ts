import { loadConfig } from '@arb/config/config';
import { describe, expect, it } from 'vitest';
import { feedSettings } from './feed-options';

describe('feedSettings', () => {
  it('maps sim config to the simulator URL and feed knobs', () => {
    const c = loadConfig(
      { MODE: 'sim', ASTER_STALL_MS: '4000', RECORD_QUOTES: 'true' },
      { dotenvPath: false },
    );
    const s = feedSettings(c);
    expect(s.pair).toBe(c.pair);
    expect(s.source.symbol).toBe(`${c.pair}USDT`);
    expect(s.source.wsUrl).toBe(c.venues.aster.wsUrl);
    expect(s.source.stallMs).toBe(4000);
    expect(s.source.reconnectBaseMs).toBe(c.feeds.asterReconnectBaseMs);
    expect(s.streamMaxLen).toBe(c.feeds.streamMaxLen);
  });

  it('reaches the real public venue by config alone in paper mode, without keys', () => {
    const c = loadConfig({ MODE: 'paper', RECORD_QUOTES: 'false' }, { dotenvPath: false });
    const s = feedSettings(c);
    expect(s.source.wsUrl).toBe('wss://fstream.asterdex.com');
    expect(s.streamMaxLen).toBe(0);
  });
});
