import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BackpackDepthEventSchema, BackpackLevelSchema, BackpackLevelsSchema } from './backpack-types';

const reference = z.array(BackpackLevelSchema);

const decimalish = fc.oneof(
  fc.double().map(String),
  fc.double(),
  fc.constantFrom(
    '60000.1',
    '-1',
    '1e-7',
    '1.',
    '.5',
    '',
    ' 1',
    '0x10',
    'NaN',
    Number.NaN,
    Number.POSITIVE_INFINITY,
  ),
  fc.string({ maxLength: 6 }),
  fc.anything(),
);
const level = fc.oneof(
  fc.tuple(decimalish, decimalish),
  fc.array(decimalish, { maxLength: 3 }),
  fc.anything(),
);
const levels = fc.oneof(fc.array(level, { maxLength: 6 }), fc.anything());

describe('BackpackLevelsSchema', () => {
  it('accepts exactly what z.array(BackpackLevelSchema) accepts', () => {
    fc.assert(
      fc.property(levels, (v) => {
        expect(BackpackLevelsSchema.safeParse(v).success).toBe(reference.safeParse(v).success);
      }),
      { numRuns: 5000 },
    );
  });

  it('rejects a depth frame with a malformed level, naming the side', () => {
    const frame = {
      e: 'depth',
      E: 1,
      s: 'BTC_USDC_PERP',
      a: [['60000.1', '0.5']],
      b: [['59999', 'x']],
      U: 1,
      u: 2,
    };
    const r = BackpackDepthEventSchema.safeParse(frame);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['b']);
    expect(BackpackDepthEventSchema.safeParse({ ...frame, b: [['59999', '0']] }).success).toBe(true);
  });
});
