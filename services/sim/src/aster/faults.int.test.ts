import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  type AsterHarness,
  hmacRequest,
  rawRequest,
  SIM_ACCOUNT,
  startAsterHarness,
  waitFor,
} from './test-harness';

/** Every fault kind, observed from a real HTTP or WS client. */
let h: AsterHarness;
let base: string;

beforeAll(async () => {
  h = await startAsterHarness();
  base = h.venue.restUrl;
});

afterEach(() => {
  h.core.faults.clear();
});

afterAll(async () => {
  await h?.close();
});

const market = (id: string) => ({
  symbol: 'BTCUSDT',
  side: 'BUY',
  type: 'MARKET',
  quantity: '0.001',
  newClientOrderId: id,
});

describe('REST faults', () => {
  it('latency: the answer comes no sooner than the added delay', async () => {
    h.core.faults.add({ kind: 'latency', venue: 'aster', route: 'GET /fapi/v1/time', ms: 400, count: 1 });
    const t0 = Date.now();
    const r = await rawRequest(`${base}/fapi/v1/time`);
    expect(r.status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
  });

  it('http_error: 5xx with the documented body, the order NOT executed', async () => {
    h.core.faults.add({
      kind: 'http_error',
      venue: 'aster',
      route: 'POST /fapi/v1/order',
      status: 502,
      count: 1,
    });
    const r = await hmacRequest(base, 'POST', '/fapi/v1/order', market('f-500'));
    expect([r.status, r.body.code]).toEqual([502, -1001]);
    expect(h.core.engines.aster.getOrder(SIM_ACCOUNT, { clientOrderId: 'f-500' })).toBeNull();
  });

  it('maintenance: 503 "execution status unknown" on every route for its duration', async () => {
    h.core.faults.add({ kind: 'maintenance', venue: 'aster', durationMs: 60_000 });
    const r = await rawRequest(`${base}/fapi/v1/depth?symbol=BTCUSDT`);
    expect(r.status).toBe(503);
    expect(r.body).toEqual({
      code: -1007,
      msg: 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.',
    });
    h.core.faults.clear();
    expect((await rawRequest(`${base}/fapi/v1/depth?symbol=BTCUSDT`)).status).toBe(200);
  });

  it('rate_limit: 429 with Retry-After and -1003', async () => {
    h.core.faults.add({ kind: 'rate_limit', venue: 'aster', route: '/fapi/v1/', retryAfterSec: 7, count: 1 });
    const r = await rawRequest(`${base}/fapi/v1/ticker/bookTicker?symbol=BTCUSDT`);
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('7');
    expect(r.body.code).toBe(-1003);
  });

  it('timeout_after_execution (drop): the connection dies, yet the order executed', async () => {
    h.core.faults.add({
      kind: 'timeout_after_execution',
      venue: 'aster',
      route: 'POST /fapi/v1/order',
      drop: true,
      count: 1,
    });
    await expect(hmacRequest(base, 'POST', '/fapi/v1/order', market('f-drop'))).rejects.toThrow();
    const q = await hmacRequest(base, 'GET', '/fapi/v1/order', {
      symbol: 'BTCUSDT',
      origClientOrderId: 'f-drop',
    });
    expect(q.body).toMatchObject({ clientOrderId: 'f-drop', status: 'FILLED' });
  });

  it('timeout_after_execution (delay): the client times out, yet the order executed', async () => {
    h.core.faults.add({
      kind: 'timeout_after_execution',
      venue: 'aster',
      route: 'POST /fapi/v1/order',
      delayMs: 3000,
      count: 1,
    });
    const body = new URLSearchParams(market('f-late')).toString();
    // Signed request with a client-side timeout shorter than the injected delay.
    const { createHmac } = await import('node:crypto');
    const { SIM_CREDENTIALS } = await import('@arb/config/sim-credentials');
    const payload = `${body}&timestamp=${Date.now()}`;
    const sig = createHmac('sha256', SIM_CREDENTIALS.asterHmac.secret).update(payload).digest('hex');
    await expect(
      fetch(`${base}/fapi/v1/order`, {
        method: 'POST',
        headers: {
          'X-MBX-APIKEY': SIM_CREDENTIALS.asterHmac.apiKey,
          'Content-Type': 'application/x-www-form-urlencoded',
        },
        body: `${payload}&signature=${sig}`,
        signal: AbortSignal.timeout(300),
      }),
    ).rejects.toThrow();
    const o = h.core.engines.aster.getOrder(SIM_ACCOUNT, { clientOrderId: 'f-late' });
    expect(o?.status).toBe('filled');
  });

  it('reject_orders: the next order is refused with the documented code', async () => {
    h.core.faults.add({ kind: 'reject_orders', venue: 'aster', count: 1, reason: 'insufficient_margin' });
    const r = await hmacRequest(base, 'POST', '/fapi/v1/order', market('f-rej'));
    expect([r.status, r.body]).toEqual([400, { code: -2019, msg: 'Margin is insufficient.' }]);
    h.core.faults.add({ kind: 'reject_orders', venue: 'aster', count: 1, reason: 'injected_reject' });
    const r2 = await hmacRequest(base, 'POST', '/fapi/v1/order', market('f-rej2'));
    expect(r2.body.code).toBe(-2010);
    const ok = await hmacRequest(base, 'POST', '/fapi/v1/order', market('f-rej3'));
    expect(ok.status).toBe(200);
  });
});

function streamClient(path: string) {
  const ws = new WebSocket(`${h.venue.wsUrl}${path}`);
  const frames: { at: number; text: string }[] = [];
  const state = { closed: false };
  ws.on('message', (d) => frames.push({ at: Date.now(), text: d.toString() }));
  ws.on('close', () => {
    state.closed = true;
  });
  ws.on('error', () => {});
  return { ws, frames, state };
}

const parses = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

describe('WS faults', () => {
  it('ws_disconnect: every connection is dropped', async () => {
    const c = streamClient('/ws/btcusdt@bookTicker');
    await waitFor(() => (c.frames.length > 0 ? true : undefined));
    h.core.faults.add({ kind: 'ws_disconnect', venue: 'aster' });
    await waitFor(() => (c.state.closed ? true : undefined));
  });

  it('ws_stall: the socket stays open and silent, then data resumes', async () => {
    const c = streamClient('/stream?streams=btcusdt@bookTicker/btcusdt@depth5@100ms');
    await waitFor(() => (c.frames.length > 2 ? true : undefined));
    const fault = h.core.faults.add({ kind: 'ws_stall', venue: 'aster', durationMs: 1500 });
    const from = Date.now() + 100;
    const until = (fault.expiresAt ?? 0) - 100;
    await waitFor(() =>
      Date.now() > until + 200 && c.frames.some((f) => f.at > until + 100) ? true : undefined,
    );
    expect(c.frames.filter((f) => f.at > from && f.at < until)).toHaveLength(0);
    expect(c.state.closed).toBe(false);
    c.ws.terminate();
  });

  it('ws_malformed: the client receives frames that are not JSON, then valid ones', async () => {
    const c = streamClient('/ws/btcusdt@depth5@100ms');
    await waitFor(() => (c.frames.length > 0 ? true : undefined));
    h.core.faults.add({ kind: 'ws_malformed', venue: 'aster', count: 2 });
    const bad = await waitFor(() => c.frames.findIndex((f) => !parses(f.text)) + 1 || undefined);
    await waitFor(() => (c.frames.slice(bad).some((f) => parses(f.text)) ? true : undefined));
    expect(c.frames.filter((f) => !parses(f.text))).toHaveLength(2);
    c.ws.terminate();
  });

  it('timestamp_skew: event times are shifted by the skew', async () => {
    h.core.faults.add({ kind: 'timestamp_skew', venue: 'aster', skewMs: -60_000 });
    const c = streamClient('/ws/btcusdt@depth5@100ms');
    const f = await waitFor(() => c.frames[0]);
    const ev = JSON.parse(f.text) as { E: number; T: number };
    expect(ev.E).toBeLessThan(f.at - 50_000);
    expect(ev.T).toBeLessThan(f.at - 50_000);
    c.ws.terminate();
  });
});

describe('venue rate limits', () => {
  it('weight budget: 429 -1003 with Retry-After past the limit, then 418 for an IP that keeps going', async () => {
    const small = await startAsterHarness({ weightPerMinute: 30, banAfter429s: 2, ordersPerMinute: 1 });
    try {
      // Fixed one-minute windows: stay clear of a boundary.
      if (Date.now() % 60_000 > 45_000)
        await new Promise((r) => setTimeout(r, 60_000 - (Date.now() % 60_000) + 50));
      const sb = small.venue.restUrl;
      const o1 = await hmacRequest(sb, 'POST', '/fapi/v1/order', market('rl-1'));
      expect(o1.headers.get('x-mbx-order-count-1m')).toBe('1');
      const o2 = await hmacRequest(sb, 'POST', '/fapi/v1/order', market('rl-2'));
      expect([o2.status, o2.body.code]).toEqual([429, -1015]);
      const d1 = await rawRequest(`${sb}/fapi/v1/depth?symbol=BTCUSDT&limit=1000`);
      expect(d1.status).toBe(200);
      expect(d1.headers.get('x-mbx-used-weight-1m')).toBe('22');
      const d2 = await rawRequest(`${sb}/fapi/v1/depth?symbol=BTCUSDT&limit=1000`);
      expect([d2.status, d2.body.code]).toEqual([429, -1003]);
      expect(Number(d2.headers.get('retry-after'))).toBeGreaterThan(0);
      await rawRequest(`${sb}/fapi/v1/ping`);
      const banned = await rawRequest(`${sb}/fapi/v1/ping`);
      expect([banned.status, banned.body.code]).toEqual([418, -1003]);
      expect(banned.body.msg).toMatch(/IP banned until \d+/);
    } finally {
      await small.close();
    }
  });
});
