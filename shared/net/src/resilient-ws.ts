import { EventEmitter } from 'node:events';
import WebSocket from 'ws';

export type ConnectCause = 'initial' | 'reconnect' | 'rotate';

/** What the consumer is told about each frame. */
export interface WsFrameContext {
  /** Local receive time, epoch ms. */
  receivedAt: number;
  /** Id of the socket it came from (increases per connection). */
  connId: number;
}

export interface ResilientWsOptions {
  /** For events/logs only. */
  name: string;
  /** Evaluated at every connect (lets a caller rotate hosts or refresh a listen key). */
  url: string | (() => string);
  /** Text frames sent right after every open (subscriptions); resubscribe on reconnect is automatic. */
  subscribeFrames?: () => readonly string[];
  /**
   * Called for every text frame of the active socket. Return true when the frame carried market data
   * (resets stall detection and completes a rotation); false for acks, control or malformed frames.
   */
  onFrame: (raw: string, ctx: WsFrameContext) => boolean;
  /** First reconnect delay (Aster ~2000, Backpack ~5000); doubles per consecutive failure. */
  firstRetryMs: number;
  maxRetryMs: number;
  /** ± fraction applied to each delay (default 0.2). */
  jitter?: number;
  /** No data frame for this long on an open socket → reconnect. 0 disables. */
  stallMs: number;
  /** WS handshake deadline (default 10 s). */
  connectTimeoutMs?: number;
  /** Send a ping frame this often (Backpack ~30 s). 0/undefined disables. Server pings are answered by ws. */
  heartbeatMs?: number;
  /** No pong for this long after a ping → reconnect (default 2 × heartbeatMs). */
  pongTimeoutMs?: number;
  /**
   * Proactive rotation before the venue's connection lifetime (Aster 24 h): at this age a new socket is
   * opened and subscribed; the old one is dropped when the new one delivers its first data frame. 0 disables.
   */
  lifetimeMs?: number;
  /** If the rotating socket delivers no data within this time it is promoted anyway when open (default 10 s). */
  rotateTimeoutMs?: number;
  /** Housekeeping period (default derived from the timeouts, 50..1000 ms). */
  checkIntervalMs?: number;
  now?: () => number;
  random?: () => number;
}

export interface ResilientWsStats {
  connected: boolean;
  connects: number;
  /** Reconnects after a lost/stalled socket (rotations not included). */
  reconnects: number;
  rotations: number;
  stalls: number;
  /** Every text frame received on the active sockets. */
  frames: number;
  /** Frames the consumer reported as data. */
  dataFrames: number;
  errors: number;
  /** Epoch ms of the last data frame, 0 if none. */
  lastDataAt: number;
  /** Epoch ms when the active socket opened, 0 if none. */
  connectedSince: number;
}

export interface ResilientWsEvents {
  open: [{ connId: number; cause: ConnectCause; url: string }];
  close: [{ connId: number; code: number; reason: string; wasActive: boolean }];
  reconnecting: [{ delayMs: number; attempt: number }];
  stall: [{ connId: number; silentMs: number }];
  rotate: [{ fromConnId: number; toConnId: number; overlapMs: number }];
  error: [{ connId: number; error: Error }];
}

interface Conn {
  id: number;
  ws: WebSocket;
  cause: ConnectCause;
  url: string;
  openedAt: number;
  lastDataAt: number;
  lastPingAt: number;
  lastPongAt: number;
  open: boolean;
}

/**
 * One resilient WebSocket subscription for both venues: reconnect with capped exponential backoff and
 * jitter, resubscribe on every (re)connect, silent-stall detection, optional client heartbeat, and
 * make-before-break rotation ahead of the venue's connection lifetime. Frames from the outgoing socket stop
 * being delivered the moment the new one delivers data, so consumers only need to drop frames whose
 * venue update id is not newer than the last one seen (a few may repeat across the switch).
 */
