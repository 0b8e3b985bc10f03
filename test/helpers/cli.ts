// Runs the built CLI (dist/) as a user would, optionally under a wrapper command (unshare, setpriv), and captures everything.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { has } from './capabilities.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const BIN = path.join(ROOT, 'bin/duo-doctor.js');

/** dist/ is built by test/global-setup.ts before any test runs. */
function ensureBuilt(): void {
  if (!existsSync(path.join(ROOT, 'dist/cli.js')))
    throw new Error('dist/cli.js is missing: run the tests through vitest (its global setup builds it)');
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `wrapper` argv goes before `node bin/duo-doctor.js` (e.g. ['setpriv', '--reuid=nobody', ...]). */
export function runCli(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; wrapper?: readonly string[]; cwd?: string } = {},
): Promise<CliRun> {
  ensureBuilt();
  const argv = [...(options.wrapper ?? []), process.execPath, BIN, ...args];
  return new Promise((resolve) => {
    execFile(
      argv[0]!,
      argv.slice(1),
      { cwd: options.cwd ?? ROOT, env: options.env ?? { PATH: process.env.PATH, HOME: process.env.HOME }, maxBuffer: 32 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Whether this machine lets the tests make a private mount namespace (root with unshare); a lack is reported at the end. */
export const canUnshare = (): boolean => has('unshare');

/** Whether the tests can drop to an unprivileged user with setpriv (root); a lack is reported at the end. */
export const canDropPrivileges = (): boolean => has('setpriv');
