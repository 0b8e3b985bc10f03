// Runs the built CLI (dist/) as a user would, optionally under a wrapper command (unshare, setpriv), and captures everything.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const BIN = path.join(ROOT, 'bin/duo-doctor.js');

/** dist/ is built by test/global-setup.ts before any test runs. */
function ensureBuilt(): void {
  if (!existsSync(path.join(ROOT, 'dist/cli.js'))) throw new Error('dist/cli.js is missing: run the tests through vitest (its global setup builds it)');
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `wrapper` argv goes before `node bin/duo-doctor.js` (e.g. ['setpriv', '--reuid=nobody', ...]). */
export function runCli(args: readonly string[], options: { env?: NodeJS.ProcessEnv; wrapper?: readonly string[]; cwd?: string } = {}): Promise<CliRun> {
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

/** Whether this machine lets the tests make a private mount namespace (root with unshare). */
export function canUnshare(): boolean {
  try {
    execFileSync('unshare', ['-m', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Whether the tests can drop to an unprivileged user with setpriv. */
export function canDropPrivileges(): boolean {
  try {
    execFileSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', 'true'], { stdio: 'ignore' });
    return process.getuid?.() === 0;
  } catch {
    return false;
  }
}
