import { describe, expect, it } from 'vitest';
import { poisonedWindows } from './invariants';
import { formatTable } from './matrix';

const limits = { since: 1000, priceValidityMs: 3000, maxDecisionAgeMs: 3000, maxQuoteSkewMs: 3000 };

describe('poisonedWindows', () => {
  it('a stall poisons its venue after the freshness and decision-age grace', () => {
    const w = poisonedWindows(
      [{ at: 2000, spec: { kind: 'ws_stall', venue: 'aster', durationMs: 12_000 } }],
      limits,
    );
    expect(w).toEqual([{ venue: 'aster', kind: 'ws_stall', from: 8000, to: 14_000 }]);
  });

  it('a skew beyond MAX_QUOTE_SKEW_MS poisons; a small skew, an older fault or other kinds do not', () => {
    const w = poisonedWindows(
      [
        { at: 2000, spec: { kind: 'timestamp_skew', venue: '*', skewMs: 10_000, durationMs: 10_000 } },
        { at: 2000, spec: { kind: 'timestamp_skew', venue: 'aster', skewMs: -2000, durationMs: 10_000 } },
        { at: 500, spec: { kind: 'ws_stall', venue: 'aster', durationMs: 20_000 } },
        { at: 2000, spec: { kind: 'maintenance', venue: 'aster', durationMs: 20_000 } },
        { at: 2000, spec: { kind: 'ws_stall', venue: 'aster', durationMs: 5000 } },
      ],
      limits,
    );
    expect(w).toEqual([
      { venue: 'aster', kind: 'timestamp_skew', from: 8000, to: 12_000 },
      { venue: 'backpack', kind: 'timestamp_skew', from: 8000, to: 12_000 },
    ]);
  });
});

describe('formatTable', () => {
  it('prints scenario, result, naked seconds, orders, fills', () => {
    const t = formatTable([
      {
        id: '7',
        title: 'margin',
        ok: true,
        seconds: 9,
        nakedSeconds: 0.21,
        orders: 2,
        fills: 2,
        problems: [],
        notes: [],
      },
    ]);
    expect(t.split('\n')[0]).toMatch(/^scenario\s+\| result \| naked s \| orders \| fills \| time s$/);
    expect(t.split('\n')[2]).toMatch(/^7 margin\s+\|\s+PASS \|\s+0\.21 \|\s+2 \|\s+2 \|\s+9$/);
  });
});
