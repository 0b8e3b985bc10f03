// The endpoint judges of gitlab-tls and gateway-tls over recorded facts (the fixture chains as PEM strings): finding ids for each
// trust basis, the self-signed certificate trusted explicitly, the handshake that failed, and URLs without TLS.
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { judge as judgeGatewayTls, type Facts as GatewayTlsFacts } from '../../checks/gateway-tls.js';
import { judge as judgeGitlabTls, type Facts as GitlabTlsFacts, type TrustBasis } from '../../checks/gitlab-tls.js';
import type { EndpointFacts, TrustFacts } from '../../src/judge/tls-endpoint.js';
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
