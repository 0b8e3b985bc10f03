// The endpoint judges of gitlab-tls and gateway-tls over recorded facts (the fixture chains as PEM strings): finding ids for each
// trust basis, the self-signed certificate trusted explicitly, the handshake that failed, and URLs without TLS.
import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { judge as judgeGatewayTls, type Facts as GatewayTlsFacts } from '../../checks/gateway-tls.js';
import { judge as judgeGitlabTls, type Facts as GitlabTlsFacts, type TrustBasis } from '../../checks/gitlab-tls.js';
import type { Message } from '../../src/check.js';
import type { Verdict } from '../../src/judge/tls-chain.js';
import {
  describeTrust,
  endpointMessages,
  judgeEndpoint,
  type EndpointFacts,
  type TrustFacts,
  type TrustingClient,
} from '../../src/judge/tls-endpoint.js';
import { describeCertificate } from '../../src/pki/certificate.js';
import type { TlsFacts } from '../../src/probes/tls.js';
import type { ServedFixture, TlsFixtures } from '../../scripts/fixtures.js';
import { useTlsFixtures } from '../tls/fixtures.js';

const fixtures = useTlsFixtures();
const certs = (pem: string) => pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
const ENDPOINT = { scheme: 'https' as const, host: '127.0.0.1', port: 8443 };

function handshake(served: ServedFixture): TlsFacts {
  return {
    host: '127.0.0.1',
    port: 8443,
    ok: true,
    protocol: 'TLSv1.3',
    chain: certs(served.chainPem).map((p) => describeCertificate(new X509Certificate(p))),
    handshakeMs: 2,
  };
}
const bundle = (pems: string[]): TrustFacts => ({
  source: { kind: 'REQUESTS_CA_BUNDLE', file: '/certs/ca.pem' },
  certificates: pems,
  systemRoots: false,
  problems: [],
});
const SYSTEM: TrustFacts = { source: { kind: 'system' }, certificates: [], systemRoots: true, problems: [] };
const caFile = (pems: string[]): TrustFacts => ({
  source: { kind: '--ca-file', file: '/tmp/ca.pem' },
  certificates: pems,
  systemRoots: true,
  problems: [],
});

function endpoint(served: (f: TlsFixtures) => ServedFixture, trust: (f: TlsFixtures) => TrustFacts): EndpointFacts {
  const f = fixtures();
  return { url: 'https://127.0.0.1:8443', endpoint: ENDPOINT, handshake: handshake(served(f)), trust: trust(f), now: Date.now(), expiryWarnDays: 30 };
}
const gitlab = (served: (f: TlsFixtures) => ServedFixture, trust: (f: TlsFixtures) => TrustFacts, basis: TrustBasis): GitlabTlsFacts => ({
  ...endpoint(served, trust),
  basis,
  ignored: [],
});

describe('gitlab-tls judge', () => {
  it.each([
    [
      "the gateway's bundle holds the private root",
      () =>
        gitlab(
          (f) => f.served.valid,
          (f) => bundle([f.root.certPem]),
          'gateway',
        ),
      ['trusted'],
    ],
    [
      'the gateway sets no bundle: its default roots lack the private root',
      () =>
        gitlab(
          (f) => f.served.valid,
          () => SYSTEM,
          'gateway',
        ),
      ['untrustedRoot'],
    ],
    [
      "not the gateway's host, nothing described: unknown, not judged",
      () =>
        gitlab(
          (f) => f.served.valid,
          () => SYSTEM,
          'unknown',
        ),
      ['gatewayTrustUnknown'],
    ],
    [
      "not the gateway's host, but an expired certificate is still judged",
      () =>
        gitlab(
          (f) => f.served.expired,
          () => SYSTEM,
          'unknown',
        ),
      ['gatewayTrustUnknown', 'expired'],
    ],
    [
      "--ca-file describes the gateway's bundle",
      () =>
        gitlab(
          (f) => f.served.valid,
          (f) => bundle([f.root.certPem]),
          'described',
        ),
      ['trusted'],
    ],
    [
      "a self-signed GitLab certificate, even in the gateway's bundle (ai-assist issue 799)",
      () =>
        gitlab(
          (f) => f.served.selfSigned,
          (f) => bundle([f.served.selfSigned.leaf.certPem]),
          'gateway',
        ),
      ['selfSignedLeaf'],
    ],
    [
      'missing intermediate',
      () =>
        gitlab(
          (f) => f.served.missingIntermediate,
          (f) => bundle([f.root.certPem]),
          'gateway',
        ),
      ['missingIntermediate'],
    ],
    [
      'the handshake failed',
      (): GitlabTlsFacts => ({
        ...gitlab(
          (f) => f.served.valid,
          () => SYSTEM,
          'gateway',
        ),
        handshake: { host: '127.0.0.1', port: 8443, ok: false, failure: { kind: 'refused' as const, message: 'refused' }, chain: [], handshakeMs: 1 },
      }),
      ['handshakeFailed'],
    ],
    [
      'plain http',
      () =>
        ({
          url: 'http://gitlab.test',
          endpoint: { scheme: 'http', host: 'gitlab.test', port: 80 },
          now: 0,
          expiryWarnDays: 30,
          basis: 'gateway',
          ignored: [],
        }) as GitlabTlsFacts,
      ['plainHttp'],
    ],
    [
      'not a URL',
      () =>
        ({ url: 'x', endpoint: { problem: 'x is not a valid URL' }, now: 0, expiryWarnDays: 30, basis: 'gateway', ignored: [] }) as GitlabTlsFacts,
      ['badUrl'],
    ],
  ])('%s → %j', (_name, facts, ids) => {
    expect(judgeGitlabTls(facts()).findings.map((f) => f.id)).toEqual(ids);
  });
});

