// gateway-reachable: its judge over tables of reach facts (finding ids), the proxy comparison, and one gather on loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { gather, judge, messages, proxyInterference, verdictOf, type Facts } from '../../checks/gateway-reachable.js';
import { renderJudgement } from '../../src/check.js';
import type { ExchangeSummary, ReachFacts } from '../../src/probes/reach.js';
import { makeContext } from '../helpers/context.js';
import { expectRenderings, type RenderCase } from '../helpers/renderings.js';
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

describe('gateway-reachable renderings', () => {
  const PROXY = { proxy: 'http://proxy:3128', variable: 'HTTPS_PROXY', variables: { HTTPS_PROXY: 'http://proxy:3128' } };
  const through = (via: ExchangeSummary, direct: ExchangeSummary, f: Partial<ReachFacts> = {}) =>
    facts({ proxy: PROXY, proxyLabel: 'http://proxy:3128', viaProxy: via, direct, ...f });
  const tls = (t: Partial<NonNullable<ReachFacts['tls']>>, f: Partial<ReachFacts> = {}) =>
    facts({ url: 'https://aigw.example.com/', port: 443, secure: true, tls: { ok: false, ms: 4, ...t }, ...f });
  const cases: RenderCase<Facts>[] = [
    { name: 'no URL, said why', facts: { noUrl: "GitLab's ai_gateway_url setting is blank" } },
    { name: 'no URL, no reason', facts: {} },
    { name: "GitLab's own localhost", facts: { gitlabsOwnHost: 'http://localhost:5052' } },
    { name: 'reachable over TCP', facts: facts({}) },
    {
      name: 'reachable over TCP, two addresses, no TCP address',
      facts: facts({ dns: { ok: true, ms: 3, addresses: ['10.0.0.5', '10.0.0.6'] }, tcp: { ok: true, ms: 2 } }),
    },
    { name: 'https, trusted, TLSv1.3', facts: tls({ ok: true, ms: 9, protocol: 'TLSv1.3' }) },
    { name: 'https, trusted, protocol unknown', facts: tls({ ok: true, ms: 9 }) },
    {
      name: 'not an http(s) URL',
      facts: facts({ url: 'ftp://aigw.example.com/', invalidUrl: true, host: '', port: 0, dns: { ok: false, ms: 0, addresses: [] }, tcp: undefined }),
    },
    {
      name: 'DNS failure with code and message',
      facts: facts({
        dns: { ok: false, ms: 5, addresses: [], code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND aigw.example.com' },
        tcp: undefined,
      }),
    },
    { name: 'DNS failure, nothing said', facts: facts({ dns: { ok: false, ms: 5, addresses: [] }, tcp: undefined }) },
    { name: 'refused', facts: facts({ tcp: { ok: false, ms: 1, code: 'ECONNREFUSED', address: '10.0.0.5' } }) },
    { name: 'refused, no address', facts: facts({ tcp: { ok: false, ms: 1, code: 'ECONNREFUSED' } }) },
    { name: 'TCP connect timed out', facts: facts({ tcp: { ok: false, ms: 2000, code: 'ETIMEDOUT', address: '10.0.0.5' } }) },
    { name: 'no route (EHOSTUNREACH)', facts: facts({ tcp: { ok: false, ms: 1, code: 'EHOSTUNREACH', address: '10.0.0.5' } }) },
    { name: 'no route (ENETUNREACH)', facts: facts({ tcp: { ok: false, ms: 1, code: 'ENETUNREACH' } }) },
    { name: 'no route (EADDRNOTAVAIL)', facts: facts({ tcp: { ok: false, ms: 1, code: 'EADDRNOTAVAIL' } }) },
    { name: 'connect failed without a code', facts: facts({ tcp: { ok: false, ms: 1 } }) },
    { name: 'reset', facts: facts({ tcp: { ok: false, ms: 1, code: 'ECONNRESET', address: '10.0.0.5' } }) },
    { name: 'TLS handshake timed out', facts: tls({ ms: 2000, code: 'ETIMEDOUT' }) },
    {
      name: 'plain http on an https URL',
      facts: tls({ code: 'ERR_SSL_WRONG_VERSION_NUMBER', message: 'TLS handshake failed: wrong version number' }),
    },
    { name: 'TLS failed, nothing said', facts: tls({}) },
    { name: 'untrusted issuer', facts: tls({ code: 'SELF_SIGNED_CERT_IN_CHAIN', message: 'self-signed certificate in certificate chain' }) },
    { name: 'expired certificate', facts: tls({ code: 'CERT_HAS_EXPIRED', message: 'certificate has expired' }) },
    {
      name: 'exercised --gateway-url, GitLab uses another',
      facts: {
        ...facts({}),
        target: { url: 'http://aigw.example.com:5052/', source: 'flag', gitlabSetting: { state: 'set', url: 'https://gw.internal/' } },
      },
    },
    {
      name: 'NO_PROXY covers the host',
      facts: facts({
        proxy: {
          variables: { HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: '.example.com' },
          noProxy: { variable: 'NO_PROXY', value: '.example.com' },
          bypassedBy: '.example.com',
        },
      }),
    },
    {
      name: 'relayed unchanged by a proxy',
      facts: through(summary({ status: 401, ms: 7, proxyHeaders: { via: '1.1 p' } }), summary({ status: 401, ms: 3 })),
    },
    {
      name: 'only reachable through the proxy',
      facts: through(summary({ status: 401, ms: 7 }), summary({ ok: false, ms: 5, failureKind: 'dns', failure: 'getaddrinfo ENOTFOUND' }), {
        dns: { ok: false, ms: 5, addresses: [], code: 'ENOTFOUND' },
        tcp: undefined,
      }),
    },
    {
      name: 'tunnel refused by the proxy',
      facts: through(
        summary({ ok: false, ms: 7, failureKind: 'proxy', failure: 'proxy http://proxy:3128 refused the tunnel: HTTP 403' }),
        summary({ status: 401 }),
      ),
    },
    {
      name: 'TLS-inspecting proxy, direct fine',
      facts: through(summary({ ok: false, ms: 7, failureKind: 'tls', failure: 'self-signed certificate' }), summary({ status: 401 })),
    },
    {
      name: 'both ways fail',
      facts: through(
        summary({ ok: false, ms: 7, failureKind: 'refused', failure: 'ECONNREFUSED' }),
        summary({ ok: false, ms: 1, failureKind: 'refused', failure: 'ECONNREFUSED' }),
        {
          tcp: { ok: false, ms: 1, code: 'ECONNREFUSED', address: '10.0.0.5' },
        },
      ),
    },
    {
      name: 'proxy demands authentication, signed',
      facts: through(
        summary({ status: 407, server: 'squid/5.7', proxyHeaders: { via: '1.1 proxy (squid/5.7)', 'x-squid-error': 'ERR_CACHE_ACCESS_DENIED 0' } }),
        summary({ status: 401 }),
      ),
    },
    { name: 'proxy demands authentication, unsigned', facts: through(summary({ status: 407 }), summary({ status: 401 })) },
    { name: 'proxy answers another status', facts: through(summary({ status: 502, server: 'nginx' }), summary({ status: 401 })) },
    {
      name: 'proxy error page (Via), host unreachable directly',
      facts: through(summary({ status: 503, proxyHeaders: { via: '1.1 gw' } }), summary({ ok: false, failureKind: 'timeout', failure: 'timed out' })),
    },
    {
      name: 'proxy error page (Server), host unreachable directly',
      facts: through(summary({ status: 500, server: 'Zscaler/6.2' }), summary({ ok: false, failureKind: 'timeout', failure: 'timed out' })),
    },
  ];
  it('renders every case as pinned, reaching every message', () => expectRenderings(check, cases));
});

describe('gateway-reachable verdicts at the edges', () => {
  const via = (s: Partial<ExchangeSummary>) => proxied(summary(s), summary({ ok: false, failureKind: 'timeout', failure: 'timed out' }));
  it.each([
    ['a 499 from a signed proxy, host unreachable', via({ status: 499, proxyHeaders: { via: '1.1 p' } }), 'ok'],
    ['a 500 from a signed proxy, host unreachable', via({ status: 500, proxyHeaders: { via: '1.1 p' } }), 'proxy'],
    ['a 500 from a proxy without signature', via({ status: 500 }), 'ok'],
    ['a 500 from an unknown Server', via({ status: 500, server: 'nginx' }), 'ok'],
    ['a 500 from a proxy product in Server, any case', via({ status: 500, server: 'BlueCoat-ProxySG' }), 'proxy'],
    ['no status from the proxy', via({}), 'ok'],
    ['same status both ways', proxied(summary({ status: 401 }), summary({ status: 401 })), 'ok'],
    ['another status, host fine', proxied(summary({ status: 200 }), summary({ status: 401 })), 'proxy'],
    ['via fails, direct fails', proxied(summary({ ok: false, failureKind: 'refused', failure: 'x' }), summary({ ok: false, failure: 'y' })), 'ok'],
    [
      'via fails as a proxy, direct fails',
      proxied(summary({ ok: false, failureKind: 'proxy', failure: 'x' }), summary({ ok: false, failure: 'y' })),
      'proxy',
    ],
    [
      'a proxy without a label is not compared',
      { reach: { ...proxied(summary({ status: 407 }), summary({ status: 401 })).reach!, proxyLabel: undefined } },
      'ok',
    ],
    [
      'a proxy without a direct answer is not compared',
      { reach: { ...proxied(summary({ status: 407 }), summary({ status: 401 })).reach!, direct: undefined } },
      'ok',
    ],
  ] as [string, Facts, string][])('%s', (_name, f, verdict) => {
    expect(verdictOf(f.reach!).verdict).toBe(verdict);
    expect(judge(f).evidence).toMatchObject({ verdict });
  });

  it.each([
    ['TLS, a code', secureTls('CERT_HAS_EXPIRED'), { tlsMs: 3, tlsCode: 'CERT_HAS_EXPIRED', tcpMs: 1 }],
    ['no TLS', facts({}), { tcpMs: 1 }],
  ] as [string, Facts, Record<string, unknown>][])('evidence: %s', (_name, f, expected) => {
    expect(judge(f).evidence).toMatchObject(expected);
  });
  it.each([
    ['over TCP', facts({}), 'aigw.example.com:5052 reachable over TCP'],
    ['over TLS', facts({ secure: true, tls: { ok: true, ms: 2 } }), 'aigw.example.com:5052 reachable; TLS handshake succeeded'],
  ] as [string, Facts, string][])('verdictOf says how it was reached directly: %s', (_name, f, message) => {
    expect(verdictOf(f.reach!)).toEqual({ verdict: 'ok', message });
  });

  it('a proxy in the way wins over a certificate problem on the direct path', () => {
    const f = proxied(summary({ status: 407 }), summary({ status: 401 }));
    const reach = { ...f.reach!, secure: true, tls: { ok: false, ms: 2, code: 'CERT_HAS_EXPIRED' } };
    expect(ids({ reach })).toEqual(['proxyInterferes']);
  });

  it('evidence has no TCP or TLS timing when DNS failed', () => {
    const e = judge(facts({ dns: { ok: false, ms: 5, addresses: [] }, tcp: undefined })).evidence!;
    expect(Object.keys(e)).not.toContain('tcpMs');
    expect(Object.keys(e)).not.toContain('tlsMs');
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
