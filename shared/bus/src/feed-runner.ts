import type { Quote } from '@arb/core/quote';
import type { PairId, VenueId } from '@arb/core/venue';
import type { Redis } from 'ioredis';
import { type RedisNames, redisNames } from './keys';
import { QuotePublisher } from './quote-bus';

/** What a venue's market-data client reports about itself (cheap to call; read once per health tick). */
export interface QuoteSourceStats {
  connected: boolean;
  /** Reconnects after a lost or stalled socket. */
  reconnects: number;
  /** Frames that failed parsing/validation (never published). */
  malformed: number;
  /** Frames received (data + control). */
  frames: number;
  /** Epoch ms of the last data frame, 0 if none. */
  lastMessageAt: number;
  stalls: number;
  rotations: number;
}

/** A market-data source: venue frames in, normalized quotes out. Implemented by each venue adapter. */
export interface QuoteSource {
  /** Starts the connection; `onQuote` is called for every valid quote (already normalized, seq set). */
  start(onQuote: (quote: Quote) => void): void;
  stop(): Promise<void>;
  stats(): QuoteSourceStats;
}

/** The logging surface the runner needs (pino's Logger satisfies it). */
export interface FeedLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface FeedRunnerOptions {
  redis: Redis;
  names: RedisNames;
  venue: VenueId;
  pair: PairId;
  source: QuoteSource;
  /** Append quotes to the capped stream with this approximate length; 0 = off. */
  streamMaxLen?: number;
  /** How often the health hash is written (ms, default 1000). */
  healthIntervalMs?: number;
  /** Pipelines in flight above which newer quotes coalesce into one pending publish (default 200). */
  maxInFlight?: number;
  log?: FeedLogger;
  now?: () => number;
}

export interface FeedRunnerStats extends QuoteSourceStats {
  published: number;
  /** Quotes superseded by a newer one while Redis was backlogged (only the latest matters). */
  coalesced: number;
  publishErrors: number;
  lastQuoteAt: number;
  lastPublishedSeq: number;
}

/** Field names of the feed health hash (values are decimal strings; connected is "1"/"0"). */
export const FEED_HEALTH_FIELDS = [
  'venue',
  'pair',
  'connected',
  'lastMessageAt',
  'lastQuoteAt',
  'reconnects',
  'stalls',
  'rotations',
  'malformed',
  'frames',
  'published',
  'coalesced',
  'publishErrors',
  'updatedAt',
  'pid',
] as const;
export type FeedHealth = Record<(typeof FEED_HEALTH_FIELDS)[number], string>;

/**
 * Runs one feed: source quotes → Redis (channel + latest key [+ stream]) and a health hash under
 * feedHealthKey written once per interval (not per tick). The per-tick path is one JSON.stringify, no
 * logging, no schema parsing; quotes of one event-loop turn share one pipelined round trip (every quote
 * PUBLISHed, the latest SET once); a backlogged Redis coalesces to the latest quote instead of queueing
 * without bound.
 */
export class FeedRunner {
  private readonly o: FeedRunnerOptions;
  private readonly publisher: QuotePublisher;
  private readonly healthKey: string;
  private readonly now: () => number;
  private readonly maxInFlight: number;
  private inFlight = 0;
  /** Quotes of the current event-loop turn, flushed together in one pipeline. */
  private batch: Quote[] = [];
  private flushScheduled = false;
  /** Held back while Redis is backlogged; only the newest is kept. */
  private pending: Quote | null = null;
  private healthTimer: NodeJS.Timeout | null = null;
  private running = false;
  private lastErrorLogAt = 0;
  private published = 0;
  private coalesced = 0;
  private publishErrors = 0;
  private lastQuoteAt = 0;
  private lastPublishedSeq = -1;
  private readonly drainWaiters: (() => void)[] = [];

  constructor(opts: FeedRunnerOptions) {
    this.o = opts;
    this.publisher = new QuotePublisher(opts.redis, opts.names, opts.venue, opts.pair, {
      streamMaxLen: opts.streamMaxLen ?? 0,
    });
    this.healthKey = opts.names.feedHealthKey(opts.venue);
    this.now = opts.now ?? Date.now;
    this.maxInFlight = opts.maxInFlight ?? 200;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.writeHealth();
    this.o.source.start((q) => this.onQuote(q));
    this.healthTimer = setInterval(() => {
      this.writeHealth().catch((e: unknown) => this.logError(e, 'feed health write failed'));
    }, this.o.healthIntervalMs ?? 1000);
  }

