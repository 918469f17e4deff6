import { defineConfig } from 'vitest/config';

// Integration tests use a real Redis decided once per run (REDIS_URL, testcontainers, or the local one).
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    globalSetup: ['../testkit/src/redis-global-setup.ts'],
  },
});
