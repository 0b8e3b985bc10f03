// Vitest configuration: two tiers. `unit` (npm run test:unit) is the edit loop: pure and in-process tests that start no
// program (test/setup/unit-guard.ts enforces it). `integration` is everything that runs the built CLI, real tools (nginx,
// openssl, python3, curl), the reference servers across processes, generated key material or property runs. `npm test` runs both.
import { defineConfig } from 'vitest/config';

/** Test files of the integration tier; every other test file is a unit test (vitest.stryker.config.ts reuses the list). */
export const INTEGRATION = [
  '**/*.integration.test.ts',
  'test/integration/**',
  'test/cli/**',
  'test/corpus/**',
  'test/dist/**',
  'test/fuzz/**',
  'test/install/**',
  // RSA key generation for every kind of certificate: seconds of CPU.
  'test/pki/**',
  'test/reference/**',
  'test/security/**',
  'test/tls/**',
  // Still mixes pure tests with loopback WebSocket servers (owned by the Duo Agent Platform work): to be split like the others.
  'test/probes/websocket.test.ts',
];

/**
 * How the unit tier runs (vitest.stryker.config.ts reuses it): worker threads, and one module graph per worker instead of
 * a fresh one per file. Unit tests leak no module state into each other (checked by running the tier under several
 * `--sequence.shuffle` seeds), and most of a fresh-process-per-file run was spent starting processes and re-importing the
 * same modules.
 */
export const UNIT_POOL = { pool: 'threads', isolate: false } as const;

export default defineConfig({
  test: {
    environment: 'node',
    // Generous timeouts for loopback servers on a loaded 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', './test/setup/capabilities-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: INTEGRATION,
          setupFiles: ['test/setup/unit-guard.ts'],
          globalSetup: ['test/tls/global-setup.ts'],
          ...UNIT_POOL,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: INTEGRATION.map((glob) => (glob.endsWith('/**') ? `${glob}/*.test.ts` : glob)),
          globalSetup: ['test/global-setup.ts', 'test/tls/global-setup.ts'],
        },
      },
    ],
  },
});
