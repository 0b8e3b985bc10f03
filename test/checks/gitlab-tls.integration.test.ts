// gitlab-tls against real TLS servers on loopback: each served chain judged as the gateway trusts it, with the fix worded for the gateway's CA bundle.
import { afterAll, describe, expect, it } from 'vitest';
import check from '../../checks/gitlab-tls.js';
import type { Settings } from '../../src/config/settings.js';
import { defaultSettings } from '../../src/config/settings.js';
import { issueCertificate } from '../../src/pki/generate.js';
import { runChecks } from '../../src/runner/run.js';
import type { ServedFixture, TlsFixtures } from '../../scripts/fixtures.js';
import { makeContext } from '../helpers/context.js';
import { freePort } from '../helpers/loopback.js';
import { startTlsServer, useTlsFixtures, type CountingTlsServer } from '../tls/fixtures.js';

const fixtures = useTlsFixtures();
const servers: CountingTlsServer[] = [];
afterAll(() => Promise.all(servers.map((s) => s.close())));

async function serve(pick: (f: TlsFixtures) => ServedFixture, ciphers?: string): Promise<number> {
  const served = pick(fixtures());
  const server = await startTlsServer({ cert: served.chainPem, key: served.leaf.keyPem, ...(ciphers ? { ciphers } : {}) });
  servers.push(server);
  return server.port;
}

interface Case {
  name: string;
  pick: (f: TlsFixtures) => ServedFixture;
  ciphers?: string;
  /** Trust settings: which bundle the gateway is given (AT_GATEWAY: this host's environment is the gateway's). */
  trust: (f: TlsFixtures) => Partial<Settings>;
  status: 'pass' | 'warn' | 'fail' | 'skip';
  summary: RegExp;
  fix?: RegExp;
  /** The finding ids, in the judge's order. */
  verdicts: string[];
}

/** This host is the gateway's: its environment holds the gateway's AIGW_* variables. */
const AT_GATEWAY = { AIGW_GITLAB_URL: 'https://gitlab.example' };

const rootAsCaFile = (f: TlsFixtures) => ({ caFile: f.bundles.good });

