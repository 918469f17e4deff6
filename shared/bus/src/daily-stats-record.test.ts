import { describe, expect, it } from 'vitest';
import { parseDailyStats } from './daily-stats-record';

describe('parseDailyStats', () => {
  it('reads JSON or a hash of numeric strings', () => {
    const json = parseDailyStats(
      JSON.stringify({ volume: 10, trades: 2, realizedPnl: -1 }),
      '2026-11-28',
      'UTC',
    );
    expect(json).toMatchObject({
      day: '2026-11-28',
      volume: 10,
      trades: 2,
      realizedPnl: -1,
      openPositions: 0,
    });
    const hash = parseDailyStats(JSON.stringify({ volume: '12.5', trades: '3' }), '2026-11-28', 'UTC');
    expect(hash).toMatchObject({ volume: 12.5, trades: 3 });
  });
  it('rejects junk', () => {
    expect(parseDailyStats(null, 'd', 'UTC')).toBeNull();
    expect(parseDailyStats('not json', 'd', 'UTC')).toBeNull();
    expect(parseDailyStats('[1]', 'd', 'UTC')).toBeNull();
    expect(parseDailyStats('{"volume":"abc"}', 'd', 'UTC')).toBeNull();
    expect(parseDailyStats('{"other":1}', 'd', 'UTC')).toBeNull();
  });
});
