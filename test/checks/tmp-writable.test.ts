// tmp-writable on real file systems: a read-only tmpfs (unshare -m), an unprivileged user (setpriv), a full tmpfs.
import { describe, expect, it } from 'vitest';
import { canDropPrivileges, canUnshare, runCli } from '../helpers/cli.js';
import check from '../../checks/tmp-writable.js';
import { makeContext } from '../helpers/context.js';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const unshareOk = canUnshare();
const setprivOk = canDropPrivileges();
if (!unshareOk) console.warn('tmp-writable: skipping the read-only and full-mount tests: this machine cannot make a mount namespace (unshare -m needs root)');
if (!setprivOk) console.warn('tmp-writable: skipping the unprivileged-user test: setpriv to nobody needs root');

function resultOf(stdout: string, id: string) {
  const run = JSON.parse(stdout) as { results: Array<{ id: string; status: string; summary: string; remediation?: string }> };
  return run.results.find((r) => r.id === id)!;
}

/** Mounts a tmpfs with `opts` in a private mount namespace and runs the CLI against it as --tmp-dir. */
const inMount = (opts: string, setup = '') => [
  'unshare', '-m', 'sh', '-c', `d=$(mktemp -d) && mount -t tmpfs -o ${opts} tmpfs "$d" && ${setup} exec "$@" --tmp-dir "$d"`, 'sh',
];

describe('tmp-writable', () => {
  it('passes on a writable directory', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'duo-doctor-tmp-'));
    try {
      const outcome = await check.run(makeContext({ tmpDir: dir }));
      expect(outcome.status).toBe('pass');
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it.skipIf(!unshareOk)('fails on a read-only mount with the read-only message, the OpenShift fix, and exit 1', async () => {
    const r = await runCli(['check', '--only', 'tmp-writable', '--format', 'json'], { wrapper: inMount('ro') });
    expect(r.code).toBe(1);
    const result = resultOf(r.stdout, 'tmp-writable');
    expect(result.status).toBe('fail');
    expect(result.summary).toMatch(/read-only file system \(EROFS\)/);
    expect(result.remediation).toContain('--type=emptyDir --mountPoint=/tmp');
  });

  it.skipIf(!unshareOk)('fails on a full file system with ENOSPC', async () => {
    const fill = 'dd if=/dev/zero of="$d/fill" bs=4k count=64 2>/dev/null;';
    const r = await runCli(['check', '--only', 'tmp-writable', '--format', 'json'], { wrapper: inMount('size=64k', fill) });
    expect(r.code).toBe(1);
    expect(resultOf(r.stdout, 'tmp-writable').summary).toMatch(/no space left \(ENOSPC\)/);
  });

  it.skipIf(!setprivOk)('fails with EACCES for an unprivileged user where root would pass', async () => {
    const r = await runCli(['check', '--only', 'tmp-writable', '--tmp-dir', '/root', '--format', 'json'], {
      wrapper: ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', '--'],
    });
    expect(r.code).toBe(1);
    expect(resultOf(r.stdout, 'tmp-writable').summary).toMatch(/not writable by uid 65534 gid 65534: permission denied \(EACCES\)/);
  });
});
