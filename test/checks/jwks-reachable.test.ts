// jwks-reachable against loopback GitLabs with generated discovery/JWKS bodies: every failure the gateway's fetch can meet.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { judge, messages, type Facts } from '../../checks/jwks-reachable.js';
import { renderJudgement, type Judgement, type Messages } from '../../src/check.js';
import { expectRenderings, type RenderCase } from '../helpers/renderings.js';
import type { Settings } from '../../src/config/settings.js';
import { buildChain } from '../../src/pki/generate.js';
import type { JwksFetch } from '../../src/probes/jwks.js';
import { makeContext } from '../helpers/context.js';
import { startFakeGitLab, type FakeGitLab, type Route } from '../helpers/fake-gitlab.js';
import { freePort, startLoopback, type LoopbackServer } from '../helpers/loopback.js';
import { discoveryDoc, jwksDoc, testKey, type TestKey } from '../jwks/fixtures.js';

const DISCOVERY = 'GET /.well-known/openid-configuration';
const KEYS = 'GET /oauth/discovery/keys';

let gitlab: FakeGitLab;
let other: FakeGitLab;
let key: TestKey;

beforeAll(async () => {
  [gitlab, other, key] = await Promise.all([startFakeGitLab({}), startFakeGitLab({}), testKey('main')]);
});
afterAll(async () => {
  await Promise.all([gitlab.close(), other.close()]);
});

const healthy = (): Record<string, Route> => ({ [DISCOVERY]: { body: discoveryDoc(gitlab.url) }, [KEYS]: { body: jwksDoc(key.jwk) } });
const html = (title: string, status = 200): Route => ({
  status,
  headers: { 'content-type': 'text/html; charset=utf-8' },
  body: `<!DOCTYPE html><html><head><title>${title}</title></head><body></body></html>`,
});

async function run(routes: Record<string, Route>, settings: Partial<Settings> = {}) {
  gitlab.routes = routes;
  return check.run(makeContext({ gitlabUrl: gitlab.url, ...settings }));
}