const cases: Case[] = [
  {
    name: 'valid chain, private root given with --ca-file',
    pick: (f) => f.served.valid,
    trust: rootAsCaFile,
    status: 'pass',
    summary: /^GitLab at 127\.0\.0\.1:\d+ presents a valid chain to "duo-doctor fixtures root CA" \(SHA-256 [0-9A-F:]{11}\); it expires 20/,
    verdicts: ['trusted'],
  },
  {
    name: 'valid chain, root in both gateway variables',
    pick: (f) => f.served.valid,
    trust: (f) => ({ env: { ...AT_GATEWAY, SSL_CERT_FILE: f.bundles.good, REQUESTS_CA_BUNDLE: f.bundles.good } }),
    status: 'pass',
    summary: /presents a valid chain/,
    verdicts: ['trusted'],
  },
  {
    name: 'private CA not in the bundle (the gateway sets none: its default roots)',
    pick: (f) => f.served.valid,
    trust: () => ({ env: AT_GATEWAY }),
    status: 'fail',
    summary:
      /^GitLab: "duo-doctor fixtures intermediate CA" .* is issued by "duo-doctor fixtures root CA", which is neither sent by the server nor in the trust store/,
    fix: /Add the root CA behind "duo-doctor fixtures root CA" .* to the CA bundle named by both SSL_CERT_FILE and REQUESTS_CA_BUNDLE[\s\S]*ai-gateway-helm-chart issue 3/,
    verdicts: ['untrustedRoot'],
  },
  {
    name: 'private root sent by GitLab but missing from the bundle: named by fingerprint',
    pick: (f) => ({ ...f.served.valid, chainPem: f.served.valid.chainPem + f.root.certPem }),
    trust: (f) => ({ env: { ...AT_GATEWAY, REQUESTS_CA_BUNDLE: f.bundles.onlyExpired } }),
    status: 'fail',
    summary: /ends at the root "duo-doctor fixtures root CA" \(SHA-256 [0-9A-F:]{11}\), which the trust store does not hold/,
    fix: /^Add the root CA "duo-doctor fixtures root CA" \(SHA-256 [0-9A-F:]{11}\) to the CA bundle named by both SSL_CERT_FILE and REQUESTS_CA_BUNDLE/,
    verdicts: ['untrustedRoot'],
  },
  {
    name: 'self-signed GitLab certificate',
    pick: (f) => f.served.selfSigned,
    trust: rootAsCaFile,
    status: 'fail',
    summary: /self-signed/,
    fix: /does not support a self-signed GitLab certificate \(ai-assist issue 799: https:\/\/gitlab\.com\/.*\/issues\/799\)\. Issue GitLab's certificate from a private CA instead, and give that CA's root to the gateway in both SSL_CERT_FILE and REQUESTS_CA_BUNDLE/,
    verdicts: ['selfSignedLeaf'],
  },
  {
    name: "private CA on a host that is not the gateway's, no --ca-file: unknown, not judged (this host's variables are not the gateway's)",
    pick: (f) => f.served.valid,
    trust: (f) => ({ env: { SSL_CERT_FILE: f.bundles.good } }),
    status: 'skip',
    summary:
      /which is neither sent by the server nor in the trust store.*depends on its own CA bundle, which is not known on this host: give it with --ca-file/,
    verdicts: ['gatewayTrustUnknown'],
  },
  {
    name: 'missing intermediate',
    pick: (f) => f.served.missingIntermediate,
    trust: rootAsCaFile,
    status: 'fail',
    summary: /sends only its own certificate/,
    fix: /^Serve the full chain: .*ssl_certificate must name fullchain\.pem/,
    verdicts: ['missingIntermediate'],
  },
  {
    name: 'expired',
    pick: (f) => f.served.expired,
    trust: rootAsCaFile,
    status: 'fail',
    summary: /"gitlab\.test" .* expired on/,
    fix: /^Renew "gitlab\.test"/,
    verdicts: ['trusted', 'expired'],
  },
  {
    name: 'not yet valid',
    pick: (f) => f.served.notYetValid,
    trust: rootAsCaFile,
    status: 'fail',
    summary: /is not valid before/,
    fix: /clocks/,
    verdicts: ['trusted', 'notYetValid'],
  },
  {
    name: 'expiring soon',
    pick: (f) => f.served.expiring,
    trust: rootAsCaFile,
    status: 'warn',
    summary: /expires in \d+ day/,
    fix: /^Renew "gitlab\.test" .* before/,
    verdicts: ['trusted', 'expiring'],
  },
  {
    name: 'wrong host',
    pick: (f) => f.served.wrongHost,
    trust: rootAsCaFile,
    status: 'fail',
    summary: /does not cover 127\.0\.0\.1: its subjectAltName lists DNS:wrong\.test/,
    fix: /^Reissue the certificate with a subjectAltName that includes IP:127\.0\.0\.1/,
    verdicts: ['trusted', 'hostnameMismatch'],
  },
  {
    name: 'SHA-1 signature',
    pick: (f) => f.served.sha1,
    ciphers: 'DEFAULT@SECLEVEL=0',
    trust: rootAsCaFile,
    status: 'warn',
    summary: /sha1WithRSAEncryption/,
    fix: /SHA-256/,
    verdicts: ['trusted', 'weakSignature'],
  },
  {
    name: '1024-bit key',
    pick: (f) => f.served.weakKey,
    ciphers: 'DEFAULT@SECLEVEL=0',
    trust: rootAsCaFile,
    status: 'warn',
    summary: /1024-bit RSA key/,
    fix: /2048 bits/,
    verdicts: ['trusted', 'weakKey'],
  },
];

