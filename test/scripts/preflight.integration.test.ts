// The preflight as `npm test` runs it, on a machine where a program the tests need is missing: promtool is hidden in a
// private mount namespace (a non-executable file mounted over it) and the script runs as nobody, so it cannot install
// and must stop at once, exit 1, with the one command that installs it. (The root path runs apt-get, which reaches
// Debian's mirrors: it is exercised by CI on a fresh machine, never by a test.)
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { has } from '../helpers/capabilities.js';
import { ROOT } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'duo-doctor-preflight-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.runIf(has('unshare') && has('setpriv'))('scripts/preflight.mjs with promtool missing', () => {
  it('stops as a non-root user, naming the program and the one command that installs it', async () => {
    const hidden = path.join(dir, 'not-a-program');
    writeFileSync(hidden, '');
    chmodSync(hidden, 0o644);
    chmodSync(dir, 0o755);
    const promtool = '/usr/bin/promtool';
    const script = `mount --bind '${hidden}' ${promtool} && exec setpriv --reuid=nobody --regid=nogroup --clear-groups '${process.execPath}' scripts/preflight.mjs`;
    const result = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile('unshare', ['-m', 'sh', '-c', script], { cwd: ROOT }, (error, _stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stderr });
      });
    });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain('promtool (Debian package prometheus)');
    expect(result.stderr.trimEnd().split('\n').at(-1)).toBe('  sudo apt-get install -y --no-install-recommends prometheus');
  });
});
