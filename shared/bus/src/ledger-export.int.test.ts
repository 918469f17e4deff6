import { type RedisFixture, redisFixture } from '@arb/testkit/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisNames, redisNames } from './keys';
import { type LedgerEntry, LedgerEntrySchema } from './ledger-entry';
import { exportLedger, readLedger } from './ledger-export';
import { appendMessage } from './stream';

let fx: RedisFixture;
let names: RedisNames;

const closed = (hedgeId: string, at: number): LedgerEntry => ({
  v: 1,
  kind: 'hedge_closed',
  hedgeId,
  pair: 'BTC',
  at,
  realizedPnl: 1,
  fees: 0.5,
  volume: 4000,
  reason: 'spread_converged',
});

beforeAll(async () => {
  fx = await redisFixture();
  names = redisNames(fx.ns);
  for (let i = 1; i <= 7; i++) {
    await appendMessage(fx.redis, names.ledgerStream, LedgerEntrySchema, closed(`h-${i}`, i * 1000));
    if (i === 4) await fx.redis.xadd(names.ledgerStream, '*', 'm', '{"not":"a ledger entry"}');
  }
});
afterAll(async () => {
  await fx.cleanup();
});

describe('readLedger on a real stream', () => {
  it('reads every page, oldest first, and counts invalid entries without exporting them', async () => {
    for (const pageSize of [1, 2, 3, 1000]) {
      const { rows, rejected } = await readLedger(fx.redis, names, { pageSize });
      expect(rows.map((r) => r.entry.hedgeId)).toEqual(['h-1', 'h-2', 'h-3', 'h-4', 'h-5', 'h-6', 'h-7']);
      expect(rejected).toBe(1);
    }
  });

  it('keeps entries with `at` in [from, to], bounds included', async () => {
    const { rows } = await readLedger(fx.redis, names, { from: 2000, to: 5000, pageSize: 2 });
    expect(rows.map((r) => r.entry.hedgeId)).toEqual(['h-2', 'h-3', 'h-4', 'h-5']);
  });

  it('exports CSV and JSON', async () => {
    const csv = (await exportLedger(fx.redis, names, { format: 'csv', from: 7000 })).trimEnd().split('\n');
    expect(csv).toHaveLength(2);
    expect(csv[1]).toContain(',hedge_closed,h-7,');
    const json = JSON.parse(await exportLedger(fx.redis, names, { format: 'json', to: 1000 }));
    expect(json).toEqual([{ entryId: expect.any(String), ...closed('h-1', 1000) }]);
  });
});
