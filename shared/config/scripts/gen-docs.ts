// Writes .env.example and the README configuration table (between its markers) from CONFIG_KEYS.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderEnvExample, withConfigTable } from '../src/env-docs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
writeFileSync(resolve(root, '.env.example'), renderEnvExample());
const readmePath = resolve(root, 'README.md');
writeFileSync(readmePath, withConfigTable(readFileSync(readmePath, 'utf8')));
console.log('wrote .env.example and the README configuration table');
