// Vitest configuration: tests under test/, Node environment, generous timeouts for loopback servers on a loaded 2-core machine.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['test/global-setup.ts', 'test/tls/global-setup.ts'],
  },
});
