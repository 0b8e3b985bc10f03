// gateway-reachable: its judge over tables of reach facts (finding ids), the proxy comparison, and one gather on loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gather, judge, messages, proxyInterference, type Facts } from '../../checks/gateway-reachable.js';
import { renderJudgement } from '../../src/check.js';
import type { ExchangeSummary, ReachFacts } from '../../src/probes/reach.js';
import { makeContext } from '../helpers/context.js';
import { startLoopback, type LoopbackServer } from '../helpers/loopback.js';

const base: ReachFacts = {
  url: 'http://aigw.example.com:5052/',
  timeoutMs: 2000,
  host: 'aigw.example.com',
  port: 5052,
  secure: false,
  dns: { ok: true, ms: 2, addresses: ['10.0.0.5'] },
  tcp: { ok: true, ms: 1, address: '10.0.0.5' },
  proxy: { variables: {} },
};
const facts = (f: Partial<ReachFacts>): Facts => ({ reach: { ...base, ...f } });
const ids = (f: Facts) => judge(f).findings.map((x) => x.id);
const secureTls = (code: string) => facts({ secure: true, tls: { ok: false, ms: 3, code, message: `TLS handshake failed (${code})` } });
const summary = (s: Partial<ExchangeSummary>): ExchangeSummary => ({ ok: true, ms: 1, ...s });
const proxied = (via: ExchangeSummary, direct: ExchangeSummary) =>
  facts({
    proxy: { proxy: 'http://proxy:3128', variable: 'HTTP_PROXY', variables: { HTTP_PROXY: 'http://proxy:3128' } },
    proxyLabel: 'http://proxy:3128',
    viaProxy: via,
    direct,
  });

