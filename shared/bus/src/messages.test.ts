import { makeHedgeId } from '@arb/core/hedge';
import { describe, expect, it } from 'vitest';
import { AlertSchema } from './alert';
import { ControlCommandSchema } from './control-command';
import { parseControlFlags } from './control-flags';
import { HedgeIdSchema } from './hedge-id';
import { HedgeIntentSchema } from './hedge-intent';
import { HedgeStatusSchema } from './hedge-status';
import { LedgerEntrySchema } from './ledger-entry';
import { LegJobSchema } from './leg-job';
import { OrderOutcomeEventSchema } from './order-outcome-event';
import { StateEventSchema } from './state-event';

const hedgeId = makeHedgeId(1_764_300_000_000, 4242);

describe('hedge ids', () => {
  it('are valid and short', () => {
    expect(HedgeIdSchema.parse(hedgeId)).toBe(hedgeId);
    expect(hedgeId.length).toBeLessThanOrEqual(15);
    expect(HedgeIdSchema.safeParse('h:12345').success).toBe(false);
    expect(HedgeIdSchema.safeParse('h'.repeat(16)).success).toBe(false);
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
    role: 'open',
    attempt: 1,
    venue: 'aster',
    symbol: 'BTCUSDT',
    side: 'buy',
    qty: 0.02,
    reduceOnly: false,
    clientOrderId: 'hx-aster-open1',
    fence: 1,
    createdAt: 1,
  };
  const outcome = {
    v: 1,
    hedgeId,
    pair: 'BTC',
    role: 'open',
    attempt: 1,
    jobId: 'hx-aster-open1',
    outcome: {
      kind: 'filled',
      venue: 'aster',
      clientOrderId: 'hx-aster-open1',
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
      [
        { side: 'long' },
        { qty: -1 },
        { venue: 'binance' },
        { clientOrderId: 'x'.repeat(37) },
        { clientOrderId: '12345' },
        { attempt: 0 },
      ],
    ],
    [
      'outcome event',
      OrderOutcomeEventSchema,
      outcome,
      [{ outcome: { kind: 'maybe' } }, { role: 'middle' }, { sentAt: -1 }, { jobId: '' }],
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
        role: 'open',
        attempt: 1,
        legId: 'hx-backpack-open1',
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
      {
        v: 1,
        hedgeId,
        pair: 'BTC',
        phase: 'open',
        openedAt: 1,
        closedAt: null,
        exposure: { aster: 0.02, backpack: -0.02 },
        updatedAt: 1,
      },
      [{ phase: 'done' }, { exposure: { aster: 'x' } }],
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