describe('gateway-tls judge', () => {
  it.each([
    [
      'a private root given with --ca-file',
      () =>
        endpoint(
          (f) => f.served.valid,
          (f) => caFile([f.root.certPem]),
        ),
      ['trusted'],
    ],
    [
      'a self-signed front given with --ca-file: trusted, as gateway-reachable says',
      () =>
        endpoint(
          (f) => f.served.selfSigned,
          (f) => caFile([f.served.selfSigned.leaf.certPem]),
        ),
      ['selfSignedTrusted'],
    ],
    [
      'a self-signed front nobody trusts',
      () =>
        endpoint(
          (f) => f.served.selfSigned,
          (f) => caFile([f.root.certPem]),
        ),
      ['selfSignedLeaf'],
    ],
    ['no gateway URL', () => ({ noUrl: 'no --gateway-url' }) as GatewayTlsFacts, ['noGatewayUrl']],
  ])('%s → %j', (_name, facts, ids) => {
    expect(judgeGatewayTls(facts()).findings.map((f) => f.id)).toEqual(ids);
  });

  it('still fails a trusted self-signed certificate that does not name the host', () => {
    const facts = endpoint(
      (f) => f.served.selfSigned,
      (f) => caFile([f.served.selfSigned.leaf.certPem]),
    ) as EndpointFacts & { handshake: TlsFacts };
    const elsewhere = { ...facts, handshake: { ...facts.handshake, host: 'aigw.example.com' } };
    expect(judgeGatewayTls(elsewhere).findings.map((f) => f.id)).toEqual(['selfSignedTrusted', 'hostnameMismatch']);
  });
});

