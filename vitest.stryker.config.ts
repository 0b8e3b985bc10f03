// The unit tier alone, for StrykerJS (npm run mutation): each mutant is judged by the fast, offline tests. Vitest projects
// are not used here because Stryker's runner drives one project. STRYKER_TESTS (comma-separated globs) narrows the tests to
// a module's own, for a measured run of one module on a loaded machine (TESTING.md); that score is a lower bound.
import { defineConfig } from 'vitest/config';
import { INTEGRATION, UNIT_POOL } from './vitest.config.js';

const narrowed = process.env.STRYKER_TESTS?.split(',')
  .map((glob) => glob.trim())
  .filter(Boolean);

export default defineConfig({
  test: {
    environment: 'node',
    include: narrowed?.length ? narrowed : ['test/**/*.test.ts'],
    exclude: INTEGRATION,
    setupFiles: ['test/setup/unit-guard.ts'],
    globalSetup: ['test/tls/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    ...UNIT_POOL,
  },
});
