// jwks-reachable's judge over recorded facts: finding ids, the failures a loopback server cannot produce, and every message
// rendered (jwks-reachable.integration.test.ts: against loopback GitLabs).
import { describe, expect, it } from 'vitest';
import check, { judge, messages, type Facts } from '../../checks/jwks-reachable.js';
import { renderJudgement, type Judgement, type Messages } from '../../src/check.js';
import type { JwksFetch } from '../../src/probes/jwks.js';
import { expectRenderings, type RenderCase } from '../helpers/renderings.js';

describe('jwks-reachable', () => {
  describe('judged from recorded facts (failures a loopback server cannot produce)', () => {
    const base = (failure: { kind: 'dns' | 'proxy'; message: string }): JwksFetch => ({
      base: { url: 'https://gitlab.invalid', source: 'AIGW_GITLAB_URL', differs: false },
      trust: { source: { kind: 'system' }, problems: [] },
      budgetMs: 8000,
      discovery: {
        url: 'https://gitlab.invalid/.well-known/openid-configuration',
        hops: [],
        finalUrl: 'https://gitlab.invalid/.well-known/openid-configuration',
        elapsedMs: 3,
        outcome: { kind: 'failure', failure },
      },
    });
    it.each([
      [
        { kind: 'dns' as const, message: 'DNS lookup of gitlab.invalid failed (ENOTFOUND)' },
        /DNS lookup of gitlab\.invalid failed/,
        /resolvable where the gateway runs/,
      ],
      [{ kind: 'proxy' as const, message: 'Could not use proxy http://proxy:3128: refused' }, /the proxy failed/, /NO_PROXY/],
    ])('%j', (failure, summary, remediation) => {
      const out = renderJudgement(messages as Messages, judge({ fetch: base(failure) }) as Judgement<Messages>);
      expect(out.status).toBe('fail');
      expect(out.summary).toMatch(summary);
      expect(out.remediation).toMatch(remediation);
      expect(out.evidence?.failureKind).toBe(failure.kind);
    });
  });
});

describe('jwks-reachable judge: finding ids', () => {
  const url = 'https://gitlab.example.com/.well-known/openid-configuration';
  const doc = (outcome: JwksFetch['discovery']['outcome'], hops: JwksFetch['discovery']['hops'] = []) => ({
    url,
    hops,
    finalUrl: url,
    elapsedMs: 1,
    outcome,
  });
  const fetchOf = (over: Partial<JwksFetch>): JwksFetch => ({
    base: { url: 'https://gitlab.example.com', source: 'AIGW_GITLAB_URL', differs: false },
    trust: { source: { kind: 'system' }, problems: [] },
    budgetMs: 8000,
    discovery: doc({ kind: 'json', status: 200, value: {} }),
    jwksUri: { ok: true, uri: 'https://gitlab.example.com/oauth/discovery/keys' },
    jwks: { ...doc({ kind: 'json', status: 200, value: { keys: [] } }), url: 'https://gitlab.example.com/oauth/discovery/keys' },
    ...over,
  });
  it.each([
    ['no URL', {}, ['noGitlabUrl']],
    ['reached', { fetch: fetchOf({}) }, ['reached']],
    ['TLS, system roots', { fetch: fetchOf({ discovery: doc({ kind: 'failure', failure: { kind: 'tls', message: 'self-signed' } }) }) }, ['tls']],
    ['timeout', { fetch: fetchOf({ discovery: doc({ kind: 'failure', failure: { kind: 'timeout', message: 't' } }) }) }, ['timeout']],
    [
      'reset is a network failure',
      { fetch: fetchOf({ discovery: doc({ kind: 'failure', failure: { kind: 'reset', message: 'r' } as never }) }) },
      ['network'],
    ],
    ['HTTP 404', { fetch: fetchOf({ discovery: doc({ kind: 'status', status: 404 }) }) }, ['httpStatus']],
    ['HTML', { fetch: fetchOf({ discovery: doc({ kind: 'not-json', status: 200, reason: 'HTML page' }) }) }, ['notJson']],
    ['no jwks_uri', { fetch: fetchOf({ jwksUri: { ok: false, reason: 'the discovery document has no jwks_uri' } }) }, ['noJwksUri']],
    [
      'redirected',
      {
        fetch: fetchOf({
          discovery: doc({ kind: 'json', status: 200, value: {} }, [{ url, status: 301, location: 'https://gitlab2.example.com/x' }]),
        }),
      },
      ['redirected'],
    ],
    ['keys elsewhere', { fetch: fetchOf({ jwksUri: { ok: true, uri: 'https://keys.example.com/k' } }) }, ['foreignKeysHost']],
  ] as const)('%s → %j', (_name, facts, ids) => {
    expect(judge(facts as never).findings.map((f) => f.id)).toEqual(ids);
  });

  it('says SSL_CERT_FILE is not read when it is the only bundle set', () => {
    const fetch = fetchOf({
      trust: {
        source: { kind: 'system' },
        problems: ['SSL_CERT_FILE=/certs/ca.pem is set, but Python requests does not read it: name the bundle in REQUESTS_CA_BUNDLE'],
      },
      discovery: doc({ kind: 'failure', failure: { kind: 'tls', message: 'unable to get local issuer certificate' } }),
    });
    const [finding] = judge({ fetch }).findings;
    expect(finding).toMatchObject({ id: 'tls', data: { sslCertFileOnly: true } });
  });
});

