// gateway-trusts-gitlab against the reference GitLab over https (private CA): Python's verdict verbatim, duo-doctor's why,
// locally and through prefixes that really move the probe (env -i, setpriv).
import { readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check from '../../checks/gateway-trusts-gitlab.js';
import type { Settings } from '../../src/config/settings.js';
import { findScenario, startStack, type Stack } from '../../src/reference/scenarios.js';
import { canDropPrivileges } from '../helpers/cli.js';
import { makeContext } from '../helpers/context.js';
import { hasPython, NOBODY, useScratchDir } from '../helpers/exec-prefixes.js';
import { startLoopback, type LoopbackServer } from '../helpers/loopback.js';

const pythonHere = hasPython('here') && hasPython('clean');
const setprivOk = canDropPrivileges();
if (!pythonHere) console.warn('gateway-trusts-gitlab: python3 missing from PATH or /usr/bin:/bin; the verdict tests are skipped');

let stack: Stack;
let http: LoopbackServer;
const scratch = useScratchDir('duo-doctor-gw-trust-');
let files: { good: string; malformed: string; empty: string; unreadable: string };
let shOnly: string;

beforeAll(async () => {
  stack = await startStack(findScenario('private-ca-no-bundle')!);
  http = await startLoopback((_req, res) => res.end('{}'));
  const dir = scratch.path;
  const root = await readFile(stack.caFile!, 'utf8');
  files = {
    good: path.join(dir, 'good.pem'),
    malformed: path.join(dir, 'malformed.pem'),
    empty: path.join(dir, 'empty.pem'),
    unreadable: path.join(dir, 'root-only.pem'),
  };
  await writeFile(files.good, root, { mode: 0o644 });
  // One malformed block (truncated base64) first, the right root after it: Python rejects the whole file.
  const malformedBlock = root.split('\n').slice(0, 4).join('\n').replace(/.$/, '') + '\n-----END CERTIFICATE-----\n';
  await writeFile(files.malformed, malformedBlock + root, { mode: 0o644 });
  await writeFile(files.empty, '', { mode: 0o644 });
  await writeFile(files.unreadable, root, { mode: 0o600 });
  shOnly = await scratch.subdir('sh-only');
  await symlink('/bin/sh', path.join(shOnly, 'sh'));
});
afterAll(async () => {
  await Promise.all([stack?.close(), http?.close()]);
});

/** Runs the check with the gateway's environment as this process's settings (no --exec). */
function local(env: Record<string, string>, extra: Partial<Settings> = {}) {
  return check.run(makeContext({ env: { PATH: process.env.PATH, ...env }, timeoutMs: 20_000, ...extra }));
}

/** Runs the check through `env -i` with the container's environment; the settings' env says something else entirely. */
function inside(env: Record<string, string>, wrapper = '') {
  const vars = Object.entries({ PATH: '/usr/bin:/bin', ...env })
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const exec = `${wrapper}env -i ${vars}`.trim();
  return check.run(makeContext({ exec, env: { AIGW_GITLAB_URL: 'https://wrong.invalid', SSL_CERT_FILE: '/nonexistent.pem' }, timeoutMs: 20_000 }));
}

describe.skipIf(!pythonHere)('gateway-trusts-gitlab', () => {
  it('passes with the right bundle, naming the bundle and where Python ran', async () => {
    const outcome = await local({ AIGW_GITLAB_URL: stack.gitlabUrl, SSL_CERT_FILE: files.good, REQUESTS_CA_BUNDLE: files.good });
    expect(outcome.status).toBe('pass');
    expect(outcome.summary).toMatch(/^Python 3\.\d+\.\d+ on this host verifies GitLab's certificate at 127\.0\.0\.1:\d+ with REQUESTS_CA_BUNDLE=/);
  });

  it("fails with Python's PEM lib verbatim for one malformed block, naming the block and Node's different behaviour", async () => {
    const outcome = await local({ AIGW_GITLAB_URL: stack.gitlabUrl, SSL_CERT_FILE: files.malformed, REQUESTS_CA_BUNDLE: files.malformed });
    expect(outcome.status).toBe('fail');
    expect(outcome.summary).toMatch(
      /^Python cannot load REQUESTS_CA_BUNDLE=.*malformed\.pem: \[X509\] PEM lib \(_ssl\.c:\d+\) — block 1 \(line 1, CERTIFICATE\) is malformed: /,
    );
    expect(outcome.details?.join('\n')).toContain('Node silently drops that block');
    expect(outcome.remediation).toContain('REQUESTS_CA_BUNDLE');
  });

  it('fails with CERTIFICATE_VERIFY_FAILED verbatim without a bundle, and says the private root is missing', async () => {
    const outcome = await local({ AIGW_GITLAB_URL: stack.gitlabUrl });
    expect(outcome.status).toBe('fail');
    expect(outcome.summary).toMatch(
      /does not trust GitLab at 127\.0\.0\.1:\d+: .*\[SSL: CERTIFICATE_VERIFY_FAILED\] certificate verify failed: unable to get local issuer certificate \(_ssl\.c:\d+\)/,
    );
    expect(outcome.details?.join('\n')).toMatch(/duo-doctor's analysis \(.*\): .*issued by "duo-doctor reference root CA"/);
    expect(outcome.remediation).toContain('REQUESTS_CA_BUNDLE');
  });

  it('fails with NO_CERTIFICATE_OR_CRL_FOUND for an empty bundle', async () => {
    const outcome = await local({ AIGW_GITLAB_URL: stack.gitlabUrl, REQUESTS_CA_BUNDLE: files.empty });
    expect(outcome.status).toBe('fail');
    expect(outcome.summary).toMatch(/REQUESTS_CA_BUNDLE=.*empty\.pem: \[X509: NO_CERTIFICATE_OR_CRL_FOUND\] no certificate or crl found/);
  });

  it('fails when the right bundle is named only in SSL_CERT_FILE, which Python requests never reads', async () => {
    const outcome = await local({ AIGW_GITLAB_URL: stack.gitlabUrl, SSL_CERT_FILE: files.good });
    expect(outcome.status).toBe('fail');
    expect(outcome.findings?.map((f) => f.id)).toEqual(['untrusted']);
    expect(outcome.summary).toMatch(/CERTIFICATE_VERIFY_FAILED.*SSL_CERT_FILE names a bundle, but Python requests never reads SSL_CERT_FILE/);
    expect(outcome.remediation).toMatch(/REQUESTS_CA_BUNDLE/);
  });

  it('fails for a bundle that does not exist, saying duo-doctor cannot read it there either', async () => {
    const outcome = await local({ AIGW_GITLAB_URL: stack.gitlabUrl, REQUESTS_CA_BUNDLE: path.join(scratch.path, 'missing.pem') });
    expect(outcome.status).toBe('fail');
    expect(outcome.summary).toContain('[Errno 2] No such file or directory');
    expect(outcome.details?.join('\n')).toMatch(/cannot be read on this host either \(ENOENT/);
    expect(outcome.remediation).toMatch(/Mount the bundle/);
  });

  it("reads the container's environment and bundle under --exec, not this process's", async () => {
    const pass = await inside({ AIGW_GITLAB_URL: stack.gitlabUrl, REQUESTS_CA_BUNDLE: files.good });
    expect(pass.status).toBe('pass');
    expect(pass.summary).toContain(`inside env -i PATH=/usr/bin:/bin AIGW_GITLAB_URL=${stack.gitlabUrl}`);
    const bad = await inside({ AIGW_GITLAB_URL: stack.gitlabUrl, REQUESTS_CA_BUNDLE: files.malformed });
    expect(bad.status).toBe('fail');
    expect(bad.summary).toMatch(/\[X509\] PEM lib .* block 1 \(line 1, CERTIFICATE\) is malformed/);
    expect(bad.details?.join('\n')).toContain(`duo-doctor's analysis of ${files.malformed} as read inside env -i`);
  });

  it.skipIf(!setprivOk)("fails when the gateway's user cannot read the bundle, read as that user", async () => {
    const outcome = await inside({ AIGW_GITLAB_URL: stack.gitlabUrl, REQUESTS_CA_BUNDLE: files.unreadable }, `${NOBODY} `);
    expect(outcome.status).toBe('fail');
    expect(outcome.summary).toContain('[Errno 13] Permission denied');
    expect(outcome.details?.join('\n')).toMatch(/cannot be read inside setpriv .* either \(cat: .*Permission denied\)/);
    expect(outcome.remediation).toMatch(/readable by the gateway's user/);
  });

  it.each([
    // Another AIGW_* variable makes this environment the gateway's, without AIGW_GITLAB_URL.
    ['AIGW_GITLAB_URL is unset', () => local({ AIGW_CUSTOM_MODELS__ENABLED: 'true' }), /^AIGW_GITLAB_URL is not set in the environment on this host/],
    [
      "this host is not the gateway's (no AIGW_*, no --exec)",
      () => local({ REQUESTS_CA_BUNDLE: files.good }),
      /^not judged: this host \(.*\) is not where the gateway runs/,
    ],
    ['GitLab is plain http', () => local({ AIGW_GITLAB_URL: http.url }), /plain http, no TLS between the gateway and GitLab to judge$/],
    [
      'python3 is absent inside',
      () => check.run(makeContext({ exec: `env -i PATH=${shOnly}` })),
      /^python3 not found inside env -i PATH=.*: cannot reproduce the gateway's own TLS verdict$/,
    ],
  ])('skips when %s', async (_name, run, summary) => {
    const outcome = await run();
    expect(outcome.status).toBe('skip');
    expect(outcome.summary).toMatch(summary);
  });
});
