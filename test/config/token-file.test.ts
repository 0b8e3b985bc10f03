// --gitlab-token-file from a regular file, at its edges: trimmed, empty, blank, too large, missing, a directory. Pipes
// (FIFOs need mkfifo, a program): token-file.integration.test.ts.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/config/errors.js';
import { MAX_TOKEN_BYTES, readTokenFile } from '../../src/config/token-file.js';

let dir: string;
const file = (name: string) => path.join(dir, name);
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'duo-doctor-token-unit-'));
  await writeFile(file('plain'), '\t glpat-plain \r\n');
  await writeFile(file('at-limit'), `glpat-${'x'.repeat(MAX_TOKEN_BYTES - 6)}`);
  await writeFile(file('past-limit'), `glpat-${'x'.repeat(MAX_TOKEN_BYTES - 5)}`);
  await writeFile(file('empty'), '');
  await writeFile(file('blank'), ' \n\n\t');
  await mkdir(file('adir'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readTokenFile (a regular file)', () => {
  it('reads the token, trimmed', async () => {
    expect(await readTokenFile(file('plain'))).toBe('glpat-plain');
  });

  it('reads a file of exactly the limit', async () => {
    expect((await readTokenFile(file('at-limit'))).length).toBe(MAX_TOKEN_BYTES);
  });

  it.each([
    ['past-limit', /^--gitlab-token-file \S+past-limit: .+/],
    ['empty', /^--gitlab-token-file \S+empty: the file is empty$/],
    ['blank', /^--gitlab-token-file \S+blank: the file is empty$/],
    ['missing', /^--gitlab-token-file \S+missing: .+/],
    ['adir', /^--gitlab-token-file \S+adir: .+/],
  ])('%s is a usage error naming the file', async (name, message) => {
    const err = await readTokenFile(file(name)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(message);
  });
});