describe('jwks-reachable renderings (every message, pinned in __renderings__/jwks-reachable.txt)', () => {
  const GL = 'https://gitlab.example.com';
  const DISC = `${GL}/.well-known/openid-configuration`;
  const KEYS_URL = `${GL}/oauth/discovery/keys`;
  type Doc = JwksFetch['discovery'];
  const doc = (url: string, outcome: Doc['outcome'], hops: Doc['hops'] = [], finalUrl = url): Doc => ({
    url,
    hops,
    finalUrl,
    elapsedMs: 12,
    outcome,
  });
  const json = (value: unknown = {}): Doc['outcome'] => ({ kind: 'json', status: 200, value });
  const failure = (kind: string, message: string): Doc['outcome'] => ({ kind: 'failure', failure: { kind, message } as never });
  const at = (over: Partial<JwksFetch> = {}): JwksFetch => ({
    base: { url: GL, source: 'AIGW_GITLAB_URL', differs: false },
    trust: { source: { kind: 'system' }, problems: [] },
    budgetMs: 10_000,
    discovery: doc(DISC, json()),
    jwksUri: { ok: true, uri: KEYS_URL },
    jwks: doc(KEYS_URL, json({ keys: [] })),
    ...over,
  });
  const discoveryFails = (outcome: Doc['outcome'], over: Partial<JwksFetch> = {}): JwksFetch =>
    at({ discovery: doc(DISC, outcome), jwksUri: undefined, jwks: undefined, ...over });
  const keysFail = (outcome: Doc['outcome'], uri = KEYS_URL, over: Partial<JwksFetch> = {}): JwksFetch =>
    at({ jwksUri: { ok: true, uri }, jwks: doc(uri, outcome), ...over });
  const PREFIXED = `${GL}/gitlab/.well-known/openid-configuration`;
  const prefixedAttempt = (uri = `${GL}/gitlab/oauth/discovery/keys`) => ({
    discovery: doc(PREFIXED, json()),
    jwksUri: { ok: true as const, uri },
    jwks: doc(uri, json({ keys: [] })),
  });
  const cases: RenderCase<Facts>[] = [
    { name: 'no GitLab URL', facts: {} },
    {
      name: 'reached, AIGW_GITLAB_URL differs from --gitlab-url, a named bundle with a problem',
      facts: {
        fetch: at({
          base: { url: GL, source: 'AIGW_GITLAB_URL', gitlabUrl: 'https://root:secret@gitlab.internal', differs: true },
          trust: { source: { kind: 'REQUESTS_CA_BUNDLE', file: '/certs/ca.pem' }, problems: ['/certs/ca.pem: 1 block is not a certificate'] },
        }),
      },
    },
    {
      name: 'reached, --gitlab-url given but not differing; the prefixed location names the same keys',
      facts: {
        fetch: at({
          base: { url: `${GL}/gitlab`, source: '--gitlab-url', gitlabUrl: `${GL}/gitlab`, differs: false },
          jwksUri: { ok: true, uri: `${GL}/gitlab/oauth/discovery/keys` },
          jwks: doc(`${GL}/gitlab/oauth/discovery/keys`, json({ keys: [] })),
          prefixed: prefixedAttempt(),
        }),
      },
    },
    {
      name: 'path prefix dropped by the root join',
      facts: {
        fetch: at({
          base: { url: `${GL}/gitlab`, source: '--gitlab-url', gitlabUrl: `${GL}/gitlab`, differs: false },
          discovery: doc(DISC, { kind: 'status', status: 404, detail: '404 Not Found' }),
          jwksUri: undefined,
          jwks: undefined,
          prefixed: prefixedAttempt(),
        }),
        gatewayHasOwnKeys: false,
      },
    },
    {
      name: 'prefixed location fails too: the root failure is reported, both attempts listed',
      facts: {
        fetch: at({
          base: { url: `${GL}/gitlab`, source: 'AIGW_GITLAB_URL', differs: false },
          discovery: doc(DISC, { kind: 'status', status: 404 }),
          jwksUri: undefined,
          jwks: undefined,
          prefixed: { discovery: doc(PREFIXED, json()), jwksUri: { ok: false, reason: 'the discovery document has no jwks_uri' } },
        }),
      },
    },
    {
      name: 'DNS at discovery, own keys',
      facts: { fetch: discoveryFails(failure('dns', 'getaddrinfo ENOTFOUND gitlab.example.com')), gatewayHasOwnKeys: true },
    },
    {
      name: 'refused at the keys, on a foreign host',
      facts: {
        fetch: keysFail(failure('refused', 'connect ECONNREFUSED'), 'https://keys.example.com:8443/oauth/discovery/keys'),
        gatewayHasOwnKeys: false,
      },
    },
    { name: 'timeout within a capped budget', facts: { fetch: discoveryFails(failure('timeout', 'no answer'), { budgetMs: 9_999 }) } },
    { name: 'timeout with the full budget', facts: { fetch: keysFail(failure('timeout', 'no answer')) } },
    {
      name: 'TLS, trust unknown here',
      facts: {
        fetch: discoveryFails(failure('tls', 'self-signed certificate in certificate chain'), {
          trust: { source: { kind: 'system' }, problems: [], unknown: true },
        }),
      },
    },
    {
      name: 'TLS, only SSL_CERT_FILE names the root',
      facts: {
        fetch: discoveryFails(failure('tls', 'unable to get local issuer certificate'), {
          trust: { source: { kind: 'system' }, problems: ['SSL_CERT_FILE=/certs/ca.pem is set, but Python requests does not read it'] },
        }),
      },
    },
    {
      name: 'TLS at a foreign keys host, a named bundle with another problem',
      facts: {
        fetch: keysFail(failure('tls', 'unable to verify the first certificate'), 'https://keys.example.com/k', {
          trust: { source: { kind: 'CURL_CA_BUNDLE' }, problems: ['CURL_CA_BUNDLE=/x.pem: no such file'] },
        }),
      },
    },
    { name: 'proxy failure', facts: { fetch: discoveryFails(failure('proxy', 'Could not use proxy http://proxy:3128: refused')) } },
    {
      name: 'proxy failure at a keys host with a port',
      facts: { fetch: keysFail(failure('proxy', 'proxy said 403'), 'https://keys.example.com:8443/k') },
    },
    { name: 'another network failure', facts: { fetch: discoveryFails(failure('reset', 'socket hang up')) } },
    { name: 'HTTP 401 at discovery', facts: { fetch: discoveryFails({ kind: 'status', status: 401 }) } },
    { name: 'HTTP 403 at the keys', facts: { fetch: keysFail({ kind: 'status', status: 403, detail: '403 Forbidden' }) } },
    { name: 'HTTP 404 at discovery', facts: { fetch: discoveryFails({ kind: 'status', status: 404, detail: '404 Not Found' }) } },
    { name: 'HTTP 404 at the keys', facts: { fetch: keysFail({ kind: 'status', status: 404 }) } },
    {
      name: 'HTTP 500 after one redirect',
      facts: {
        fetch: at({
          discovery: doc(
            DISC,
            { kind: 'status', status: 500, detail: 'HTML page ("500")' },
            [{ url: DISC, status: 302, location: `${GL}/x` }],
            `${GL}/x`,
          ),
          jwksUri: undefined,
          jwks: undefined,
        }),
      },
    },
    {
      name: 'HTML page after two redirects',
      facts: {
        fetch: at({
          discovery: doc(
            DISC,
            { kind: 'not-json', status: 200, reason: 'HTML page ("Sign in · GitLab") instead of JSON' },
            [
              { url: DISC, status: 302, location: `${GL}/a` },
              { url: `${GL}/a`, status: 302, location: `${GL}/users/sign_in` },
            ],
            `${GL}/users/sign_in`,
          ),
          jwksUri: undefined,
          jwks: undefined,
        }),
      },
    },
    { name: 'invalid JSON at the keys', facts: { fetch: keysFail({ kind: 'not-json', status: 200, reason: 'invalid JSON (Unexpected end)' }) } },
    {
      name: 'redirect loop',
      facts: {
        fetch: discoveryFails(
          { kind: 'redirect-loop', status: 302 },
          { discovery: doc(DISC, { kind: 'redirect-loop', status: 302 }, [{ url: DISC, status: 302, location: DISC }]) },
        ),
      },
    },
    { name: 'redirect without Location', facts: { fetch: keysFail({ kind: 'redirect-without-location', status: 301 }) } },
    { name: 'no jwks_uri', facts: { fetch: at({ jwksUri: { ok: false, reason: 'the discovery document has no jwks_uri' }, jwks: undefined }) } },
    {
      name: 'redirected within the origin, at the keys',
      facts: { fetch: at({ jwks: doc(KEYS_URL, json({ keys: [] }), [{ url: KEYS_URL, status: 301, location: `${GL}/-/keys` }], `${GL}/-/keys`) }) },
    },
    {
      name: 'redirected to another origin, keys on a foreign host, prefixed naming other keys',
      facts: {
        fetch: at({
          base: { url: `${GL}/gitlab`, source: 'AIGW_GITLAB_URL', differs: false },
          discovery: doc(DISC, json(), [{ url: DISC, status: 308, location: 'https://gitlab2.example.com/.well-known/openid-configuration' }]),
          jwksUri: { ok: true, uri: 'https://keys.example.com/oauth/discovery/keys' },
          jwks: doc('https://keys.example.com/oauth/discovery/keys', json({ keys: [] })),
          prefixed: prefixedAttempt(),
        }),
      },
    },
    {
      name: 'keys on a foreign host',
      facts: { fetch: at({ jwksUri: { ok: true, uri: 'https://keys.example.com/k' }, jwks: doc('https://keys.example.com/k', json()) }) },
    },
    {
      name: 'root and prefixed name different key sets',
      facts: { fetch: at({ base: { url: `${GL}/gitlab`, source: '--gitlab-url', differs: false }, prefixed: prefixedAttempt() }) },
    },
  ];
  it('renders every case as pinned, reaching every message', () => expectRenderings(check, cases));
});
