import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { type AppConfig, loadConfig } from '@arb/config/config';
import { SIM_ACCOUNT } from '@arb/config/sim-credentials';
import { createLogger } from '@arb/log/logger';
import type { SimCredentialDirectory } from './engine/types';
import { SCENARIOS_DIR } from './market/scenario';
import { startSim } from './start-sim';

const SHUTDOWN_TIMEOUT_MS = 10_000;
const REPO_ROOT = resolve(SCENARIOS_DIR, '../../..');

/**
 * The simulator service: AsterDex and Backpack venue simulators (REST + WS) over one market model,
 * plus the admin API in sim mode. `npm run sim` at the repo root.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger({ service: 'sim', level: config.logLevel });
  process.on('unhandledRejection', (err) => {
    log.fatal({ err }, 'unhandled rejection');
    process.exit(1);
  });
  process.on('uncaughtException', (err) => {
    log.fatal({ err }, 'uncaught exception');
    process.exit(1);
  });

  // Paper mode follows real prices: no scripted dislocations unless a scenario is named explicitly.
  const paperDefault = config.mode === 'paper' && !config.sim.scenarioPath;
  const scenarioPath = paperDefault ? null : resolveScenarioPath(config.sim.scenarioPath);
  const sim = await startSim({
    host: config.sim.host,
    asterPort: config.sim.asterPort,
    backpackPort: config.sim.backpackPort,
    adminPort: config.sim.adminPort,
    seed: config.sim.seed,
    scenario: scenarioPath ?? { name: 'paper', description: 'books follow the real venues (live quotes)' },
    credentials: configuredCredentials(config),
    adminEnabled: config.sim.adminEnabled,
    // Paper mode: real market data, simulated fills — the sim's books follow the real venues' tops.
    ...(config.mode === 'paper'
      ? {
          liveQuotes: { aster: config.venues.aster.wsUrl, backpack: config.venues.backpack.wsUrl },
          onLiveQuoteIssue: (venue: string, issue: { kind: string; detail: string }) =>
            log.warn({ venue, ...issue }, 'live quote feed issue'),
        }
      : {}),
  });
  log.info(
    {
      mode: config.mode,
      scenario: sim.core.scenario.name,
      scenarioPath,
      seed: sim.core.seed,
      aster: { rest: sim.aster.restUrl, ws: sim.aster.wsUrl },
      backpack: { rest: sim.backpack.restUrl, ws: sim.backpack.wsUrl },
      admin: sim.adminUrl || null,
    },
    'ready',
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    const timer = setTimeout(() => {
      log.error({ timeoutMs: SHUTDOWN_TIMEOUT_MS }, 'clean stop timed out');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    sim.close().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/**
 * SIM_SCENARIO may be a path (absolute, relative to the working directory or to the repo root) or the
 * name of a shipped scenario ("default", "replay-example"). Unset: the default scenario.
 */
function resolveScenarioPath(given: string | undefined): string {
  if (given === undefined || given === '') return resolve(SCENARIOS_DIR, 'default.json');
  if (isAbsolute(given)) return given;
  const candidates = [
    resolve(given),
    resolve(REPO_ROOT, given),
    resolve(SCENARIOS_DIR, given),
    resolve(SCENARIOS_DIR, `${given}.json`),
  ];
  return candidates.find((p) => existsSync(p)) ?? resolve(given);
}

/** Keys configured for the product are accepted too (they map to the sim's default account). */
function configuredCredentials(config: AppConfig): SimCredentialDirectory {
  const dir: SimCredentialDirectory = { asterHmac: [], asterV3: [], backpack: [] };
  const aster = config.venues.aster.auth;
  if (aster.kind === 'hmac')
    dir.asterHmac.push({ apiKey: aster.apiKey, secret: aster.apiSecret, account: SIM_ACCOUNT });
  else dir.asterV3.push({ user: aster.user, signer: aster.signer, account: SIM_ACCOUNT });
  dir.backpack.push({ apiKey: config.venues.backpack.apiKey, account: SIM_ACCOUNT });
  return dir;
}

main().catch((err: unknown) => {
  console.error('sim failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
