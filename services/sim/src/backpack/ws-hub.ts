import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import type { SimBook, SimFaultControl, SimVenueEngine } from '../engine/types';
import { BACKPACK_WS } from './constants';
import { diffSide } from './depth-diff';
import { nextFundingMs } from './market-json';
import type { WirePrecision } from './wire-precision';
import { bookTickerData, depthData, markPriceData, tickerData } from './ws-payloads';

export interface BackpackWsTuning {
  /** Server Ping period (venue: 60 s). */
  pingIntervalMs: number;
  /** Close the socket when a Ping is unanswered this long (venue: 120 s). */
  pongTimeoutMs: number;
  /** ticker.<symbol> / markPrice.<symbol> period (venue: 1 s). */
  tickerIntervalMs: number;
}

export const DEFAULT_WS_TUNING: BackpackWsTuning = {
  pingIntervalMs: BACKPACK_WS.pingIntervalMs,
  pongTimeoutMs: BACKPACK_WS.pongTimeoutMs,
  tickerIntervalMs: BACKPACK_WS.tickerIntervalMs,
};

interface Client {
  ws: WebSocket;
  streams: Set<string>;
  /** Wall-clock time of the unanswered server Ping, or null. */
  pingSentAt: number | null;
}

/** A {"method":"SUBSCRIBE"|"UNSUBSCRIBE","params":[...]} request, or null when the text is not one. */
function parseRequest(text: string): { subscribe: boolean; params: unknown[] } | null {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof msg !== 'object' || msg === null) return null;
  const { method, params } = msg as { method?: unknown; params?: unknown };
  if ((method !== BACKPACK_WS.subscribe && method !== BACKPACK_WS.unsubscribe) || !Array.isArray(params))
    return null;
  return { subscribe: method === BACKPACK_WS.subscribe, params };
}

type DataFactory = (skewUs: number) => Record<string, unknown>;

/**
 * The Backpack public WebSocket API on the venue's HTTP server: SUBSCRIBE/UNSUBSCRIBE, bookTicker/depth on every
 * book change, ticker/markPrice every second, server Ping with a Pong deadline, and the engine's WS faults
 * (silent stall, malformed frames, timestamp skew, forced disconnects).
 */
export class BackpackWsHub {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly clients = new Set<Client>();
  private readonly streams: { bookTicker: string; depth: string; ticker: string; markPrice: string };
  private readonly valid: ReadonlySet<string>;
  private prevBook: SimBook;
  /** Aggregated depth streams: stream name -> book at the last flush. */
  private readonly aggregated = new Map<string, SimBook>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly unsubscribers: (() => void)[] = [];

  constructor(
    private readonly engine: SimVenueEngine,
    private readonly faults: SimFaultControl,
    private readonly wp: WirePrecision,
    private readonly tuning: BackpackWsTuning,
  ) {
    const sym = engine.rules.symbol;
    this.streams = {
      bookTicker: `${BACKPACK_WS.streamBookTicker}.${sym}`,
      depth: `${BACKPACK_WS.streamDepth}.${sym}`,
      ticker: `${BACKPACK_WS.streamTicker}.${sym}`,
      markPrice: `${BACKPACK_WS.streamMarkPrice}.${sym}`,
    };
    this.prevBook = engine.book();
    const valid = new Set(Object.values(this.streams));
    for (const periodMs of BACKPACK_WS.aggregatedDepthPeriodsMs) {
      const stream = `${BACKPACK_WS.streamDepth}.${periodMs}ms.${sym}`;
      valid.add(stream);
      this.aggregated.set(stream, this.prevBook);
      this.timers.push(setInterval(() => this.onAggregatedDepthTimer(stream), periodMs));
    }
    this.valid = valid;
    this.unsubscribers.push(engine.onBook((book) => this.onBookChange(book)));
    this.unsubscribers.push(faults.onWsDisconnect('backpack', () => this.dropAll()));
    this.timers.push(setInterval(() => this.onTickerTimer(), tuning.tickerIntervalMs));
    this.timers.push(setInterval(() => this.onPingTimer(), tuning.pingIntervalMs));
    this.timers.push(
      setInterval(
        () => this.onPongCheck(),
        Math.max(20, Math.min(1000, Math.floor(tuning.pongTimeoutMs / 4))),
      ),
    );
  }

