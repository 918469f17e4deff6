import { defineConfig } from 'vitest/config';

// Integration tests talk to real sockets, processes, Chromium and Redis on a shared, noisy 2-core machine:
// generous timeouts, and one file at a time (two browser tests each start Chromium and a process stack).
export default defineConfig({
  test: { testTimeout: 180_000, hookTimeout: 240_000, fileParallelism: false },
});
