// The --exec host through prefixes that really move the probe: env -i (another environment), setpriv (another user),
// unshare + tmpfs (another mount table). Each write failure is told apart and nothing is left behind.
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExecPrefixError, execHost } from '../../src/runtime/exec-host.js';
import { canDropPrivileges, canUnshare } from '../helpers/cli.js';

const unshareOk = canUnshare();
const setprivOk = canDropPrivileges();
const NOBODY = 'setpriv --reuid=nobody --regid=nogroup --clear-groups --';
const hasPython = (() => {
  try {
    execFileSync('env', ['-i', 'PATH=/usr/bin:/bin', 'sh', '-c', 'command -v python3'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!unshareOk) console.warn('exec-host: skipping the mount-namespace tests (unshare -m needs root)');
if (!setprivOk) console.warn('exec-host: skipping the unprivileged-user tests (setpriv to nobody needs root)');
if (!hasPython) console.warn('exec-host: skipping the python tests: no python3 in /usr/bin:/bin');

let dir: string;
/** A directory whose only program is sh: python3 cannot be found there. */
let shOnly: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'duo-doctor-exec-'));
  await chmod(dir, 0o755);
  shOnly = path.join(dir, 'sh-only');
  await mkdir(shOnly);
  await symlink('/bin/sh', path.join(shOnly, 'sh'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A fresh directory under `dir`, with a mode. */
async function subdir(name: string, mode = 0o755): Promise<string> {
  const d = path.join(dir, name);
  await mkdir(d);
  await chmod(d, mode);
  return d;
}

describe('execHost', () => {
  it('labels itself with the prefix and reads the environment of the other side, not this one', async () => {
    const host = await execHost('env -i PATH=/usr/bin:/bin AIGW_GITLAB_URL=https://inside.example HF_HOME=/var/tmp/hf', 10_000);
    expect(host.label).toBe('inside: env -i PATH=/usr/bin:/bin AIGW_GITLAB_URL=https://inside.example HF_HOME=/var/tmp/hf');
    const env = await host.env();
    expect(env).toEqual({ PATH: '/usr/bin:/bin', AIGW_GITLAB_URL: 'https://inside.example', HF_HOME: '/var/tmp/hf' });
  });

  it.each([
    ['a program that does not exist', 'no-such-program-duo exec gitlab-aigw', /could not start no-such-program-duo: command not found/],
    ['a prefix that exits before running sh', 'sh -c "echo Error: No such container: gitlab-aigw >&2; exit 1" --', /could not run sh: Error: No such container: gitlab-aigw/],
  ])('rejects once with ExecPrefixError for %s', async (_name, prefix, message) => {
    const error = await execHost(prefix, 10_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExecPrefixError);
    expect((error as Error).message).toMatch(message);
  });

  describe('python', () => {
    it.skipIf(!hasPython)('runs python3 -c SCRIPT ARGS on the other side', async () => {
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
      const file = path.join(dir, 'bundle.pem');
      await writeFile(file, 'PEM TEXT\n');
      const host = await execHost('env -i PATH=/usr/bin:/bin', 10_000);
      expect(await host.readFile(file)).toEqual({ ok: true, text: 'PEM TEXT\n' });
      const missing = await host.readFile(path.join(dir, 'missing.pem'));
      expect(missing).toMatchObject({ ok: false, code: 'ENOENT' });
      expect(!missing.ok && missing.message).toMatch(/No such file or directory/);
    });

    it.skipIf(!setprivOk)('cannot read a root-only file as nobody (EACCES)', async () => {
      const file = path.join(dir, 'secret.pem');
      await writeFile(file, 'x', { mode: 0o600 });
      const read = await (await execHost(NOBODY, 10_000)).readFile(file);
      expect(read).toMatchObject({ ok: false, code: 'EACCES' });
    });
  });

  describe('writeAttempt (the sh probe)', () => {
    it('passes in a writable directory and leaves nothing behind', async () => {
      const d = await subdir('writable');
      const attempt = await (await execHost('env -i PATH=/usr/bin:/bin', 10_000)).writeAttempt(d);
      expect(attempt).toMatchObject({ ok: true, existed: true, cleanedUp: true });
      expect(await readdir(d)).toEqual([]);
    });

    it('creates a missing directory as the gateway would, then removes all it created', async () => {
      const parent = await subdir('parent');
      const attempt = await (await execHost('env -i PATH=/usr/bin:/bin', 10_000)).writeAttempt(path.join(parent, 'a/b/c'));
      expect(attempt).toMatchObject({ ok: true, existed: false, nearestParent: parent, cleanedUp: true });
      expect(await readdir(parent)).toEqual([]);
    });

    it('reports ENOTDIR for a file where a directory is expected', async () => {
      const file = path.join(dir, 'plain-file');
      await writeFile(file, 'x');
      const attempt = await (await execHost('env -i PATH=/usr/bin:/bin', 10_000)).writeAttempt(file);
      expect(attempt).toMatchObject({ ok: false, code: 'ENOTDIR', failedStep: 'stat' });
    });

    it.skipIf(!setprivOk)('fails with EACCES as nobody in a root-only directory that root can write', async () => {
      const d = await subdir('root-only', 0o700);
      const asRoot = await (await execHost('env -i PATH=/usr/bin:/bin', 10_000)).writeAttempt(d);
      expect(asRoot.ok).toBe(true);
      const attempt = await (await execHost(NOBODY, 10_000)).writeAttempt(d);
      expect(attempt).toMatchObject({ ok: false, failedStep: 'create', code: 'EACCES', uid: 65534, owner: { uid: 0, gid: 0 }, cleanedUp: true });
      expect(await readdir(d)).toEqual([]);
    });

    it.skipIf(!setprivOk)('fails at mkdir as nobody for a missing directory under a parent only root can write', async () => {
      await subdir('outer');
      const locked = await subdir('outer/locked', 0o555);
      const attempt = await (await execHost(NOBODY, 10_000)).writeAttempt(path.join(locked, 'hf'));
      expect(attempt).toMatchObject({ ok: false, existed: false, failedStep: 'mkdir', code: 'EACCES', nearestParent: locked });
      expect(await readdir(locked)).toEqual([]);
    });

    it.skipIf(!unshareOk)('fails with EROFS on a read-only /tmp mounted in the prefix', async () => {
      const prefix = `unshare -m sh -c 'mount -t tmpfs -o ro tmpfs /tmp && exec "$@"' --`;
      const attempt = await (await execHost(prefix, 10_000)).writeAttempt('/tmp');
      expect(attempt).toMatchObject({ ok: false, failedStep: 'create', code: 'EROFS', cleanedUp: true });
      expect(attempt.message).toMatch(/Read-only file system/);
    });

    it.skipIf(!unshareOk)('fails with ENOSPC on a full tmpfs, and the listing after the probe holds only the filler', async () => {
      const d = await subdir('full');
      const listing = path.join(dir, 'full-listing');
      // Mount a 64 KiB tmpfs on d, fill it, run the probe, then list d from inside the namespace (it vanishes with it).
      const prefix = `unshare -m sh -c 'mount -t tmpfs -o size=64k tmpfs ${d} && dd if=/dev/zero of=${d}/fill bs=4k count=64 2>/dev/null; "$@"; ls -A ${d} > ${listing}' --`;
      const attempt = await (await execHost(prefix, 10_000)).writeAttempt(d);
      expect(attempt).toMatchObject({ ok: false, code: 'ENOSPC', cleanedUp: true });
      expect(['create', 'write', 'fsync']).toContain(attempt.failedStep);
      expect(execFileSync('cat', [listing], { encoding: 'utf8' })).toBe('fill\n');
    });
  });
});
