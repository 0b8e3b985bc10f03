// tmp-writable: the judge's table, then real file systems — a read-only tmpfs (unshare -m), an unprivileged user (setpriv), a
// full tmpfs — and the host that is not the gateway's, where nothing is probed and nothing created.
import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import check, { judge, type Facts } from '../../checks/tmp-writable.js';
import type { WriteAttempt } from '../../src/runtime/facts.js';
import { makeContext } from '../helpers/context.js';
import { runCli } from '../helpers/cli.js';
import { NOBODY, prefixSupport, useScratchDir } from '../helpers/exec-prefixes.js';

const { unshare: unshareOk, setpriv: setprivOk } = prefixSupport('tmp-writable');
const scratch = useScratchDir('duo-doctor-tmpw-');
/** The gateway's environment: what makes this host the gateway's for the runtime checks. */
const GATEWAY_ENV = { PATH: process.env.PATH, HOME: process.env.HOME, AIGW_GITLAB_URL: 'https://gitlab.example' };

function resultOf(stdout: string, id: string) {
  const run = JSON.parse(stdout) as { results: Array<{ id: string; status: string; summary: string; remediation?: string; findings?: { id: string }[] }> };
  return run.results.find((r) => r.id === id)!;
}

/** Mounts a tmpfs with `opts` in a private mount namespace and runs the CLI against it as --tmp-dir. */
const inMount = (opts: string, setup = '') => [
  'unshare', '-m', 'sh', '-c', `d=$(mktemp -d) && mount -t tmpfs -o ${opts} tmpfs "$d" && ${setup} exec "$@" --tmp-dir "$d"`, 'sh',
];

const ok: WriteAttempt = { dir: '/tmp', ok: true, existed: true, cleanedUp: true };

describe('tmp-writable judge', () => {
  it.each([
    ['not the gateway', { place: { kind: 'elsewhere', hostname: 'laptop' }, dir: '/tmp' }, ['notTheGateway']],
    ['writable inside the container', { place: { kind: 'exec', prefix: 'docker exec aigw' }, dir: '/tmp', attempt: ok }, ['writable']],
    ['read-only on the gateway\'s host', { place: { kind: 'gateway-env', hostname: 'gw' }, dir: '/tmp', attempt: { ...ok, ok: false, code: 'EROFS', failedStep: 'create' } }, ['readOnly']],
  ] as [string, Facts, string[]][])('%s → %j', (_name, facts, ids) => {
    expect(judge(facts).findings.map((f) => f.id)).toEqual(ids);
  });
});

describe('tmp-writable', () => {
  it('passes on a writable directory of the gateway\'s host and leaves it as it was', async () => {
    const dir = await scratch.subdir('writable');
    const outcome = await check.run(makeContext({ tmpDir: dir, env: { AIGW_GITLAB_URL: 'https://g' } }));
    expect(outcome.findings).toEqual([{ id: 'writable', status: 'pass' }]);
    expect(await readdir(dir)).toEqual([]);
  });

  it('skips on a host that is not the gateway\'s, saying how to run it there, without writing', async () => {
    const dir = await scratch.subdir('untouched');
    const outcome = await check.run(makeContext({ tmpDir: `${dir}/missing`, env: {} }));
    expect(outcome.findings).toEqual([{ id: 'notTheGateway', status: 'skip' }]);
    expect(outcome.summary).toMatch(/--exec "docker exec <container>".*kubectl exec/);
    expect(await readdir(dir)).toEqual([]);
  });

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
    const r = await runCli(['check', '--only', 'tmp-writable', '--tmp-dir', '/root', '--format', 'json'], { wrapper: NOBODY.split(' '), env: GATEWAY_ENV });
    expect(r.code).toBe(1);
    expect(resultOf(r.stdout, 'tmp-writable').summary).toMatch(/not writable by uid 65534 gid 65534: permission denied \(EACCES\)/);
  });
});
