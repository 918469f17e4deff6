import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';
import { CONFIG_KEYS } from './config-keys';
import { README_END, README_START, renderConfigTable, renderEnvExample } from './env-docs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

describe('configuration docs', () => {
  it('.env.example is generated from the key registry (run `npm run docs -w @arb/config`)', () => {
    expect(readFileSync(resolve(root, '.env.example'), 'utf8')).toBe(renderEnvExample());
  });

  it('the README configuration table is generated from the key registry', () => {
    const readme = readFileSync(resolve(root, 'README.md'), 'utf8');
    const start = readme.indexOf(README_START);
    const end = readme.indexOf(README_END);
    expect(start).toBeGreaterThanOrEqual(0);
    expect(readme.slice(start + README_START.length, end).trim()).toBe(renderConfigTable().trim());
  });

  it('names every key in both, and .env.example loads as the defaults', () => {
    const env = renderEnvExample();
    const table = renderConfigTable();
    for (const key of Object.keys(CONFIG_KEYS)) {
      expect(env).toMatch(new RegExp(`^#? ?${key}=`, 'm'));
      expect(table).toContain(`\`${key}\``);
    }
    const fromExample = loadConfig({}, { dotenvPath: resolve(root, '.env.example') });
    const defaults = loadConfig({});
    expect({ ...fromExample, dashboard: null }).toEqual({ ...defaults, dashboard: null });
  });
});