describe('endpointMessages, every text and fix for each side (pinned in __renderings__/tls-endpoint-messages.txt)', () => {
  const cert = { subject: 'CN=Corp Root', name: 'Corp Root', fingerprint256: 'AA:BB:CC:DD:EE:FF' };
  const verdict = (extra: Partial<Verdict> = {}): Verdict => ({ id: 'expired', message: 'the chain says so', ...extra });
  const chain = (v: Verdict, bundleOnly = false) => ({
    server: 'GitLab',
    verdict: v,
    trust: 'REQUESTS_CA_BUNDLE (/certs/ca.pem)',
    bundleOnly,
  });
  /** Each message with the data variants its fix branches on. */
  const samples: [string, unknown][] = [
    ['trusted', { server: 'GitLab', endpoint: 'gitlab.example.com:443', anchor: '"Corp Root"', expires: '2030-01-01' }],
    ['plainHttp', { server: 'GitLab', url: 'http://gitlab.example.com' }],
    ['notProbed', { server: 'GitLab', url: 'https://gitlab.example.com' }],
    ['badUrl', { problem: 'no host in the URL' }],
    ...['refused', 'dns', 'unreachable', 'timeout', 'not-tls', 'reset', undefined].map((kind): [string, unknown] => [
      'handshakeFailed',
      { message: `failed (${kind})`, endpoint: 'g:443', server: 'GitLab', ...(kind ? { kind } : {}) },
    ]),
    ['noCertificate', chain(verdict())],
    ['selfSignedLeaf', chain(verdict())],
    ['untrustedRoot', chain(verdict({ certificate: cert }))],
    ['untrustedRoot', chain(verdict({ issuer: 'Corp Issuing CA' }))],
    ['untrustedRoot', chain(verdict({}))],
    ['untrustedRoot', chain(verdict({ issuer: 'DigiCert Global Root G2', publicRoot: true }), true)],
    ['untrustedRoot', chain(verdict({ issuer: 'DigiCert Global Root G2', publicRoot: true }), false)],
    ['untrustedRoot', chain(verdict({ issuer: 'Corp', publicRoot: false }), true)],
    ['missingIntermediate', chain(verdict({ issuer: 'Corp Issuing CA' }))],
    ['intermediateNotSent', chain(verdict({}))],
    ['expired', chain(verdict({ certificate: cert }))],
    ['expired', chain(verdict({}))],
    ['expiredUnused', chain(verdict({ certificate: cert }))],
    ['notYetValid', chain(verdict({ certificate: cert, date: '2031-01-01' }))],
    ['notYetValid', chain(verdict({}))],
    ['notYetValidUnused', chain(verdict({ date: '2031-01-01' }))],
    ['notYetValidUnused', chain(verdict({}))],
    ['expiring', chain(verdict({ certificate: cert, date: '2026-12-24' }))],
    ['expiring', chain(verdict({}))],
    ['hostnameMismatch', chain(verdict({ host: 'gitlab.example.com' }))],
    ['hostnameMismatch', chain(verdict({ host: '10.0.0.5' }))],
    ['hostnameMismatch', chain(verdict({ host: '::1' }))],
    ['hostnameMismatch', chain(verdict({}))],
    ['weakSignature', chain(verdict({ certificate: cert }))],
    ['weakKey', chain(verdict({ certificate: cert }))],
  ];

  it('renders them all, and every message has a sample', async () => {
    const out: string[] = [];
    for (const client of ['gateway', 'gitlab'] as TrustingClient[]) {
      const messages = endpointMessages(client) as Record<string, Message<unknown>>;
      expect(Object.keys(messages).filter((id) => !samples.some(([s]) => s === id))).toEqual([]);
      for (const [id, data] of samples) {
        const m = messages[id]!;
        const fix = typeof m.fix === 'function' ? m.fix(data) : m.fix;
        out.push(`## ${client} ${id} ${JSON.stringify(data)}`, `status: ${m.status}`, `text: ${m.text(data)}`, ...(fix ? [`fix: ${fix}`] : []), '');
      }
    }
    await expect(out.join('\n')).toMatchFileSnapshot(fileURLToPath(new URL('./__renderings__/tls-endpoint-messages.txt', import.meta.url)));
  });

  it.each([
    [{ kind: 'system' }, false, "the system roots (Node's Mozilla list, as certifi ships it)"],
    [{ kind: 'system' }, true, "the system roots (Node's Mozilla list, as certifi ships it)"],
    [{ kind: 'SSL_CERT_FILE', file: '/certs/ca.pem' }, false, 'SSL_CERT_FILE (/certs/ca.pem)'],
    [{ kind: '--ca-file', file: '/certs/ca.pem' }, true, 'the system roots plus --ca-file (/certs/ca.pem)'],
    [{ kind: 'REQUESTS_CA_BUNDLE' }, false, 'REQUESTS_CA_BUNDLE (?)'],
  ] as [TrustFacts['source'], boolean, string][])('describeTrust %j, system roots %s', (source, systemRoots, want) => {
    expect(describeTrust({ source, systemRoots })).toBe(want);
  });
});

