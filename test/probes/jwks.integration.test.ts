// The JWKS probe against a loopback GitLab: redirects followed as Python requests does, one memoised fetch per run
// (jwks.test.ts: the URL join and the base it starts from).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchDocument, fetchJwks } from '../../src/probes/jwks.js';
import { makeContext } from '../helpers/context.js';
import { startFakeGitLab, type FakeGitLab } from '../helpers/fake-gitlab.js';
import { discoveryDoc, jwksDoc, testKey } from '../jwks/fixtures.js';

describe('fetching', () => {
  let gitlab: FakeGitLab;
  const env = () => ({ ca: [], proxyEnv: {}, signal: new AbortController().signal, deadline: Date.now() + 10_000 });

  beforeAll(async () => {
    gitlab = await startFakeGitLab({});
  });
  afterAll(() => gitlab.close());

  it('follows redirects like Python requests and records each hop', async () => {
    gitlab.routes = {
      'GET /a': { status: 301, headers: { location: '/b' } },
      'GET /b': { status: 302, headers: { location: `${gitlab.url}/c` } },
      'GET /c': { body: { ok: true } },
    };
    const f = await fetchDocument(`${gitlab.url}/a`, env());
    expect(f.outcome).toEqual({ kind: 'json', status: 200, value: { ok: true } });
    expect(f.hops).toEqual([
      { url: `${gitlab.url}/a`, status: 301, location: `${gitlab.url}/b` },
      { url: `${gitlab.url}/b`, status: 302, location: `${gitlab.url}/c` },
    ]);
    expect(f.finalUrl).toBe(`${gitlab.url}/c`);
  });

  it('stops at a redirect loop', async () => {
    gitlab.routes = { 'GET /a': { status: 302, headers: { location: '/b' } }, 'GET /b': { status: 302, headers: { location: '/a' } } };
    const f = await fetchDocument(`${gitlab.url}/a`, env());
    expect(f.outcome.kind).toBe('redirect-loop');
    expect(f.hops).toHaveLength(2);
  });

  it.each([
    [
      { status: 404, body: { message: '404 Not Found' } },
      { kind: 'status', status: 404, detail: '404 Not Found' },
    ],
    [
      { status: 502, headers: { 'content-type': 'text/html' }, body: '<html><head><title>502 Bad Gateway</title></head></html>' },
      { kind: 'status', status: 502, detail: 'HTML page ("502 Bad Gateway") instead of JSON' },
    ],
    [
      { status: 200, headers: { 'content-type': 'text/html' }, body: '<!DOCTYPE html><title>Sign in · GitLab</title>' },
      { kind: 'not-json', status: 200, reason: 'HTML page ("Sign in · GitLab") instead of JSON' },
    ],
    [
      { status: 200, body: '' },
      { kind: 'not-json', status: 200, reason: 'empty body' },
    ],
    [{ status: 302 }, { kind: 'redirect-without-location', status: 302 }],
  ])('%j → %j', async (answer, outcome) => {
    gitlab.routes = { 'GET /doc': answer };
    expect((await fetchDocument(`${gitlab.url}/doc`, env())).outcome).toEqual(outcome);
  });

  it('fails without a request when the budget is spent', async () => {
    const before = gitlab.requests.length;
    const f = await fetchDocument(`${gitlab.url}/doc`, { ...env(), deadline: Date.now() - 1 });
    expect(f.outcome).toMatchObject({ kind: 'failure', failure: { kind: 'timeout' } });
    expect(gitlab.requests.length).toBe(before);
  });

  it('fetches discovery then keys once per run, whoever asks', async () => {
    const key = await testKey('main');
    gitlab.routes = {
      'GET /.well-known/openid-configuration': { body: discoveryDoc(gitlab.url) },
      'GET /oauth/discovery/keys': { body: jwksDoc(key.jwk) },
    };
    gitlab.requests.length = 0;
    const ctx = makeContext({ gitlabUrl: gitlab.url });
    const [a, b] = await Promise.all([fetchJwks(ctx), fetchJwks(ctx)]);
    expect(a).toBe(b);
    expect(a?.jwks?.outcome).toMatchObject({ kind: 'json', status: 200 });
    expect(a?.prefixed).toBeUndefined();
    expect(a?.trust.source.kind).toBe('system');
    expect(gitlab.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /.well-known/openid-configuration', 'GET /oauth/discovery/keys']);
  });

  it('tries the prefixed location too when the base has a path', async () => {
    const key = await testKey('main');
    gitlab.routes = {
      'GET /gitlab/.well-known/openid-configuration': { body: discoveryDoc(`${gitlab.url}/gitlab`) },
      'GET /gitlab/oauth/discovery/keys': { body: jwksDoc(key.jwk) },
    };
    const f = await fetchJwks(makeContext({ gitlabUrl: `${gitlab.url}/gitlab` }));
    expect(f?.discovery.outcome).toMatchObject({ kind: 'status', status: 404 });
    expect(f?.prefixed?.discovery.url).toBe(`${gitlab.url}/gitlab/.well-known/openid-configuration`);
    expect(f?.prefixed?.jwks?.outcome.kind).toBe('json');
  });

  it.each([
    ['the gateway environment names no bundle: system roots, not --ca-file', true, {}, 'system'],
    ['no gateway environment: --ca-file stands in', false, {}, '--ca-file'],
    ['the gateway environment names a bundle', true, { REQUESTS_CA_BUNDLE: '/nonexistent/b.pem' }, 'REQUESTS_CA_BUNDLE'],
  ])('trust: %s', async (_name, gatewayEnv, env, kind) => {
    gitlab.routes = {};
    const settingsEnv = gatewayEnv ? { ...env, AIGW_GITLAB_URL: gitlab.url } : env;
    const f = await fetchJwks(makeContext({ gitlabUrl: gitlab.url, caFile: '/nonexistent/ca.pem', env: settingsEnv }));
    expect(f?.trust.source.kind).toBe(kind);
  });

  it('reports a base that is not a URL without sending anything', async () => {
    const f = await fetchJwks(makeContext({ env: { AIGW_GITLAB_URL: 'gitlab.example.com' } }));
    expect(f?.discovery.outcome).toEqual({
      kind: 'failure',
      failure: { kind: 'other', message: 'AIGW_GITLAB_URL is not a URL: gitlab.example.com' },
    });
  });

  it('caps each request by the check timeout', async () => {
    const f = await fetchJwks(makeContext({ gitlabUrl: gitlab.url, timeoutMs: 1000 }));
    expect(f?.budgetMs).toBe(800);
  });
});
