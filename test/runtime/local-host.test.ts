// The local write probe on real directories: success leaves nothing behind; each failure is told apart.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localResources, localWriteAttempt } from '../../src/runtime/local-host.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'duo-doctor-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('localWriteAttempt', () => {
  it('passes in a writable directory and removes its file', async () => {
    const attempt = await localWriteAttempt(dir);
    expect(attempt).toMatchObject({ ok: true, existed: true, cleanedUp: true });
    expect(await readdir(dir)).toEqual([]);
  });

  it('never creates a missing directory: it probes a directory of its own in the nearest ancestor, then removes it', async () => {
    const target = path.join(dir, 'a/b/c');
    const attempt = await localWriteAttempt(target);
    expect(attempt).toMatchObject({ ok: true, existed: false, nearestParent: dir, cleanedUp: true });
    expect(await readdir(dir)).toEqual([]);
  });

  it('reports ENOTDIR for a file where a directory is expected', async () => {
    const file = path.join(dir, 'plain-file');
    await writeFile(file, 'x');
    const attempt = await localWriteAttempt(file);
    expect(attempt).toMatchObject({ ok: false, code: 'ENOTDIR', failedStep: 'stat' });
    await rm(file);
  });
});

describe('localResources', () => {
  it('reads memory, CPUs and free disk for each directory', async () => {
    const facts = await localResources([dir, path.join(dir, 'missing/below')]);
    expect(facts.memoryBytes).toBeGreaterThan(0);
    expect(facts.cpus).toBeGreaterThan(0);
    expect(facts.diskFree[dir]).toBeGreaterThan(0);
    expect(facts.diskFree[path.join(dir, 'missing/below')]).toBeGreaterThan(0);
  });
});
