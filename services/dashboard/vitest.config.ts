import { defineConfig } from 'vitest/config';

// Integration tests talk to real sockets, processes, Chromium and Redis on a shared, noisy machine.
export default defineConfig({
  test: { testTimeout: 120_000, hookTimeout: 120_000 },
});
