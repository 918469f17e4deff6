import { describe, expect, it } from 'vitest';
import { FEED_REPORT_MAX_AGE_MS, feedHealthy } from './feed-health';

describe('feed health', () => {
  it('healthy only when connected and recently reported', () => {
    expect(feedHealthy(null, 10_000, 5000)).toBe(false);
    expect(feedHealthy({ connected: '0', updatedAt: '9000' }, 10_000, 5000)).toBe(false);
    expect(feedHealthy({ connected: '1', updatedAt: '9000' }, 10_000, 5000)).toBe(true);
    expect(feedHealthy({ connected: '1', updatedAt: '1000' }, 10_000, 5000)).toBe(false);
    expect(feedHealthy({ connected: '1' }, 10_000, 5000)).toBe(false);
  });

  it('a report exactly the maximum age old still counts; the default bound is 5 s', () => {
    expect(FEED_REPORT_MAX_AGE_MS).toBe(5000);
    expect(feedHealthy({ connected: '1', updatedAt: '5000' }, 10_000)).toBe(true);
    expect(feedHealthy({ connected: '1', updatedAt: '4999' }, 10_000)).toBe(false);
  });
});
