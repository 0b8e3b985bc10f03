// --gitlab-token-file: a regular file or a pipe (a FIFO, /dev/stdin, <(vault ...)), bounded in size and, for a pipe, in time.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/config/errors.js';
import { MAX_TOKEN_BYTES, readTokenFile } from '../../src/config/token-file.js';

let dir: string;
const file = (name: string) => path.join(dir, name);
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'duo-doctor-token-file-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A FIFO with a writer that writes `data` after `delayMs` (through a separate process, as `<(vault ...)` would). */
function fifoWithWriter(name: string, data: string, delayMs: number): string {
  const fifo = file(name);
  execFileSync('mkfifo', [fifo]);
  spawn('sh', ['-c', `sleep ${delayMs / 1000}; printf '%s' "$0" > "$1"`, data, fifo], { stdio: 'ignore', detached: false });
  return fifo;
}

describe('readTokenFile', () => {
  it('reads a regular file, trimmed', async () => {
    await writeFile(file('plain'), '  glpat-plain \n');
    expect(await readTokenFile(file('plain'))).toBe('glpat-plain');
  });

  it('reads a FIFO whose writer comes later', async () => {
    expect(await readTokenFile(fifoWithWriter('late', 'glpat-from-fifo\n', 300), { timeoutMs: 5000 })).toBe('glpat-from-fifo');
  });

  it('gives up on a FIFO nobody writes to, within its timeout, naming the file', async () => {
    const fifo = file('silent');
    execFileSync('mkfifo', [fifo]);
    const t0 = Date.now();
    await expect(readTokenFile(fifo, { timeoutMs: 300 })).rejects.toThrow(/--gitlab-token-file .*silent: nothing written to the pipe within 0\.3 s/);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('refuses a pipe that delivers more than the cap', async () => {
    const fifo = fifoWithWriter('big', 'x'.repeat(MAX_TOKEN_BYTES + 1), 0);
    await expect(readTokenFile(fifo, { timeoutMs: 5000 })).rejects.toThrow(`is larger than ${MAX_TOKEN_BYTES} bytes`);
  });

  it.each([
    ['empty', '\n', 'the file is empty'],
    ['missing', undefined, 'no such file'],
  ])('refuses a %s file with a UsageError', async (name, content, message) => {
    if (content !== undefined) await writeFile(file(name), content);
    await expect(readTokenFile(file(name))).rejects.toThrow(UsageError);
    await expect(readTokenFile(file(name))).rejects.toThrow(message);
  });
});
