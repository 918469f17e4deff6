import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ControlCommandSchema } from '@arb/bus/control-command';
import { readControlFlags } from '@arb/bus/control-flags';
import { type RedisNames, redisNames } from '@arb/bus/keys';
import { readLatestQuote } from '@arb/bus/quote-bus';
import type { StreamConsumer } from '@arb/bus/stream';
import { type RunningSim, startSim } from '@arb/sim/start-sim';
import { freePort } from '@arb/testkit/free-port';
import { killAllServices, type ServiceProcess, spawnService } from '@arb/testkit/process';
import { type RedisFixture, redisFixture } from '@arb/testkit/redis';
import { waitFor } from '@arb/testkit/wait';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confirmControl, launchTestBrowser, openSignedInPage, requireChromium } from './test-browser';
import { openTestHedge, startTestCommandApplier } from './test-hedge-writer';

const USER = 'operator';
const PASSWORD = 'browser-test-password';

/**
 * The dashboard as operators meet it: the simulator, both feed services and the dashboard as real
 * processes on a real Redis, driven by Debian's Chromium. A hedge is written through the bus functions
 * strategy and risk use; pause goes through the command stream to a stand-in for risk's command handler.
 */
describe('dashboard in a real browser', () => {
  let sim: RunningSim;
  let fx: RedisFixture;
  let names: RedisNames;
  let browser: Browser;
  let dashboard: ServiceProcess;
  let url: string;
  let applier: StreamConsumer<typeof ControlCommandSchema>;
  let shots: string;
  const procs: ServiceProcess[] = [];

  beforeAll(async () => {
    requireChromium();
    shots = await mkdtemp(join(tmpdir(), 'arb-dashboard-'));
    sim = await startSim({ host: '127.0.0.1', asterPort: 0, backpackPort: 0, adminPort: 0, seed: 7 });
    fx = await redisFixture();
    names = redisNames(fx.ns);
    const env = {
      MODE: 'sim',
      ...fx.env,
      ASTER_REST_URL: sim.aster.restUrl,
      ASTER_WS_URL: sim.aster.wsUrl,
      BACKPACK_REST_URL: sim.backpack.restUrl,
      BACKPACK_WS_URL: sim.backpack.wsUrl,
      HEALTH_PORT: '0',
      LOG_LEVEL: 'info',
    };
    for (const svc of ['feed-aster', 'feed-backpack']) {
      procs.push(spawnService({ entry: `services/${svc}/src/main.ts`, env, name: svc }));
    }
    const port = await freePort();
    dashboard = spawnService({
      entry: 'services/dashboard/src/main.ts',
      env: { ...env, DASHBOARD_PORT: String(port), DASHBOARD_USER: USER, DASHBOARD_PASSWORD: PASSWORD },
      name: 'dashboard',
    });
    procs.push(dashboard);
    await Promise.all(procs.map((p) => p.waitForLine(/"msg":"ready"/, 90_000)));
    url = `http://127.0.0.1:${port}`;
    await waitFor(
      async () =>
        (await readLatestQuote(fx.redis, names, 'aster', 'BTC')) &&
        (await readLatestQuote(fx.redis, names, 'backpack', 'BTC')),
      { timeoutMs: 60_000, message: 'quotes from both feeds' },
    );
    applier = await startTestCommandApplier(fx.connect({ maxRetriesPerRequest: null }), names);
    browser = await launchTestBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await applier?.stop();
    await Promise.all(procs.map((p) => p.stop().catch(() => undefined)));
    await killAllServices();
    await sim?.close();
    await fx?.cleanup();
  });

  it('shows live quotes and a moving chart, a hedge appearing, and pauses with confirmation', async () => {
    const { page, errors } = await openSignedInPage(
      browser,
      { username: USER, password: PASSWORD },
      { width: 1280, height: 1100 },
    );
    const res = await page.goto(url);
    expect(res?.status()).toBe(200);

    // Live: quotes from the real feeds, the chart gains points.
    await page.waitForFunction('Number(document.body.dataset.updates ?? 0) > 0', null, { timeout: 30_000 });
    await expect
      .poll(() => page.textContent('#venue-aster .book'), { timeout: 30_000 })
      .toMatch(/\d+\.\d \/ \d+\.\d/);
    await expect
      .poll(() => page.textContent('#venue-backpack .book'), { timeout: 30_000 })
      .toMatch(/\d+\.\d \/ \d+\.\d/);
    const points = async () => Number((await page.getAttribute('#chart', 'data-points')) ?? 0);
    const first = await waitFor(async () => {
      const n = await points();
      return n > 0 ? n : null;
    }, 30_000);
    await waitFor(async () => (await points()) >= first + 3, { timeoutMs: 30_000, message: 'chart update' });
    expect(await page.locator('#chart canvas').count()).toBeGreaterThan(0);
    expect(await page.textContent('#venue-aster .feed')).toContain('healthy');

    // A hedge appears: open hedge panel and the ledger table.
    const hedge = await openTestHedge(fx.redis, names, 'BTC', Date.now());
    await page.waitForSelector(`#hedge[data-hedge-id="${hedge.hedgeId}"]`, { timeout: 30_000 });
    await page.waitForSelector(`#hedges tr[data-hedge-id="${hedge.hedgeId}"]`, { timeout: 30_000 });
    expect(await page.textContent('#hedge-body')).toContain('buy Aster / sell Backpack');
    expect(await page.textContent('#hedge-body')).toMatch(/unrealized PnL[+-]\d+\.\d\d USD/);
    await expect
      .poll(() => page.textContent('#latency-body'), { timeout: 30_000 })
      .toContain('aster decision→ack');
    await page.screenshot({ path: join(shots, 'dashboard-hedge.png'), fullPage: true });

    // Pause: a confirmation dialog, then the command travels through Redis and the flag changes.
    expect((await readControlFlags(fx.redis, names)).paused).toBe(false);
    await page.click('#btn-pause');
    await page.waitForSelector('#confirm-dialog[open]');
    await page.click('#confirm-cancel');
    await expect.poll(() => page.textContent('#control-result')).toContain('pause cancelled');
    expect(await fx.redis.xlen(names.commandStream)).toBe(0);
    await confirmControl(page, '#btn-pause', 'browser test');
    await waitFor(async () => (await readControlFlags(fx.redis, names)).paused, {
      timeoutMs: 30_000,
      message: 'paused flag in Redis',
    });
    await page.waitForSelector('#flags[data-paused="true"]', { timeout: 30_000 });
    const flags = await readControlFlags(fx.redis, names);
    expect(flags).toMatchObject({ paused: true, reason: 'browser test', updatedBy: `dashboard:${USER}` });

    // The hedge closes; the ledger row shows its PnL, the open hedge panel empties.
    await hedge.close(Date.now(), 1.5);
    await page.waitForSelector('#hedge[data-hedge-id=""]', { timeout: 30_000 });
    await expect
      .poll(() => page.textContent(`#hedges tr[data-hedge-id="${hedge.hedgeId}"]`), { timeout: 30_000 })
      .toContain('+1.50');
    await page.screenshot({ path: join(shots, 'dashboard-paused.png'), fullPage: true });

    // Bull Board with credentials.
    const board = await page.goto(`${url}/queues`);
    expect(board?.status()).toBe(200);
    await page.waitForSelector('text=order-aster', { timeout: 30_000 });
    await page.click('text=order-aster');
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: join(shots, 'bull-board.png') });
    expect(errors).toEqual([]);
    await page.context().close();
    console.log(`screenshots in ${shots}`);
  });

  it('refuses the page, pause and Bull Board without credentials', async () => {
    const before = await fx.redis.xlen(names.commandStream);
    const context = await browser.newContext();
    const page = await context.newPage();
    // Chromium answers a Basic challenge it has no credentials for with a navigation error.
    for (const path of ['/', '/queues', '/api/events']) {
      const outcome = await page.goto(`${url}${path}`).then(
        (r) => `status ${r?.status()}`,
        (e: Error) => e.message,
      );
      expect(outcome, path).toMatch(/status 401|ERR_INVALID_AUTH_CREDENTIALS/);
      expect((await context.request.get(`${url}${path}`)).status(), path).toBe(401);
    }
    const post = await context.request.post(`${url}/api/control`, {
      headers: { 'content-type': 'application/json', 'x-arb-dashboard': '1' },
      data: { command: 'resume', confirm: 'resume' },
    });
    expect(post.status()).toBe(401);
    const wrong = await browser.newContext({
      httpCredentials: { username: USER, password: 'not-the-password' },
    });
    const wrongPost = await wrong.request.post(`${url}/api/control`, {
      headers: { 'content-type': 'application/json', 'x-arb-dashboard': '1' },
      data: { command: 'resume', confirm: 'resume' },
    });
    expect(wrongPost.status()).toBe(401);
    expect(await fx.redis.xlen(names.commandStream)).toBe(before);
    expect((await readControlFlags(fx.redis, names)).paused).toBe(true);
    await context.close();
    await wrong.close();
  });

  it('the dashboard never logs its password', () => {
    expect(dashboard.output()).not.toContain(PASSWORD);
    expect(dashboard.output()).toContain('dashboard listening');
  });

  it('/metrics exposes real pipeline values', async () => {
    const text = await waitFor(async () => {
      const t = await (await fetch(`${url}/metrics`)).text();
      return t.includes('arb_feed_connected{venue="aster",service="dashboard"} 1') &&
        t.includes('arb_feed_connected{venue="backpack",service="dashboard"} 1')
        ? t
        : null;
    }, 30_000);
    expect(text).toMatch(/arb_spread_usd\{direction="buy_aster_sell_backpack",service="dashboard"\} -?\d/);
    expect(text).toMatch(/arb_feed_quote_age_seconds\{venue="aster",service="dashboard"\} \d/);
    expect(text).toMatch(/arb_daily_pnl_usd\{pair="BTC",service="dashboard"\} 1.5/);
    expect(text).toMatch(/arb_control_flag\{flag="paused",service="dashboard"\} 1/);
    expect(text).toMatch(/arb_queue_jobs\{queue="order-aster",state="waiting",service="dashboard"\} 0/);
    expect(text).toMatch(
      /arb_pipeline_leg_decision_to_ack_seconds\{venue="backpack",quantile="0.5",service="dashboard"\} 0.004/,
    );
    expect(text).toMatch(/arb_dashboard_auth_failures_total\{service="dashboard"\} [1-9]/);
  });
});
