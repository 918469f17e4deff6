import { type Quote, safeParseQuote } from '@arb/core/quote';
import { headerValue, httpOrigin, nodeHttpText } from '@arb/net/http-client';
import { ResilientWs } from '@arb/net/resilient-ws';
import {
  BackpackBookTickerSchema,
  BackpackDepthEventSchema,
  BackpackDepthSnapshotSchema,
} from './backpack-types';
import { BACKPACK_PATHS, BACKPACK_WS } from './constants';
import { classifyHttpFailure } from './error-map';
import { LocalBook } from './local-book';
import { type DepthSnapshot, parseBookTicker, parseDepthEvent, parseDepthSnapshot } from './parser';
import { endpointName } from './rest-transport';

/** pino's Logger satisfies this. */
export interface SourceLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface BackpackQuoteSourceOptions {
  wsUrl: string;
  /** For depth snapshots (public, unsigned). */
  restUrl: string;
  /** Market id, e.g. BTC_USDC_PERP. */
  symbol: string;
  /** Levels per side merged into each quote from the local depth book; 0/undefined = no depth stream. */
  depthLevels?: number;
  /** Client ping period (default 30 s, as the original bot). */
  heartbeatMs?: number;
  /** No data for this long on an open socket -> reconnect. */
  stallMs: number;
  /** First reconnect delay (default 5 s, as the original bot); doubles per failure up to reconnectMaxMs. */
  reconnectBaseMs?: number;
  reconnectMaxMs: number;
  log?: SourceLogger;
  now?: () => number;
  /** Depth snapshot provider (default: GET /api/v1/depth on restUrl). */
  fetchSnapshot?: (symbol: string) => Promise<DepthSnapshot>;
}

export interface BackpackQuoteSourceStats {
  connected: boolean;
  reconnects: number;
  /** Frames that failed parsing/validation or were unexpected: never published. */
  malformed: number;
  frames: number;
  lastMessageAt: number;
  stalls: number;
  rotations: number;
  quotes: number;
  /** Depth sequence gaps that forced a resync. */
  depthGaps: number;
  /** REST depth snapshots installed. */
  depthSnapshots: number;
  /** Venue error frames (`{error:{code,message}}`). */
  venueErrors: number;
}

const RAW_LOG_MAX = 200;

const SNAPSHOT_TIMEOUT_MS = 5000;

/**
 * One public GET of the depth snapshot with node:http(s), already loaded by the process (ws, the health
 * server): a feed needs no keep-alive pool for a request made once per (re)connect. Not the runtime's
 * fetch: its first call loads node's bundled undici and compiles its llhttp WebAssembly (+1.6 MB heap;
 * +23 MB RSS right after the call with the feed's modules loaded, though in the running feed at idle the
 * difference was within the run-to-run spread of RSS).
 */
async function getDepthSnapshot(restUrl: string, symbol: string, stop: AbortSignal): Promise<unknown> {
  const url = new URL(`/${BACKPACK_PATHS.depth}`, restUrl);
  url.searchParams.set('symbol', symbol);
  const signal = AbortSignal.any([stop, AbortSignal.timeout(SNAPSHOT_TIMEOUT_MS)]);
  const res = await nodeHttpText(httpOrigin(url), url.pathname + url.search, {
    method: 'GET',
    headers: { accept: 'application/json', 'user-agent': 'arb/1' },
    signal,
  });
  if (res.status >= 400) {
    throw classifyHttpFailure(
      endpointName('GET', BACKPACK_PATHS.depth),
      res.status,
      res.body,
      headerValue(res.headers, 'retry-after') ?? null,
    );
  }
  return JSON.parse(res.body);
}

/**
 * Backpack market data as normalized quotes: `bookTicker.<sym>` over the shared ResilientWs (30 s client
 * ping, reconnect from ~5 s with backoff, stall detection, resubscribe), optionally `depth.<sym>` kept
 * as a local book (REST snapshot + gapless U/u, resync on a gap) whose best levels ride on each quote.
 * Malformed or unexpected frames are counted and logged (raw frame truncated), never published.
 * Satisfies @arb/bus's QuoteSource structurally.
 */
