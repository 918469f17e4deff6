import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readControlFlags } from '@arb/bus/control-flags';
import { type RedisNames, redisNames } from '@arb/bus/keys';
import { SimAdminClient } from '@arb/sim/admin/client';
import { freePort } from '@arb/testkit/free-port';
import { killAllServices, type ServiceProcess, spawnService } from '@arb/testkit/process';
import { type RedisFixture, redisFixture } from '@arb/testkit/redis';
import { waitFor } from '@arb/testkit/wait';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confirmControl, launchTestBrowser, openSignedInPage, requireChromium } from './test-browser';

const USER = 'operator';
const PASSWORD = 'pipeline-test-password';

/** A calm market: hedges come only from the admin API's dislocations. */
const QUIET = {
  name: 'dashboard-quiet',
  description: 'calm BTC market; dislocations only from the admin API',
  seed: 11,
  startPrice: 100000,
  volatilityUsd: 1,
  basisReversionPerSec: 0.5,
  tickMs: 20,
  startingBalance: 100000,
  defaultLeverage: 20,
  venues: {
    aster: {
      basisUsd: 0,
      basisNoiseUsd: 0.5,
      spreadTicks: [1, 3],
      topSize: [0.3, 0.8],
      updatesPerSecond: 10,
    },
    backpack: {
      basisUsd: 1,
      basisNoiseUsd: 0.5,
      spreadTicks: [1, 3],
      topSize: [0.3, 0.8],
      updatesPerSecond: 10,
    },
  },
  dislocations: { at: [] },
  faults: [],
};

/**
 * The dashboard on the REAL pipeline: simulator, feeds, strategy, order workers, risk and the dashboard
 * as processes on a real Redis, Chromium in front. A dislocation opens a real hedge that the page shows
 * and the ledger table closes; pause and resume from the page are executed by the real risk service.
 */
