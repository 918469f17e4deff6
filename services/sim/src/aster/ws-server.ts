import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { SimBook, SimFaultControl, SimVenueEngine } from '../engine/types';
import { ASTER_WS_ERRORS, ASTER_WS_PATH_COMBINED, ASTER_WS_PATH_RAW } from './constants';
import type { AsterTuning } from './options';
import type { AsterDecimals } from './wire-market';
import { parseWsControl } from './ws-control';
import {
  type AsterStreamSpec,
  bookTickerEvent,
  miniTickerEvent,
  parseStreamName,
  partialDepthEvent,
} from './ws-streams';

interface Conn {
  ws: WebSocket;
  combined: boolean;
  subs: Set<string>;
  openedAt: number;
  lastPingAt: number;
  lastPongAt: number;
  incoming: number[];
}

interface StreamState {
  spec: AsterStreamSpec;
  lastSentAt: number;
  lastU: number | null;
}

export interface AsterWsDeps {
  engine: SimVenueEngine;
  faults: SimFaultControl;
  tuning: AsterTuning;
  decimals: AsterDecimals;
  /** Wall clock for timers (pings, lifetime, message rate). */
  wallNow: () => number;
}

const TICK_MS = 20;
/** Outgoing bytes queued for one connection beyond which it is dropped (simulator choice). */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/**
 * Aster's market-stream endpoint on the REST server's port: raw `/ws/<stream>` and combined
 * `/stream?streams=a/b` ({stream,data} frames), control messages, server pings with a pong deadline,
 * a connection lifetime, an incoming-message rate limit, and the WS faults (stall, malformed, skew, drop).
 */
export class AsterWsServer {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly conns = new Set<Conn>();
  private readonly streams = new Map<string, StreamState>();
  private readonly symbolLower: string;
  private readonly timer: NodeJS.Timeout;
  private readonly offBook: () => void;
  private readonly offDisconnect: () => void;
  private lastTop = '';

