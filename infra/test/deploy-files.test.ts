import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE_FLAGS } from '@arb/testkit/process';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// No Docker engine exists on these machines, so the deploy files are checked by parsing them.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (p: string) => readFileSync(path.join(root, p), 'utf8');

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  container_name?: string;
  ports?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  env_file?: unknown;
  environment?: Record<string, string>;
  volumes?: string[];
  profiles?: string[];
}
const compose = parse(read('docker-compose.yml'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const services = compose.services;
const productServices = [
  'sim',
  'feed-aster',
  'feed-backpack',
  'strategy',
  'order-aster',
  'order-backpack',
  'risk',
  'dashboard',
];

describe('docker-compose.yml', () => {
  it('runs every product service as its own container with a command that exists', () => {
    for (const name of productServices) {
      const svc = services[name];
      expect(svc, name).toBeDefined();
      const cmd = Array.isArray(svc?.command) ? svc.command : [svc?.command ?? ''];
      const entry = cmd.find((part) => part.endsWith('main.ts'));
      expect(entry, `${name} command`).toBe(`services/${name}/src/main.ts`);
      // The same node flags as PM2 and the tests (infra/node-flags.cjs).
      expect(cmd, `${name} command`).toEqual(['node', ...NODE_FLAGS, '--import', 'tsx', entry]);
      expect(() => readFileSync(path.join(root, entry ?? ''))).not.toThrow();
      expect(svc?.depends_on?.redis?.condition).toBe('service_healthy');
      expect(svc?.env_file, `${name} reads .env`).toBeDefined();
    }
  });

  it('gives every service (including redis) a command', () => {
    for (const [name, svc] of Object.entries(services)) {
      if (svc.profiles?.includes('metrics')) continue;
      expect(svc.command, name).toBeDefined();
    }
  });

  it('runs Redis with AOF, noeviction and a healthcheck', () => {
    const redis = services.redis!;
    expect(redis.healthcheck?.test.join(' ')).toContain('redis-cli ping');
    const confMount = redis.volumes?.find((v) => v.startsWith('./infra/redis.conf:'));
    expect(confMount).toBeDefined();
    const conf = read('infra/redis.conf');
    expect(conf).toMatch(/^appendonly yes$/m);
    expect(conf).toMatch(/^maxmemory-policy noeviction$/m);
    expect(redis.command).toContain('/usr/local/etc/redis/redis.conf');
  });

  it('lets order workers scale (no container_name, no host port)', () => {
    for (const name of ['order-aster', 'order-backpack']) {
      expect(services[name]?.container_name).toBeUndefined();
      expect(services[name]?.ports).toBeUndefined();
    }
  });

  it('publishes the dashboard port', () => {
    expect(services.dashboard?.ports?.[0]).toMatch(/8080$/);
  });

  it('reaches the simulator by its service name (sim venues, paper-mode orders); sim listens on all interfaces', () => {
    for (const name of productServices) {
      expect(services[name]?.environment?.SIM_HOST, name).toBe(name === 'sim' ? '0.0.0.0' : 'sim');
    }
  });

  it('leaves venue URLs to config and .env (paper mode needs the real venues for market data)', () => {
    for (const name of productServices) {
      const env = services[name]?.environment ?? {};
      for (const key of ['ASTER_REST_URL', 'ASTER_WS_URL', 'BACKPACK_REST_URL', 'BACKPACK_WS_URL']) {
        expect(env[key], `${name} ${key}`).toBeUndefined();
      }
    }
  });

  it('uses only configuration keys that @arb/config knows, with a health server on 9100 for Prometheus', () => {
    const keys = read('shared/config/src/config-keys.ts');
    for (const name of productServices) {
      const env = services[name]?.environment ?? {};
      for (const key of Object.keys(env)) expect(keys, `${name} ${key}`).toMatch(new RegExp(`\\b${key}\\b`));
      expect(env.HEALTH_PORT).toBe('9100');
      expect(env.HEALTH_HOST).toBe('0.0.0.0');
    }
    const prom = parse(read('infra/prometheus.yml')) as {
      scrape_configs: { dns_sd_configs?: { names: string[]; port: number }[] }[];
    };
    const sd = prom.scrape_configs.flatMap((c) => c.dns_sd_configs ?? []);
    expect(sd[0]?.port).toBe(9100);
    expect([...(sd[0]?.names ?? [])].sort()).toEqual(productServices.filter((n) => n !== 'dashboard').sort());
  });

  it('health-checks every service with node itself (the slim image has no curl): /healthz, the sim its REST ping', () => {
    for (const name of productServices) {
      const test = services[name]?.healthcheck?.test ?? [];
      expect(test.slice(0, 3), name).toEqual(['CMD', 'node', '-e']);
      expect(test[3], name).toContain(
        name === 'sim' ? 'http://127.0.0.1:7101/fapi/v1/ping' : 'http://127.0.0.1:9100/healthz',
      );
    }
  });

  it('never starts the dashboard without a chosen password', () => {
    expect(services.dashboard?.environment?.DASHBOARD_PASSWORD).toMatch(/^\$\{DASHBOARD_PASSWORD:\?.+\}$/);
  });
});

describe('infra/Dockerfile', () => {
  const lines = read('infra/Dockerfile')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const rootPkg = JSON.parse(read('package.json')) as { devDependencies?: Record<string, string> };

  it('installs tsx (a root devDependency the services run under) with the lockfile', () => {
    expect(rootPkg.devDependencies?.tsx).toBeDefined();
    const install = lines.findIndex((l) => /^RUN npm ci\b/.test(l));
    expect(install).toBeGreaterThan(-1);
    const prodEnv = lines.findIndex((l) => /^ENV NODE_ENV=production/.test(l));
    // npm ci omits devDependencies under NODE_ENV=production unless told otherwise.
    expect(lines[install]!.includes('--include=dev') || prodEnv === -1 || prodEnv > install).toBe(true);
  });

  it('copies the repo and exposes the dashboard and health ports', () => {
    expect(lines).toContain('COPY . .');
    expect(lines.find((l) => l.startsWith('EXPOSE'))).toMatch(/8080.*9100/);
    expect(read('.dockerignore')).toMatch(/^\.env$/m);
  });
  it('runs its default service with the same node flags as compose and PM2', () => {
    const cmd = lines.find((l) => l.startsWith('CMD '));
    expect(JSON.parse(cmd?.slice(4) ?? '[]')).toEqual([
      'node',
      ...NODE_FLAGS,
      '--import',
      'tsx',
      'services/dashboard/src/main.ts',
    ]);
  });
});

describe('infra/ecosystem.config.cjs (PM2)', () => {
  interface App {
    name: string;
    script: string;
    args: string[];
    interpreter: string;
    instances?: number;
    increment_var?: string;
    env: Record<string, string>;
  }
  const load = (env: Record<string, string | undefined>) => {
    const saved = { ...process.env };
    for (const [k, v] of Object.entries(env)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    try {
      const require = createRequire(import.meta.url);
      const file = path.join(root, 'infra', 'ecosystem.config.cjs');
      delete require.cache[file];
      return require(file) as { apps: App[]; healthBase: number; HEALTH_OFFSETS: Record<string, number> };
    } finally {
      process.env = saved;
    }
  };
  const defaults = { MODE: undefined, HEALTH_PORT: undefined, ORDER_WORKER_INSTANCES: undefined };

  it('declares every service with an existing entry point run by node <NODE_FLAGS> --import tsx, sim only outside live', () => {
    const sim = load({ ...defaults, MODE: 'sim' });
    expect(sim.apps.map((a) => a.name).sort()).toEqual([...productServices].sort());
    for (const app of sim.apps) {
      expect(app.script).toBe(process.execPath);
      expect(app.interpreter).toBe('none');
      expect(app.args.slice(0, NODE_FLAGS.length + 2)).toEqual([...NODE_FLAGS, '--import', 'tsx']);
      const entry = app.args[NODE_FLAGS.length + 2] ?? '';
      expect(path.relative(root, entry)).toBe(path.join('services', app.name, 'src', 'main.ts'));
      expect(() => readFileSync(entry)).not.toThrow();
    }
    expect(load({ ...defaults, MODE: 'live' }).apps.map((a) => a.name)).not.toContain('sim');
    expect(load({ ...defaults, MODE: 'paper' }).apps.map((a) => a.name)).toContain('sim');
  });

  it('gives every service its own HEALTH_PORT (config key) from the base, default 9100', () => {
    const dflt = load(defaults);
    expect(dflt.healthBase).toBe(9100);
    const shifted = load({ ...defaults, HEALTH_PORT: '31000' });
    const ports = shifted.apps.map((a) => Number(a.env.HEALTH_PORT));
    expect(ports).toEqual(shifted.apps.map((a) => 31000 + (shifted.HEALTH_OFFSETS[a.name] ?? -1)));
    expect(new Set(ports).size).toBe(ports.length);
    expect(load({ ...defaults, HEALTH_PORT: '0' }).healthBase).toBe(9100);
    expect(() => load({ ...defaults, HEALTH_PORT: 'abc' })).toThrow(/HEALTH_PORT/);
    const keys = read('shared/config/src/config-keys.ts');
    expect(keys).toMatch(/\bHEALTH_PORT\b/);
    expect(keys).toMatch(/\bHEALTH_HOST\b/);
  });

  it('scales order workers with distinct health ports that never reach the next service', () => {
    const eco = load({ ...defaults, ORDER_WORKER_INSTANCES: '6' });
    for (const name of ['order-aster', 'order-backpack']) {
      const worker = eco.apps.find((a) => a.name === name);
      expect(worker?.instances).toBe(6);
      expect(worker?.increment_var).toBe('HEALTH_PORT');
    }
    const used: number[] = [];
    for (const app of eco.apps) {
      const first = Number(app.env.HEALTH_PORT);
      for (let i = 0; i < (app.instances ?? 1); i++) used.push(first + i);
    }
    expect(new Set(used).size).toBe(used.length);
    expect(() => load({ ...defaults, ORDER_WORKER_INSTANCES: '7' })).toThrow(/ORDER_WORKER_INSTANCES/);
    expect(() => load({ ...defaults, ORDER_WORKER_INSTANCES: '0' })).toThrow(/ORDER_WORKER_INSTANCES/);
  });
});
