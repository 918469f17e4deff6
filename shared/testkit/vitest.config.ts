import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['./src/redis-global-setup.ts'],
    // Real processes and servers on a shared, busy machine: generous, condition-based waits.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
