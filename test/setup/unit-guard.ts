// Setup file of the unit tier: a unit test runs no program. Starting one (the CLI, nginx, python3, openssl) fails the test
// at once, naming where such a test belongs — so the fast tier stays fast and cannot silently grow an integration test.
import { ChildProcess } from 'node:child_process';

// spawn is on the prototype at run time (every spawn/execFile/exec goes through it) but not in @types/node.
(ChildProcess.prototype as unknown as { spawn(options: { file?: string }): never }).spawn = function refuse(options) {
  throw new Error(`a unit test started a program (${options.file ?? '?'}): move the test to a *.integration.test.ts file (see vitest.config.ts)`);
};
