// PM2 ecosystem for bare-metal runs: `npx pm2 start infra/ecosystem.config.cjs` (npm start does this).
// Each service is its own process; PM2 restarts a crashed one and `npx pm2 restart <name>` restarts one
// alone. Health/metrics ports: 9100 + n (order workers increment per instance when scaled).
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const mode = process.env.MODE ?? 'sim';
const orderInstances = Number(process.env.ORDER_WORKER_INSTANCES ?? 1);

const service = (name, healthPort, extra = {}) => ({
  name,
  cwd: root,
  script: path.join(root, 'services', name, 'src', 'main.ts'),
  interpreter: 'node',
  interpreter_args: '--import tsx',
  env: { HEALTH_PORT: String(healthPort) },
  autorestart: true,
  max_restarts: 50,
  restart_delay: 1000,
  exp_backoff_restart_delay: 200,
  // Longer than the services' own clean-stop timeout (10 s) so they finish or hand back in-flight work.
  kill_timeout: 15000,
  time: true,
  merge_logs: true,
  ...extra,
});

const apps = [
  ...(mode === 'live' ? [] : [service('sim', 9100)]),
  service('feed-aster', 9101),
  service('feed-backpack', 9102),
  service('strategy', 9103),
  service('order-aster', 9104, {
    instances: orderInstances,
    exec_mode: 'fork',
    increment_var: 'HEALTH_PORT',
  }),
  service('order-backpack', 9110, {
    instances: orderInstances,
    exec_mode: 'fork',
    increment_var: 'HEALTH_PORT',
  }),
  service('risk', 9120),
  service('dashboard', 9121),
];

module.exports = { apps };
