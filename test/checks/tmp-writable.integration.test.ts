// tmp-writable on real file systems, through the CLI: a read-only tmpfs (unshare -m), a full tmpfs, an unprivileged user (setpriv).
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { NOBODY, prefixSupport } from '../helpers/exec-prefixes.js';

const { unshare: unshareOk, setpriv: setprivOk } = prefixSupport();

/** The gateway's environment: what makes this host the gateway's for the runtime checks. */
const GATEWAY_ENV = { PATH: process.env.PATH, HOME: process.env.HOME, AIGW_GITLAB_URL: 'https://gitlab.example' };

function resultOf(stdout: string, id: string) {
  const run = JSON.parse(stdout) as {
    results: Array<{ id: string; status: string; summary: string; remediation?: string; findings?: { id: string }[] }>;
  };
  return run.results.find((r) => r.id === id)!;
}

/** Mounts a tmpfs with `opts` in a private mount namespace and runs the CLI against it as --tmp-dir. */
const inMount = (opts: string, setup = '') => [
  'unshare',
  '-m',
  'sh',
  '-c',
  `d=$(mktemp -d) && mount -t tmpfs -o ${opts} tmpfs "$d" && ${setup} exec "$@" --tmp-dir "$d"`,
  'sh',
];

describe('tmp-writable on real file systems', () => {
  it.skipIf(!unshareOk)('fails on a read-only mount with the read-only finding, the OpenShift fix, and exit 1', async () => {
    const r = await runCli(['check', '--only', 'tmp-writable', '--format', 'json'], { wrapper: inMount('ro'), env: GATEWAY_ENV });
    expect(r.code).toBe(1);
    const result = resultOf(r.stdout, 'tmp-writable');
    expect(result.findings?.map((f) => f.id)).toEqual(['readOnly']);
    expect(result.remediation).toContain('--type=emptyDir --mountPoint=/tmp');
  });

  it.skipIf(!unshareOk)('fails on a full file system with ENOSPC', async () => {
    const fill = 'dd if=/dev/zero of="$d/fill" bs=4k count=64 2>/dev/null;';
    const r = await runCli(['check', '--only', 'tmp-writable', '--format', 'json'], { wrapper: inMount('size=64k', fill), env: GATEWAY_ENV });
    expect(r.code).toBe(1);
    expect(resultOf(r.stdout, 'tmp-writable').findings?.map((f) => f.id)).toEqual(['noSpace']);
  });

  it.skipIf(!setprivOk)('fails with EACCES for an unprivileged user where root would pass', async () => {
    const r = await runCli(['check', '--only', 'tmp-writable', '--tmp-dir', '/root', '--format', 'json'], {
      wrapper: NOBODY.split(' '),
      env: GATEWAY_ENV,
    });
    expect(r.code).toBe(1);
    expect(resultOf(r.stdout, 'tmp-writable').summary).toMatch(/not writable by uid 65534 gid 65534: permission denied \(EACCES\)/);
  });
});
