import type { Quote } from '@arb/core/quote';
import { ResilientWs, type ResilientWsStats } from '@arb/net/resilient-ws';
import { truncate } from '@arb/net/venue-error';
import {
  ASTER_WS_COMBINED_PATH,
  ASTER_WS_FIRST_RETRY_MS,
  ASTER_WS_LIFETIME_MS,
  ASTER_WS_ROTATE_EARLY_MS,
  asterDepthStreamLevels,
  asterStreams,
} from './constants';
import { AsterQuoteParser } from './parse-market';

/** The logging surface used here (pino's Logger satisfies it). */
export interface AsterLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface AsterMarketDataOptions {
  /** WS base, e.g. "wss://fstream.asterdex.com" or the simulator's "ws://127.0.0.1:port". */
  wsUrl: string;
  symbol: string;
  /** Book levels per side carried on quotes (0/undefined: top of book only; max 20, the venue's deepest partial stream). */
  depthLevels?: number;
  /** No data for this long → reconnect. */
  stallMs: number;
  /** First reconnect delay (default 2000, as the original bot). */
  reconnectBaseMs?: number;
  reconnectMaxMs: number;
  /** Proactive rotation age (default 24 h − 10 min, ahead of the venue's 24 h limit). 0 disables. */
  lifetimeMs?: number;
  log?: AsterLogger;
  now?: () => number;
}

export interface AsterMarketDataStats {
  connected: boolean;
  reconnects: number;
  malformed: number;
  duplicates: number;
  frames: number;
  quotes: number;
  lastMessageAt: number;
  stalls: number;
  rotations: number;
  ws: ResilientWsStats;
}

/**
 * AsterDex market data over one resilient WS: `<sym>@bookTicker` (+ `<sym>@depth<5|10|20>@100ms`), normalized to
 * Quote. Structurally a QuoteSource of '@arb/bus/feed-runner'. Malformed frames are counted and logged
 * (truncated, rate-limited), never emitted.
 */
export class AsterMarketData {
  private readonly ws: ResilientWs;
  private readonly parser: AsterQuoteParser;
  private readonly log: AsterLogger | undefined;
  private onQuote: (q: Quote) => void = () => {};
  private malformed = 0;
  private duplicates = 0;
  private quotes = 0;

  constructor(opts: AsterMarketDataOptions) {
    this.log = opts.log;
    const levels = Math.min(20, Math.max(0, Math.floor(opts.depthLevels ?? 0)));
    this.parser = new AsterQuoteParser({ symbol: opts.symbol, depthLevels: Math.max(1, levels) });
    const streams = [asterStreams.bookTicker(opts.symbol)];
    if (levels > 0) streams.push(asterStreams.partialDepth(opts.symbol, asterDepthStreamLevels(levels)));
    const base = opts.wsUrl.replace(/\/+$/, '');
    let subId = 0;
    this.ws = new ResilientWs({
      name: 'aster-market',
      url: base + ASTER_WS_COMBINED_PATH,
      subscribeFrames: () => [JSON.stringify({ method: 'SUBSCRIBE', params: streams, id: ++subId })],
      onFrame: (raw, ctx) => this.onFrame(raw, ctx.receivedAt),
      firstRetryMs: opts.reconnectBaseMs ?? ASTER_WS_FIRST_RETRY_MS,
      maxRetryMs: Math.max(opts.reconnectMaxMs, opts.reconnectBaseMs ?? ASTER_WS_FIRST_RETRY_MS),
      stallMs: opts.stallMs,
      lifetimeMs: opts.lifetimeMs ?? ASTER_WS_LIFETIME_MS - ASTER_WS_ROTATE_EARLY_MS,
      ...(opts.now ? { now: opts.now } : {}),
    });
    this.ws.on('open', (e) => {
      // A new session after a loss: update ids may restart. A rotation keeps them (dedupe across overlap).
      if (e.cause !== 'rotate') this.parser.resetSession();
      this.log?.info({ connId: e.connId, cause: e.cause, streams }, 'aster ws connected');
    });
    this.ws.on('close', (e) => {
      if (e.wasActive)
        this.log?.warn({ connId: e.connId, code: e.code, reason: e.reason }, 'aster ws closed');
    });
    this.ws.on('reconnecting', (e) => this.log?.info(e, 'aster ws reconnecting'));
    this.ws.on('stall', (e) => this.log?.warn(e, 'aster ws stalled, reconnecting'));
    this.ws.on('rotate', (e) => this.log?.info(e, 'aster ws rotated'));
    this.ws.on('error', (e) => this.log?.warn({ connId: e.connId, err: e.error.message }, 'aster ws error'));
  }

  start(onQuote: (q: Quote) => void): void {
    this.onQuote = onQuote;
    this.ws.start();
  }

  async stop(): Promise<void> {
    await this.ws.stop();
  }

  /** Drops the socket as a network failure would (operator command, tests). */
  forceReconnect(): void {
    this.ws.forceReconnect();
  }

  stats(): AsterMarketDataStats {
    const w = this.ws.stats();
    return {
      connected: w.connected,
      reconnects: w.reconnects,
      malformed: this.malformed,
      duplicates: this.duplicates,
      frames: w.frames,
      quotes: this.quotes,
      lastMessageAt: w.lastDataAt,
      stalls: w.stalls,
      rotations: w.rotations,
      ws: w,
    };
  }

  private onFrame(raw: string, receivedAt: number): boolean {
    const r = this.parser.parse(raw, receivedAt);
    if (r.quote) {
      this.quotes++;
      this.onQuote(r.quote);
      return true;
    }
    switch (r.kind) {
      case 'duplicate':
        this.duplicates++;
        return true;
      case 'depth_only':
        return true;
      case 'malformed':
        this.malformed++;
        // First 10, then every 1000th: a flood of bad frames must not flood the log.
        if (this.malformed <= 10 || this.malformed % 1000 === 0) {
          this.log?.warn(
            { venue: 'aster', malformed: this.malformed, reason: r.reason, raw: truncate(raw, 200) },
            'malformed aster frame dropped',
          );
        }
        return false;
      default:
        return false;
    }
  }
}
