import type { ChainableCommander, Redis } from 'ioredis';
import type { z } from 'zod';

/**
 * Durable Redis Streams with consumer groups: at-least-once delivery between processes (order outcomes,
 * ledger, commands, alerts). Each entry carries one JSON message in the field `m`. Consumers validate on
 * entry, acknowledge after their handler succeeds, and reclaim entries a crashed consumer left pending.
 * Handlers must be idempotent (an entry can be delivered again after a crash between handling and XACK).
 */

const FIELD = 'm';

export interface AppendOptions {
  /** Approximate cap on the stream length (MAXLEN ~); omit to keep everything. */
  maxLen?: number;
}

/** Validates then appends one message; returns the entry id. Never mutates the message. */
export async function appendMessage<S extends z.ZodType>(
  redis: Redis,
  stream: string,
  schema: S,
  message: z.input<S>,
  opts: AppendOptions = {},
): Promise<string> {
  const parsed = schema.parse(message);
  const body = JSON.stringify(parsed);
  const id =
    opts.maxLen === undefined
      ? await redis.xadd(stream, '*', FIELD, body)
      : await redis.xadd(stream, 'MAXLEN', '~', opts.maxLen, '*', FIELD, body);
  if (id === null) throw new Error(`XADD to ${stream} returned no id`);
  return id;
}

/**
 * Validates one message and queues its XADD on a MULTI or pipeline (written together with other keys);
 * the caller executes it. Never mutates the message.
 */
export function queueAppend<S extends z.ZodType>(
  tx: ChainableCommander,
  stream: string,
  schema: S,
  message: z.input<S>,
): ChainableCommander {
  return tx.xadd(stream, '*', FIELD, JSON.stringify(schema.parse(message)));
}

/** Creates the consumer group (and the stream) if missing. `startId` '0' reads history, '$' only new. */
export async function ensureGroup(redis: Redis, stream: string, group: string, startId = '0'): Promise<void> {
  try {
    await redis.xgroup('CREATE', stream, group, startId, 'MKSTREAM');
  } catch (err) {
    if (!(err instanceof Error) || !err.message.includes('BUSYGROUP')) throw err;
  }
}

export interface StreamEntry<T> {
  id: string;
  message: T;
}

export interface RejectedEntry {
  id: string;
  raw: string | undefined;
  error: unknown;
}

export interface StreamConsumerOptions<S extends z.ZodType> {
  /** A connection of its own: XREADGROUP BLOCK holds it. */
  redis: Redis;
  stream: string;
  group: string;
  /** Unique per process. */
  consumer: string;
  schema: S;
  handler: (entry: StreamEntry<z.output<S>>) => Promise<void>;
  /** Invalid entries are acknowledged (they can never succeed) and reported here; count them. */
  onReject?: (entry: RejectedEntry) => void;
  /** Handler failures leave the entry pending (retried after reclaimIdleMs); reported here. */
  onError?: (err: unknown, entryId: string | null) => void;
  /** Entries pending this long in any consumer are taken over (XAUTOCLAIM). Default 30 s. */
  reclaimIdleMs?: number;
  /** How often to look for stale pending entries. Default reclaimIdleMs / 2. */
  reclaimEveryMs?: number;
  batch?: number;
  /** XREADGROUP BLOCK time; bounds how long stop() waits. Default 1000 ms. */
  blockMs?: number;
}

/**
 * Reads a stream as one consumer of a group: first its own pending entries (left by an earlier run with
 * the same consumer name), then new ones, and periodically entries stuck in other (dead) consumers.
 */
export class StreamConsumer<S extends z.ZodType> {
  private readonly o: StreamConsumerOptions<S>;
  private running = false;
  private loop: Promise<void> | null = null;
  private lastReclaim = 0;

  constructor(opts: StreamConsumerOptions<S>) {
    this.o = opts;
  }

  async start(): Promise<void> {
    if (this.running) return;
    await ensureGroup(this.o.redis, this.o.stream, this.o.group);
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    this.loop = null;
  }

