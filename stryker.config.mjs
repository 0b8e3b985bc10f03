// StrykerJS over the code that decides verdicts and keeps secrets (npm run mutation). Incremental: a re-run after a small
// change re-tests only the mutants it touches. Reports: reports/mutation/ (HTML, JSON). See TESTING.md.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.stryker.config.ts' },
  plugins: ['@stryker-mutator/vitest-runner'],
  // The scope of issue 22: every check's judge and message table (gather/run bodies carry `// Stryker disable` comments:
  // they do I/O), the shared judging helpers, the check shape, secret handling, the runner (scheduling, selection, exit
  // code), the model and config loading/validation/precedence. src/tls holds gather code only (its judging is src/judge).
  mutate: [
    'checks/*.ts',
    '!checks/index.ts',
    'src/judge/**/*.ts',
    'src/check.ts',
    'src/model.ts',
    'src/redact.ts',
    'src/record/scrub.ts',
    'src/record/replay.ts',
    'src/runner/**/*.ts',
    'src/config/**/*.ts',
  ],
  coverageAnalysis: 'perTest',
  ignoreStatic: true,
  incremental: true,
  incrementalFile: 'reports/mutation/incremental.json',
  concurrency: 2,
  timeoutMS: 20_000,
  // The initial run of the whole unit tier with per-test coverage: minutes on a loaded 2-core machine.
  dryRunTimeoutMinutes: 30,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 85, break: null },
  tempDirName: '.stryker-tmp',
};
