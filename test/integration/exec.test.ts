// `duo-doctor check --exec PREFIX` end to end, through prefixes that really move the probes: another user (setpriv),
// another mount table (unshare + tmpfs), another environment (env -i), and the gateway's view of the reference GitLab.
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findScenario, startStack, type Stack } from '../../src/reference/scenarios.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { fullTmpfs, NOBODY, prefixSupport, READ_ONLY_TMP, useScratchDir } from '../helpers/exec-prefixes.js';
import { isFailing } from '../../src/model.js';

const { unshare: unshareOk, setpriv: setprivOk, python: pythonInside } = prefixSupport();

interface Result {
  id: string;
  status: string;
  summary: string;
  findings?: { id: string; status: string }[];
  details: string[];
  remediation?: string;
  evidence?: Record<string, unknown>;
}

function results(run: CliRun): Result[] {
  return (JSON.parse(run.stdout) as { results: Result[] }).results;
}

function resultOf(run: CliRun, id: string): Result {
  const r = results(run).find((x) => x.id === id);
  if (!r) throw new Error(`no ${id} in ${run.stdout}${run.stderr}`);
  return r;
}

/** `check --format json --only ONLY ...args`, with the test's own (deliberately misleading) gateway environment. */
async function check(only: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const run = await runCli(['check', '--format', 'json', '--only', only, ...args], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AIGW_GITLAB_URL: 'https://not-the-container.invalid',
      HF_HOME: '/not/the/container',
      ...env,
    },
  });
  if (run.code === 2) throw new Error(`usage error (is every check registered in checks/index.ts?): ${run.stderr}`);
  return run;
}

const scratch = useScratchDir('duo-doctor-exec-it-');

describe('the runtime checks through --exec', () => {
  it.skipIf(!setprivOk)('setpriv: tmp-writable passes here as root but fails EACCES inside as nobody, and says where it ran', async () => {
    const d = await scratch.subdir('root-only', 0o700);
    const here = await check('tmp-writable', ['--tmp-dir', d]);
    expect(here.code).toBe(0);
    expect(resultOf(here, 'tmp-writable').status).toBe('pass');

    const inside = await check('tmp-writable', ['--tmp-dir', d, '--exec', NOBODY]);
    expect(inside.code).toBe(1);
    const r = resultOf(inside, 'tmp-writable');
    expect(r.status).toBe('fail');
    expect(r.summary).toMatch(`${d} is not writable by uid 65534 gid 65534: permission denied (EACCES)`);
    expect(r.details[0]).toBe(`Probed inside: ${NOBODY}.`);
    expect(await readdir(d)).toEqual([]);
  });

  it.skipIf(!unshareOk)('unshare: a read-only /tmp inside fails tmp-writable with EROFS through the sh probe', async () => {
    const run = await check('tmp-writable', ['--exec', READ_ONLY_TMP]);
    expect(run.code).toBe(1);
    const r = resultOf(run, 'tmp-writable');
    expect(r.summary).toMatch(/^\/tmp is on a read-only file system \(EROFS\)/);
    expect(r.remediation).toContain('--type=emptyDir --mountPoint=/tmp');
  });

  it.skipIf(!unshareOk)('unshare: a full tmpfs inside fails with ENOSPC and the probe leaves nothing behind', async () => {
    const d = await scratch.subdir('full');
    const listing = path.join(scratch.path, 'full-listing');
    const run = await check('tmp-writable', ['--tmp-dir', d, '--exec', fullTmpfs(d, listing)]);
    expect(run.code).toBe(1);
    expect(resultOf(run, 'tmp-writable').summary).toMatch(/has no space left \(ENOSPC\)/);
    expect(await readFile(listing, 'utf8')).toBe('fill\n');
  });

  it('a file given as the directory fails with ENOTDIR inside', async () => {
    const file = path.join(scratch.path, 'not-a-dir');
    await writeFile(file, 'x');
    const run = await check('tmp-writable', ['--tmp-dir', file, '--exec', 'env -i PATH=/usr/bin:/bin']);
    expect(run.code).toBe(1);
    expect(resultOf(run, 'tmp-writable').summary).toMatch(/is not a directory \(ENOTDIR\)/);
  });

  it("a missing HF_HOME from the container's environment is not created: its parent is proved writable, leaving nothing", async () => {
    const parent = await scratch.subdir('hf-parent');
    const hf = path.join(parent, 'cache/hf');
    const run = await check('hf-home-writable', ['--exec', `env -i PATH=/usr/bin:/bin HF_HOME=${hf}`], {});
    expect(run.code).toBe(0);
    const r = resultOf(run, 'hf-home-writable');
    expect(r.status).toBe('pass');
    expect(JSON.stringify(r)).toContain(hf);
    expect(await readdir(parent)).toEqual([]);
  });

  it("env -i: gateway-env judges the container's AIGW_* variables, not duo-doctor's own", async () => {
    const gitlab = 'https://gitlab.example.com';
    const prefix = `env -i PATH=/usr/bin:/bin AIGW_GITLAB_URL=${gitlab} AIGW_GITLAB_API_URL=${gitlab}/api/v4/`;
    const run = await check('gateway-env', ['--exec', prefix], { AIGW_AUTH__BYPASS_EXTERNAL: 'true' });
    const r = resultOf(run, 'gateway-env');
    // The container's variables are judged: duo-doctor's own bypass switch is not seen; the container lacks only the
    // gateway's signing key (a warning).
    expect(r.findings?.map((f) => f.id)).toEqual(['signingKeyUnset']);
    expect(r.status).toBe('warn');
    expect(r.evidence).toMatchObject({
      where: `inside: ${prefix}`,
      variables: { AIGW_GITLAB_URL: gitlab, AIGW_GITLAB_API_URL: `${gitlab}/api/v4/` },
    });
  });

  it.each([
    ['docker exec no-such-container', /^--exec "docker exec no-such-container" could not (run sh|start docker)/],
    [
      'no-such-program-duo exec gitlab-aigw',
      /^--exec "no-such-program-duo exec gitlab-aigw" could not start no-such-program-duo: command not found$/,
    ],
  ])('a prefix that cannot run (%s) is one clear failure, exit 1', async (prefix, message) => {
    const run = await check('runtime', ['--exec', prefix]);
    expect(run.code).toBe(1);
    const all = results(run);
    const failures = all.filter((r) => isFailing(r.status));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ id: 'runtime-host', status: 'fail', summary: expect.stringMatching(message) });
    expect(
      all.filter((r) => r.id !== 'runtime-host').every((r) => r.status === 'skip' && r.summary === 'depends on runtime-host, which failed'),
    ).toBe(true);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});

