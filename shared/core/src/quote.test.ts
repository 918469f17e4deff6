import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LevelSchema, LevelsSchema, QuoteSchema } from './quote';

const reference = z.array(LevelSchema);

// Numbers around the edges of the rule (0, negatives, non-finite), plus anything JSON can carry.
const edgyNumber = fc.oneof(
  fc.double(),
  fc.constantFrom(0, -0, 1e-12, -1e-12, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN),
);
const level = fc.oneof(
  fc.tuple(edgyNumber, edgyNumber),
  fc.array(edgyNumber, { maxLength: 3 }),
  fc.anything(),
);
const levels = fc.oneof(fc.array(level, { maxLength: 6 }), fc.anything());

describe('LevelsSchema', () => {
  it('accepts exactly what z.array(LevelSchema) accepts', () => {
    fc.assert(
      fc.property(levels, (v) => {
        expect(LevelsSchema.safeParse(v).success).toBe(reference.safeParse(v).success);
      }),
      { numRuns: 5000 },
    );
  });

  it('names the rule when a quote carries a bad level', () => {
    const quote = {
      v: 1,
      venue: 'aster',
      symbol: 'BTCUSDT',
      bid: 100,
      bidQty: 1,
      ask: 101,
      askQty: 1,
      venueTime: 1,
      receivedAt: 1,
      seq: 0,
      bids: [[100, 1]],
      asks: [[101, -1]],
    };
    const r = QuoteSchema.safeParse(quote);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({ path: ['asks'], message: expect.stringMatching(/pairs/) });
    expect(QuoteSchema.safeParse({ ...quote, asks: [[101, 0]] }).success).toBe(true);
  });
});
