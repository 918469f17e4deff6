import { defineConfig } from 'vitest/config';

// Real processes, the simulator and a real Redis on a shared, noisy machine.
export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    globalSetup: ['../../shared/testkit/src/redis-global-setup.ts'],
  },
});
