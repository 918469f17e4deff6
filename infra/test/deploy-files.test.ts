import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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
});

describe('infra/ecosystem.config.cjs (PM2)', () => {
  const load = (env: Record<string, string>) => {
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      const require = createRequire(import.meta.url);
      const file = path.join(root, 'infra', 'ecosystem.config.cjs');
      delete require.cache[file];
      return require(file) as {
        apps: { name: string; script: string; instances?: number; increment_var?: string }[];
      };
    } finally {
      process.env = saved;
    }
  };

  it('declares every service with an existing entry point, sim only outside live mode', () => {
    const sim = load({ MODE: 'sim' });
    expect(sim.apps.map((a) => a.name).sort()).toEqual([...productServices].sort());
    for (const app of sim.apps) expect(() => readFileSync(app.script)).not.toThrow();
    expect(load({ MODE: 'live' }).apps.map((a) => a.name)).not.toContain('sim');
  });

  it('scales order workers with distinct health ports', () => {
    const apps = load({ ORDER_WORKER_INSTANCES: '2' }).apps;
    const worker = apps.find((a) => a.name === 'order-aster');
    expect(worker?.instances).toBe(2);
    expect(worker?.increment_var).toBe('HEALTH_PORT');
  });
});
