import type { SimBook, SimTicker24h } from '../engine/types';
import { BACKPACK_MARKET_FACTS } from './constants';
import type { WirePrecision } from './wire-precision';

/** Public stream payloads, key for key as the OpenAPI `Streams` samples (times in microseconds). */

export interface StreamFrame {
  stream: string;
  data: Record<string, unknown>;
}

export function bookTickerData(
  symbol: string,
  book: SimBook,
  eventUs: number,
  engineUs: number,
  wp: WirePrecision,
): Record<string, unknown> {
  const ask = book.asks[0];
  const bid = book.bids[0];
  return {
    e: 'bookTicker',
    E: eventUs,
    s: symbol,
    a: ask ? wp.bookPrice(ask.price) : null,
    A: ask ? wp.bookQty(ask.qty) : null,
    b: bid ? wp.bookPrice(bid.price) : null,
    B: bid ? wp.bookQty(bid.qty) : null,
    u: String(book.updateId),
    T: engineUs,
  };
}

export function depthData(
  symbol: string,
  asks: [string, string][],
  bids: [string, string][],
  firstUpdateId: number,
  lastUpdateId: number,
  eventUs: number,
  engineUs: number,
): Record<string, unknown> {
  return {
    e: 'depth',
    E: eventUs,
    s: symbol,
    a: asks,
    b: bids,
    U: firstUpdateId,
    u: lastUpdateId,
    T: engineUs,
  };
}

export function tickerData(
  symbol: string,
  t: SimTicker24h,
  eventUs: number,
  wp: WirePrecision,
): Record<string, unknown> {
  return {
    e: 'ticker',
    E: eventUs,
    s: symbol,
    o: wp.price(t.open),
    c: wp.price(t.last),
    h: wp.price(t.high),
    l: wp.price(t.low),
    v: wp.qty(t.volume),
    V: wp.quote(t.quoteVolume),
    n: t.trades,
  };
}

export function markPriceData(
  symbol: string,
  mark: number,
  nextFundingMs: number,
  eventUs: number,
  engineUs: number,
  wp: WirePrecision,
): Record<string, unknown> {
  return {
    e: 'markPrice',
    E: eventUs,
    s: symbol,
    p: wp.price(mark),
    f: BACKPACK_MARKET_FACTS.fundingRate,
    i: wp.price(mark),
    n: nextFundingMs,
    T: engineUs,
  };
}
