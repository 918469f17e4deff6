import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isExactQuote, LevelSchema, LevelsSchema, QuoteSchema, safeParseQuote } from './quote';

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

// Quote-shaped values: every field valid, or one field (or key) broken in some way, as JSON would carry.
const validQuote = fc.record(
  {
    v: fc.constant(1),
    venue: fc.constantFrom('aster', 'backpack'),
    symbol: fc.string({ minLength: 1, maxLength: 12 }),
    bid: fc.double({ min: 1, max: 100_000, noNaN: true }),
    bidQty: fc.double({ min: 0, max: 10, noNaN: true }),
    ask: fc.double({ min: 100_001, max: 200_000, noNaN: true }),
    askQty: fc.double({ min: 0, max: 10, noNaN: true }),
    venueTime: fc.nat(),
    receivedAt: fc.nat(),
    seq: fc.nat(),
    bids: fc.array(
      fc.tuple(fc.double({ min: 1, max: 1e6, noNaN: true }), fc.double({ min: 0, max: 9, noNaN: true })),
      {
        maxLength: 4,
      },
    ),
    asks: fc.array(
      fc.tuple(fc.double({ min: 1, max: 1e6, noNaN: true }), fc.double({ min: 0, max: 9, noNaN: true })),
      {
        maxLength: 4,
      },
    ),
  },
  {
    requiredKeys: [
      'v',
      'venue',
      'symbol',
      'bid',
      'bidQty',
      'ask',
      'askQty',
      'venueTime',
      'receivedAt',
      'seq',
    ],
  },
);
const fieldValue = fc.oneof(
  edgyNumber,
  fc.constantFrom(1, 2, 2 ** 53, 2 ** 53 - 1, -1, 0.5, '', 'aster', 'x', null, true, [], {}),
  levels,
  fc.anything(),
);
const quoteLike = fc.oneof(
  validQuote,
  fc
    .tuple(validQuote, fc.constantFrom(...Object.keys(QuoteSchema.shape), 'extra'), fieldValue)
    .map(([q, k, v]) => ({ ...q, [k]: v }) as unknown),
  fc.tuple(validQuote, fc.constantFrom(...Object.keys(QuoteSchema.shape))).map(([q, k]) => {
    const { [k]: _dropped, ...rest } = q as Record<string, unknown>;
    return rest;
  }),
  fc.anything(),
);

describe('isExactQuote', () => {
  it('true only when QuoteSchema accepts the value unchanged, and always for such JSON', () => {
    fc.assert(
      fc.property(quoteLike, (raw) => {
        const v = JSON.parse(JSON.stringify(raw ?? null)) as unknown; // as it arrives: parsed JSON
        const r = QuoteSchema.safeParse(v);
        const unchanged = r.success && isDeepStrictEqual(r.data, v);
        expect(isExactQuote(v)).toBe(unchanged);
      }),
      { numRuns: 5000 },
    );
  });

  it('never true for what QuoteSchema refuses, whatever the value (not only JSON)', () => {
    fc.assert(
      fc.property(quoteLike, (v) => {
        if (isExactQuote(v)) expect(QuoteSchema.safeParse(v).success).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it("safeParseQuote gives QuoteSchema.safeParse's verdict and data", () => {
    fc.assert(
      fc.property(quoteLike, (raw) => {
        const v = JSON.parse(JSON.stringify(raw ?? null)) as unknown;
        const fast = safeParseQuote(v);
        const zod = QuoteSchema.safeParse(v);
        expect(fast.success).toBe(zod.success);
        if (fast.success && zod.success) expect(fast.data).toEqual(zod.data);
      }),
      { numRuns: 5000 },
    );
  });
});
