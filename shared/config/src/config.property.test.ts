import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';
import { CONFIG_KEYS, SECRET_KEYS } from './config-keys';

const KEYS = Object.keys(CONFIG_KEYS);

/** Values that look like real input: defaults, numbers, garbage, and long secret-looking strings. */
const value = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    'yes',
    'true',
    'live',
    'paper',
    'sim',
    '0',
    '1',
    '-1',
    '1e3',
    'NaN',
    'UTC',
    'hmac',
    'v3',
  ),
  fc.double({ noNaN: false }).map(String),
  fc.string({ maxLength: 20 }),
  fc.string({ minLength: 12, maxLength: 40, unit: 'grapheme-ascii' }).map((s) => `SECRET-${s}`),
);

describe('loadConfig on arbitrary input', () => {
  it('returns a config or throws one ConfigError, and never echoes a secret value', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...KEYS), value, { maxKeys: 12 }), (env) => {
        try {
          const c = loadConfig(env);
          expect(Object.isFrozen(c)).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(ConfigError);
          const err = e as ConfigError;
          expect(err.issues.length).toBeGreaterThan(0);
          const text = `${err.message}\n${JSON.stringify(err.issues)}`;
          for (const k of SECRET_KEYS) {
            const v = env[k]?.trim();
            if (v?.startsWith('SECRET-')) expect(text).not.toContain(v);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
