// gitlab-tls without a TLS endpoint to judge (in-process; the served chains are in gitlab-tls.integration.test.ts).
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import check, { judge, type Facts, type TrustBasis } from '../../checks/gitlab-tls.js';
import { renderJudgement } from '../../src/check.js';
import type { TrustFacts } from '../../src/judge/tls-endpoint.js';
import { RUN_WHERE_THE_GATEWAY_RUNS } from '../../src/judge/runtime-place.js';
import { describeCertificate } from '../../src/pki/certificate.js';
import { makeContext } from '../helpers/context.js';
import { useTlsFixtures } from '../tls/fixtures.js';

describe('gitlab-tls', () => {
  it('skips a plain http GitLab', async () => {
    const outcome = await check.run(makeContext({ gitlabUrl: 'http://gitlab.test' }));
    expect(outcome).toMatchObject({
      status: 'skip',
      summary: 'GitLab is served over plain http (http://gitlab.test): no certificate to judge',
      findings: [{ id: 'plainHttp', status: 'skip' }],
    });
  });
});

// What gitlab-tls adds to the shared endpoint judge: the trust basis named, this host's ignored variables, and a private CA
// off the gateway reported as unknown (the chains themselves: test/judge/tls-endpoint.test.ts).
describe('gitlab-tls judge: basis, ignored variables, unknown trust', () => {
  const fixtures = useTlsFixtures();
  const certs = (pem: string) => pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const SYSTEM: TrustFacts = { source: { kind: 'system' }, certificates: [], systemRoots: true, problems: [] };
  const facts = (basis: TrustBasis, ignored: string[] = [], trusted = false): Facts => {
    const f = fixtures();
    return {
      url: 'https://127.0.0.1:8443',
      endpoint: { scheme: 'https', host: '127.0.0.1', port: 8443 },
      handshake: {
        host: '127.0.0.1',
        port: 8443,
        ok: true,
        protocol: 'TLSv1.3',
        chain: certs(f.served.valid.chainPem).map((p) => describeCertificate(new X509Certificate(p))),
        handshakeMs: 2,
      },
      trust: trusted ? { source: { kind: '--ca-file', file: '/ca.pem' }, certificates: [f.root.certPem], systemRoots: true, problems: [] } : SYSTEM,
      now: Date.now(),
      expiryWarnDays: 30,
      basis,
      ignored,
    };
  };
  const BASIS: Record<TrustBasis, string> = {
    gateway: "judged with the gateway's own CA bundle variables (or its default roots when it sets none)",
    described: "judged with --ca-file, standing for the gateway's CA bundle: give the gateway that file in both SSL_CERT_FILE and REQUESTS_CA_BUNDLE",
    unknown: "judged with the image's default roots: this host is not where the gateway runs and no --ca-file describes the gateway's bundle",
  };

  it.each<[TrustBasis, boolean, string]>([
    ['gateway', false, 'untrustedRoot'],
    ['described', false, 'untrustedRoot'],
    ['described', true, 'trusted'],
    ['unknown', false, 'gatewayTrustUnknown'],
  ])('basis %s, root trusted %s → %s, the basis named', (basis, trusted, id) => {
    const j = judge(facts(basis, [], trusted));
    expect(j.findings.map((x) => x.id)).toEqual([id]);
    expect(j.details).toContain(BASIS[basis]);
    expect(j.evidence).toMatchObject({ basis });
  });

  it('says why a private CA off the gateway is unknown, and how to run where the gateway runs', () => {
    const out = renderJudgement(check.messages, judge(facts('unknown')));
    expect(out.status).toBe('skip');
    expect(out.summary).toMatch(
      /^GitLab: .+\. Whether the gateway trusts that CA depends on its own CA bundle, which is not known on this host: give it with --ca-file \(the file the gateway's SSL_CERT_FILE\/REQUESTS_CA_BUNDLE name\), or run where the gateway runs$/,
    );
    expect(out.details).toEqual(expect.arrayContaining([...RUN_WHERE_THE_GATEWAY_RUNS]));
  });

  it.each([
    [[], undefined],
    [['SSL_CERT_FILE'], "SSL_CERT_FILE of this host is not the gateway's and was not used."],
    [['SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE'], "SSL_CERT_FILE and REQUESTS_CA_BUNDLE of this host are not the gateway's and were not used."],
  ])("this host's ignored variables %j", (ignored, line) => {
    const { details = [] } = judge(facts('unknown', ignored));
    expect(details.at(-1)).toBe(line ?? BASIS.unknown);
  });

  it('names no basis and keeps no evidence without an https endpoint', () => {
    const j = judge({
      url: 'http://gitlab.test',
      endpoint: { scheme: 'http', host: 'gitlab.test', port: 80 },
      now: 0,
      expiryWarnDays: 30,
      basis: 'unknown',
      ignored: [],
    });
    expect(j.details ?? []).not.toContain(BASIS.unknown);
    expect(j.evidence?.basis).toBeUndefined();
  });
});