describe('gitlab-tls', () => {
  it.each(cases)('$name: $status', async ({ pick, ciphers, trust, status, summary, fix, verdicts }) => {
    const port = await serve(pick, ciphers);
    const outcome = await check.run(makeContext({ gitlabUrl: `https://127.0.0.1:${port}`, ...trust(fixtures()) }));
    expect(outcome.status).toBe(status);
    expect(outcome.summary).toMatch(summary);
    if (fix) expect(outcome.remediation).toMatch(fix);
    else expect(outcome.remediation).toBeUndefined();
    expect(outcome.findings?.map((x) => x.id)).toEqual(verdicts);
  });

  it('reports every problem: the worst leads, the others follow in details, every fix kept', async () => {
    const f = fixtures();
    const day = 86_400_000;
    const leaf = issueCertificate(
      {
        commonName: 'old.test',
        altNames: ['old.test'],
        notBefore: new Date(Date.now() - 90 * day),
        notAfter: new Date(Date.now() - day),
        keyBits: 1024,
      },
      f.intermediate,
    );
    const port = await serve(() => ({ ...f.served.valid, leaf, chainPem: leaf.certPem + f.intermediate.certPem }), 'DEFAULT@SECLEVEL=0');
    const outcome = await check.run(makeContext({ gitlabUrl: `https://127.0.0.1:${port}`, caFile: f.bundles.good }));
    expect(outcome.status).toBe('fail');
    expect(outcome.summary).toMatch(/^GitLab: "old\.test" .* does not cover 127\.0\.0\.1/);
    expect(outcome.details).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^✗ GitLab: "old\.test" .* expired on/),
        expect.stringMatching(/^⚠ GitLab: "old\.test" .* has a 1024-bit RSA key/),
      ]),
    );
    expect(outcome.remediation?.split('\n')).toEqual([
      expect.stringMatching(/^Reissue the certificate with a subjectAltName/),
      expect.stringMatching(/^Renew "old\.test"/),
      expect.stringMatching(/^Reissue "old\.test" .* 2048 bits/),
    ]);
  });

  it('records the chain as sent with the fields reporters read, and the trust source', async () => {
    const port = await serve((f) => f.served.valid);
    const outcome = await check.run(
      makeContext({ gitlabUrl: `https://127.0.0.1:${port}/`, env: { ...AT_GATEWAY, REQUESTS_CA_BUNDLE: fixtures().bundles.good } }),
    );
    const chain = outcome.evidence?.chain as unknown as Record<string, unknown>[];
    expect(chain).toHaveLength(2);
    expect(Object.keys(chain[0] ?? {}).sort()).toEqual(['fingerprint256', 'issuer', 'notAfter', 'san', 'subject']);
    expect(chain[0]).toMatchObject({ subject: 'CN=gitlab.test, O=duo-doctor fixtures', san: expect.arrayContaining(['IP:127.0.0.1']) });
    expect(outcome.evidence?.['trust']).toEqual({ source: 'REQUESTS_CA_BUNDLE', file: fixtures().bundles.good, certificates: 1 });
    expect(outcome.details).toContainEqual(
      expect.stringMatching(/^trust: as the gateway would, REQUESTS_CA_BUNDLE \(.*bundle-good\.pem\) \(1 certificate\)$/),
    );
  });

  it('says when the bundle itself is broken', async () => {
    const port = await serve((f) => f.served.valid);
    const outcome = await check.run(
      makeContext({ gitlabUrl: `https://127.0.0.1:${port}`, env: { ...AT_GATEWAY, REQUESTS_CA_BUNDLE: fixtures().bundles.missingEnd } }),
    );
    expect(outcome.details).toContainEqual(expect.stringMatching(/^trust problem: .*bundle-missingEnd\.pem: block 2 .*no END line/));
  });

  it('fails with the fix when nothing listens', async () => {
    const port = await freePort();
    const outcome = await check.run(makeContext({ gitlabUrl: `https://127.0.0.1:${port}` }));
    expect(outcome.status).toBe('fail');
    expect(outcome.summary).toMatch(/refused the connection/);
    expect(outcome.remediation).toMatch(/listens on 127\.0\.0\.1:\d+/);
  });

  it("judges the bundle inside the container with --exec, not this host's", async () => {
    const port = await serve((f) => f.served.valid);
    const f = fixtures();
    const outcome = await check.run(
      makeContext({
        gitlabUrl: `https://127.0.0.1:${port}`,
        exec: `env -i PATH=/usr/bin:/bin REQUESTS_CA_BUNDLE=${f.bundles.onlyExpired}`,
        env: { ...AT_GATEWAY, REQUESTS_CA_BUNDLE: f.bundles.good },
      }),
    );
    expect(outcome.findings?.map((x) => x.id)).toEqual(['untrustedRoot']);
    expect(outcome.evidence).toMatchObject({ basis: 'gateway', trust: { source: 'REQUESTS_CA_BUNDLE', file: f.bundles.onlyExpired } });
  });

  it('needs no token: --gitlab-url and --ca-file alone give the full verdict', async () => {
    const port = await serve((f) => f.served.expiring);
    const run = await runChecks(
      [check],
      defaultSettings({ gitlabUrl: `https://127.0.0.1:${port}`, caFile: fixtures().bundles.good, only: ['gitlab-tls'] }),
    );
    expect(run.results[0]).toMatchObject({ id: 'gitlab-tls', status: 'warn' });
  });
});
