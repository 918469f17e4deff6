import { readFileSync } from 'node:fs';
import { QuoteSchema } from '@arb/core/quote';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AsterQuoteParser } from './parse-market';

const frames = JSON.parse(
  readFileSync(new URL('../test-data/ws-frames.json', import.meta.url), 'utf8'),
) as Record<string, string>;
const f = (k: string) => frames[k]!;

describe('AsterQuoteParser (recorded doc payloads)', () => {
  it('normalizes a combined-stream bookTicker to a valid Quote', () => {
    const p = new AsterQuoteParser({ symbol: 'BTCUSDT' });
    const r = p.parse(f('bookTicker'), 1568014460999);
    expect(r.kind).toBe('quote');
    expect(r.quote).toEqual({
      v: 1,
      venue: 'aster',
      symbol: 'BTCUSDT',
      bid: 25.3519,
      bidQty: 31.21,
      ask: 25.3652,
      askQty: 40.66,
      venueTime: 1568014460893,
      receivedAt: 1568014460999,
      seq: 0,
    });
    expect(QuoteSchema.safeParse(r.quote).success).toBe(true);
  });

  it('accepts raw /ws frames too, increments seq, drops non-newer update ids', () => {
    const p = new AsterQuoteParser({ symbol: 'BTCUSDT' });
    expect(p.parse(f('bookTicker'), 1).quote?.seq).toBe(0);
    const r2 = p.parse(f('bookTickerRaw'), 2);
    expect(r2.quote).toMatchObject({ seq: 1, bid: 25.352, bidQty: 1, venueTime: 1568014460900 });
    expect(p.parse(f('bookTicker'), 3).kind).toBe('duplicate');
    expect(p.parse(f('bookTickerRaw'), 3).kind).toBe('duplicate');
    p.resetSession();
    expect(p.parse(f('bookTicker'), 4).quote?.seq).toBe(2);
  });

  it('merges depth5 levels behind the ticker best, skipping zero and through-the-best levels', () => {
    const p = new AsterQuoteParser({ symbol: 'BTCUSDT' });
    p.parse(f('bookTicker'), 1);
    const r = p.parse(f('depth5'), 2);
    expect(r.kind).toBe('quote');
    expect(r.quote?.bids).toEqual([
      [25.3519, 31.21],
      [25.34, 2.5],
    ]);
    expect(r.quote?.asks).toEqual([
      [25.3652, 40.66],
      [25.37, 3],
      [25.38, 4],
    ]);
    expect(r.quote?.venueTime).toBe(1568014460893);
    expect(QuoteSchema.safeParse(r.quote).success).toBe(true);
  });

  it('uses the depth top when no ticker was seen yet', () => {
    const p = new AsterQuoteParser({ symbol: 'BTCUSDT' });
    const depthOnly = f('depth5').replace('["25.36000000","0.1"],', '');
    const r = p.parse(depthOnly, 5);
    expect(r.quote).toMatchObject({ bid: 25.3519, ask: 25.3652, venueTime: 1571889248277 });
  });

  it('treats acks as non-data and everything odd as malformed, never as a quote', () => {
    const p = new AsterQuoteParser({ symbol: 'BTCUSDT' });
    expect(p.parse(f('subscribeAck'), 1).kind).toBe('ack');
    for (const k of ['controlError', 'truncated', 'otherSymbol', 'crossed', 'badNumber', 'unknownEvent']) {
      const r = p.parse(f(k), 1);
      expect(r.kind, k).toBe('malformed');
      expect(r.quote).toBeNull();
      expect(r.reason).toBeTruthy();
    }
    for (const junk of ['', 'null', '[]', '42', '{"stream":"x","data":5}', 'pong']) {
      expect(p.parse(junk, 1).kind, junk).toBe('malformed');
    }
  });

  it('parses fast enough for the hot path', () => {
    const p = new AsterQuoteParser({ symbol: 'BTCUSDT' });
    const n = 100_000;
    const base = f('bookTicker');
    const inputs = Array.from({ length: 1000 }, (_, i) => base.replace('400900217', String(400900217 + i)));
    const t0 = performance.now();
    let ok = 0;
    for (let i = 0; i < n; i++) {
      if (i % 1000 === 0) p.resetSession();
      if (p.parse(inputs[i % 1000]!, i).quote) ok++;
    }
    const perSec = Math.round(n / ((performance.now() - t0) / 1000));
    console.log(`[measured] AsterQuoteParser: ${perSec} frames/s`);
    expect(ok).toBe(n);
  });

  it('an event time past the safe integer range is malformed (found by the property below)', () => {
    const p = new AsterQuoteParser({ symbol: 'BTCUSDT' });
    const r = p.parse(
      '{"e":"bookTicker","u":0,"E":9007199254740992,"s":"BTCUSDT","b":"1","B":"0","a":"2","A":"0"}',
      1_700_000_000_000,
    );
    expect(r.kind).toBe('malformed');
    expect(r.quote).toBeNull();
  });

  it('property: any input never throws, and every quote produced is schema-valid', () => {
    const num = fc.oneof(
      fc.double({ noNaN: false }).map(String),
      fc.constantFrom('', '0', '-1', 'abc', '1e400', '60000.1', '0.001', ' 5'),
    );
    const frame = fc.record({
      e: fc.constantFrom('bookTicker', 'depthUpdate', 'aggTrade', 5, null),
      u: fc.oneof(fc.integer(), fc.constant('x')),
      E: fc.oneof(fc.integer({ min: -5, max: 2 ** 45 }), fc.double(), fc.constant('1')),
      s: fc.constantFrom('BTCUSDT', 'ETHUSDT', ''),
      b: fc.oneof(num, fc.array(fc.tuple(num, num), { maxLength: 6 })),
      B: num,
      a: fc.oneof(num, fc.array(fc.tuple(num, num), { maxLength: 6 })),
      A: num,
    });
    const raw = fc.oneof(
      fc.string(),
      frame.map((d) => JSON.stringify(d)),
      frame.map((d) => JSON.stringify({ stream: 'btcusdt@bookTicker', data: d })),
    );
    fc.assert(
      fc.property(fc.array(raw, { maxLength: 20 }), (frames) => {
        const p = new AsterQuoteParser({ symbol: 'BTCUSDT' });
        for (const f of frames) {
          const r = p.parse(f, 1_700_000_000_000);
          if (r.quote) expect(QuoteSchema.safeParse(r.quote).success).toBe(true);
          else expect(r.kind).not.toBe('quote');
        }
      }),
      { numRuns: 500 },
    );
  });
});
