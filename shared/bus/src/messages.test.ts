import { describe, expect, it } from 'vitest';
import { AlertSchema } from './alert';
import { ControlCommandSchema } from './control-command';
import { parseControlFlags } from './control-flags';
import { HedgeIdSchema, newHedgeId } from './hedge-id';
import { HedgeIntentSchema } from './hedge-intent';
import { HedgeStatusSchema } from './hedge-status';
import { LedgerEntrySchema } from './ledger-entry';
import { LegJobSchema } from './leg-job';
import { OrderOutcomeEventSchema } from './order-outcome-event';
import { StateEventSchema } from './state-event';

const hedgeId = newHedgeId(1_764_300_000_000, () => 0.5);

describe('hedge ids', () => {
  it('are valid and short', () => {
    expect(HedgeIdSchema.parse(hedgeId)).toBe(hedgeId);
    expect(hedgeId.length).toBeLessThanOrEqual(16);
    expect(HedgeIdSchema.safeParse('123456').success).toBe(false);
    expect(HedgeIdSchema.safeParse('h:12345').success).toBe(false);
  });
});

describe('message schemas accept good messages and reject bad ones', () => {
  const intent = {
    v: 1,
    hedgeId,
    pair: 'BTC',
    action: 'open',
    direction: 'buy_aster_sell_backpack',
    qty: 0.02,
    expectedEdge: 125,
    reason: 'spread',
    quoteSeqs: { aster: 1, backpack: 2 },
    priceGuards: { aster: 1, backpack: 2 },
    fence: 1,
    createdAt: 1,
  };
  const leg = {
    v: 1,
    hedgeId,
    pair: 'BTC',
    leg: 'open',
    round: 0,
    venue: 'aster',
    symbol: 'BTCUSDT',
    side: 'buy',
    qty: 0.02,
    reduceOnly: false,
    clientOrderId: 'h-x-aster-open',
    fence: 1,
    createdAt: 1,
  };
  const outcome = {
    v: 1,
    hedgeId,
    pair: 'BTC',
    leg: 'open',
    round: 0,
    jobId: 'h-x-aster-open',
    outcome: {
      kind: 'filled',
      venue: 'aster',
      clientOrderId: 'h-x-aster-open',
      venueOrderId: '9',
      side: 'buy',
      qty: 0.02,
      avgPrice: 100_000,
      fee: 0.7,
      feeAsset: 'USDT',
      executedAt: 5,
    },
    sentAt: 1,
    ackAt: 2,
    probed: false,
  };
  const cases: [
    string,
    { safeParse(x: unknown): { success: boolean } },
    Record<string, unknown>,
    Record<string, unknown>[],
  ][] = [
    [
      'intent',
      HedgeIntentSchema,
      intent,
      [{ v: 2 }, { qty: 0 }, { direction: 'sideways' }, { fence: 0 }, { hedgeId: '1:2' }],
    ],
    [
      'leg job',
      LegJobSchema,
      leg,
      [{ side: 'long' }, { qty: -1 }, { venue: 'binance' }, { clientOrderId: 'x'.repeat(37) }],
    ],
    [
      'outcome event',
      OrderOutcomeEventSchema,
      outcome,
      [{ outcome: { kind: 'maybe' } }, { leg: 'middle' }, { sentAt: -1 }, { jobId: '' }],
    ],
    [
      'command',
      ControlCommandSchema,
      { v: 1, id: 'c1', command: 'pause', by: 'cli', at: 1 },
      [{ command: 'explode' }, { by: '' }, { v: 0 }],
    ],
    [
      'alert',
      AlertSchema,
      {
        v: 1,
        level: 'warn',
        source: 'risk',
        code: 'drift',
        message: 'net 0.01 BTC',
        at: 1,
        details: { net: 0.01 },
      },
      [{ level: 'panic' }, { details: { o: {} } }],
    ],
    [
      'ledger fill',
      LedgerEntrySchema,
      {
        v: 1,
        kind: 'fill',
        hedgeId,
        pair: 'BTC',
        at: 1,
        leg: 'open',
        round: 0,
        venue: 'backpack',
        symbol: 'BTC_USDC_PERP',
        side: 'sell',
        qty: 0.02,
        price: 100_000,
        fee: 0.8,
        feeAsset: 'USDC',
        clientOrderId: '123',
        venueOrderId: 'abc',
      },
      [{ kind: 'refund' }, { price: 0 }],
    ],
    [
      'status',
      HedgeStatusSchema,
      { v: 1, hedgeId, pair: 'BTC', status: 'open', updatedAt: 1 },
      [{ status: 'done' }],
    ],
    ['state event', StateEventSchema, { v: 1, kind: 'hedge', pair: 'BTC', hedgeId }, [{ kind: 'other' }]],
  ];
  for (const [label, schema, good, bads] of cases) {
    it(label, () => {
      expect(schema.safeParse(good).success).toBe(true);
      for (const bad of bads)
        expect(schema.safeParse({ ...good, ...bad }).success, JSON.stringify(bad)).toBe(false);
      expect(schema.safeParse(null).success).toBe(false);
    });
  }
});

describe('control flags', () => {
  it('parse strictly: only "1" is true; missing means not reconciled', () => {
    expect(parseControlFlags({})).toEqual({ paused: false, killed: false, reconciled: false });
    expect(parseControlFlags({ paused: '1', killed: 'yes', reconciled: '1', updatedAt: '5' })).toMatchObject({
      paused: true,
      killed: false,
      reconciled: true,
      updatedAt: 5,
    });
  });
});
