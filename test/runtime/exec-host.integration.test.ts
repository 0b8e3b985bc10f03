// The --exec host through prefixes that really move the probe: env -i (another environment), setpriv (another user),
// unshare + tmpfs (another mount table). Each write failure is told apart and nothing is left behind.
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { arch } from 'node:os';
import { readdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExecPrefixError, execHost } from '../../src/runtime/exec-host.js';
import { fullTmpfs, NOBODY, prefixSupport, READ_ONLY_TMP, useScratchDir } from '../helpers/exec-prefixes.js';

const { unshare: unshareOk, setpriv: setprivOk, python: pythonInside } = prefixSupport();

const scratch = useScratchDir('duo-doctor-exec-');
/** A directory whose only program is sh: python3 cannot be found there. */
let shOnly: string;
beforeAll(async () => {
  shOnly = await scratch.subdir('sh-only');
  await symlink('/bin/sh', path.join(shOnly, 'sh'));
});

describe('execHost', () => {
  it('labels itself with the prefix and reads the environment of the other side, not this one', async () => {
    const host = await execHost('env -i PATH=/usr/bin:/bin AIGW_GITLAB_URL=https://inside.example HF_HOME=/var/tmp/hf', 10_000);
    expect(host.label).toBe('inside: env -i PATH=/usr/bin:/bin AIGW_GITLAB_URL=https://inside.example HF_HOME=/var/tmp/hf');
    const env = await host.env();
    expect(env).toEqual({ PATH: '/usr/bin:/bin', AIGW_GITLAB_URL: 'https://inside.example', HF_HOME: '/var/tmp/hf' });
  });

  it.each([
    ['a program that does not exist', 'no-such-program-duo exec gitlab-aigw', /could not start no-such-program-duo: command not found/],
    [
      'a prefix that exits before running sh',
      'sh -c "echo Error: No such container: gitlab-aigw >&2; exit 1" --',
      /could not run sh: Error: No such container: gitlab-aigw/,
    ],
  ])('rejects once with ExecPrefixError for %s', async (_name, prefix, message) => {
    const error = await execHost(prefix, 10_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExecPrefixError);
    expect((error as Error).message).toMatch(message);
  });

  describe('python', () => {
    it.skipIf(!pythonInside)('runs python3 -c SCRIPT ARGS on the other side', async () => {
      const host = await execHost('env -i PATH=/usr/bin:/bin MARK=inside', 10_000);
      const run = await host.python('import os, sys; print(os.environ["MARK"], sys.argv[1:], sys.executable)', ['a b', '--c']);
      expect(run).toMatchObject({ available: true, code: 0 });
      expect(run.stdout.trim()).toBe("inside ['a b', '--c'] /usr/bin/python3");
    });

    it('says python3 is absent, naming the PATH searched', async () => {
      const host = await execHost(`env -i PATH=${shOnly}`, 10_000);
      const run = await host.python('print(1)', []);
      expect(run).toMatchObject({ available: false, code: 127, stderr: `python3 not found in PATH=${shOnly}` });
    });
  });

  describe('readFile', () => {
    it('reads a file on the other side and names a missing one', async () => {
      const file = path.join(scratch.path, 'bundle.pem');
      await writeFile(file, 'PEM TEXT\n');
      const host = await execHost('env -i PATH=/usr/bin:/bin', 10_000);
      expect(await host.readFile(file)).toEqual({ ok: true, text: 'PEM TEXT\n' });
      const missing = await host.readFile(path.join(scratch.path, 'missing.pem'));
      expect(missing).toMatchObject({ ok: false, code: 'ENOENT' });
      expect(!missing.ok && missing.message).toMatch(/No such file or directory/);
    });

    it.skipIf(!setprivOk)('cannot read a root-only file as nobody (EACCES)', async () => {
      const file = path.join(scratch.path, 'secret.pem');
      await writeFile(file, 'x', { mode: 0o600 });
      const read = await (await execHost(NOBODY, 10_000)).readFile(file);
      expect(read).toMatchObject({ ok: false, code: 'EACCES' });
    });
  });

  describe('writeAttempt (the sh probe)', () => {
    it('passes in a writable directory and leaves nothing behind', async () => {
      const d = await scratch.subdir('writable');
      const attempt = await (await execHost('env -i PATH=/usr/bin:/bin', 10_000)).writeAttempt(d);
      expect(attempt).toMatchObject({ ok: true, existed: true, cleanedUp: true });
      expect(await readdir(d)).toEqual([]);
    });

    it('creates a missing directory as the gateway would, then removes all it created', async () => {
      const parent = await scratch.subdir('parent');
      const attempt = await (await execHost('env -i PATH=/usr/bin:/bin', 10_000)).writeAttempt(path.join(parent, 'a/b/c'));
      expect(attempt).toMatchObject({ ok: true, existed: false, nearestParent: parent, cleanedUp: true });
      expect(await readdir(parent)).toEqual([]);
    });

    it('reports ENOTDIR for a file where a directory is expected', async () => {
      const file = path.join(scratch.path, 'plain-file');
      await writeFile(file, 'x');
      const attempt = await (await execHost('env -i PATH=/usr/bin:/bin', 10_000)).writeAttempt(file);
      expect(attempt).toMatchObject({ ok: false, code: 'ENOTDIR', failedStep: 'stat' });
    });

    it.skipIf(!setprivOk)('fails with EACCES as nobody in a root-only directory that root can write', async () => {
      const d = await scratch.subdir('root-only', 0o700);
      const asRoot = await (await execHost('env -i PATH=/usr/bin:/bin', 10_000)).writeAttempt(d);
      expect(asRoot.ok).toBe(true);
      const attempt = await (await execHost(NOBODY, 10_000)).writeAttempt(d);
      expect(attempt).toMatchObject({ ok: false, failedStep: 'create', code: 'EACCES', uid: 65534, owner: { uid: 0, gid: 0 }, cleanedUp: true });
      expect(await readdir(d)).toEqual([]);
    });

    it.skipIf(!setprivOk)('fails at mkdir as nobody for a missing directory under a parent only root can write', async () => {
      await scratch.subdir('outer');
      const locked = await scratch.subdir('outer/locked', 0o555);
      const attempt = await (await execHost(NOBODY, 10_000)).writeAttempt(path.join(locked, 'hf'));
      expect(attempt).toMatchObject({ ok: false, existed: false, failedStep: 'mkdir', code: 'EACCES', nearestParent: locked });
      expect(await readdir(locked)).toEqual([]);
    });

    it.skipIf(!unshareOk)('fails with EROFS on a read-only /tmp mounted in the prefix', async () => {
      const attempt = await (await execHost(READ_ONLY_TMP, 10_000)).writeAttempt('/tmp');
      expect(attempt).toMatchObject({ ok: false, failedStep: 'create', code: 'EROFS', cleanedUp: true });
      expect(attempt.message).toMatch(/Read-only file system/);
    });

    it.skipIf(!unshareOk)('fails with ENOSPC on a full tmpfs, and the listing after the probe holds only the filler', async () => {
      const d = await scratch.subdir('full');
      const listing = path.join(scratch.path, 'full-listing');
      const attempt = await (await execHost(fullTmpfs(d, listing), 10_000)).writeAttempt(d);
      expect(attempt).toMatchObject({ ok: false, code: 'ENOSPC', cleanedUp: true });
      expect(['create', 'write', 'fsync']).toContain(attempt.failedStep);
      expect(execFileSync('cat', [listing], { encoding: 'utf8' })).toBe('fill\n');
    });
  });
});

describe('execHost container probe', () => {
  it('reports this machine and a loopback listener this process holds (its socket is visible in /proc here)', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const host = await execHost('env', 10_000);
      const facts = await host.container!();
      expect(facts.machine).toBe(execFileSync('uname', ['-m'], { encoding: 'utf8' }).trim());
      expect(facts.cpu).toBe(arch() === 'x64' ? 'x86' : arch() === 'arm64' ? 'arm' : facts.cpu);
      expect(facts.listeners).toContainEqual({ port, held: true });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