describe('judgeEndpoint: details and evidence', () => {
  it('a trusted chain: the ok line, the handshake, the trust used; the chain as evidence', () => {
    const facts = endpoint(
      (f) => f.served.valid,
      (f) => ({ ...bundle([f.root.certPem]), problems: ['block 3: not a certificate'] }),
    );
    const j = judgeEndpoint(facts, 'GitLab', 'gateway');
    expect(j.findings.map((f) => f.id)).toEqual(['trusted']);
    expect(j.findings[0]!.data).toEqual({
      server: 'GitLab',
      endpoint: '127.0.0.1:8443',
      anchor: expect.stringMatching(/^"duo-doctor fixtures root CA" \(SHA-256 /),
      expires: facts.handshake!.chain[0]!.notAfter,
    });
    expect(j.details).toEqual([
      expect.stringMatching(/^ok: /),
      expect.stringMatching(/^handshake: TLSv1\.3 in 2 ms; the server sent 2 certificates: gitlab\.test → duo-doctor fixtures intermediate CA$/),
      'trust: as the gateway would, REQUESTS_CA_BUNDLE (/certs/ca.pem) (1 certificate)',
      'trust problem: block 3: not a certificate',
    ]);
    expect(j.evidence).toEqual({
      endpoint: '127.0.0.1:8443',
      protocol: 'TLSv1.3',
      handshakeMs: 2,
      trust: { source: 'REQUESTS_CA_BUNDLE', file: '/certs/ca.pem', certificates: 1 },
      chain: facts.handshake!.chain.map((c) => ({
        subject: c.subject,
        issuer: c.issuer,
        san: c.san,
        notAfter: c.notAfter,
        fingerprint256: c.fingerprint256,
      })),
    });
    expect(j.verdicts.map((v) => v.id)).toEqual(['trusted']);
  });

  it("GitLab's side, with the system roots counted and a cipher named", () => {
    const facts = endpoint(
      (f) => f.served.valid,
      () => SYSTEM,
    );
    facts.handshake = { ...facts.handshake!, cipher: 'TLS_AES_128_GCM_SHA256' };
    const j = judgeEndpoint(facts, 'the gateway', 'gitlab');
    expect(j.details).toContain(
      `trust: as GitLab would, the system roots (Node's Mozilla list, as certifi ships it) (${rootCertificates.length} certificates)`,
    );
    expect(j.details[0]).toMatch(/^handshake: TLSv1\.3 TLS_AES_128_GCM_SHA256 in 2 ms/);
    expect(j.evidence).toMatchObject({ cipher: 'TLS_AES_128_GCM_SHA256', trust: { source: 'system', certificates: rootCertificates.length } });
    expect(j.evidence?.trust).not.toHaveProperty('file');
  });

  it.each([
    [
      'with its failure',
      { message: 'connection refused', kind: 'refused' },
      { message: 'connection refused', endpoint: '127.0.0.1:8443', server: 'GitLab', kind: 'refused' },
    ],
    ['without one', undefined, { message: 'no TLS handshake with 127.0.0.1:8443', endpoint: '127.0.0.1:8443', server: 'GitLab' }],
  ])('a failed handshake %s: its data, the trust lines, no verdicts', (_name, failure, data) => {
    const facts = endpoint(
      (f) => f.served.valid,
      (f) => bundle([f.root.certPem]),
    );
    facts.handshake = { host: '127.0.0.1', port: 8443, ok: false, chain: [], handshakeMs: 5, ...(failure ? { failure } : {}) } as TlsFacts;
    const j = judgeEndpoint(facts, 'GitLab', 'gateway');
    expect(j.findings).toEqual([{ id: 'handshakeFailed', data }]);
    expect(j.details).toEqual(['trust: as the gateway would, REQUESTS_CA_BUNDLE (/certs/ca.pem) (1 certificate)']);
    expect(j.evidence).toEqual({
      endpoint: '127.0.0.1:8443',
      handshakeMs: 5,
      trust: { source: 'REQUESTS_CA_BUNDLE', file: '/certs/ca.pem', certificates: 1 },
      chain: [],
    });
    expect(j.verdicts).toEqual([]);
  });

  it.each([
    ['a URL without an endpoint', { endpoint: { problem: 'no host' } }, { id: 'badUrl', data: { problem: 'no host' } }],
    [
      'plain http',
      { endpoint: { ...ENDPOINT, scheme: 'http' as const } },
      { id: 'plainHttp', data: { server: 'GitLab', url: 'https://127.0.0.1:8443' } },
    ],
    ['no handshake recorded', { handshake: undefined }, { id: 'notProbed', data: { server: 'GitLab', url: 'https://127.0.0.1:8443' } }],
    ['no trust recorded', { trust: undefined }, { id: 'notProbed', data: { server: 'GitLab', url: 'https://127.0.0.1:8443' } }],
  ])('%s: one finding, nothing else', (_name, change, finding) => {
    const facts = {
      ...endpoint(
        (f) => f.served.valid,
        (f) => bundle([f.root.certPem]),
      ),
      ...change,
    } as EndpointFacts;
    expect(judgeEndpoint(facts, 'GitLab', 'gateway')).toEqual({ findings: [finding], details: [], verdicts: [] });
  });

  it('a chain finding carries the trust it was judged with', () => {
    const j = judgeEndpoint(
      endpoint(
        (f) => f.served.valid,
        () => bundle([]),
      ),
      'GitLab',
      'gateway',
    );
    const untrusted = j.findings.find((f) => f.id !== 'trusted')!;
    expect(untrusted.data).toMatchObject({ server: 'GitLab', trust: 'REQUESTS_CA_BUNDLE (/certs/ca.pem)', bundleOnly: true });
    const withSystem = judgeEndpoint(
      endpoint(
        (f) => f.served.valid,
        () => caFile([]),
      ),
      'GitLab',
      'gateway',
    );
    expect(withSystem.findings.find((f) => f.id !== 'trusted')!.data).toMatchObject({ bundleOnly: false });
  });
});
