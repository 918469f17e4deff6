import { afterEach, describe, expect, it } from 'vitest';
import { healthPorts, loadEcosystem, STOP_ORDER } from './pm2-stack';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

function ecosystemWith(env: Record<string, string | undefined>) {
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  return loadEcosystem();
}

describe('the stack under PM2', () => {
  it('lists each service health port from the base, every order-worker instance included, no sim', () => {
    const eco = ecosystemWith({ MODE: 'sim', HEALTH_PORT: '30000', ORDER_WORKER_INSTANCES: '2' });
    expect(healthPorts(eco)).toEqual({
      'feed-aster': 30001,
      'feed-backpack': 30002,
      strategy: 30003,
      'order-aster': 30004,
      'order-aster#1': 30005,
      'order-backpack': 30010,
      'order-backpack#1': 30011,
      risk: 30020,
      dashboard: 30021,
    });
  });

  it('stops every service of the ecosystem, each exactly once, strategy first and the simulator last', () => {
    const names = ecosystemWith({
      MODE: 'sim',
      HEALTH_PORT: undefined,
      ORDER_WORKER_INSTANCES: undefined,
    }).apps.map((a) => a.name);
    const ordered = STOP_ORDER.flat();
    expect([...ordered].sort()).toEqual([...names].sort());
    expect(new Set(ordered).size).toBe(ordered.length);
    expect(STOP_ORDER[0]).toContain('strategy');
    expect(STOP_ORDER.at(-1)).toEqual(['sim']);
  });
});
