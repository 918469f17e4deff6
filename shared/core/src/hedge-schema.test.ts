import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import type { HedgeEvent, HedgeState } from './hedge';
import { newHedge, reduceHedge } from './hedge';
import {
  type HedgeEventSchema,
  type HedgeStateSchema,
  parseHedgeEvent,
  parseHedgeState,
} from './hedge-schema';

describe('hedge schemas', () => {
  it('match the reducer types both ways', () => {
    expectTypeOf<z.infer<typeof HedgeStateSchema>>().toEqualTypeOf<HedgeState>();
    expectTypeOf<z.infer<typeof HedgeEventSchema>>().toEqualTypeOf<HedgeEvent>();
  });

  it('round-trip every state a random run produces through JSON', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.constantFrom('fill', 'reject', 'unknown', 'close')), {
          maxLength: 15,
        }),
        (steps) => {
          let { state } = newHedge(
            { id: 'hs', pair: 'BTC', direction: 'buy_aster_sell_backpack', qty: 0.02, expectedEdge: 130 },
            1,
          );
          expect(parseHedgeState(JSON.stringify(state))).toEqual(state);
          let t = 2;
          for (const [pick, what] of steps) {
            const legs = state.legs.filter((l) => l.status === 'pending' || l.status === 'unknown');
            const leg = legs[pick % Math.max(1, legs.length)];
            const event: HedgeEvent | null =
              what === 'close'
                ? { type: 'close_requested', reason: 'manual' }
                : !leg
                  ? null
                  : what === 'fill'
                    ? {
                        type: 'leg_filled',
                        legId: leg.id,
                        qty: leg.qty,
                        avgPrice: 100_000,
                        fee: 0.5,
                        executedAt: t,
                      }
                    : what === 'reject'
                      ? {
                          type: 'leg_rejected',
                          legId: leg.id,
                          code: 'c',
                          reason: 'r',
                          // every other reject says when to retry (the state then keeps it)
                          ...(pick % 2 === 1 ? { retryAfterMs: 1 + (pick % 90_000) } : {}),
                        }
                      : { type: 'leg_unknown', legId: leg.id, reason: 'timeout' };
            if (!event) continue;
            expect(parseHedgeEvent(JSON.parse(JSON.stringify(event)))).toEqual(event);
            state = reduceHedge(state, event, t++).state;
            expect(parseHedgeState(JSON.stringify(state))).toEqual(state);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('rejects a malformed state or event with the field named', () => {
    const { state } = newHedge(
      { id: 'hs', pair: 'BTC', direction: 'buy_aster_sell_backpack', qty: 0.02, expectedEdge: 1 },
      1,
    );
    expect(() => parseHedgeState({ ...state, phase: 'limbo' })).toThrow(/phase/);
    expect(() => parseHedgeState('{"v":1}')).toThrow();
    expect(() => parseHedgeEvent({ type: 'leg_filled', legId: 'x', qty: -1, avgPrice: 1, fee: 0 })).toThrow(
      /qty/,
    );
    expect(() => parseHedgeEvent({ type: 'explode' })).toThrow();
    expect(() =>
      parseHedgeEvent({ type: 'leg_filled', legId: 'x', qty: 1, avgPrice: 1, fee: Number.NaN }),
    ).toThrow();
  });
});