describe.skipIf(!pythonInside)("the gateway's own view of the reference GitLab (https, private CA) through env -i", () => {
  let stack: Stack;
  let malformed: string;
  beforeAll(async () => {
    stack = await startStack(findScenario('private-ca-no-bundle')!);
    const root = await readFile(stack.caFile!, 'utf8');
    malformed = path.join(scratch.path, 'malformed.pem');
    // A good root after one malformed block: Node would drop the block and trust the root, Python rejects the file.
    await writeFile(malformed, `${root}-----BEGIN CERTIFICATE-----\nMIIC!!\n-----END CERTIFICATE-----\n${root}`);
  });
  afterAll(async () => {
    await stack?.close();
  });

  const ONLY = 'gateway-trusts-gitlab,gateway-fetches-jwks';
  const inside = (bundle: string | undefined) =>
    `env -i PATH=/usr/bin:/bin AIGW_GITLAB_URL=${stack.gitlabUrl}${bundle ? ` SSL_CERT_FILE=${bundle} REQUESTS_CA_BUNDLE=${bundle}` : ''}`;

  it('passes both with the right bundle, fetching the key set', async () => {
    const run = await check(ONLY, ['--exec', inside(stack.caFile)], { SSL_CERT_FILE: malformed });
    expect(run.code).toBe(0);
    expect(resultOf(run, 'gateway-trusts-gitlab').summary).toMatch(
      /^Python 3\.\d+\.\d+ inside env -i .* verifies GitLab's certificate at 127\.0\.0\.1:\d+ with REQUESTS_CA_BUNDLE=/,
    );
    expect(resultOf(run, 'gateway-fetches-jwks').summary).toMatch(/fetched \d+ keys? from https:\/\/127\.0\.0\.1:\d+\/oauth\/discovery\/keys/);
  });

  it("fails both with Python's PEM lib for one malformed block, naming the block", async () => {
    const run = await check(ONLY, ['--exec', inside(malformed)], { SSL_CERT_FILE: stack.caFile });
    expect(run.code).toBe(1);
    const trust = resultOf(run, 'gateway-trusts-gitlab');
    expect(trust.status).toBe('fail');
    expect(trust.summary).toMatch(/\[X509\] PEM lib \(_ssl\.c:\d+\) — block 2 \(line \d+, CERTIFICATE\) is malformed/);
    expect(trust.details.join('\n')).toContain('Node silently drops that block');
    expect(resultOf(run, 'gateway-fetches-jwks')).toMatchObject({ status: 'fail', summary: expect.stringContaining('[X509] PEM lib') });
  });

  it('fails both with CERTIFICATE_VERIFY_FAILED when the container has no bundle for the private CA', async () => {
    const run = await check(ONLY, ['--exec', inside(undefined)], { SSL_CERT_FILE: stack.caFile, REQUESTS_CA_BUNDLE: stack.caFile });
    expect(run.code).toBe(1);
    for (const id of ['gateway-trusts-gitlab', 'gateway-fetches-jwks']) {
      expect(resultOf(run, id)).toMatchObject({
        status: 'fail',
        summary: expect.stringContaining('[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed'),
      });
    }
    expect(resultOf(run, 'gateway-trusts-gitlab').details.join('\n')).toContain('duo-doctor reference root CA');
  });
});