  /** Stops the source, waits for in-flight publishes, writes a final health (connected=0). */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.healthTimer) clearInterval(this.healthTimer);
    this.healthTimer = null;
    await this.o.source.stop();
    await this.drained(5000);
    await this.writeHealth().catch(() => {});
  }

  stats(): FeedRunnerStats {
    return {
      ...this.o.source.stats(),
      published: this.published,
      coalesced: this.coalesced,
      publishErrors: this.publishErrors,
      lastQuoteAt: this.lastQuoteAt,
      lastPublishedSeq: this.lastPublishedSeq,
    };
  }

  /** Health as written to Redis. */
  health(): FeedHealth {
    const s = this.stats();
    return {
      venue: this.o.venue,
      pair: this.o.pair,
      connected: s.connected && this.running ? '1' : '0',
      lastMessageAt: String(s.lastMessageAt),
      lastQuoteAt: String(s.lastQuoteAt),
      reconnects: String(s.reconnects),
      stalls: String(s.stalls),
      rotations: String(s.rotations),
      malformed: String(s.malformed),
      frames: String(s.frames),
      published: String(s.published),
      coalesced: String(s.coalesced),
      publishErrors: String(s.publishErrors),
      updatedAt: String(this.now()),
      pid: String(process.pid),
    };
  }

  private onQuote(q: Quote): void {
    if (!this.running) return;
    this.lastQuoteAt = q.receivedAt;
    if (this.inFlight >= this.maxInFlight) {
      if (this.pending) this.coalesced++;
      this.pending = q;
      return;
    }
    this.batch.push(q);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      // Frames parsed from one socket read arrive in the same turn: one round trip for all of them.
      queueMicrotask(this.flush);
    }
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    const quotes = this.batch;
    if (quotes.length === 0) return;
    this.batch = [];
    this.send(quotes);
  };

  private send(quotes: Quote[]): void {
    this.inFlight++;
    this.publisher.publishBatch(quotes).then(
      () => {
        this.published += quotes.length;
        const seq = quotes[quotes.length - 1]!.seq;
        if (seq > this.lastPublishedSeq) this.lastPublishedSeq = seq;
        this.settle();
      },
      (e: unknown) => {
        this.publishErrors += quotes.length;
        this.logError(e, 'quote publish failed');
        this.settle();
      },
    );
  }

  private settle(): void {
    this.inFlight--;
    const p = this.pending;
    if (p && this.inFlight < this.maxInFlight) {
      this.pending = null;
      this.send([p]);
    }
    if (this.inFlight === 0 && this.batch.length === 0) for (const w of this.drainWaiters.splice(0)) w();
  }

  private drained(timeoutMs: number): Promise<void> {
    this.flush();
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(resolve, timeoutMs);
      this.drainWaiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  private async writeHealth(): Promise<void> {
    const ttlMs = Math.max(5000, 5 * (this.o.healthIntervalMs ?? 1000));
    await this.o.redis.multi().hset(this.healthKey, this.health()).pexpire(this.healthKey, ttlMs).exec();
  }

  /** At most one error log per 5 s (errors are also counted in health). */
  private logError(e: unknown, msg: string): void {
    const t = this.now();
    if (t - this.lastErrorLogAt < 5000) return;
    this.lastErrorLogAt = t;
    this.o.log?.error({ err: e, venue: this.o.venue, publishErrors: this.publishErrors }, msg);
  }
}

/** Reads a feed health hash (null when absent or expired: the feed is not running). */
export async function readFeedHealth(
  redis: Redis,
  names: RedisNames,
  venue: VenueId,
): Promise<FeedHealth | null> {
  const h = await redis.hgetall(names.feedHealthKey(venue));
  if (!h || Object.keys(h).length === 0) return null;
  return h as FeedHealth;
}

/** What every feed service's settings share, besides its venue's own source settings. */
export interface FeedSettings {
  namespace: string;
  pair: PairId;
  /** Append quotes to the capped stream with this approximate length; 0 = off. */
  streamMaxLen: number;
}

export interface RunningFeed<S extends QuoteSource> {
  source: S;
  runner: FeedRunner;
  /** Stops the socket, drains publishes, writes the final health (does not close Redis). */
  stop(): Promise<void>;
}

export interface StartFeedOptions<S extends QuoteSource> {
  settings: FeedSettings;
  venue: VenueId;
  /** The venue's quote source, built by the feed service. */
  source: S;
  redis: Redis;
  log?: FeedLogger | undefined;
  healthIntervalMs?: number | undefined;
}

/** Starts a feed service: its venue's quote source -> a FeedRunner -> Redis under the namespace. */
export async function startFeed<S extends QuoteSource>(o: StartFeedOptions<S>): Promise<RunningFeed<S>> {
  const runner = new FeedRunner({
    redis: o.redis,
    names: redisNames(o.settings.namespace),
    venue: o.venue,
    pair: o.settings.pair,
    source: o.source,
    streamMaxLen: o.settings.streamMaxLen,
    ...(o.healthIntervalMs === undefined ? {} : { healthIntervalMs: o.healthIntervalMs }),
    ...(o.log ? { log: o.log } : {}),
  });
  await runner.start();
  return { source: o.source, runner, stop: () => runner.stop() };
}
