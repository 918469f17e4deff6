import WebSocket from 'ws';
import { z } from 'zod';
import type { SimVenue } from '../engine/types';

/** A venue's top of book, as the market model takes it from outside (paper mode). */
export interface ExternalTop {
  bid: number;
  bidQty: number;
  ask: number;
  askQty: number;
}

export interface LiveQuoteFeedOptions {
  venue: SimVenue;
  /** The venue's public WS base (Aster: without /ws; Backpack: the root). */
  wsUrl: string;
  onTop(top: ExternalTop): void;
  /** Malformed frames, socket errors, reconnects: reported, never thrown. */
  onIssue?(issue: { kind: 'malformed' | 'error' | 'reconnect'; detail: string }): void;
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
}

export interface LiveQuoteFeed {
  close(): void;
}

const num = z
  .string()
  .regex(/^\d+(\.\d+)?$/)
  .transform(Number);
/** Both venues' bookTicker payloads carry b/B/a/A as decimal strings (asterdex.md §WS, backpack.md §5). */
const BookTickerSchema = z.object({ b: num, B: num, a: num, A: num });

const ASTER_STREAM = 'btcusdt@bookTicker';
const BACKPACK_STREAM = 'bookTicker.BTC_USDC_PERP';

/**
 * Follows one venue's public bookTicker stream for paper mode, so the simulator fills orders against
 * real prices. A minimal reader (the product's feeds live in @arb/feed-*): reconnects with backoff,
 * validates every frame, never throws on bad input.
 */
export function startLiveQuoteFeed(opts: LiveQuoteFeedOptions): LiveQuoteFeed {
  const base = opts.wsUrl.replace(/\/+$/, '');
  const url = opts.venue === 'aster' ? `${base}/ws/${ASTER_STREAM}` : base;
  const baseDelay = opts.reconnectBaseMs ?? 500;
  const maxDelay = opts.reconnectMaxMs ?? 30_000;
  let attempt = 0;
  let closed = false;
  let ws: WebSocket | null = null;
  let timer: NodeJS.Timeout | null = null;

  const connect = () => {
    if (closed) return;
    const socket = new WebSocket(url);
    ws = socket;
    socket.on('open', () => {
      attempt = 0;
      if (opts.venue === 'backpack')
        socket.send(JSON.stringify({ method: 'SUBSCRIBE', params: [BACKPACK_STREAM] }));
    });
    socket.on('message', (data) => {
      let raw: unknown;
      try {
        raw = JSON.parse(String(data));
      } catch {
        opts.onIssue?.({ kind: 'malformed', detail: 'not JSON' });
        return;
      }
      const payload = raw && typeof raw === 'object' && 'data' in raw ? (raw as { data: unknown }).data : raw;
      if (payload && typeof payload === 'object' && !('b' in payload)) return; // acks, other events
      const parsed = BookTickerSchema.safeParse(payload);
      if (!parsed.success || !(parsed.data.b < parsed.data.a)) {
        opts.onIssue?.({ kind: 'malformed', detail: 'not a valid bookTicker' });
        return;
      }
      const t = parsed.data;
      opts.onTop({ bid: t.b, bidQty: t.B, ask: t.a, askQty: t.A });
    });
    socket.on('error', (err) => opts.onIssue?.({ kind: 'error', detail: err.message }));
    socket.on('close', () => {
      if (closed) return;
      const delay = Math.min(maxDelay, baseDelay * 2 ** attempt);
      attempt += 1;
      opts.onIssue?.({ kind: 'reconnect', detail: `reconnecting in ${delay} ms` });
      timer = setTimeout(connect, delay);
    });
  };
  connect();
  return {
    close: () => {
      closed = true;
      if (timer) clearTimeout(timer);
      ws?.close();
    },
  };
}