export class BackpackQuoteSource {
  readonly #o: BackpackQuoteSourceOptions;
  readonly #now: () => number;
  readonly #ws: ResilientWs;
  readonly #book = new LocalBook();
  readonly #depthLevels: number;
  readonly #fetchSnapshot: (symbol: string) => Promise<DepthSnapshot>;
  /** Aborts a snapshot request in flight on stop. */
  readonly #abort = new AbortController();
  readonly #tickerStream: string;
  readonly #depthStream: string;
  #onQuote: (q: Quote) => void = () => {};
  #seq = 0;
  #malformed = 0;
  #quotes = 0;
  #depthGaps = 0;
  #depthSnapshots = 0;
  #venueErrors = 0;
  #snapshotInFlight = false;
  #bookEpoch = 0;
  #lastMalformedLogAt = 0;
  #stopped = false;

  constructor(opts: BackpackQuoteSourceOptions) {
    this.#o = opts;
    this.#now = opts.now ?? Date.now;
    this.#depthLevels = opts.depthLevels ?? 0;
    this.#tickerStream = BACKPACK_WS.bookTickerStream(opts.symbol);
    this.#depthStream = BACKPACK_WS.depthStream(opts.symbol);
    this.#fetchSnapshot =
      opts.fetchSnapshot ??
      (async (symbol) => {
        const raw = await getDepthSnapshot(opts.restUrl, symbol, this.#abort.signal);
        return parseDepthSnapshot(BackpackDepthSnapshotSchema.parse(raw));
      });
    const params = this.#depthLevels > 0 ? [this.#tickerStream, this.#depthStream] : [this.#tickerStream];
    this.#ws = new ResilientWs({
      name: `backpack:${opts.symbol}`,
      url: opts.wsUrl,
      subscribeFrames: () => [JSON.stringify({ method: 'SUBSCRIBE', params })],
      onFrame: (raw, ctx) => this.#onFrame(raw, ctx.receivedAt),
      firstRetryMs: opts.reconnectBaseMs ?? BACKPACK_WS.reconnectBaseMs,
      maxRetryMs: Math.max(opts.reconnectMaxMs, opts.reconnectBaseMs ?? BACKPACK_WS.reconnectBaseMs),
      stallMs: opts.stallMs,
      heartbeatMs: opts.heartbeatMs ?? BACKPACK_WS.heartbeatMs,
      now: this.#now,
    });
    this.#ws.on('open', (e) => {
      // A new socket resumes the depth stream from "now": whatever the old book had is stale.
      this.#resetBook();
      opts.log?.info({ venue: 'backpack', connId: e.connId, cause: e.cause }, 'backpack ws connected');
    });
    this.#ws.on('close', (e) => {
      if (e.wasActive) opts.log?.warn({ venue: 'backpack', ...e }, 'backpack ws closed');
    });
    this.#ws.on('reconnecting', (e) =>
      opts.log?.info({ venue: 'backpack', ...e }, 'backpack ws reconnecting'),
    );
    this.#ws.on('stall', (e) =>
      opts.log?.warn({ venue: 'backpack', ...e }, 'backpack ws stalled: reconnecting'),
    );
    this.#ws.on('error', (e) =>
      opts.log?.warn({ venue: 'backpack', connId: e.connId, err: e.error }, 'backpack ws error'),
    );
  }

  start(onQuote: (quote: Quote) => void): void {
    this.#onQuote = onQuote;
    this.#ws.start();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#ws.stop();
    this.#abort.abort();
  }

  /** Drops the socket as a network failure would (operator command, tests). */
  forceReconnect(): void {
    this.#ws.forceReconnect();
  }

  stats(): BackpackQuoteSourceStats {
    const s = this.#ws.stats();
    return {
      connected: s.connected,
      reconnects: s.reconnects,
      malformed: this.#malformed,
      frames: s.frames,
      lastMessageAt: s.lastDataAt,
      stalls: s.stalls,
      rotations: s.rotations,
      quotes: this.#quotes,
      depthGaps: this.#depthGaps,
      depthSnapshots: this.#depthSnapshots,
      venueErrors: this.#venueErrors,
    };
  }

  /** Returns true when the frame carried market data (resets stall detection). */
  #onFrame(raw: string, receivedAt: number): boolean {
    let msg: unknown;
    try {
      msg = JSON.parse(raw);
    } catch {
      return this.#reject(raw, 'not JSON');
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg))
      return this.#reject(raw, 'not an object');
    const m = msg as Record<string, unknown>;
    if ('error' in m && m.error !== null && m.error !== undefined) {
      this.#venueErrors++;
      return this.#reject(raw, 'venue error frame');
    }
    if ('result' in m || ('id' in m && !('stream' in m))) return false; // subscription ack / control
    const stream = m.stream;
    const data = m.data;
    if (stream === this.#tickerStream) return this.#onBookTicker(raw, data, receivedAt);
    if (stream === this.#depthStream && this.#depthLevels > 0) return this.#onDepth(raw, data);
    return this.#reject(raw, `unexpected stream ${String(stream).slice(0, 60)}`);
  }

  #onBookTicker(raw: string, data: unknown, receivedAt: number): boolean {
    const parsed = BackpackBookTickerSchema.safeParse(data);
    if (!parsed.success || parsed.data.s !== this.#o.symbol) {
      return this.#reject(raw, parsed.success ? `symbol ${parsed.data.s}` : issue(parsed.error));
    }
    let top: ReturnType<typeof parseBookTicker>;
    try {
      top = parseBookTicker(parsed.data);
    } catch (e) {
      return this.#reject(raw, (e as Error).message);
    }
    const candidate: Quote = {
      v: 1,
      venue: 'backpack',
      symbol: top.symbol,
      bid: top.bid,
      bidQty: top.bidQty,
      ask: top.ask,
      askQty: top.askQty,
      venueTime: top.venueTime,
      receivedAt,
      seq: this.#seq,
    };
    if (this.#depthLevels > 0 && this.#book.state === 'synced') {
      const { bids, asks } = this.#book.top(this.#depthLevels);
      // The ticker is the freshest top: keep only book levels on its side of the spread.
      candidate.bids = bids.filter(([p]) => p <= top.bid);
      candidate.asks = asks.filter(([p]) => p >= top.ask);
    }
    const valid = safeParseQuote(candidate);
    if (!valid.success) return this.#reject(raw, issue(valid.error));
    this.#seq++;
    this.#quotes++;
    this.#onQuote(valid.data);
    return true;
  }

  #onDepth(raw: string, data: unknown): boolean {
    const parsed = BackpackDepthEventSchema.safeParse(data);
    if (!parsed.success || parsed.data.s !== this.#o.symbol) {
      return this.#reject(raw, parsed.success ? `symbol ${parsed.data.s}` : issue(parsed.error));
    }
    let delta: ReturnType<typeof parseDepthEvent>;
    try {
      delta = parseDepthEvent(parsed.data);
    } catch (e) {
      return this.#reject(raw, (e as Error).message);
    }
    const r = this.#book.apply(delta);
    if (r === 'gap') {
      this.#depthGaps++;
      this.#o.log?.warn(
        { venue: 'backpack', U: delta.firstUpdateId, u: delta.lastUpdateId },
        'depth gap: resync',
      );
      this.#book.apply(delta);
    }
    if (this.#book.state === 'buffering') this.#requestSnapshot();
    else if (this.#book.isCrossed()) {
      this.#depthGaps++;
      this.#o.log?.warn({ venue: 'backpack', u: delta.lastUpdateId }, 'local book crossed: resync');
      this.#resetBook();
    }
    return true;
  }

  #resetBook(): void {
    this.#book.reset();
    this.#bookEpoch++;
  }

  #requestSnapshot(): void {
    if (this.#snapshotInFlight || this.#stopped) return;
    this.#snapshotInFlight = true;
    const epoch = this.#bookEpoch;
    void (async () => {
      for (let attempt = 1; attempt <= 5 && !this.#stopped; attempt++) {
        try {
          const snap = await this.#fetchSnapshot(this.#o.symbol);
          if (epoch !== this.#bookEpoch || this.#book.state !== 'buffering') return;
          if (this.#book.installSnapshot(snap) === 'synced') {
            this.#depthSnapshots++;
            return;
          }
        } catch (e) {
          this.#o.log?.warn({ venue: 'backpack', err: e, attempt }, 'depth snapshot failed');
        }
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    })().finally(() => {
      this.#snapshotInFlight = false;
      // Deltas that arrived while we were failing keep the book buffering: try again on the next one.
    });
  }

  #reject(raw: string, reason: string): false {
    this.#malformed++;
    const t = this.#now();
    if (this.#malformed <= 20 || t - this.#lastMalformedLogAt >= 1000) {
      this.#lastMalformedLogAt = t;
      this.#o.log?.warn(
        { venue: 'backpack', reason, malformed: this.#malformed, raw: raw.slice(0, RAW_LOG_MAX) },
        'malformed backpack frame dropped',
      );
    }
    return false;
  }
}

function issue(e: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  const first = e.issues[0];
  return first ? `${first.path.map(String).join('.')}: ${first.message}` : 'invalid';
}
