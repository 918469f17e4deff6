import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import type { SimBook, SimCredentialDirectory, SimFaultControl, SimVenueEngine } from '../engine/types';
import { AccountStreamTracker } from './account-stream';
import { buildSigningString, verifySignature } from './auth';
import {
  BACKPACK_DEFAULT_WINDOW_MS,
  BACKPACK_MAX_WINDOW_MS,
  BACKPACK_WS,
  BACKPACK_WS_SUBSCRIBE_INSTRUCTION,
} from './constants';
import type { OrderExtras } from './order-json';
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
  /** Engine account proven by a signed private subscription, or null. */
  account: string | null;
  /** Wall-clock time of the unanswered server Ping, or null. */
  pingSentAt: number | null;
}

interface WsRequest {
  subscribe: boolean;
  params: unknown[];
  signature: unknown;
}

/** Adds the timestamp-skew fault (µs) to an event's `E` and `T`. */
function skewed(data: Record<string, unknown>, skewUs: number): Record<string, unknown> {
  if (skewUs === 0) return data;
  const out = { ...data };
  if (typeof out.E === 'number') out.E += skewUs;
  if (typeof out.T === 'number') out.T += skewUs;
  return out;
}

/** A {"method":"SUBSCRIBE"|"UNSUBSCRIBE","params":[...]} request, or null when the text is not one. */
function parseRequest(text: string): WsRequest | null {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof msg !== 'object' || msg === null) return null;
  const { method, params, signature } = msg as { method?: unknown; params?: unknown; signature?: unknown };
  if ((method !== BACKPACK_WS.subscribe && method !== BACKPACK_WS.unsubscribe) || !Array.isArray(params)) {
    return null;
  }
  return { subscribe: method === BACKPACK_WS.subscribe, params, signature };
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
  private readonly privateStreams: { orders: ReadonlySet<string>; positions: ReadonlySet<string> };
  private readonly tracker: AccountStreamTracker;
  private polling = false;
  private pollAgain = false;
  private againRestingOnly = true;
  private prevBook: SimBook;
  /** Aggregated depth streams: stream name -> book at the last flush. */
  private readonly aggregated = new Map<string, SimBook>();
  private readonly timers: NodeJS.Timeout[] = [];
  /** Errors caught in callbacks (a bug here must not take the simulator or the engine's caller down). */
  errorCount = 0;
  lastError: unknown = null;
  private readonly unsubscribers: (() => void)[] = [];

  constructor(
    private readonly engine: SimVenueEngine,
    private readonly faults: SimFaultControl,
    private readonly wp: WirePrecision,
    private readonly tuning: BackpackWsTuning,
    private readonly credentials: SimCredentialDirectory,
    extrasOf: (orderId: number) => OrderExtras,
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
      this.timers.push(
        setInterval(
          this.guard(() => this.onAggregatedDepthTimer(stream)),
          periodMs,
        ),
      );
    }
    this.valid = valid;
    const o = BACKPACK_WS.streamOrderUpdate;
    const pu = BACKPACK_WS.streamPositionUpdate;
    this.privateStreams = { orders: new Set([o, `${o}.${sym}`]), positions: new Set([pu, `${pu}.${sym}`]) };
    this.tracker = new AccountStreamTracker(engine, wp, extrasOf);
    this.timers.push(
      setInterval(
        this.guard(() => this.pollAccounts()),
        BACKPACK_WS.accountPollMs,
      ),
    );
    this.unsubscribers.push(engine.onBook(this.guard((book: SimBook) => this.onBookChange(book))));
    this.unsubscribers.push(
      faults.onWsDisconnect(
        'backpack',
        this.guard(() => this.dropAll()),
      ),
    );
    this.timers.push(
      setInterval(
        this.guard(() => this.onTickerTimer()),
        tuning.tickerIntervalMs,
      ),
    );
    this.timers.push(
      setInterval(
        this.guard(() => this.onPingTimer()),
        tuning.pingIntervalMs,
      ),
    );
    this.timers.push(
      setInterval(
        this.guard(() => this.onPongCheck()),
        Math.max(20, Math.min(1000, Math.floor(tuning.pongTimeoutMs / 4))),
      ),
    );
  }

  private guard<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
    return (...args: A) => {
      try {
        fn(...args);
      } catch (err) {
        this.errorCount += 1;
        this.lastError = err;
      }
    };
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
    const client: Client = { ws, streams: new Set(), account: null, pingSentAt: null };
    this.clients.add(client);
    ws.on(
      'message',
      this.guard((data: RawData, isBinary: boolean) => this.onMessage(client, data, isBinary)),
    );
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
    const wanted: string[] = [];
    for (const stream of request.params) {
      if (typeof stream === 'string' && (this.valid.has(stream) || this.isPrivate(stream)))
        wanted.push(stream);
      else invalid = true;
    }
    const privateWanted = wanted.filter((s) => this.isPrivate(s));
    if (request.subscribe && privateWanted.length > 0) {
      const account = this.verifySubscription(request.signature);
      if (account === null) {
        this.sendError(client, BACKPACK_WS.errorInvalidSignature);
        wanted.splice(0, wanted.length, ...wanted.filter((s) => !this.isPrivate(s)));
      } else {
        if (client.account !== null && client.account !== account) client.streams.clear();
        client.account = account;
        this.tracker.track(account);
      }
    }
    for (const stream of wanted) {
      if (!request.subscribe) {
        client.streams.delete(stream);
        continue;
      }
      client.streams.add(stream);
      if (this.privateStreams.positions.has(stream) && client.account !== null) {
        for (const snapshot of this.tracker.positionSnapshot(client.account)) {
          this.sendTo(client, stream, (skew) => skewed(snapshot, skew));
        }
      }
    }
    if (invalid) this.sendError(client, BACKPACK_WS.errorInvalidStream);
  }

  private isPrivate(stream: string): boolean {
    return this.privateStreams.orders.has(stream) || this.privateStreams.positions.has(stream);
  }

  /** `signature: [verifyingKey, signature, timestamp, window]` over `instruction=subscribe&timestamp=..&window=..`. */
  private verifySubscription(signature: unknown): string | null {
    if (!Array.isArray(signature) || signature.length < 3) return null;
    const [apiKey, sig, timestamp, windowRaw] = signature as unknown[];
    const window = windowRaw === undefined ? String(BACKPACK_DEFAULT_WINDOW_MS) : String(windowRaw);
    if (typeof apiKey !== 'string' || typeof sig !== 'string' || !/^\d{1,16}$/.test(String(timestamp)))
      return null;
    if (!/^\d{1,6}$/.test(window) || Number(window) > BACKPACK_MAX_WINDOW_MS) return null;
    const entry = this.credentials.backpack.find((c) => c.apiKey === apiKey);
    if (!entry) return null;
    const message = buildSigningString(BACKPACK_WS_SUBSCRIBE_INSTRUCTION, {}, String(timestamp), window);
    if (!verifySignature(apiKey, message, sig)) return null;
    const ts = Number(timestamp);
    const now = Date.now();
    if (now > ts + Number(window) || ts > now + Number(window)) return null;
    return entry.account;
  }

  /**
   * Sends each tracked account's order and position events to its clients. Called on every book change,
   * after every order request, and on a short timer (cancels by other paths).
   */
  pollAccounts(restingOnly = false): void {
    this.guard(() => this.pollAccountsGuarded(restingOnly))();
  }

  private pollAccountsGuarded(restingOnly: boolean): void {
    // Engine reads advance the market, which can publish a book and call back in here: run once, then again
    // (a full poll if any of the calls that came in meanwhile asked for one).
    if (this.polling) {
      this.pollAgain = true;
      this.againRestingOnly = this.againRestingOnly && restingOnly;
      return;
    }
    this.polling = true;
    try {
      let mode = restingOnly;
      do {
        this.pollAgain = false;
        this.againRestingOnly = true;
        this.pollAccountsOnce(mode);
        mode = this.againRestingOnly;
      } while (this.pollAgain);
    } finally {
      this.polling = false;
    }
  }

  private pollAccountsOnce(restingOnly: boolean): void {
    for (const account of this.tracker.trackedAccounts) {
      const clients = [...this.clients].filter((c) => c.account === account);
      if (clients.length === 0) {
        this.tracker.untrack(account);
        continue;
      }
      const events = this.tracker.poll(account, restingOnly);
      for (const c of clients) {
        for (const stream of c.streams) {
          const list = this.privateStreams.orders.has(stream)
            ? events.orders
            : this.privateStreams.positions.has(stream)
              ? events.positions
              : [];
          for (const data of list) this.sendTo(c, stream, (skew) => skewed(data, skew));
        }
      }
    }
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
    for (const client of this.clients) if (client.streams.has(stream)) this.sendTo(client, stream, data);
  }

  /** One data frame to one client: nothing during a stall, malformed while that fault lasts, skewed times. */
  private sendTo(client: Client, stream: string, data: DataFactory): void {
    const f = this.faults.ws('backpack');
    if (this.engine.now() < f.stalledUntil) return;
    const frame = JSON.stringify({ stream, data: data(Math.round(f.timestampSkewMs * 1000)) });
    if (f.malformedRemaining > 0) {
      this.faults.consumeMalformed('backpack');
      this.sendRaw(client, frame.slice(0, Math.max(1, Math.floor(frame.length / 2))));
      return;
    }
    this.sendRaw(client, frame);
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
    const nowUs = Math.round(this.engine.now() * 1000);
    const engineUs = Math.round(book.time * 1000);
    // A book change sends a depth and a bookTicker frame: corked, they leave in one write (one TCP send and
    // one wake-up of the reader instead of two), still two WebSocket frames as the venue sends them.
    const corked = this.corkAll();
    try {
      this.publishBookChange(book, prev, sym, nowUs, engineUs);
    } finally {
      for (const socket of corked) socket.uncork();
    }
    if (this.tracker.trackedAccounts.length > 0) this.pollAccounts(true);
  }

  /** Corks every open client's socket (ws exposes no cork of its own; `_socket` is its net.Socket). */
  private corkAll(): Duplex[] {
    const out: Duplex[] = [];
    for (const c of this.clients) {
      const socket = (c.ws as unknown as { _socket?: Duplex })._socket;
      if (c.ws.readyState !== WebSocket.OPEN || !socket) continue;
      socket.cork();
      out.push(socket);
    }
    return out;
  }

  private publishBookChange(
    book: SimBook,
    prev: SimBook,
    sym: string,
    nowUs: number,
    engineUs: number,
  ): void {
    const wp = this.wp;
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
