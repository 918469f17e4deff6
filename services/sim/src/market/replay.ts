import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { SimVenue } from '../engine/types';

/** One line of a recorded quote stream (JSONL), as the product's feeds normalize quotes. */
export const RecordedQuoteSchema = z
  .object({
    venue: z.enum(['aster', 'backpack']),
    bid: z.number().positive(),
    bidQty: z.number().nonnegative(),
    ask: z.number().positive(),
    askQty: z.number().nonnegative(),
    venueTime: z.number().int().nonnegative(),
  })
  .refine((q) => q.bid < q.ask, { message: 'bid must be below ask' });
export type RecordedQuote = z.infer<typeof RecordedQuoteSchema>;

export interface ReplayRecord {
  venue: SimVenue;
  bid: number;
  bidQty: number;
  ask: number;
  askQty: number;
  /** Time after the recording's first record (ms). */
  offsetMs: number;
}

export interface ReplayTimeline {
  records: ReplayRecord[];
  loop: boolean;
  /** Length of one lap when looping (span of the recording plus one gap). */
  lapMs: number;
}

export class ReplayParseError extends Error {
  override readonly name = 'ReplayParseError';
}

/** Parses JSONL text into a timeline ordered by venueTime; `speed` > 1 plays faster. */
export function parseReplay(text: string, opts: { loop: boolean; speed: number }): ReplayTimeline {
  const quotes: RecordedQuote[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]?.trim();
    if (!line) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (cause) {
      throw new ReplayParseError(`line ${i + 1}: not JSON`, { cause });
    }
    const parsed = RecordedQuoteSchema.safeParse(raw);
    if (!parsed.success) throw new ReplayParseError(`line ${i + 1}: ${parsed.error.message}`);
    quotes.push(parsed.data);
  }
  quotes.sort((a, b) => a.venueTime - b.venueTime);
  const t0 = quotes[0]?.venueTime ?? 0;
  const records = quotes.map((q) => ({
    venue: q.venue,
    bid: q.bid,
    bidQty: q.bidQty,
    ask: q.ask,
    askQty: q.askQty,
    offsetMs: Math.round((q.venueTime - t0) / opts.speed),
  }));
  const span = records.at(-1)?.offsetMs ?? 0;
  const gap = records.length > 1 ? Math.max(1, Math.round(span / (records.length - 1))) : 1000;
  return { records, loop: opts.loop, lapMs: span + gap };
}

export async function loadReplay(
  path: string,
  opts: { loop: boolean; speed: number },
): Promise<ReplayTimeline> {
  return parseReplay(await readFile(path, 'utf8'), opts);
}
