import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['../shared/testkit/src/redis-global-setup.ts'],
    include: ['src/**/*.test.ts'],
    // One stack of real processes per file, files one after another: the machine has 2 cores.
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 300_000,
  },
});