  constructor(private readonly deps: AsterWsDeps) {
    this.symbolLower = deps.engine.rules.symbol.toLowerCase();
    this.offBook = deps.engine.onBook((book) => this.onBook(book));
    this.offDisconnect = deps.faults.onWsDisconnect('aster', () => this.dropAll());
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  /** Takes over an HTTP upgrade; answers 404 for paths other than /ws[/...] and /stream. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let combined: boolean;
    let names: string[];
    if (url.pathname === ASTER_WS_PATH_COMBINED) {
      combined = true;
      names = (url.searchParams.get('streams') ?? '').split('/').filter((s) => s !== '');
    } else if (url.pathname === ASTER_WS_PATH_RAW || url.pathname.startsWith(`${ASTER_WS_PATH_RAW}/`)) {
      combined = false;
      names = url.pathname
        .slice(ASTER_WS_PATH_RAW.length)
        .split('/')
        .filter((s) => s !== '')
        .map((s) => decodeURIComponent(s));
    } else {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, combined, names));
  }

  private accept(ws: WebSocket, combined: boolean, names: string[]): void {
    const now = this.deps.wallNow();
    const conn: Conn = {
      ws,
      combined,
      subs: new Set(),
      openedAt: now,
      lastPingAt: now,
      lastPongAt: now,
      incoming: [],
    };
    this.conns.add(conn);
    for (const n of names.slice(0, this.deps.tuning.wsMaxStreams)) this.subscribe(conn, n);
    ws.on('pong', () => {
      conn.lastPongAt = this.deps.wallNow();
      this.countIncoming(conn);
    });
    ws.on('ping', () => this.countIncoming(conn));
    ws.on('message', (data, isBinary) => {
      if (!this.countIncoming(conn)) return;
      this.onControl(conn, isBinary ? '' : data.toString());
    });
    ws.on('close', () => this.conns.delete(conn));
    ws.on('error', () => this.conns.delete(conn));
  }

  /** Counts one incoming frame; closes the connection above the per-second limit. */
  private countIncoming(conn: Conn): boolean {
    const now = this.deps.wallNow();
    conn.incoming.push(now);
    while ((conn.incoming[0] ?? now) <= now - 1000) conn.incoming.shift();
    if (conn.incoming.length > this.deps.tuning.wsMaxIncomingPerSec) {
      conn.ws.close(1008, 'Too many messages');
      this.conns.delete(conn);
      return false;
    }
    return true;
  }

  private reply(conn: Conn, frame: Record<string, unknown>): void {
    if (conn.ws.readyState === conn.ws.OPEN) conn.ws.send(JSON.stringify(frame));
  }

  private onControl(conn: Conn, text: string): void {
    const c = parseWsControl(text);
    switch (c.kind) {
      case 'error':
        this.reply(conn, c.frame);
        return;
      case 'subscribe': {
        const total = new Set([...conn.subs, ...c.params]).size;
        if (total > this.deps.tuning.wsMaxStreams) {
          this.reply(conn, {
            code: ASTER_WS_ERRORS.invalidRequest,
            msg: 'Invalid request: too many parameters',
            id: c.id,
          });
          return;
        }
        for (const n of c.params) this.subscribe(conn, n);
        this.reply(conn, { result: null, id: c.id });
        return;
      }
      case 'unsubscribe':
        for (const n of c.params) conn.subs.delete(n);
        this.reply(conn, { result: null, id: c.id });
        return;
      case 'list':
        this.reply(conn, { result: [...conn.subs], id: c.id });
        return;
      case 'setProperty':
        if (c.property !== 'combined') {
          this.reply(conn, { ...ASTER_WS_ERRORS.unknownProperty, id: c.id });
          return;
        }
        if (typeof c.value !== 'boolean') {
          this.reply(conn, { ...ASTER_WS_ERRORS.invalidValueType, id: c.id });
          return;
        }
        conn.combined = c.value;
        this.reply(conn, { result: null, id: c.id });
        return;
      case 'getProperty':
        if (c.property !== 'combined') {
          this.reply(conn, { ...ASTER_WS_ERRORS.unknownProperty, id: c.id });
          return;
        }
        this.reply(conn, { result: conn.combined, id: c.id });
        return;
      default: {
        const never: never = c;
        throw new Error(`unhandled control ${String(never)}`);
      }
    }
  }

  private subscribe(conn: Conn, name: string): void {
    conn.subs.add(name);
    if (!this.streams.has(name)) {
      this.streams.set(name, { spec: parseStreamName(name, this.symbolLower), lastSentAt: 0, lastU: null });
    }
  }

  /** Sends one data frame on every connection subscribed to `name`, applying the malformed fault. */
  private publish(name: string, data: Record<string, unknown>): void {
    const dataJson = JSON.stringify(data);
    let wrapped: string | null = null;
    for (const conn of this.conns) {
      if (!conn.subs.has(name) || conn.ws.readyState !== conn.ws.OPEN) continue;
      let frame: string;
      if (conn.combined) {
        wrapped ??= `{"stream":${JSON.stringify(name)},"data":${dataJson}}`;
        frame = wrapped;
      } else {
        frame = dataJson;
      }
      if (conn.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        // A consumer that cannot keep up is dropped rather than buffered without bound.
        conn.ws.terminate();
        this.conns.delete(conn);
        continue;
      }
      if (this.deps.faults.ws('aster').malformedRemaining > 0) {
        this.deps.faults.consumeMalformed('aster');
        frame = frame.slice(0, Math.max(1, Math.floor(frame.length / 2)));
      }
      conn.ws.send(frame);
    }
  }

  private subscribed(name: string): boolean {
    for (const c of this.conns) if (c.subs.has(name)) return true;
    return false;
  }

  /** bookTicker: pushed whenever the best bid or ask (price or qty) changes. */
  private onBook(book: SimBook): void {
    const name = `${this.symbolLower}@bookTicker`;
    const { decimals: d, engine } = this.deps;
    const top = `${book.bids[0]?.price}|${book.bids[0]?.qty}|${book.asks[0]?.price}|${book.asks[0]?.qty}`;
    if (top === this.lastTop) return;
    this.lastTop = top;
    if (!this.subscribed(name)) return;
    const f = this.deps.faults.ws('aster');
    const now = engine.now();
    if (now < f.stalledUntil) return;
    this.publish(name, bookTickerEvent(engine.rules, book, d, now, f.timestampSkewMs));
  }

  private tick(): void {
    const wall = this.deps.wallNow();
    this.heartbeat(wall);
    const { engine, decimals: d } = this.deps;
    const f = this.deps.faults.ws('aster');
    const now = engine.now();
    const stalled = now < f.stalledUntil;
    for (const [name, s] of this.streams) {
      if (s.spec.kind !== 'depth' && s.spec.kind !== 'miniTicker') continue;
      if (!this.subscribed(name)) {
        this.streams.delete(name);
        continue;
      }
      if (wall - s.lastSentAt < s.spec.intervalMs - TICK_MS / 2) continue;
      if (s.spec.kind === 'miniTicker') {
        s.lastSentAt = wall;
        if (!stalled)
          this.publish(name, miniTickerEvent(engine.rules, engine.ticker24h(), d, now, f.timestampSkewMs));
        continue;
      }
      const book = engine.book(s.spec.levels);
      if (s.lastU !== null && book.updateId === s.lastU) continue;
      s.lastSentAt = wall;
      const pu = s.lastU ?? book.updateId - 1;
      const ids = { U: pu + 1, u: book.updateId, pu };
      s.lastU = book.updateId;
      if (!stalled) this.publish(name, partialDepthEvent(engine.rules, book, d, ids, now, f.timestampSkewMs));
    }
  }

  /** Server pings, the pong deadline and the connection lifetime [DOC §Websocket Market Streams]. */
  private heartbeat(wall: number): void {
    const t = this.deps.tuning;
    for (const conn of this.conns) {
      if (wall - conn.openedAt >= t.wsMaxLifetimeMs) {
        conn.ws.close(1000, 'Connection lifetime exceeded');
        this.conns.delete(conn);
        continue;
      }
      if (wall - conn.lastPongAt >= t.wsPongTimeoutMs) {
        conn.ws.terminate();
        this.conns.delete(conn);
        continue;
      }
      if (wall - conn.lastPingAt >= t.wsPingIntervalMs) {
        conn.lastPingAt = wall;
        if (conn.ws.readyState === conn.ws.OPEN) conn.ws.ping();
      }
    }
  }

  private dropAll(): void {
    for (const conn of this.conns) conn.ws.terminate();
    this.conns.clear();
  }

  connectionCount(): number {
    return this.conns.size;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.offBook();
    this.offDisconnect();
    this.dropAll();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