describe('jwks-reachable', () => {
  it('passes when discovery and keys answer, with the evidence reporters read', async () => {
    const out = await run(healthy());
    expect(out.status).toBe('pass');
    expect(out.evidence).toMatchObject({
      baseSource: '--gitlab-url',
      discoveryUrl: `${gitlab.url}/.well-known/openid-configuration`,
      jwksUri: `${gitlab.url}/oauth/discovery/keys`,
      discoveryStatus: 200,
      jwksStatus: 200,
      trustSource: 'system',
    });
    expect(out.evidence?.discoveryMs).toEqual(expect.any(Number));
  });

  it('skips without AIGW_GITLAB_URL or --gitlab-url', async () => {
    const out = await check.run(makeContext({}));
    expect(out.status).toBe('skip');
  });

  it('follows AIGW_GITLAB_URL and says when it differs from --gitlab-url', async () => {
    gitlab.routes = healthy();
    const out = await check.run(makeContext({ gitlabUrl: 'https://gitlab.example.com', env: { AIGW_GITLAB_URL: gitlab.url } }));
    expect(out.status).toBe('pass');
    expect(out.evidence).toMatchObject({ baseSource: 'AIGW_GITLAB_URL', gitlabUrl: 'https://gitlab.example.com' });
    expect(out.details?.join('\n')).toContain('AIGW_GITLAB_URL differs from --gitlab-url');
  });

  const failures: { name: string; routes: () => Record<string, Route>; summary: RegExp; remediation: RegExp }[] = [
    {
      name: 'discovery 500',
      routes: () => ({ ...healthy(), [DISCOVERY]: html('500 Internal Server Error', 500) }),
      summary: /OIDC discovery: HTTP 500 \(HTML page/,
      remediation: /restart the gateway/,
    },
    {
      name: 'discovery 404',
      routes: () => ({ [KEYS]: { body: jwksDoc(key.jwk) } }),
      summary: /OIDC discovery: HTTP 404 \(404 Not Found\)/,
      remediation: /not GitLab's root/,
    },
    {
      name: 'discovery 403',
      routes: () => ({ ...healthy(), [DISCOVERY]: { status: 403, body: { message: '403 Forbidden' } } }),
      summary: /HTTP 403/,
      remediation: /anonymous GET/,
    },
    {
      name: 'keys 404',
      routes: () => ({ [DISCOVERY]: { body: discoveryDoc(gitlab.url) } }),
      summary: /the key set \(jwks_uri\): HTTP 404/,
      remediation: /forward/,
    },
    {
      name: 'sign-in page instead of JSON',
      routes: () => ({ ...healthy(), [DISCOVERY]: html('Sign in · GitLab') }),
      summary: /HTML page \("Sign in · GitLab"\) instead of JSON.*sign-in page/,
      remediation: /anonymously/,
    },
    {
      name: 'redirect to a sign-in page',
      routes: () => ({ ...healthy(), [DISCOVERY]: { status: 302, headers: { location: '/users/sign_in' } }, 'GET /users/sign_in': html('Sign in') }),
      summary: /HTML page.*after 1 redirect, at http:\/\/127\.0\.0\.1:\d+\/users\/sign_in/,
      remediation: /anonymously/,
    },
    {
      name: 'redirect loop',
      routes: () => ({ ...healthy(), [DISCOVERY]: { status: 302, headers: { location: '/.well-known/openid-configuration' } } }),
      summary: /redirect loop/,
      remediation: /redirect rules/,
    },
    {
      name: 'truncated JSON',
      routes: () => ({ ...healthy(), [DISCOVERY]: { headers: { 'content-type': 'application/json' }, body: '{"jwks_uri":' } }),
      summary: /OIDC discovery: invalid JSON[^—]*$/,
      remediation: /anonymously/,
    },
    {
      name: 'no jwks_uri',
      routes: () => ({ ...healthy(), [DISCOVERY]: { body: { issuer: gitlab.url } } }),
      summary: /has no jwks_uri/,
      remediation: /not GitLab's discovery document/,
    },
    {
      name: 'relative jwks_uri',
      routes: () => ({ ...healthy(), [DISCOVERY]: { body: discoveryDoc(gitlab.url, '/oauth/discovery/keys') } }),
      summary: /not an absolute URL/,
      remediation: /Point AIGW_GITLAB_URL/,
    },
  ];

  it.each(failures)('fails on $name, naming the cause and the 24 h consequence', async ({ routes, summary, remediation }) => {
    const out = await run(routes());
    expect(out.status).toBe('fail');
    expect(out.summary).toMatch(summary);
    expect(out.remediation).toMatch(remediation);
    expect(out.details?.at(-1)).toMatch(/500 "Internal Server Error".*Forbidden by auth provider.*24 h/);
  });

  it('fails with the connection refused', async () => {
    const port = await freePort();
    const out = await check.run(makeContext({ gitlabUrl: `http://127.0.0.1:${port}` }));
    expect(out.status).toBe('fail');
    expect(out.summary).toMatch(/connection to 127\.0\.0\.1:\d+ refused/);
    expect(out.evidence?.failureKind).toBe('refused');
  });

  it('fails on a timeout and says the gateway waits 10 s', async () => {
    const silent = await startLoopback(() => undefined);
    try {
      const out = await check.run(makeContext({ gitlabUrl: silent.url, timeoutMs: 1000 }));
      expect(out.status).toBe('fail');
      expect(out.summary).toMatch(/no answer from 127\.0\.0\.1:\d+ in time \(the gateway waits 10 s; this run allowed 800 ms/);
      expect(out.evidence?.failureKind).toBe('timeout');
    } finally {
      await silent.close();
    }
  });

  it('warns on a redirect that ends well, naming where it points', async () => {
    // GitLab's discovery moved to `other`, whose document names the keys back on `gitlab`.
    other.routes = { [DISCOVERY]: { body: discoveryDoc(gitlab.url) } };
    const out = await run({
      [DISCOVERY]: { status: 301, headers: { location: `${other.url}/.well-known/openid-configuration` } },
      [KEYS]: { body: jwksDoc(key.jwk) },
    });
    expect(out.status).toBe('warn');
    expect(out.summary).toContain(`301 ${gitlab.url}/.well-known/openid-configuration → ${other.url}/.well-known/openid-configuration`);
    expect(out.remediation).toContain(`Set AIGW_GITLAB_URL to the URL the redirect lands on (${other.url})`);
    expect(out.evidence?.redirects).toEqual([
      { from: `${gitlab.url}/.well-known/openid-configuration`, status: 301, to: `${other.url}/.well-known/openid-configuration` },
    ]);
  });

  it('warns on a same-origin redirect and names the rule to remove', async () => {
    const out = await run({
      [DISCOVERY]: { status: 302, headers: { location: '/-/discovery' } },
      'GET /-/discovery': { body: discoveryDoc(gitlab.url) },
      [KEYS]: { body: jwksDoc(key.jwk) },
    });
    expect(out.status).toBe('warn');
    expect(out.remediation).toBe(
      'Remove the rule in front of GitLab that redirects /.well-known/openid-configuration, so GitLab answers it directly, and restart the gateway.',
    );
  });

  it('warns when jwks_uri is on another host that answers, fails when it does not', async () => {
    other.routes = { [KEYS]: { body: jwksDoc(key.jwk) } };
    const warn = await run({ [DISCOVERY]: { body: discoveryDoc(gitlab.url, `${other.url}/oauth/discovery/keys`) } });
    expect(warn.status).toBe('warn');
    expect(warn.summary).toContain(`jwks_uri is on ${new URL(other.url).host}`);

    const port = await freePort();
    const fail = await run({ [DISCOVERY]: { body: discoveryDoc(gitlab.url, `http://127.0.0.1:${port}/oauth/discovery/keys`) } });
    expect(fail.status).toBe('fail');
    expect(fail.summary).toMatch(/refused — jwks_uri is on 127\.0\.0\.1:\d+, not on 127\.0\.0\.1:\d+/);
    expect(fail.remediation).toMatch(/must reach and trust 127\.0\.0\.1:\d+ too.*jwks_uri \(GitLab builds it from its external_url\)/);
  });

  it('explains the path-prefix pitfall of a relative-URL GitLab', async () => {
    const out = await run(
      {
        'GET /gitlab/.well-known/openid-configuration': { body: discoveryDoc(`${gitlab.url}/gitlab`) },
        'GET /gitlab/oauth/discovery/keys': { body: jwksDoc(key.jwk) },
      },
      { gitlabUrl: `${gitlab.url}/gitlab` },
    );
    expect(out.status).toBe('fail');
    expect(out.summary).toBe(
      `GitLab answers discovery at ${gitlab.url}/gitlab/.well-known/openid-configuration, but the gateway asks ${gitlab.url}/.well-known/openid-configuration: its leading-slash join drops the path /gitlab of --gitlab-url`,
    );
    expect(out.remediation).toContain('route exactly that path');
    expect(out.evidence).toMatchObject({ prefixedAnswers: true, discoveryStatus: 404 });
  });

  it('passes a relative-URL GitLab whose proxy serves discovery at the root too', async () => {
    const routes = {
      [DISCOVERY]: { body: discoveryDoc(`${gitlab.url}/gitlab`) },
      'GET /gitlab/.well-known/openid-configuration': { body: discoveryDoc(`${gitlab.url}/gitlab`) },
      'GET /gitlab/oauth/discovery/keys': { body: jwksDoc(key.jwk) },
    };
    const out = await run(routes, { gitlabUrl: `${gitlab.url}/gitlab` });
    expect(out.status).toBe('pass');
    expect(out.evidence).toMatchObject({ prefixedAnswers: true, jwksUri: `${gitlab.url}/gitlab/oauth/discovery/keys` });
  });

  describe('over https with a private CA', () => {
    let server: LoopbackServer;
    let dir: string;
    let bundle: string;
    let otherBundle: string;

    beforeAll(async () => {
      const chain = buildChain({ host: '127.0.0.1' });
      const unrelated = buildChain({ host: '127.0.0.1' });
      dir = await mkdtemp(join(tmpdir(), 'duo-doctor-jwks-'));
      bundle = join(dir, 'bundle.pem');
      otherBundle = join(dir, 'other.pem');
      await writeFile(bundle, chain.root.certPem);
      await writeFile(otherBundle, unrelated.root.certPem);
      const send = (res: ServerResponse, body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      server = await startLoopback(
        (req, res) => {
          if (req.url === '/.well-known/openid-configuration') return send(res, discoveryDoc(server.url));
          if (req.url === '/oauth/discovery/keys') return send(res, jwksDoc(key.jwk));
          res.writeHead(404).end();
        },
        { cert: chain.chainPem, key: chain.leaf.keyPem },
      );
    });
    afterAll(async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('fails with the TLS verdict and points to gitlab-tls / ca-bundle when the bundle lacks the root', async () => {
      for (const env of [{ AIGW_GITLAB_URL: server.url }, { AIGW_GITLAB_URL: server.url, REQUESTS_CA_BUNDLE: otherBundle }]) {
        const out = await check.run(makeContext({ gitlabUrl: server.url, env }));
        expect(out.status).toBe('fail');
        expect(out.summary).toMatch(
          /OIDC discovery: TLS failure with 127\.0\.0\.1:\d+ — the gateway, trusting .* cannot verify GitLab's certificate/,
        );
        expect(out.remediation).toMatch(/gitlab-tls and ca-bundle/);
        expect(out.evidence?.failureKind).toBe('tls');
      }
    });

    it('fails when only SSL_CERT_FILE names the root: Python requests never reads it', async () => {
      const out = await check.run(makeContext({ gitlabUrl: server.url, env: { AIGW_GITLAB_URL: server.url, SSL_CERT_FILE: bundle } }));
      expect(out.status).toBe('fail');
      expect(out.findings?.map((f) => f.id)).toEqual(['tls']);
      expect(out.summary).toContain('SSL_CERT_FILE is set, but Python requests never reads it');
      expect(out.remediation).toMatch(/REQUESTS_CA_BUNDLE/);
    });

    it.each(['REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE'])("passes when %s in the gateway's environment holds the root", async (variable) => {
      const out = await check.run(
        makeContext({ gitlabUrl: server.url, env: { AIGW_GITLAB_URL: server.url, [variable]: bundle, SSL_CERT_FILE: otherBundle } }),
      );
      expect(out.status).toBe('pass');
      expect(out.evidence).toMatchObject({ trustSource: variable, trustFile: bundle });
    });

    // Not the gateway's environment (no AIGW_*, no --exec): this host's CA variables are not the gateway's and decide nothing.
    const elsewhere: {
      name: string;
      env: () => Record<string, string>;
      caFile?: () => string;
      status: string;
      ids: string[];
      trustSource: string;
    }[] = [
      {
        name: "this host's REQUESTS_CA_BUNDLE trusts GitLab, nothing describes the gateway's: unknown, not a pass",
        env: () => ({ REQUESTS_CA_BUNDLE: bundle }),
        status: 'skip',
        ids: ['gatewayTrustUnknown'],
        trustSource: 'system',
      },
      {
        name: "--ca-file describes the gateway's bundle and holds the root",
        env: () => ({ REQUESTS_CA_BUNDLE: otherBundle }),
        caFile: () => bundle,
        status: 'pass',
        ids: ['reached'],
        trustSource: '--ca-file',
      },
      {
        name: "--ca-file describes the gateway's bundle and lacks the root",
        env: () => ({ REQUESTS_CA_BUNDLE: bundle }),
        caFile: () => otherBundle,
        status: 'fail',
        ids: ['tls'],
        trustSource: '--ca-file',
      },
    ];
    it.each(elsewhere)('not the gateway: $name', async ({ env, caFile, status, ids, trustSource }) => {
      const out = await check.run(makeContext({ gitlabUrl: server.url, env: env(), ...(caFile ? { caFile: caFile() } : {}) }));
      expect(out.status).toBe(status);
      expect(out.findings?.map((f) => f.id)).toEqual(ids);
      expect(out.evidence).toMatchObject({ trustSource });
    });
  });

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
