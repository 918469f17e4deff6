import { defineConfig } from 'vitest/config';

// The machine is shared and noisy: generous timeouts, no timed assertions in tests.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
