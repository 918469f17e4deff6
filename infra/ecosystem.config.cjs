// PM2 ecosystem for bare-metal runs. `npm start` (scripts/start.ts) loads this file through PM2's
// programmatic API, with its own PM2_HOME (./data/pm2) and the generated dashboard password; it can also be
// used directly: `npx pm2 start infra/ecosystem.config.cjs` (then set DASHBOARD_PASSWORD in .env).
// Each service is its own process; PM2 restarts a crashed one and `npx pm2 restart <name>` restarts one
// alone (PM2 keeps the environment it was started with unless --update-env is given).
//
// Health/metrics ports (config keys HEALTH_HOST / HEALTH_PORT): HEALTH_PORT, when set to a port, is the
// BASE of this stack's ports (default 9100); each service gets base + offset as its own HEALTH_PORT:
//   sim +0 (no health server), feed-aster +1, feed-backpack +2, strategy +3,
//   order-aster +4..+9, order-backpack +10..+19 (PM2 increments per instance), risk +20, dashboard +21.
// ORDER_WORKER_INSTANCES (1..6, default 1) runs that many processes per order worker; one writer per venue
// account is enforced inside (per-account lock), so extra instances are hot standbys.
const path = require('node:path');
const { NODE_FLAGS } = require('./node-flags.cjs');

const root = path.resolve(__dirname, '..');
const mode = process.env.MODE?.trim() || 'sim';
const MAX_ORDER_INSTANCES = 6;

const orderInstances = Number(process.env.ORDER_WORKER_INSTANCES?.trim() || 1);
if (!Number.isInteger(orderInstances) || orderInstances < 1 || orderInstances > MAX_ORDER_INSTANCES) {
  throw new Error(
    `ORDER_WORKER_INSTANCES must be an integer from 1 to ${MAX_ORDER_INSTANCES}, got "${process.env.ORDER_WORKER_INSTANCES}"`,
  );
}

const rawBase = process.env.HEALTH_PORT?.trim();
const healthBase = rawBase && rawBase !== '0' ? Number(rawBase) : 9100;
if (!Number.isInteger(healthBase) || healthBase < 1 || healthBase > 65535 - 21) {
  throw new Error(`HEALTH_PORT (the stack's first health port) must be 1..65514, got "${rawBase}"`);
}

/** Offsets from the health base; exported so the launcher and tests agree with this file. */
const HEALTH_OFFSETS = {
  sim: 0,
  'feed-aster': 1,
  'feed-backpack': 2,
  strategy: 3,
  'order-aster': 4,
  'order-backpack': 10,
  risk: 20,
  dashboard: 21,
};

/** The service's entry file, run as `node <NODE_FLAGS> --import tsx <entry>` (no build step). */
const entry = (name) => path.join(root, 'services', name, 'src', 'main.ts');

// Node itself is the script (interpreter none): PM2's own fork wrapper would look for ts-node, and signals
// go straight to the service.
const service = (name, extra = {}) => ({
  name,
  cwd: root,
  script: process.execPath,
  args: [...NODE_FLAGS, '--import', 'tsx', entry(name)],
  interpreter: 'none',
  env: { HEALTH_PORT: String(healthBase + HEALTH_OFFSETS[name]) },
  autorestart: true,
  max_restarts: 50,
  // A process that stays up this long counts as a good start (resets the crash-loop counter).
  min_uptime: 10000,
  restart_delay: 1000,
  exp_backoff_restart_delay: 200,
  // PM2 stops with SIGINT, then SIGKILL after kill_timeout: longer than the services' own clean-stop
  // timeouts (order workers: request + unknown-resolve timeouts) so they finish or hand back in-flight work.
  kill_timeout: 45000,
  time: true,
  merge_logs: true,
  ...extra,
});

const orderWorker = (name) =>
  service(name, {
    instances: orderInstances,
    exec_mode: 'fork',
    increment_var: 'HEALTH_PORT',
  });

const apps = [
  ...(mode === 'live' ? [] : [service('sim')]),
  service('feed-aster'),
  service('feed-backpack'),
  service('strategy'),
  orderWorker('order-aster'),
  orderWorker('order-backpack'),
  service('risk'),
  service('dashboard'),
];

module.exports = { apps, healthBase, HEALTH_OFFSETS, entry };