  /** Takes over an HTTP upgrade request aimed at the WS path. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws));
  }

  get connectionCount(): number {
    return this.clients.size;
  }

  /** Sends every client a Close frame (as the venue does on shutdown), then drops what is still open. */
  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    for (const u of this.unsubscribers) u();
    const closing = [...this.clients].map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.ws.readyState !== WebSocket.OPEN) return resolve();
          const timer = setTimeout(resolve, 200);
          c.ws.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          c.ws.close(BACKPACK_WS.shutdownCloseCode, 'Server shutting down');
        }),
    );
    await Promise.all(closing);
    for (const c of this.clients) c.ws.terminate();
    this.clients.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private onConnection(ws: WebSocket): void {
    const client: Client = { ws, streams: new Set(), pingSentAt: null };
    this.clients.add(client);
    ws.on('message', (data, isBinary) => this.onMessage(client, data, isBinary));
    ws.on('pong', () => {
      client.pingSentAt = null;
    });
    ws.on('close', () => this.clients.delete(client));
    ws.on('error', () => this.clients.delete(client));
  }

  private onMessage(client: Client, data: RawData, isBinary: boolean): void {
    const request = isBinary ? null : parseRequest(data.toString());
    if (request === null) {
      this.sendError(client, BACKPACK_WS.errorInvalidRequest);
      return;
    }
    let invalid = false;
    for (const stream of request.params) {
      if (typeof stream !== 'string' || !this.valid.has(stream)) {
        invalid = true;
        continue;
      }
      if (request.subscribe) client.streams.add(stream);
      else client.streams.delete(stream);
    }
    if (invalid) this.sendError(client, BACKPACK_WS.errorInvalidStream);
  }

  private sendError(client: Client, error: { code: number; message: string }): void {
    if (this.isStalled()) return;
    this.sendRaw(client, JSON.stringify({ id: null, error: { code: error.code, message: error.message } }));
  }

  private isStalled(): boolean {
    return this.engine.now() < this.faults.ws('backpack').stalledUntil;
  }

  private sendRaw(client: Client, text: string): void {
    if (client.ws.readyState === WebSocket.OPEN) client.ws.send(text);
  }

  /** One data frame to every subscriber of `stream`, faults applied per frame. */
  private broadcast(stream: string, data: DataFactory): void {
    for (const client of this.clients) {
      if (!client.streams.has(stream)) continue;
      const f = this.faults.ws('backpack');
      if (this.engine.now() < f.stalledUntil) return;
      const frame = JSON.stringify({ stream, data: data(Math.round(f.timestampSkewMs * 1000)) });
      if (f.malformedRemaining > 0) {
        this.faults.consumeMalformed('backpack');
        this.sendRaw(client, frame.slice(0, Math.max(1, Math.floor(frame.length / 2))));
        continue;
      }
      this.sendRaw(client, frame);
    }
  }

  private hasSubscribers(stream: string): boolean {
    for (const c of this.clients) if (c.streams.has(stream)) return true;
    return false;
  }

  /** Uses the book the engine passes (its full current book): calling engine.book() here could re-enter. */
  private onBookChange(book: SimBook): void {
    const prev = this.prevBook;
    this.prevBook = book;
    if (book.updateId <= prev.updateId) return;
    const sym = this.engine.rules.symbol;
    const wp = this.wp;
    const nowUs = Math.round(this.engine.now() * 1000);
    const engineUs = Math.round(book.time * 1000);
    if (this.hasSubscribers(this.streams.depth)) {
      const asks = diffSide(prev.asks, book.asks, wp.bookPrice, wp.bookQty);
      const bids = diffSide(prev.bids, book.bids, wp.bookPrice, wp.bookQty);
      const first = prev.updateId + 1;
      this.broadcast(this.streams.depth, (skew) =>
        depthData(sym, asks, bids, first, book.updateId, nowUs + skew, engineUs + skew),
      );
    }
    if (this.hasSubscribers(this.streams.bookTicker)) {
      this.broadcast(this.streams.bookTicker, (skew) =>
        bookTickerData(sym, book, nowUs + skew, engineUs + skew, wp),
      );
    }
  }

  /** depth.<period>.<symbol>: the net level changes since the last flush, U = previous u + 1 as in real time. */
  private onAggregatedDepthTimer(stream: string): void {
    const from = this.aggregated.get(stream);
    const book = this.prevBook;
    if (from === undefined || book.updateId <= from.updateId) return;
    this.aggregated.set(stream, book);
    if (!this.hasSubscribers(stream)) return;
    const wp = this.wp;
    const asks = diffSide(from.asks, book.asks, wp.bookPrice, wp.bookQty);
    const bids = diffSide(from.bids, book.bids, wp.bookPrice, wp.bookQty);
    const nowUs = Math.round(this.engine.now() * 1000);
    const engineUs = Math.round(book.time * 1000);
    const sym = this.engine.rules.symbol;
    this.broadcast(stream, (skew) =>
      depthData(sym, asks, bids, from.updateId + 1, book.updateId, nowUs + skew, engineUs + skew),
    );
  }

  private onTickerTimer(): void {
    const sym = this.engine.rules.symbol;
    const now = this.engine.now();
    const nowUs = Math.round(now * 1000);
    if (this.hasSubscribers(this.streams.ticker)) {
      const t = this.engine.ticker24h();
      this.broadcast(this.streams.ticker, (skew) => tickerData(sym, t, nowUs + skew, this.wp));
    }
    if (this.hasSubscribers(this.streams.markPrice)) {
      const mark = this.engine.markPrice();
      this.broadcast(this.streams.markPrice, (skew) =>
        markPriceData(sym, mark, nextFundingMs(now), nowUs + skew, nowUs + skew, this.wp),
      );
    }
  }

  private onPingTimer(): void {
    if (this.isStalled()) return;
    const now = Date.now();
    for (const c of this.clients) {
      if (c.ws.readyState !== WebSocket.OPEN || c.pingSentAt !== null) continue;
      c.pingSentAt = now;
      c.ws.ping();
    }
  }

  private onPongCheck(): void {
    const now = Date.now();
    for (const c of this.clients) {
      if (c.pingSentAt === null || now - c.pingSentAt <= this.tuning.pongTimeoutMs) continue;
      this.clients.delete(c);
      c.ws.close(1000, 'Pong timeout');
      setTimeout(() => c.ws.terminate(), 1000).unref();
    }
  }

  private dropAll(): void {
    for (const c of this.clients) c.ws.terminate();
    this.clients.clear();
  }
}
