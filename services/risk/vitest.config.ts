import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['../../shared/testkit/src/redis-global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