export class ResilientWs extends EventEmitter<ResilientWsEvents> {
  private readonly opts: ResilientWsOptions;
  private readonly now: () => number;
  private readonly random: () => number;
  private active: Conn | null = null;
  private rotating: Conn | null = null;
  private readonly retired = new Set<Conn>();
  private nextId = 1;
  private failures = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private checkTimer: NodeJS.Timeout | null = null;
  private started = false;
  private stopped = false;
  /** After a failed rotation attempt, the next one waits until this time. */
  private nextRotateAt = 0;
  private readonly s: ResilientWsStats = {
    connected: false,
    connects: 0,
    reconnects: 0,
    rotations: 0,
    stalls: 0,
    frames: 0,
    dataFrames: 0,
    errors: 0,
    lastDataAt: 0,
    connectedSince: 0,
  };

  constructor(opts: ResilientWsOptions) {
    super();
    if (opts.firstRetryMs <= 0 || opts.maxRetryMs < opts.firstRetryMs) {
      throw new Error(`${opts.name}: need 0 < firstRetryMs <= maxRetryMs`);
    }
    this.opts = opts;
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
  }

  stats(): ResilientWsStats {
    return { ...this.s };
  }

  get connected(): boolean {
    return this.s.connected;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.active = this.connect('initial');
    const periods = [this.opts.stallMs, this.opts.heartbeatMs ?? 0, this.opts.lifetimeMs ?? 0].filter(
      (p) => p > 0,
    );
    const derived = periods.length ? Math.min(...periods) / 4 : 1000;
    const every = this.opts.checkIntervalMs ?? Math.max(50, Math.min(1000, derived));
    this.checkTimer = setInterval(() => this.housekeep(), every);
    this.checkTimer.unref();
  }

  /** Sends a text frame on the active socket; false when not connected. */
  send(frame: string): boolean {
    const c = this.active;
    if (!c?.open) return false;
    c.ws.send(frame);
    return true;
  }

