// Malformed PEM / CA bundle corpus through the ca-bundle check, named by SSL_CERT_FILE + REQUESTS_CA_BUNDLE or by --ca-file.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Settings } from '../../src/config/settings.js';
import { canDropPrivileges, runCli } from '../helpers/cli.js';
import { expectJudged, failOnUnhandled, resultOf, runIds, STACK_TRACE } from './harness.js';
import { makeMaterial, materialise, pemCases, type Material, type PemCase } from './pem-corpus.js';

failOnUnhandled();

/** Certificates made fresh for this run (so none expires in the repository), and the corpus built from them. */
const material: Material = makeMaterial();
const CASES: PemCase[] = pemCases(material);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'duo-doctor-pem-corpus-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * Both gateway variables name the file (as the install guide says) in the gateway's environment (AIGW_* set: this host is the
 * gateway's), or duo-doctor's own --ca-file does: the corpus alternates.
 */
const WAYS: { name: string; prefix: string; settings: (file: string) => Partial<Settings> }[] = [
  {
    name: 'SSL_CERT_FILE + REQUESTS_CA_BUNDLE',
    prefix: 'SSL_CERT_FILE, REQUESTS_CA_BUNDLE: ',
    settings: (file) => ({ env: { AIGW_GITLAB_URL: 'https://gitlab.example', SSL_CERT_FILE: file, REQUESTS_CA_BUNDLE: file } }),
  },
  { name: '--ca-file', prefix: '--ca-file: ', settings: (file) => ({ caFile: file }) },
];

describe('ca-bundle corpus', () => {
  it('has at least 25 malformed inputs', () => {
    expect(CASES.filter((c) => c.status !== 'pass').length).toBeGreaterThanOrEqual(25);
  });

  it.each(CASES.map((c, i) => [i, c.name, c] as const))('#%i %s', async (index, _name, c) => {
    const way = WAYS[index % WAYS.length] as (typeof WAYS)[number];
    const file = materialise(dir, index, c);
    const run = await runIds(['ca-bundle'], { ...way.settings(file), timeoutMs: 5_000 });
    const result = resultOf(run, 'ca-bundle');
    expectJudged(result, c.status, c.says);
    if (c.status !== 'pass') expect(result.summary.startsWith(way.prefix)).toBe(true);
    if (c.detail) expect(result.details).toContainEqual(expect.stringMatching(c.detail));
    // One line, of a size a terminal can show, whatever the input's size.
    expect(result.summary).not.toContain('\n');
    expect(result.summary.length).toBeLessThan(2_000);
  });
});

describe('ca-bundle corpus through the CLI', () => {
  it.skipIf(!canDropPrivileges())('an unreadable bundle (mode 000, read as an unprivileged user) fails with permission denied, exit 1', async () => {
    const base = await mkdtemp(join(tmpdir(), 'duo-doctor-pem-eacces-'));
    try {
      await chmod(base, 0o755);
      const file = join(base, 'ca-bundle.pem');
      await writeFile(file, material.root.certPem);
      await chmod(file, 0o000);
      const r = await runCli(['check', '--only', 'ca-bundle', '--format', 'json'], {
        env: { PATH: process.env.PATH, AIGW_GITLAB_URL: 'https://gitlab.example', SSL_CERT_FILE: file, REQUESTS_CA_BUNDLE: file },
        wrapper: ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', '--'],
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe('');
      const result = (JSON.parse(r.stdout) as { results: { id: string; status: string; summary: string; remediation: string }[] }).results[0];
      expect(result).toMatchObject({ id: 'ca-bundle', status: 'fail' });
      expect(result?.summary).toMatch(/^SSL_CERT_FILE, REQUESTS_CA_BUNDLE: .*ca-bundle\.pem: permission denied/);
      expect(result?.remediation).toMatch(/chmod 644/);
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });

  it('a FIFO as --ca-file ends the run (no hang) with the check failed, exit 1', async () => {
    const file = materialise(dir, 1000, { name: 'fifo', content: { special: 'fifo' }, status: 'fail', says: /./ });
    const started = Date.now();
    const r = await runCli(['check', '--only', 'ca-bundle', '--ca-file', file, '--timeout', '3000', '--format', 'json']);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).not.toMatch(STACK_TRACE);
    expect(JSON.parse(r.stdout).results[0]).toMatchObject({ status: 'fail', summary: expect.stringMatching(/named pipe/) });
  });
});
