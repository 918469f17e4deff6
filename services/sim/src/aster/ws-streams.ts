import type { SimBook, SimMarketRules, SimTicker24h } from '../engine/types';
import { ASTER_WS_DEPTH_DEFAULT_MS, ASTER_WS_MINI_TICKER_MS } from './constants';
import { formatFixedOrZero } from '../engine/decimal';
import { type AsterDecimals, levels } from './wire-market';

/** A market stream the simulator produces data for; other names are accepted and stay silent. */
export type AsterStreamSpec =
  | { kind: 'bookTicker' }
  | { kind: 'depth'; levels: 5 | 10 | 20; intervalMs: number }
  | { kind: 'miniTicker'; intervalMs: number }
  | { kind: 'silent' };

/** Parses `<symbol>@bookTicker`, `<symbol>@depth<5|10|20>[@100ms|@500ms]`, `<symbol>@miniTicker`. */
export function parseStreamName(name: string, symbolLower: string): AsterStreamSpec {
  const at = name.indexOf('@');
  if (at < 0 || name.slice(0, at) !== symbolLower) return { kind: 'silent' };
  const rest = name.slice(at + 1);
  if (rest === 'bookTicker') return { kind: 'bookTicker' };
  if (rest === 'miniTicker') return { kind: 'miniTicker', intervalMs: ASTER_WS_MINI_TICKER_MS };
  const m = /^depth(5|10|20)(?:@(100|500)ms)?$/.exec(rest);
  if (m) {
    return {
      kind: 'depth',
      levels: Number(m[1]) as 5 | 10 | 20,
      intervalMs: m[2] ? Number(m[2]) : ASTER_WS_DEPTH_DEFAULT_MS,
    };
  }
  return { kind: 'silent' };
}

/** `<symbol>@bookTicker` payload [DOC §Individual Symbol Book Ticker Streams]. */
export function bookTickerEvent(
  rules: SimMarketRules,
  book: SimBook,
  d: AsterDecimals,
  now: number,
  skewMs: number,
): Record<string, unknown> {
  const bid = book.bids[0];
  const ask = book.asks[0];
  return {
    e: 'bookTicker',
    u: book.updateId,
    E: now + skewMs,
    T: book.time + skewMs,
    s: rules.symbol,
    b: formatFixedOrZero(bid?.price ?? 0, d.price),
    B: formatFixedOrZero(bid?.qty ?? 0, d.qty),
    a: formatFixedOrZero(ask?.price ?? 0, d.price),
    A: formatFixedOrZero(ask?.qty ?? 0, d.qty),
  };
}

/** Partial book depth payload [DOC §Partial Book Depth Streams]: top N levels, full replacement. */
export function partialDepthEvent(
  rules: SimMarketRules,
  book: SimBook,
  d: AsterDecimals,
  ids: { U: number; u: number; pu: number },
  now: number,
  skewMs: number,
): Record<string, unknown> {
  return {
    e: 'depthUpdate',
    E: now + skewMs,
    T: book.time + skewMs,
    s: rules.symbol,
    U: ids.U,
    u: ids.u,
    pu: ids.pu,
    b: levels(book.bids, d),
    a: levels(book.asks, d),
  };
}

/** `<symbol>@miniTicker` payload [DOC §Individual Symbol Mini Ticker Stream]. */
export function miniTickerEvent(
  rules: SimMarketRules,
  t: SimTicker24h,
  d: AsterDecimals,
  now: number,
  skewMs: number,
): Record<string, unknown> {
  return {
    e: '24hrMiniTicker',
    E: now + skewMs,
    s: rules.symbol,
    c: formatFixedOrZero(t.last, d.price),
    o: formatFixedOrZero(t.open, d.price),
    h: formatFixedOrZero(t.high, d.price),
    l: formatFixedOrZero(t.low, d.price),
    v: formatFixedOrZero(t.volume, d.qty),
    q: formatFixedOrZero(t.quoteVolume, 2),
  };
}
