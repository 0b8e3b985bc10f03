// gateway-reachable: the verdict per reach outcome (synthetic facts), and one real run against a loopback server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { judgeReach } from '../../checks/gateway-reachable.js';
import type { Status } from '../../src/model.js';
import type { ReachFacts } from '../../src/probes/reach.js';
import { makeContext } from '../helpers/context.js';
import { startLoopback, type LoopbackServer } from '../helpers/loopback.js';

const base: ReachFacts = {
  url: 'http://aigw.example.com:5052/',
  host: 'aigw.example.com',
  port: 5052,
  secure: false,
  dns: { ok: true, ms: 2, addresses: ['10.0.0.5'] },
  tcp: { ok: true, ms: 1, address: '10.0.0.5' },
  proxy: { variables: {} },
  verdict: 'ok',
  message: 'aigw.example.com:5052 reachable over TCP',
};

const cases: { name: string; facts: Partial<ReachFacts>; status: Status; summary: RegExp; remediation?: RegExp }[] = [
  { name: 'reachable over TCP', facts: {}, status: 'pass', summary: /^AI Gateway \(aigw\.example\.com:5052\) reachable over TCP$/ },
  {
    name: 'https, trusted',
    facts: { secure: true, tls: { ok: true, ms: 9, protocol: 'TLSv1.3' } },
    status: 'pass',
    summary: /reachable; TLS certificate trusted/,
  },
  {
    name: 'DNS failure',
    facts: { verdict: 'dns', dns: { ok: false, ms: 5, addresses: [], code: 'ENOTFOUND' }, tcp: undefined, message: 'aigw.example.com does not resolve (ENOTFOUND)' },
    status: 'fail',
    summary: /unreachable: aigw\.example\.com does not resolve/,
    remediation: /does not resolve/,
  },
  { name: 'refused', facts: { verdict: 'refused', tcp: { ok: false, ms: 1, code: 'ECONNREFUSED' }, message: 'refused' }, status: 'fail', summary: /unreachable/, remediation: /Nothing listens/ },
  { name: 'filtered port', facts: { verdict: 'timeout', tcp: { ok: false, ms: 10000, code: 'ETIMEDOUT' }, message: 'timed out' }, status: 'fail', summary: /unreachable/, remediation: /firewall/ },
  {
    name: 'untrusted certificate',
    facts: { secure: true, verdict: 'tls', tls: { ok: false, ms: 3, code: 'SELF_SIGNED_CERT_IN_CHAIN' }, message: 'x' },
    status: 'warn',
    summary: /reachable, but TLS certificate is NOT trusted \(SELF_SIGNED_CERT_IN_CHAIN\)/,
    remediation: /--ca-file/,
  },
  {
    name: 'plain http on an https URL',
    facts: { secure: true, verdict: 'tls', tls: { ok: false, ms: 3, code: 'ERR_SSL_WRONG_VERSION_NUMBER' }, message: 'not with TLS' },
    status: 'fail',
    summary: /unreachable: not with TLS/,
    remediation: /plain http/,
  },
  {
    name: 'proxy interference',
    facts: {
      verdict: 'proxy',
      proxy: { proxy: 'http://proxy:3128', variable: 'HTTP_PROXY', variables: { HTTP_PROXY: 'http://proxy:3128' } },
      message: 'proxy http://proxy:3128 answered with its own error page: HTTP 503',
    },
    status: 'fail',
    summary: /own error page/,
    remediation: /NO_PROXY/,
  },
];

describe('judgeReach', () => {
  it.each(cases)('$name → $status', ({ facts, status, summary, remediation }) => {
    const outcome = judgeReach({ ...base, ...facts });
    expect(outcome.status).toBe(status);
    expect(outcome.summary).toMatch(summary);
    if (remediation) expect(outcome.remediation).toMatch(remediation);
  });

  it('lists each phase and the proxy variables in effect', () => {
    const outcome = judgeReach({
      ...base,
      proxy: { variables: { HTTP_PROXY: 'http://proxy:3128', NO_PROXY: '.example.com' }, noProxy: { variable: 'NO_PROXY', value: '.example.com' }, bypassedBy: '.example.com' },
    });
    expect(outcome.details).toEqual([
      'DNS: aigw.example.com → 10.0.0.5 (2 ms)',
      'TCP connect to 10.0.0.5:5052: connected (1 ms)',
      'Proxy variables: HTTP_PROXY=http://proxy:3128 NO_PROXY=.example.com',
      'NO_PROXY entry ".example.com" covers aigw.example.com: connections go direct',
    ]);
    expect(outcome.evidence).toMatchObject({ verdict: 'ok', dnsMs: 2, tcpMs: 1, proxy: null, noProxyMatch: '.example.com' });
  });
});

describe('gateway-reachable run', () => {
  let server: LoopbackServer;
  beforeAll(async () => {
    server = await startLoopback((_req, res) => res.writeHead(401).end());
  });
  afterAll(() => server.close());

  it('passes for a listening gateway', async () => {
    const outcome = await check.run(makeContext({ gatewayUrl: server.url, gatewayUrlSource: 'flag' }));
    expect(outcome.status).toBe('pass');
    expect(outcome.summary).toBe(`AI Gateway (127.0.0.1:${server.port}) reachable over TCP`);
  });
});
