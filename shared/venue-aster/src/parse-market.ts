import type { Level, Quote } from '@arb/core/quote';

/** What one WS frame turned out to be, when it did not produce a quote. */
export type NonQuoteFrame =
  /** Subscription ack / LIST_SUBSCRIPTIONS answer. */
  | 'ack'
  /** Depth stored; no quote yet (no best bid/ask known). */
  | 'depth_only'
  /** Update id not newer than the last one seen (overlap during a socket rotation, replays). */
  | 'duplicate'
  /** Invalid JSON, wrong shape, bad numbers, crossed book, other symbol, unknown event, control error. */
  | 'malformed';

export interface ParsedFrame {
  quote: Quote | null;
  kind: NonQuoteFrame | 'quote';
  /** Why a frame was malformed (for the log line). */
  reason?: string;
}

const ACK: ParsedFrame = { quote: null, kind: 'ack' };
const DEPTH_ONLY: ParsedFrame = { quote: null, kind: 'depth_only' };
const DUPLICATE: ParsedFrame = { quote: null, kind: 'duplicate' };

function malformed(reason: string): ParsedFrame {
  return { quote: null, kind: 'malformed', reason };
}

type Obj = Record<string, unknown>;

function isObj(x: unknown): x is Obj {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** An epoch-ms event time the quote schema accepts (a safe integer: 2^53 parses, but is not exact). */
function isTime(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

/** Parses a positive price or non-negative quantity from a venue decimal string; NaN when invalid. */
function num(x: unknown, positive: boolean): number {
  if (typeof x !== 'string' || x.length === 0) return Number.NaN;
  const n = Number(x);
  if (!Number.isFinite(n)) return Number.NaN;
  return positive ? (n > 0 ? n : Number.NaN) : n >= 0 ? n : Number.NaN;
}

function parseLevels(x: unknown, max: number): Level[] | null {
  if (!Array.isArray(x)) return null;
  const out: Level[] = [];
  for (let i = 0; i < x.length && out.length < max; i++) {
    const l = x[i];
    if (!Array.isArray(l) || l.length < 2) return null;
    const p = num(l[0], true);
    const q = num(l[1], false);
    if (Number.isNaN(p) || Number.isNaN(q)) return null;
    if (q > 0) out.push([p, q]);
  }
  return out;
}

export interface AsterQuoteParserOptions {
  /** Venue symbol, e.g. "BTCUSDT" (frames for other symbols are malformed). */
  symbol: string;
  /** Levels kept per side when depth is merged in (default 5). */
  depthLevels?: number;
}

/**
 * Aster market-data frames (raw `/ws` or combined `/stream`) → normalized Quote. Hand-written checks,
 * no schema library on the per-tick path. Best bid/ask come from `bookTicker` (real time); when the
 * `depth5@100ms` stream is on, its levels are merged behind the ticker's best (levels at or through the
 * ticker's best are dropped, as the partial book may lag the ticker). venueTime is the ticker's event time
 * E (ms), so a quote is never fresher than its best price. Updates whose id `u` is not newer than the
 * last one of the same stream are dropped (duplicates across a socket rotation).
 */
export class AsterQuoteParser {
  private readonly symbol: string;
  private readonly depthLevels: number;
  private seq = 0;
  private lastTickerU = -1;
  private lastDepthU = -1;
  private ticker: { bid: number; bidQty: number; ask: number; askQty: number; E: number } | null = null;
  private depth: { bids: Level[]; asks: Level[]; E: number } | null = null;

  constructor(opts: AsterQuoteParserOptions) {
    this.symbol = opts.symbol;
    this.depthLevels = opts.depthLevels ?? 5;
  }

  /** Forget update ids and book state (a new session after a reconnect). The seq keeps counting. */
  resetSession(): void {
    this.lastTickerU = -1;
    this.lastDepthU = -1;
    this.ticker = null;
    this.depth = null;
  }

  parse(raw: string, receivedAt: number): ParsedFrame {
    let msg: unknown;
    try {
      msg = JSON.parse(raw);
    } catch {
      return malformed('invalid JSON');
    }
    if (!isObj(msg)) return malformed('not an object');
    const data = msg.stream !== undefined ? msg.data : msg;
    if (!isObj(data)) {
      return malformed('combined frame without data object');
    }
    if ('result' in data && 'id' in data) return ACK;
    switch (data.e) {
      case 'bookTicker':
        return this.onTicker(data, receivedAt);
      case 'depthUpdate':
        return this.onDepth(data, receivedAt);
      default:
        if (typeof data.code === 'number')
          return malformed(`control error ${data.code}: ${String(data.msg)}`);
        return malformed(`unexpected event ${JSON.stringify(data.e)}`);
    }
  }

  private onTicker(d: Obj, receivedAt: number): ParsedFrame {
    if (d.s !== this.symbol) return malformed(`symbol ${JSON.stringify(d.s)}`);
    if (typeof d.u !== 'number' || !isTime(d.E)) return malformed('bad u/E');
    const bid = num(d.b, true);
    const bidQty = num(d.B, false);
    const ask = num(d.a, true);
    const askQty = num(d.A, false);
    if (Number.isNaN(bid) || Number.isNaN(bidQty) || Number.isNaN(ask) || Number.isNaN(askQty)) {
      return malformed('bad price/qty');
    }
    if (bid >= ask) return malformed(`crossed book ${bid} >= ${ask}`);
    if (d.u <= this.lastTickerU) return DUPLICATE;
    this.lastTickerU = d.u;
    this.ticker = { bid, bidQty, ask, askQty, E: d.E };
    return { quote: this.build(receivedAt), kind: 'quote' };
  }

  private onDepth(d: Obj, receivedAt: number): ParsedFrame {
    if (d.s !== this.symbol) return malformed(`symbol ${JSON.stringify(d.s)}`);
    if (typeof d.u !== 'number' || !isTime(d.E)) return malformed('bad u/E');
    const bids = parseLevels(d.b, this.depthLevels);
    const asks = parseLevels(d.a, this.depthLevels);
    if (!bids || !asks) return malformed('bad depth levels');
    const b0 = bids[0];
    const a0 = asks[0];
    if (b0 && a0 && b0[0] >= a0[0]) return malformed(`crossed depth ${b0[0]} >= ${a0[0]}`);
    if (d.u <= this.lastDepthU) return DUPLICATE;
    this.lastDepthU = d.u;
    this.depth = { bids, asks, E: d.E };
    if (!this.ticker) {
      if (!b0 || !a0) return DEPTH_ONLY;
      // No ticker yet: the partial book's top is the best we know.
      this.ticker = { bid: b0[0], bidQty: b0[1], ask: a0[0], askQty: a0[1], E: d.E };
    }
    return { quote: this.build(receivedAt), kind: 'quote' };
  }

  private build(receivedAt: number): Quote {
    const t = this.ticker!;
    const q: Quote = {
      v: 1,
      venue: 'aster',
      symbol: this.symbol,
      bid: t.bid,
      bidQty: t.bidQty,
      ask: t.ask,
      askQty: t.askQty,
      venueTime: t.E,
      receivedAt,
      seq: this.seq++,
    };
    const dp = this.depth;
    if (dp) {
      const bids: Level[] = [[t.bid, t.bidQty]];
      for (const l of dp.bids) if (l[0] < t.bid && bids.length < this.depthLevels) bids.push(l);
      const asks: Level[] = [[t.ask, t.askQty]];
      for (const l of dp.asks) if (l[0] > t.ask && asks.length < this.depthLevels) asks.push(l);
      q.bids = bids;
      q.asks = asks;
    }
    return q;
  }
}
