// ca-bundle: every bundle fixture, the two variables' agreement (read where the gateway runs), the distribution's own bundle, and
// the skips: nothing configured, or this host's variables that are not the gateway's.
import { existsSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import check, { judge, type Facts } from '../../checks/ca-bundle.js';
import type { BundleVariable } from '../../src/judge/ca-bundle.js';
import { bundleFromText } from '../../src/probes/trust.js';
import { bundleFacts } from '../../src/tls/bundle-facts.js';
import type { Settings } from '../../src/config/settings.js';
import type { BundleKind, TlsFixtures } from '../../scripts/fixtures.js';
import { makeContext } from '../helpers/context.js';
import { useTlsFixtures } from '../tls/fixtures.js';
import { renderings, type RenderCase } from '../helpers/renderings.js';
import { CA_A, CA_B, LEAF_A, NOW } from '../helpers/static-certs.js';

const fixtures = useTlsFixtures();

/** Line of the n-th BEGIN (1-based) in a fixture file. */
function beginLine(file: string, n: number): number {
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  return lines.map((l, i) => (l.startsWith('-----BEGIN ') ? i + 1 : 0)).filter(Boolean)[n - 1] ?? -1;
}

async function runWith(settings: (f: TlsFixtures) => Partial<Settings>) {
  return check.run(makeContext(settings(fixtures())));
}

describe('ca-bundle on one bundle given as --ca-file', () => {
  const cases: { kind: BundleKind; status: string; says: RegExp; fix?: RegExp }[] = [
    { kind: 'good', status: 'pass', says: /^1 CA certificate in .*bundle-good\.pem \(--ca-file\): all load, none expired$/ },
    { kind: 'withIntermediate', status: 'pass', says: /2 CA certificate/ },
    { kind: 'garbageBetween', status: 'pass', says: /2 CA certificate/ },
    { kind: 'crlf', status: 'pass', says: /2 CA certificate/ },
    { kind: 'bom', status: 'pass', says: /1 CA certificate/ },
    { kind: 'duplicate', status: 'pass', says: /3 CA certificate/ },
    {
      kind: 'truncated',
      status: 'fail',
      says: /block 2 \(line LINE2, CERTIFICATE\) does not parse: .*Python's ssl \(the gateway\) rejects the WHOLE file .*\[X509\] PEM lib/,
      fix: /Remove or replace block 2/,
    },
    { kind: 'missingEnd', status: 'fail', says: /block 2 \(line LINE2, CERTIFICATE\) does not parse: no END line/, fix: /openssl x509 -noout/ },
    { kind: 'badBase64', status: 'fail', says: /block 2 \(line LINE2, CERTIFICATE\) does not parse: invalid base64 character "-"/ },
    { kind: 'nestedBegin', status: 'fail', says: /block 1 \(line LINE1, CERTIFICATE\) does not parse: no END line before the next BEGIN/ },
    { kind: 'der', status: 'fail', says: /binary, not PEM.*NO_CERTIFICATE_OR_CRL_FOUND/, fix: /openssl x509 -inform der/ },
    { kind: 'empty', status: 'fail', says: /the file is empty.*NO_CERTIFICATE_OR_CRL_FOUND/ },
    { kind: 'privateKey', status: 'fail', says: /block 2 \(line LINE2, PRIVATE KEY\) is a private key: .*leaks a secret/, fix: /rotate it/ },
    {
      kind: 'leafInside',
      status: 'warn',
      says: /block 2 \(line LINE2, CERTIFICATE\), "gitlab.test" \(SHA-256 [0-9A-F:]{11}\) is a server certificate, not a CA/,
      fix: /root CA that issued/,
    },
    { kind: 'expiredCa', status: 'warn', says: /"duo-doctor fixtures expired root CA" .* expired on/, fix: /renewed/ },
    { kind: 'onlyExpired', status: 'fail', says: /expired on .* and the bundle holds no valid certificate/ },
  ];

  it.each(cases)('$kind: $status', async ({ kind, status, says, fix }) => {
    const file = fixtures().bundles[kind];
    const outcome = await runWith(() => ({ caFile: file }));
    expect(outcome.status).toBe(status);
    const expected = new RegExp(says.source.replace('LINE1', String(beginLine(file, 1))).replace('LINE2', String(beginLine(file, 2))));
    expect(outcome.summary).toMatch(expected);
    if (status !== 'pass') expect(outcome.summary).toMatch(/^--ca-file: /);
    if (fix) expect(outcome.remediation).toMatch(fix);
    else if (status === 'pass') expect(outcome.remediation).toBeUndefined();
  });

  it('notes duplicates without failing', async () => {
    const outcome = await runWith((f) => ({ caFile: f.bundles.duplicate }));
    expect(outcome.findings).toEqual([
      { id: 'allLoad', status: 'pass' },
      { id: 'duplicate', status: 'pass' },
    ]);
    expect(outcome.details).toContainEqual(
      expect.stringMatching(/^✔ .*block 3 \(line \d+, CERTIFICATE\), "duo-doctor fixtures root CA" .* repeats block 1$/),
    );
  });

  it('puts per-bundle counts in evidence', async () => {
    const f = fixtures();
    const outcome = await runWith(() => ({ caFile: f.bundles.truncated }));
    expect(outcome.evidence).toEqual({
      bundles: [
        expect.objectContaining({
          file: f.bundles.truncated,
          variables: ['--ca-file'],
          blocks: 2,
          certificates: 1,
          badBlocks: [expect.objectContaining({ index: 2, label: 'CERTIFICATE' })],
        }),
      ],
    });
  });

  it.each([
    ['a missing file', () => '/nonexistent/ca.pem', /the file does not exist/, /Mount the bundle/],
    ['a directory', () => fixtures().dir, /it is a directory/, /not at a directory/],
  ])('fails on %s', async (_, file, says, fix) => {
    const outcome = await runWith(() => ({ caFile: file() }));
    expect(outcome.status).toBe('fail');
    expect(outcome.summary).toMatch(says);
    expect(outcome.remediation).toMatch(fix);
  });
});

/** This host is the gateway's: its environment holds the gateway's AIGW_* variables. */
const AT_GATEWAY = { AIGW_GITLAB_URL: 'https://gitlab.example' };

describe('ca-bundle and the two gateway variables', () => {
  it("skips when nothing is configured on the gateway's host", async () => {
    const outcome = await runWith(() => ({ env: AT_GATEWAY }));
    expect(outcome).toMatchObject({ status: 'skip', summary: expect.stringMatching(/no CA bundle configured.*the gateway uses its system roots/) });
  });

  it("does not judge this host's own variables when it is not the gateway's: it says how to judge the gateway's bundle", async () => {
    const outcome = await runWith((f) => ({ env: { SSL_CERT_FILE: f.bundles.missingEnd } }));
    expect(outcome.findings).toEqual([{ id: 'noBundle', status: 'skip' }]);
    expect(outcome.summary).toMatch(/give the gateway's bundle with --ca-file/);
    expect(outcome.details?.join('\n')).toContain('--exec "docker exec <container>"');
  });

  it("judges the gateway's bundle the user gives with --ca-file on such a host, and not this host's variables", async () => {
    const outcome = await runWith((f) => ({ caFile: f.bundles.good, env: { SSL_CERT_FILE: f.bundles.missingEnd } }));
    expect(outcome.findings).toEqual([{ id: 'allLoad', status: 'pass' }]);
    expect(outcome.details).toContainEqual(expect.stringMatching(/^SSL_CERT_FILE of this host: not judged/));
  });

  it.skipIf(!existsSync('/etc/ssl/certs/ca-certificates.crt'))(
    "passes the distribution's own bundle on a clean machine (--strict stays green)",
    async () => {
      const bundle = '/etc/ssl/certs/ca-certificates.crt';
      const outcome = await runWith(() => ({ env: { ...AT_GATEWAY, SSL_CERT_FILE: bundle, REQUESTS_CA_BUNDLE: bundle } }));
      expect(outcome.status).toBe('pass');
      expect(outcome.findings?.every((f) => f.status === 'pass')).toBe(true);
    },
  );

  it('passes when both name the same file (read once)', async () => {
    const f = fixtures();
    const ctx = makeContext({ env: { ...AT_GATEWAY, SSL_CERT_FILE: f.bundles.good, REQUESTS_CA_BUNDLE: f.bundles.good } });
    const outcome = await check.run(ctx);
    expect(outcome.findings).toEqual([
      { id: 'allLoad', status: 'pass' },
      { id: 'sameFile', status: 'pass' },
    ]);
    expect(outcome.summary).toMatch(/\(SSL_CERT_FILE, REQUESTS_CA_BUNDLE\)/);
    expect(ctx.memoKeys).toEqual([`bundle:${f.bundles.good}`]);
  });

  it('passes when they name different files with the same certificates', async () => {
    const outcome = await runWith((f) => ({ env: { ...AT_GATEWAY, SSL_CERT_FILE: f.bundles.good, REQUESTS_CA_BUNDLE: f.bundles.bom } }));
    expect(outcome.findings).toEqual([
      { id: 'allLoad', status: 'pass' },
      { id: 'sameCertificates', status: 'pass' },
    ]);
  });

  it('warns when they hold different certificates, naming them', async () => {
    const outcome = await runWith((f) => ({ env: { ...AT_GATEWAY, SSL_CERT_FILE: f.bundles.good, REQUESTS_CA_BUNDLE: f.bundles.withIntermediate } }));
    expect(outcome.status).toBe('warn');
    expect(outcome.summary).toMatch(/hold different certificates \(only in REQUESTS_CA_BUNDLE: "duo-doctor fixtures intermediate CA" \(SHA-256/);
    expect(outcome.remediation).toMatch(/Set both SSL_CERT_FILE and REQUESTS_CA_BUNDLE to the same bundle/);
  });

  it.each([
    ['SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE'],
    ['REQUESTS_CA_BUNDLE', 'SSL_CERT_FILE'],
  ])('warns when only %s is set', async (set, unset) => {
    const outcome = await runWith((f) => ({ env: { ...AT_GATEWAY, [set]: f.bundles.good } }));
    expect(outcome.status).toBe('warn');
    expect(outcome.summary).toBe(
      `only ${set} is set: ${unset} is not, so the gateway's HTTP library that reads ${unset} still trusts only its own default roots`,
    );
    expect(outcome.remediation).toMatch(/install guide says set both/);
  });

  it('reports every bundle: a broken REQUESTS_CA_BUNDLE fails even when --ca-file is fine', async () => {
    const outcome = await runWith((f) => ({
      caFile: f.bundles.good,
      env: { ...AT_GATEWAY, REQUESTS_CA_BUNDLE: f.bundles.missingEnd, SSL_CERT_FILE: f.bundles.missingEnd },
    }));
    expect(outcome.status).toBe('fail');
    expect(outcome.summary).toMatch(/^SSL_CERT_FILE, REQUESTS_CA_BUNDLE: .*bundle-missingEnd\.pem: block 2/);
    expect((outcome.evidence?.['bundles'] as unknown[]).length).toBe(2);
  });
});

describe('ca-bundle renderings', () => {
  const bundle = (file: string, variables: BundleVariable[], ...pems: string[]) => bundleFacts(bundleFromText(file, pems.join('')), variables);
  const at = (f: Partial<Facts>): Facts => ({ place: 'exec', bundles: [], ignored: [], now: NOW, expiryWarnDays: 30, ...f });
  const SSL = '/certs/ssl.pem';
  const REQ = '/certs/requests.pem';
  const both = (ssl: string, requests: string) => ({ SSL_CERT_FILE: ssl, REQUESTS_CA_BUNDLE: requests });
  const cases: RenderCase<Facts>[] = [
    { name: 'nothing configured where the gateway runs', facts: at({}) },
    { name: 'this host is not the gateway', facts: at({ place: 'elsewhere', ignored: ['SSL_CERT_FILE'] }) },
    {
      name: '--ca-file only, this host not the gateway',
      facts: at({ place: 'elsewhere', bundles: [bundle('/tmp/ca.pem', ['--ca-file'], CA_A)], ignored: ['SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE'] }),
    },
    {
      name: 'both variables, one file',
      facts: at({ bundles: [bundle(SSL, ['SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE'], CA_A, CA_B)], gatewayVariables: both(SSL, SSL) }),
    },
    {
      name: 'two files, the same certificates',
      facts: at({
        bundles: [bundle(SSL, ['SSL_CERT_FILE'], CA_A, CA_B), bundle(REQ, ['REQUESTS_CA_BUNDLE'], CA_B, CA_A)],
        gatewayVariables: both(SSL, REQ),
      }),
    },
    {
      name: 'two files, each with its own',
      facts: at({ bundles: [bundle(SSL, ['SSL_CERT_FILE'], CA_A), bundle(REQ, ['REQUESTS_CA_BUNDLE'], CA_B)], gatewayVariables: both(SSL, REQ) }),
    },
    {
      name: 'two files, one more in SSL_CERT_FILE',
      facts: at({
        bundles: [bundle(SSL, ['SSL_CERT_FILE'], CA_A, CA_B), bundle(REQ, ['REQUESTS_CA_BUNDLE'], CA_A)],
        gatewayVariables: both(SSL, REQ),
      }),
    },
    {
      name: 'two files, one more in REQUESTS_CA_BUNDLE (read first)',
      facts: at({
        bundles: [bundle(REQ, ['REQUESTS_CA_BUNDLE'], CA_A, CA_B), bundle(SSL, ['SSL_CERT_FILE'], CA_A)],
        gatewayVariables: both(SSL, REQ),
      }),
    },
    { name: 'only SSL_CERT_FILE', facts: at({ bundles: [bundle(SSL, ['SSL_CERT_FILE'], CA_A)], gatewayVariables: { SSL_CERT_FILE: SSL } }) },
    {
      name: 'only REQUESTS_CA_BUNDLE',
      facts: at({ bundles: [bundle(REQ, ['REQUESTS_CA_BUNDLE'], CA_A)], gatewayVariables: { REQUESTS_CA_BUNDLE: REQ } }),
    },
    {
      name: 'neither variable, --ca-file given',
      facts: at({ place: 'gateway-env', bundles: [bundle('/tmp/ca.pem', ['--ca-file'], CA_A)], gatewayVariables: {} }),
    },
    { name: 'a variable whose file was not read', facts: at({ bundles: [bundle(SSL, ['SSL_CERT_FILE'], CA_A)], gatewayVariables: both(SSL, REQ) }) },
    {
      name: 'a server certificate among the CAs',
      facts: at({ bundles: [bundle(SSL, ['SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE'], CA_A, LEAF_A)], gatewayVariables: both(SSL, SSL) }),
    },
    { name: 'every CA expired', facts: at({ now: Date.parse('2037-01-01T00:00:00Z'), bundles: [bundle('/tmp/ca.pem', ['--ca-file'], CA_A)] }) },
    {
      name: 'a missing file',
      facts: at({
        bundles: [
          {
            file: REQ,
            variables: ['REQUESTS_CA_BUNDLE'],
            readError: { code: 'ENOENT', message: 'the file does not exist' },
            blocks: [],
            problems: [],
          },
        ],
        gatewayVariables: { REQUESTS_CA_BUNDLE: REQ },
      }),
    },
  ];
  it('renders every case as pinned, reaching every message of its own', async () => {
    // The bundle audit's messages (src/judge/ca-bundle.ts) are pinned by its own tests; these cases reach the check's.
    const own = ['noBundle', 'allLoad', 'variablesUnset', 'onlyOneVariable', 'sameFile', 'sameCertificates', 'variablesDiffer'];
    const { text, unreached } = renderings(check, cases);
    expect(unreached.filter((id) => own.includes(id))).toEqual([]);
    await expect(text).toMatchFileSnapshot('__renderings__/ca-bundle.txt');
  });
  it('judges no bundle as a skip whatever else is known', () => {
    expect(judge(at({ gatewayVariables: both(SSL, REQ) })).findings.map((f) => f.id)).toEqual(['noBundle']);
  });
});