describe('gateway-reachable judge', () => {
  it.each([
    ['no URL', { noUrl: "GitLab's setting is blank" }, ['noUrl']],
    ["GitLab's setting names GitLab's own localhost", { gitlabsOwnHost: 'http://localhost:5052' }, ['gitlabsOwnHost']],
    ['reachable over TCP', facts({}), ['reachable']],
    ['https, trusted', facts({ secure: true, tls: { ok: true, ms: 9, protocol: 'TLSv1.3' } }), ['reachable']],
    ['not an http(s) URL', facts({ invalidUrl: true }), ['invalidUrl']],
    ['DNS failure', facts({ dns: { ok: false, ms: 5, addresses: [], code: 'ENOTFOUND' }, tcp: undefined }), ['dnsFailed']],
    ['refused', facts({ tcp: { ok: false, ms: 1, code: 'ECONNREFUSED' } }), ['refused']],
    ['filtered port', facts({ tcp: { ok: false, ms: 2000, code: 'ETIMEDOUT' } }), ['timedOut']],
    ['no route', facts({ tcp: { ok: false, ms: 1, code: 'EHOSTUNREACH' } }), ['noRoute']],
    ['an unknown connect error', facts({ tcp: { ok: false, ms: 1, code: 'EWHATEVER' } }), ['noRoute']],
    ['reset', facts({ tcp: { ok: false, ms: 1, code: 'ECONNRESET' } }), ['reset']],
    ['TLS handshake timed out', secureTls('ETIMEDOUT'), ['timedOut']],
    ['untrusted issuer', secureTls('SELF_SIGNED_CERT_IN_CHAIN'), ['certificateProblem']],
    ['expired', secureTls('CERT_HAS_EXPIRED'), ['certificateProblem']],
    ['wrong host', secureTls('ERR_TLS_CERT_ALTNAME_INVALID'), ['certificateProblem']],
    ['plain http on an https URL', secureTls('ERR_SSL_WRONG_VERSION_NUMBER'), ['tlsFailed']],
    ['relayed unchanged by a proxy', proxied(summary({ status: 401, proxyHeaders: { via: '1.1 p' } }), summary({ status: 401 })), ['reachable']],
    [
      'only reachable through the proxy',
      proxied(summary({ status: 401 }), summary({ ok: false, failureKind: 'dns', failure: 'dns failed' })),
      ['reachable'],
    ],
    [
      'tunnel refused',
      proxied(summary({ ok: false, failureKind: 'proxy', failure: 'Proxy refused: HTTP 403' }), summary({ status: 401 })),
      ['proxyInterferes'],
    ],
    ['a proxy demanding authentication', proxied(summary({ status: 407 }), summary({ status: 401 })), ['proxyInterferes']],
    [
      'a proxy error page',
      proxied(summary({ status: 503, server: 'squid/5.7' }), summary({ ok: false, failureKind: 'refused', failure: 'refused' })),
      ['proxyInterferes'],
    ],
    [
      'a plain 503 from the host itself',
      proxied(summary({ status: 503 }), summary({ ok: false, failureKind: 'dns', failure: 'dns' })),
      ['reachable'],
    ],
  ] as [string, Facts, string[]][])('%s', (_name, f, expected) => {
    expect(ids(f)).toEqual(expected);
  });

  it('suggests --ca-file only for an untrusted issuer', () => {
    const fix = (code: string) => renderJudgement(messages, judge(secureTls(code))).remediation ?? '';
    expect(fix('UNABLE_TO_GET_ISSUER_CERT_LOCALLY')).toContain('--ca-file');
    expect(fix('CERT_HAS_EXPIRED')).not.toContain('--ca-file');
    expect(fix('ERR_TLS_CERT_ALTNAME_INVALID')).not.toContain('--ca-file');
  });

  it("names the stage that hung and the user's timeout", () => {
    const out = renderJudgement(messages, judge(facts({ secure: true, tls: { ok: false, ms: 2000, code: 'ETIMEDOUT' } })));
    expect(out.summary).toContain('accepted TCP, but the TLS handshake got no answer within 2000 ms (--timeout)');
  });

  it('lists each phase and the proxy variables in effect', () => {
    const j = judge(
      facts({
        proxy: {
          variables: { HTTP_PROXY: 'http://proxy:3128', NO_PROXY: '.example.com' },
          noProxy: { variable: 'NO_PROXY', value: '.example.com' },
          bypassedBy: '.example.com',
        },
      }),
    );
    expect(j.details).toEqual([
      'DNS: aigw.example.com → 10.0.0.5 (2 ms)',
      'TCP connect to 10.0.0.5:5052: connected (1 ms)',
      'Proxy variables: HTTP_PROXY=http://proxy:3128 NO_PROXY=.example.com',
      'NO_PROXY entry ".example.com" covers aigw.example.com: connections go direct',
    ]);
    expect(j.evidence).toMatchObject({ verdict: 'ok', dnsMs: 2, tcpMs: 1, proxy: null, noProxyMatch: '.example.com' });
  });

  it.each([
    ['same answer both ways', summary({ status: 401 }), summary({ status: 401 }), undefined],
    [
      'TLS-inspecting proxy',
      summary({ ok: false, failureKind: 'tls', failure: 'tls failed' }),
      summary({ status: 401 }),
      /through proxy .*tls failed.*HTTP 401/,
    ],
    ['different status', summary({ status: 502 }), summary({ status: 401 }), /HTTP 502.*HTTP 401/],
    ['both fail', summary({ ok: false, failureKind: 'dns', failure: 'x' }), summary({ ok: false, failureKind: 'dns', failure: 'x' }), undefined],
  ])('proxyInterference: %s', (_name, via, direct, expected) => {
    const said = proxyInterference(via, direct, 'http://proxy:3128');
    if (expected) expect(said).toMatch(expected);
    else expect(said).toBeUndefined();
  });
});

describe('gateway-reachable gather', () => {
  let server: LoopbackServer;
  beforeAll(async () => {
    server = await startLoopback((_req, res) => res.writeHead(401).end());
  });
  afterAll(() => server.close());

  it('reaches a listening gateway given by URL, without asking GitLab', async () => {
    const ctx = makeContext({ gatewayUrl: server.url, gatewayUrlSource: 'flag' });
    const f = await gather(ctx);
    expect(ids(f)).toEqual(['reachable']);
    expect(renderJudgement(messages, judge(f)).summary).toBe(`AI Gateway (127.0.0.1:${server.port}) reachable over TCP`);
    expect(ctx.memoKeys.some((k) => k.startsWith('gitlab-api'))).toBe(false);
  });
});
