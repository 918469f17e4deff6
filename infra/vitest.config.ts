import { defineConfig } from 'vitest/config';

// The stack test runs every service as a real process on a shared, noisy machine.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // One stack at a time: each test file runs every service as a process on a 2-core shared machine.
    fileParallelism: false,
    globalSetup: ['../shared/testkit/src/redis-global-setup.ts'],
  },
});
