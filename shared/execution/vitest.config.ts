import { defineConfig } from 'vitest/config';

// Integration tests run the simulator, a real Redis and worker processes on a shared, noisy machine.
export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    globalSetup: ['../testkit/src/redis-global-setup.ts'],
  },
});
