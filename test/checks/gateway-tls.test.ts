// gateway-tls without a TLS front to judge: plain http, or no gateway URL (in-process; the TLS cases are in gateway-tls.integration.test.ts).
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import check, { judge, type Facts } from '../../checks/gateway-tls.js';
import { renderJudgement } from '../../src/check.js';
import type { EndpointFacts, TrustFacts } from '../../src/judge/tls-endpoint.js';
import { describeCertificate } from '../../src/pki/certificate.js';
import type { TlsFacts } from '../../src/probes/tls.js';
import { makeContext } from '../helpers/context.js';
import { CA_A, LEAF_A, NOW, SELF_SIGNED } from '../helpers/static-certs.js';

describe('gateway-tls', () => {
  it('skips a plain http gateway', async () => {
    const outcome = await check.run(makeContext({ gatewayUrl: 'http://aigw.test:5052', gatewayUrlSource: 'flag' }));
    expect(outcome).toMatchObject({
      status: 'skip',
      summary: 'The AI gateway is served over plain http (http://aigw.test:5052): no certificate to judge',
    });
  });

  it('skips when no gateway URL can be resolved', async () => {
    const outcome = await check.run(makeContext({}));
    expect(outcome.status).toBe('skip');
    expect(outcome.summary).toMatch(/no --gateway-url/);
  });
});

describe("gateway-tls judge: the check's own findings", () => {
  const chain = (host: string, ...pems: string[]): TlsFacts => ({
    host,
    port: 443,
    ok: true,
    protocol: 'TLSv1.3',
    chain: pems.map((p) => describeCertificate(new X509Certificate(p))),
    handshakeMs: 3,
  });
  const caFile = (...pems: string[]): TrustFacts => ({
    source: { kind: '--ca-file', file: '/etc/duo/ca.pem' },
    certificates: pems,
    systemRoots: true,
    problems: [],
  });
  const SYSTEM: TrustFacts = { source: { kind: 'system' }, certificates: [], systemRoots: true, problems: [] };
  const at = (handshake: TlsFacts, trust: TrustFacts, more: Partial<EndpointFacts> = {}): Facts => ({
    url: `https://${handshake.host}`,
    endpoint: { scheme: 'https', host: handshake.host, port: 443 },
    handshake,
    trust,
    now: NOW,
    expiryWarnDays: 30,
    ...more,
  });
  const render = (f: Facts) => renderJudgement(check.messages, judge(f));
  // Not pinned as a renderings file: the trust line counts Node's bundled roots, which differ between Node versions.
  it.each<[string, Facts, string, string[]]>([
    ['no gateway URL', { noUrl: 'no gateway URL: none given' }, '^no gateway URL: none given$', ['noGatewayUrl']],
    [
      'self-signed, given with --ca-file',
      at(chain('aigw.example.com', SELF_SIGNED), caFile(SELF_SIGNED)),
      '^The AI gateway at aigw\\.example\\.com:443 presents the self-signed certificate "aigw\\.example\\.com" \\(SHA-256 57:D3:63:2E\\), which the system roots plus --ca-file \\(/etc/duo/ca\\.pem\\) holds: GitLab trusts it as given, as gateway-reachable does$',
      ['selfSignedTrusted'],
    ],
    [
      'self-signed, trusted by no one',
      at(chain('aigw.example.com', SELF_SIGNED), SYSTEM),
      'is self-signed, and the trust store does not hold it$',
      ['selfSignedLeaf'],
    ],
    [
      'self-signed, given, another host name',
      at(chain('aigw-2.example.com', SELF_SIGNED), caFile(SELF_SIGNED)),
      'does not cover aigw-2\\.example\\.com',
      ['selfSignedTrusted', 'hostnameMismatch'],
    ],
    [
      'a private root given',
      at(chain('gitlab.example.com', LEAF_A, CA_A), caFile(CA_A)),
      '^The AI gateway at gitlab\\.example\\.com:443 presents a valid chain',
      ['trusted'],
    ],
  ])('%s', (_name, f, summary, ids) => {
    const out = render(f);
    expect(out.summary).toMatch(new RegExp(summary));
    expect(out.findings?.map((x) => x.id)).toEqual(ids);
  });

  it('opens its details with the URL exercised when GitLab uses another', () => {
    const f = {
      ...at(chain('gitlab.example.com', LEAF_A, CA_A), caFile(CA_A)),
      target: { url: 'https://gitlab.example.com', source: 'flag', gitlabSetting: { state: 'set', url: 'https://aigw.example.com' } },
    } as Facts;
    expect(render(f).details?.[0]).toBe(
      'Exercised https://gitlab.example.com (from --gateway-url), not https://aigw.example.com, the URL GitLab itself uses (see gateway-url)',
    );
    expect(render(at(chain('gitlab.example.com', LEAF_A, CA_A), caFile(CA_A))).evidence).toMatchObject({ endpoint: 'gitlab.example.com:443' });
  });
});
