import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BackpackBookTickerSchema,
  BackpackDepthEventSchema,
  BackpackDepthSnapshotSchema,
  BackpackFillSchema,
  BackpackOrderSchema,
  BackpackPositionSchema,
} from './backpack-types';
import {
  orderOutcome,
  parseBookTicker,
  parseDepthEvent,
  parseDepthSnapshot,
  parseOrder,
  parsePosition,
  restTimeToMs,
  sumFills,
  usToMs,
} from './parser';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../test-data/${name}`, import.meta.url), 'utf8'));

describe('parser (recorded payloads)', () => {
  it('bookTicker: prices, sizes, µs -> ms', () => {
    const frame = fixture('book-ticker.json') as { data: unknown };
    const top = parseBookTicker(BackpackBookTickerSchema.parse(frame.data));
    expect(top).toEqual({
      symbol: 'BTC_USDC_PERP',
      bid: 112886.6,
      bidQty: 1.2,
      ask: 112999.6,
      askQty: 0.51234,
      venueTime: 1694687965941,
    });
  });

  it('bookTicker with a numeric update id beyond 2^53 (CCXT sample shape) still parses', () => {
    const frame = fixture('book-ticker-big-u.json') as { data: unknown };
    expect(parseBookTicker(BackpackBookTickerSchema.parse(frame.data)).bid).toBe(112886.6);
  });

  it('depth event and snapshot (ascending sides, string lastUpdateId)', () => {
    const d = parseDepthEvent(
      BackpackDepthEventSchema.parse((fixture('depth-event.json') as { data: unknown }).data),
    );
    expect(d).toMatchObject({ firstUpdateId: 94978271, lastUpdateId: 94978272, venueTime: 1694687965941 });
    expect(d.bids).toEqual([
      [112886.6, 0.832],
      [112880, 0],
    ]);
    const s = parseDepthSnapshot(BackpackDepthSnapshotSchema.parse(fixture('depth-snapshot.json')));
    expect(s.lastUpdateId).toBe(94978270);
    expect(s.venueTime).toBe(1753102447307);
  });

  it('filled market order: avg = executedQuote / executedQty, fee from fills', () => {
    const order = parseOrder(BackpackOrderSchema.parse(fixture('order-market-filled.json')));
    const fills = BackpackFillSchema.array().parse(fixture('fills.json'));
    const outcome = orderOutcome(order, sumFills(fills), 'h-1-backpack-open', 0);
    expect(outcome).toMatchObject({
      kind: 'filled',
      venue: 'backpack',
      clientOrderId: 'h-1-backpack-open',
      venueOrderId: '11197446312',
      side: 'sell',
      qty: 0.02,
      feeAsset: 'USDC',
      executedAt: Date.parse('2025-07-21T12:54:07.401Z'),
    });
    if (outcome.kind !== 'filled') throw new Error('not filled');
    expect(outcome.avgPrice).toBeCloseTo(112995, 6);
    expect(outcome.fee).toBeCloseTo(1.12995, 9);
  });

  it('expired with nothing executed is rejected with the expiry reason as code', () => {
    const [row] = BackpackOrderSchema.array().parse(fixture('order-history-expired.json'));
    const outcome = orderOutcome(parseOrder(row!), null, '7', 0);
    expect(outcome).toMatchObject({ kind: 'rejected', code: 'InsufficientMargin' });
  });

  it('still-working order is unknown (not final)', () => {
    const raw = { ...(fixture('order-market-filled.json') as object), status: 'New', executedQuantity: '0' };
    expect(orderOutcome(parseOrder(BackpackOrderSchema.parse(raw)), null, 'x', 0).kind).toBe('unknown');
  });

  it('position: signed from netQuantity / netCost', () => {
    const rows = BackpackPositionSchema.array().parse(fixture('positions.json'));
    expect(parsePosition(rows[0], 'BTC_USDC_PERP', 5)).toEqual({
      venue: 'backpack',
      symbol: 'BTC_USDC_PERP',
      qty: -0.02,
      entryPrice: 112995,
      unrealizedPnl: 0.1,
      leverage: 5,
    });
    const unsigned = { ...rows[0]!, netQuantity: '0.02' };
    expect(parsePosition(unsigned, 'BTC_USDC_PERP', 5).qty).toBe(-0.02);
    expect(parsePosition(undefined, 'BTC_USDC_PERP', 5).qty).toBe(0);
  });

  it('times: µs numbers/strings and naive ISO strings as UTC', () => {
    expect(usToMs('1694687965941999')).toBe(1694687965941);
    expect(restTimeToMs('2025-07-21T12:54:07.307')).toBe(Date.UTC(2025, 6, 21, 12, 54, 7, 307));
    expect(restTimeToMs('2025-07-21T12:54:07.307Z')).toBe(Date.UTC(2025, 6, 21, 12, 54, 7, 307));
    expect(restTimeToMs(1753102447307)).toBe(1753102447307);
    expect(restTimeToMs(null)).toBeNull();
  });

  it('rejects malformed payloads at the schema', () => {
    expect(
      BackpackBookTickerSchema.safeParse({ e: 'bookTicker', E: 1, s: 'X', a: 'abc', A: '1', b: '1', B: '1' })
        .success,
    ).toBe(false);
    expect(
      BackpackOrderSchema.safeParse({
        id: 1,
        symbol: 'X',
        side: 'Buy',
        orderType: 'Market',
        status: 'Filled',
      }).success,
    ).toBe(false);
  });
});
