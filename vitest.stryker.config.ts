// The unit tier alone, for StrykerJS (npm run mutation): each mutant is judged by the fast, offline tests. Vitest projects
// are not used here because Stryker's runner drives one project.
import { defineConfig } from 'vitest/config';
import { INTEGRATION } from './vitest.config.js';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/**/*.test.ts'],
    exclude: INTEGRATION,
    setupFiles: ['test/setup/unit-guard.ts'],
    globalSetup: ['test/tls/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