describe('dashboard on the real pipeline', () => {
  let fx: RedisFixture;
  let names: RedisNames;
  let browser: Browser;
  let admin: SimAdminClient;
  let url: string;
  let shots: string;
  const procs: ServiceProcess[] = [];

  beforeAll(async () => {
    requireChromium();
    shots = await mkdtemp(join(tmpdir(), 'arb-dashboard-pipeline-'));
    const scenario = join(shots, 'quiet.json');
    await writeFile(scenario, JSON.stringify(QUIET));
    fx = await redisFixture();
    names = redisNames(fx.ns);
    const [asterPort, backpackPort, adminPort, dashboardPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const env = {
      ...fx.env,
      MODE: 'sim',
      LOG_LEVEL: 'info',
      PAIR: 'BTC',
      SIM_HOST: '127.0.0.1',
      SIM_ASTER_PORT: String(asterPort),
      SIM_BACKPACK_PORT: String(backpackPort),
      SIM_ADMIN_PORT: String(adminPort),
      SIM_SCENARIO: scenario,
      HEALTH_PORT: '0',
      // A busy shared machine: keep the checks, loosen the clock (as the e2e stack does).
      PRICE_VALIDITY_MS: '3000',
      MAX_QUOTE_SKEW_MS: '3000',
      RECONCILE_INTERVAL_MS: '1000',
      DASHBOARD_PORT: String(dashboardPort),
      DASHBOARD_USER: USER,
      DASHBOARD_PASSWORD: PASSWORD,
    };
    const spawn = async (svc: string) => {
      const p = spawnService({ entry: `services/${svc}/src/main.ts`, env, name: svc });
      procs.push(p);
      await p.waitForLine(/"msg":"ready"/, 120_000);
    };
    await spawn('sim');
    admin = new SimAdminClient(`http://127.0.0.1:${adminPort}`);
    await Promise.all(
      ['order-aster', 'order-backpack', 'feed-aster', 'feed-backpack', 'risk', 'dashboard'].map(spawn),
    );
    await spawn('strategy');
    await waitFor(async () => (await readControlFlags(fx.redis, names)).reconciled, {
      timeoutMs: 60_000,
      message: 'risk reconciled',
    });
    url = `http://127.0.0.1:${dashboardPort}`;
    browser = await launchTestBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    const services = procs.filter((p) => p.name !== 'sim');
    await Promise.all(services.map((p) => p.stop().catch(() => undefined)));
    await Promise.all(procs.map((p) => p.stop().catch(() => undefined)));
    await killAllServices();
    await fx?.cleanup();
  });

  it('shows a real hedge open and close, and pause/resume are applied by risk', async () => {
    const { page, errors } = await openSignedInPage(
      browser,
      { username: USER, password: PASSWORD },
      { width: 1280, height: 1200 },
    );
    expect((await page.goto(url))?.status()).toBe(200);
    await page.waitForSelector('#flags .badge.ok', { timeout: 30_000 });

    const points = async () => Number((await page.getAttribute('#chart', 'data-points')) ?? 0);
    const first = await waitFor(async () => {
      const n = await points();
      return n > 0 ? n : null;
    }, 30_000);
    await waitFor(async () => (await points()) >= first + 3, { timeoutMs: 30_000, message: 'chart update' });

    const t0 = Date.now();
    await admin.dislocation({
      direction: 'buy_aster_sell_backpack',
      sizeUsd: 200,
      durationMs: 4000,
      rampMs: 100,
      revertMs: 500,
    });
    const hedgeId = await waitFor(async () => (await page.getAttribute('#hedge', 'data-hedge-id')) || null, {
      timeoutMs: 60_000,
      message: 'a hedge on the page',
    });
    const shownAfter = Date.now() - t0;
    await page.screenshot({ path: join(shots, 'pipeline-hedge.png'), fullPage: true });
    await expect
      .poll(() => page.textContent(`#hedges tr[data-hedge-id="${hedgeId}"]`), { timeout: 60_000 })
      .toMatch(/spread_converged|force_close/);
    const row = (await page.textContent(`#hedges tr[data-hedge-id="${hedgeId}"]`)) ?? '';
    expect(row).toMatch(/[+-]\d+\.\d\d/);
    await page.waitForSelector('#hedge[data-hedge-id=""]', { timeout: 60_000 });
    await expect
      .poll(() => page.textContent('#latency-body'), { timeout: 30_000 })
      .toMatch(/aster decision→ack\s*p50 \d+ ms/);
    console.log(`dislocation -> hedge on the page in ${shownAfter} ms; ledger row: ${row}`);

    // Pause through the page: the real risk service executes it.
    page.once('dialog', (d) => void d.dismiss());
    await confirmControl(page, '#btn-pause', 'pipeline test');
    await waitFor(async () => (await readControlFlags(fx.redis, names)).paused, {
      timeoutMs: 30_000,
      message: 'risk applied pause',
    });
    await page.waitForSelector('#flags[data-paused="true"]', { timeout: 30_000 });
    await expect
      .poll(() => page.textContent('#decision-text'), { timeout: 30_000 })
      .toContain('hold: paused');
    await page.screenshot({ path: join(shots, 'pipeline-paused.png'), fullPage: true });

    await page.click('#btn-resume');
    await page.click('#confirm-ok');
    await waitFor(async () => !(await readControlFlags(fx.redis, names)).paused, {
      timeoutMs: 30_000,
      message: 'risk applied resume',
    });
    await page.waitForSelector('#flags[data-paused="false"]', { timeout: 30_000 });

    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(
      /arb_pipeline_leg_decision_to_ack_seconds\{venue="aster",quantile="0.5",service="dashboard"\} \d/,
    );
    expect(metrics).toMatch(/arb_daily_trades\{pair="BTC",service="dashboard"\} [1-9]/);
    expect(errors).toEqual([]);
    await page.context().close();
    console.log(`screenshots in ${shots}`);
  });
});
