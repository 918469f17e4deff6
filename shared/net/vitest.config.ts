import { defineConfig } from 'vitest/config';

// Integration tests talk to real sockets, the simulator and Redis on a shared, noisy machine.
export default defineConfig({
  test: { testTimeout: 60_000, hookTimeout: 60_000 },
});
