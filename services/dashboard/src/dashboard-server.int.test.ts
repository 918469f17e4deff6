import { type RedisNames, redisNames } from '@arb/bus/keys';
import { ControlCommandSchema } from '@arb/bus/control-command';
import { QuotePublisher } from '@arb/bus/quote-bus';
import { readRange } from '@arb/bus/stream';
import { DEFAULT_STRATEGY_PARAMS } from '@arb/core/params';
import { createLogger } from '@arb/log/logger';
import { type RedisFixture, redisFixture } from '@arb/testkit/redis';
import { waitFor } from '@arb/testkit/wait';
import { Queue } from 'bullmq';
import { bullConnection } from '@arb/bus/bull-connection';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningDashboard, startDashboard } from './start-dashboard';
import { openTestHedge } from './test-hedge-writer';
import { testQuote } from './test-fixtures';

const AUTH = { user: 'ops', password: 'test-password-123' };
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
const GOOD = { authorization: basic(AUTH.user, AUTH.password) };

describe('dashboard server (real Redis, real HTTP)', () => {
  let fx: RedisFixture;
  let names: RedisNames;
  let dash: RunningDashboard;
  let seq = 0;
  const publishers: QuotePublisher[] = [];

  const publish = async (askA: number, bidB: number) => {
    seq++;
    const now = Date.now();
    await publishers[0]!.publish(testQuote('aster', askA - 10, askA, now, seq));
    await publishers[1]!.publish(testQuote('backpack', bidB, bidB + 10, now, seq));
  };

  beforeAll(async () => {
    fx = await redisFixture();
    names = redisNames(fx.ns);
    publishers.push(
      new QuotePublisher(fx.redis, names, 'aster', 'BTC'),
      new QuotePublisher(fx.redis, names, 'backpack', 'BTC'),
    );
    await fx.redis.hset(names.feedHealthKey('aster'), {
      connected: '1',
      updatedAt: String(Date.now()),
      reconnects: '2',
    });
    await publish(100_010, 100_150);
    dash = await startDashboard({
      redisUrl: fx.url,
      namespace: fx.ns,
      status: { pair: 'BTC', strategy: DEFAULT_STRATEGY_PARAMS, tradingTimeZone: 'UTC' },
      auth: AUTH,
      host: '127.0.0.1',
      port: 0,
      registry: new Registry(),
      log: createLogger({ service: 'dashboard-test', level: 'silent' }),
      throttleMs: 100,
    });
  });

  afterAll(async () => {
    await dash?.stop();
    await fx?.cleanup();
  });

  it('/healthz and /metrics need no credentials; everything else does', async () => {
    expect((await fetch(`${dash.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${dash.url}/metrics`)).status).toBe(200);
    for (const path of [
      '/',
      '/api/snapshot',
      '/api/events',
      '/queues',
      '/queues/api/queues',
      '/assets/app.js',
    ]) {
      const res = await fetch(`${dash.url}${path}`);
      expect(res.status, path).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      const wrong = await fetch(`${dash.url}${path}`, {
        headers: { authorization: basic('ops', 'nope-nope') },
      });
      expect(wrong.status, path).toBe(401);
    }
    const page = await fetch(`${dash.url}/`, { headers: GOOD });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/assets/uPlot.iife.min.js');
    const uplot = await fetch(`${dash.url}/assets/uPlot.iife.min.js`, { headers: GOOD });
    expect(uplot.status).toBe(200);
    expect((await uplot.text()).length).toBeGreaterThan(10_000);
  });

  it('Bull Board lists both order queues (read-only) with credentials', async () => {
    const res = await fetch(`${dash.url}/queues/api/queues?activeQueue=order-aster&status=latest&page=1`, {
      headers: GOOD,
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { queues: { name: string; readOnlyMode: boolean }[] };
    expect(body.queues.map((q) => q.name).sort()).toEqual(['order-aster', 'order-backpack']);
    expect(body.queues.every((q) => q.readOnlyMode)).toBe(true);
    const ui = await fetch(`${dash.url}/queues`, { headers: GOOD });
    expect(ui.status).toBe(200);
  });

  it('job data shown in Bull Board is redacted', async () => {
    const q = new Queue('order-backpack', { connection: bullConnection(fx.url), prefix: names.bullPrefix });
    try {
      await q.add(
        'probe',
        { hedgeId: 'hx', apiSecret: 'should-not-show-123' },
        { jobId: 'probe-1', delay: 600_000 },
      );
      const res = await fetch(
        `${dash.url}/queues/api/queues?activeQueue=order-backpack&status=delayed&page=1`,
        {
          headers: GOOD,
        },
      );
      const text = await res.text();
      expect(text).toContain('probe-1');
      expect(text).not.toContain('should-not-show-123');
      expect(text).toContain('[REDACTED]');
      // Gauges are read at scrape time (cached 500 ms between scrapes).
      await waitFor(async () =>
        /arb_queue_jobs\{queue="order-backpack",state="delayed"\} 1/.test(
          await (await fetch(`${dash.url}/metrics`)).text(),
        ),
      );
    } finally {
      await q.obliterate({ force: true });
      await q.close();
    }
  });

  it('snapshot and SSE carry quotes, spreads and a hedge written as risk writes it', async () => {
    const snap = await waitFor(async () => {
      const r = (await (await fetch(`${dash.url}/api/snapshot`, { headers: GOOD })).json()) as {
        snapshot?: { spread: { open: Record<string, number | null> } };
        history: unknown[];
      };
      return r.snapshot?.spread.open.buy_aster_sell_backpack === 140 ? r : null;
    });
    expect(snap.history.length).toBeGreaterThan(0);

    const ac = new AbortController();
    const res = await fetch(`${dash.url}/api/events`, { headers: GOOD, signal: ac.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    const hedge = await openTestHedge(fx.redis, names, 'BTC', Date.now());
    await publish(100_020, 100_100);
    try {
      await waitFor(
        async () => {
          const { value } = await reader.read();
          text += new TextDecoder().decode(value);
          return text.includes(hedge.hedgeId) && text.includes('"ab":80');
        },
        { timeoutMs: 30_000, message: 'SSE update with the hedge and the new spread' },
      );
    } finally {
      ac.abort();
    }
    expect(text).toContain('event: history');
    expect(text).toContain('event: update');

    const metrics = await waitFor(async () => {
      const m = await (await fetch(`${dash.url}/metrics`)).text();
      return m.includes('arb_hedge_active{pair="BTC"} 1') ? m : null;
    });
    expect(metrics).toMatch(/arb_hedge_unrealized_pnl_usd\{pair="BTC"\} -?\d/);
    expect(metrics).toContain('arb_feed_reconnects{venue="aster"} 2');
    expect(metrics).toContain('arb_spread_usd{direction="buy_aster_sell_backpack"} 80');
    expect(metrics).toContain('arb_daily_trades{pair="BTC"} 2');
    expect(metrics).toContain('arb_hedges{pair="BTC"} 1');
    expect(metrics).toContain('arb_control_flag{flag="reconciled"} 1');
    expect(metrics).toContain('arb_pipeline_leg_decision_to_ack_seconds{venue="aster",quantile="0.5"} 0.003');
    expect(metrics).toContain('arb_pipeline_leg_send_to_ack_seconds{venue="backpack",quantile="0.99"} 0.003');

    await hedge.close(Date.now(), 1.25);
    const after = await waitFor(async () => {
      const m = await (await fetch(`${dash.url}/metrics`)).text();
      return m.includes('arb_hedge_active{pair="BTC"} 0') ? m : null;
    });
    expect(after).toContain('arb_daily_pnl_usd{pair="BTC"} 1.25');
  });

  it('control: credentials, the CSRF header and a confirmation are all required', async () => {
    const post = (headers: Record<string, string>, body: unknown) =>
      fetch(`${dash.url}/api/control`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    expect((await post({}, { command: 'pause', confirm: 'pause' })).status).toBe(401);
    expect((await post(GOOD, { command: 'pause', confirm: 'pause' })).status).toBe(403);
    expect((await post({ ...GOOD, 'x-arb-dashboard': '1' }, { command: 'pause' })).status).toBe(400);
    expect(
      (await post({ ...GOOD, 'x-arb-dashboard': '1' }, { command: 'drop-tables', confirm: 'x' })).status,
    ).toBe(400);
    expect((await fx.redis.xlen(names.commandStream)) ?? 0).toBe(0);

    const ok = await post(
      { ...GOOD, 'x-arb-dashboard': '1' },
      { command: 'pause', confirm: 'pause', reason: 'test' },
    );
    expect(ok.status).toBe(200);
    const { entries } = await readRange(fx.redis, names.commandStream, ControlCommandSchema);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.message).toMatchObject({
      command: 'pause',
      by: 'dashboard:ops',
      reason: 'test',
      pair: 'BTC',
    });
  });

  it("naked seconds come from risk's naked-since hash; stale seconds from the quote age", async () => {
    await fx.redis.hset(names.riskNakedSinceKey, 'hx-naked', String(Date.now() - 7_000));
    const m = await waitFor(async () => {
      const t = await (await fetch(`${dash.url}/metrics`)).text();
      return /arb_naked_seconds (\d+(\.\d+)?)/.exec(t)?.[1] !== '0' ? t : null;
    });
    expect(Number(/arb_naked_seconds (\d+(\.\d+)?)/.exec(m)?.[1])).toBeGreaterThanOrEqual(7);
    // The test's quotes are older than PRICE_VALIDITY_MS (500 ms) by now.
    await waitFor(async () => {
      const t = await (await fetch(`${dash.url}/metrics`)).text();
      const v = /arb_feed_stale_seconds\{venue="aster"\} (\S+)/.exec(t)?.[1];
      return v !== undefined && Number(v) > 0;
    });
    await fx.redis.hdel(names.riskNakedSinceKey, 'hx-naked');
  });
});