  /** Drops the active socket as if the network failed (tests, operator "reconnect" command). */
  forceReconnect(): void {
    this.active?.ws.terminate();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.checkTimer) clearInterval(this.checkTimer);
    this.reconnectTimer = null;
    this.checkTimer = null;
    const conns = [this.active, this.rotating, ...this.retired].filter((c): c is Conn => c !== null);
    this.active = null;
    this.rotating = null;
    this.s.connected = false;
    await Promise.all(conns.map((c) => closeSocket(c.ws)));
  }

  private connect(cause: ConnectCause): Conn {
    const url = typeof this.opts.url === 'function' ? this.opts.url() : this.opts.url;
    const ws = new WebSocket(url, {
      handshakeTimeout: this.opts.connectTimeoutMs ?? 10_000,
      perMessageDeflate: false,
    });
    const t = this.now();
    const conn: Conn = {
      id: this.nextId++,
      ws,
      cause,
      url,
      openedAt: 0,
      lastDataAt: t,
      lastPingAt: t,
      lastPongAt: t,
      open: false,
    };
    ws.on('open', () => this.onOpen(conn));
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      this.onMessage(conn, rawToString(data));
    });
    ws.on('pong', () => {
      conn.lastPongAt = this.now();
    });
    ws.on('error', (error) => {
      this.s.errors++;
      if (!this.stopped) this.emit('error', { connId: conn.id, error });
    });
    ws.on('close', (code, reason) => this.onClose(conn, code, reason.toString()));
    return conn;
  }

  private onOpen(conn: Conn): void {
    if (this.stopped) {
      conn.ws.terminate();
      return;
    }
    const t = this.now();
    conn.open = true;
    conn.openedAt = t;
    conn.lastDataAt = t;
    conn.lastPingAt = t;
    conn.lastPongAt = t;
    this.s.connects++;
    for (const f of this.opts.subscribeFrames?.() ?? []) conn.ws.send(f);
    if (conn === this.active) {
      this.s.connected = true;
      this.s.connectedSince = t;
    }
    this.emit('open', { connId: conn.id, cause: conn.cause, url: conn.url });
  }

  private onMessage(conn: Conn, raw: string): void {
    if (conn !== this.active && conn !== this.rotating) return;
    const receivedAt = this.now();
    this.s.frames++;
    const isData = this.opts.onFrame(raw, { receivedAt, connId: conn.id });
    if (!isData) return;
    this.s.dataFrames++;
    this.s.lastDataAt = receivedAt;
    conn.lastDataAt = receivedAt;
    if (conn === this.rotating) this.promoteRotating();
    else if (this.failures > 0) this.failures = 0;
  }

  private promoteRotating(): void {
    const next = this.rotating;
    if (!next) return;
    const prev = this.active;
    this.rotating = null;
    this.active = next;
    this.failures = 0;
    this.s.connected = next.open;
    this.s.connectedSince = next.openedAt;
    this.s.rotations++;
    if (prev) {
      this.retired.add(prev);
      prev.ws.close(1000, 'rotated');
      const timer = setTimeout(() => prev.ws.terminate(), 2000);
      timer.unref();
    }
    this.emit('rotate', {
      fromConnId: prev?.id ?? 0,
      toConnId: next.id,
      overlapMs: next.openedAt ? this.now() - next.openedAt : 0,
    });
  }

  private onClose(conn: Conn, code: number, reason: string): void {
    conn.open = false;
    const wasActive = conn === this.active;
    if (this.retired.delete(conn) || this.stopped) {
      this.emit('close', { connId: conn.id, code, reason, wasActive: false });
      return;
    }
    if (conn === this.rotating) {
      // Rotation attempt failed; the active socket is still serving. Retry after a backoff delay.
      this.rotating = null;
      this.nextRotateAt = this.now() + this.backoffMs(0);
      this.emit('close', { connId: conn.id, code, reason, wasActive: false });
      return;
    }
    if (!wasActive) return;
    this.emit('close', { connId: conn.id, code, reason, wasActive: true });
    this.active = null;
    this.s.connected = false;
    const r = this.rotating as Conn | null;
    if (r?.open) {
      // The venue dropped the old socket during a rotation: the new one is already subscribed.
      this.promoteRotating();
      return;
    }
    if (r) {
      // New socket still handshaking: let it become the active one when it opens.
      this.rotating = null;
      this.active = r;
      r.cause = 'reconnect';
      this.s.reconnects++;
      return;
    }
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    const delayMs = this.backoffMs(this.failures);
    this.failures++;
    this.emit('reconnecting', { delayMs, attempt: this.failures });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.stopped) return;
      this.s.reconnects++;
      this.active = this.connect('reconnect');
    }, delayMs);
  }

  /** Capped exponential backoff with ± jitter. */
  backoffMs(failures: number): number {
    const base = Math.min(this.opts.maxRetryMs, this.opts.firstRetryMs * 2 ** Math.min(failures, 30));
    const j = this.opts.jitter ?? 0.2;
    return Math.max(0, Math.round(base * (1 + j * (2 * this.random() - 1))));
  }

  private housekeep(): void {
    if (this.stopped) return;
    const t = this.now();
    const c = this.active;
    if (!c?.open) return;
    if (this.opts.stallMs > 0 && t - c.lastDataAt > this.opts.stallMs) {
      this.s.stalls++;
      this.emit('stall', { connId: c.id, silentMs: t - c.lastDataAt });
      c.ws.terminate();
      return;
    }
    const hb = this.opts.heartbeatMs ?? 0;
    if (hb > 0) {
      const pongTimeout = this.opts.pongTimeoutMs ?? hb * 2;
      // A pong is expected within pongTimeout of each ping, and pings go out every hb.
      if (t - c.lastPongAt > hb + pongTimeout) {
        this.emit('stall', { connId: c.id, silentMs: t - c.lastPongAt });
        this.s.stalls++;
        c.ws.terminate();
        return;
      }
      if (t - c.lastPingAt >= hb) {
        c.lastPingAt = t;
        c.ws.ping();
      }
    }
    const life = this.opts.lifetimeMs ?? 0;
    if (life > 0) {
      if (!this.rotating && t - c.openedAt >= life && t >= this.nextRotateAt) {
        this.rotating = this.connect('rotate');
      } else if (this.rotating?.open && t - this.rotating.openedAt > (this.opts.rotateTimeoutMs ?? 10_000)) {
        this.promoteRotating();
      }
    }
  }
}

function rawToString(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function closeSocket(ws: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve();
    const timer = setTimeout(() => {
      ws.terminate();
      resolve();
    }, 1000);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
    else ws.close(1000, 'stop');
  });
}