  private async run(): Promise<void> {
    const { redis, stream, group, consumer } = this.o;
    const batch = this.o.batch ?? 100;
    const blockMs = this.o.blockMs ?? 1000;
    const reclaimIdleMs = this.o.reclaimIdleMs ?? 30_000;
    const reclaimEveryMs = this.o.reclaimEveryMs ?? Math.max(100, Math.floor(reclaimIdleMs / 2));
    // Own pending entries first (crash recovery with a stable consumer name), then new ones.
    let backlog = true;
    let backlogCursor = '0';
    while (this.running) {
      try {
        if (Date.now() - this.lastReclaim >= reclaimEveryMs) {
          this.lastReclaim = Date.now();
          await this.reclaim(reclaimIdleMs, batch);
        }
        const id = backlog ? backlogCursor : '>';
        const res = (await redis.xreadgroup(
          'GROUP',
          group,
          consumer,
          'COUNT',
          batch,
          'BLOCK',
          blockMs,
          'STREAMS',
          stream,
          id,
        )) as [string, [string, string[] | null][]][] | null;
        const entries = res?.[0]?.[1] ?? [];
        if (backlog) {
          if (entries.length === 0) backlog = false;
          else backlogCursor = entries[entries.length - 1]![0];
        }
        for (const [entryId, fields] of entries) {
          if (!this.running) break;
          await this.handle(entryId, fields);
        }
      } catch (err) {
        this.o.onError?.(err, null);
        if (this.running) await new Promise((r) => setTimeout(r, Math.min(blockMs, 500)));
      }
    }
  }

  /** Takes over entries idle for at least minIdleMs in any consumer of the group, and handles them. */
  async reclaim(minIdleMs: number, count = 100): Promise<number> {
    const { redis, stream, group, consumer } = this.o;
    let cursor = '0-0';
    let handled = 0;
    do {
      const res = (await redis.xautoclaim(stream, group, consumer, minIdleMs, cursor, 'COUNT', count)) as [
        string,
        [string, string[] | null][],
        string[]?,
      ];
      cursor = res[0];
      for (const [entryId, fields] of res[1]) {
        await this.handle(entryId, fields);
        handled++;
      }
    } while (cursor !== '0-0' && this.running);
    return handled;
  }

  private async handle(entryId: string, fields: string[] | null): Promise<void> {
    const { redis, stream, group, schema } = this.o;
    // A null field list is an entry deleted (XDEL) while pending: nothing to do but acknowledge.
    const raw = fields ? fieldValue(fields, FIELD) : undefined;
    let message: z.output<S>;
    try {
      if (raw === undefined) throw new Error(`entry has no "${FIELD}" field`);
      message = schema.parse(JSON.parse(raw));
    } catch (error) {
      if (fields !== null) this.o.onReject?.({ id: entryId, raw, error });
      await redis.xack(stream, group, entryId);
      return;
    }
    try {
      await this.o.handler({ id: entryId, message });
      await redis.xack(stream, group, entryId);
    } catch (err) {
      this.o.onError?.(err, entryId);
    }
  }
}

function fieldValue(fields: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

/** Reads entries without a group (dashboards, exports): ids strictly after `afterId`, validated. */
export async function readRange<S extends z.ZodType>(
  redis: Redis,
  stream: string,
  schema: S,
  opts: { start?: string; end?: string; count?: number } = {},
): Promise<{ entries: StreamEntry<z.output<S>>[]; rejected: RejectedEntry[] }> {
  const rows =
    opts.count === undefined
      ? await redis.xrange(stream, opts.start ?? '-', opts.end ?? '+')
      : await redis.xrange(stream, opts.start ?? '-', opts.end ?? '+', 'COUNT', opts.count);
  return parseRows(rows, schema);
}

/** The newest `count` entries without a group (dashboard tables), newest first, validated. */
export async function readNewest<S extends z.ZodType>(
  redis: Redis,
  stream: string,
  schema: S,
  count: number,
): Promise<{ entries: StreamEntry<z.output<S>>[]; rejected: RejectedEntry[] }> {
  return parseRows(await redis.xrevrange(stream, '+', '-', 'COUNT', count), schema);
}

function parseRows<S extends z.ZodType>(
  rows: [id: string, fields: string[]][],
  schema: S,
): { entries: StreamEntry<z.output<S>>[]; rejected: RejectedEntry[] } {
  const entries: StreamEntry<z.output<S>>[] = [];
  const rejected: RejectedEntry[] = [];
  for (const [id, fields] of rows) {
    const raw = fieldValue(fields, FIELD);
    try {
      if (raw === undefined) throw new Error(`entry has no "${FIELD}" field`);
      entries.push({ id, message: schema.parse(JSON.parse(raw)) });
    } catch (error) {
      rejected.push({ id, raw, error });
    }
  }
  return { entries, rejected };
}
