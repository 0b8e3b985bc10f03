// Tests of the GitLab API probe against a scripted GitLab on loopback: token handling, memoisation, redirects, GraphQL.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  cloudConnectorStatus,
  describeExchange,
  gitlabEndpoint,
  gitlabGatewayTimeout,
  gitlabGet,
  gitlabGraphql,
  gitlabGroups,
  gitlabGraphqlFirst,
  gitlabPost,
  gatewayTarget,
  resolveGatewayUrl,
} from '../../src/probes/gitlab-api.js';
import { makeContext } from '../helpers/context.js';
import { connectorStatus, METADATA_EE } from '../helpers/gitlab-bodies.js';
import { gqlData, gqlErrors, missingField, startFakeGitLab, type FakeGitLab, type Route } from '../helpers/fake-gitlab.js';
import { startLoopback, type LoopbackServer } from '../helpers/loopback.js';

const TOKEN = 'glpat-test-token-0123456789';

let gitlab: FakeGitLab;
let other: LoopbackServer;
let otherHits = 0;

beforeAll(async () => {
  gitlab = await startFakeGitLab({});
  other = await startLoopback((_req, res) => {
    otherHits++;
    res.end('{}');
  });
});
afterAll(async () => {
  await gitlab.close();
  await other.close();
});
afterEach(() => {
  gitlab.requests.length = 0;
  otherHits = 0;
});

const ctxFor = (extra: Parameters<typeof makeContext>[0] = {}) => makeContext({ gitlabUrl: gitlab.url, gitlabToken: TOKEN, ...extra });

describe('gitlabEndpoint', () => {
  it.each([
    ['https://gitlab.example.com', '/api/v4/metadata', 'https://gitlab.example.com/api/v4/metadata'],
    ['https://gitlab.example.com/', '/api/v4/metadata', 'https://gitlab.example.com/api/v4/metadata'],
    ['https://host/gitlab/', '/api/graphql', 'https://host/gitlab/api/graphql'],
    ['https://host/gitlab', 'api/v4/user', 'https://host/gitlab/api/v4/user'],
  ])('%s + %s', (base, path, expected) => {
    expect(gitlabEndpoint(base, path)).toBe(expected);
  });
});

describe('gitlabGet / gitlabPost', () => {
  it('sends the token only in PRIVATE-TOKEN, asks for JSON, and memoises per method, path and body', async () => {
    gitlab.routes = { 'GET /api/v4/metadata': { body: METADATA_EE }, 'POST /api/v4/x': { status: 201, body: {} } };
    const ctx = ctxFor();
    const [a, b] = await Promise.all([gitlabGet(ctx, '/api/v4/metadata'), gitlabGet(ctx, '/api/v4/metadata')]);
    expect(a).toBe(b);
    await gitlabPost(ctx, '/api/v4/x', { a: 1 });
    await gitlabPost(ctx, '/api/v4/x', { a: 1 });
    await gitlabPost(ctx, '/api/v4/x', { a: 2 });
    expect(gitlab.requests.map((r) => `${r.method} ${r.path} ${r.body}`)).toEqual([
      'GET /api/v4/metadata ',
      'POST /api/v4/x {"a":1}',
      'POST /api/v4/x {"a":2}',
    ]);
    const first = gitlab.requests[0]!;
    expect(first.headers['private-token']).toBe(TOKEN);
    expect(first.headers.authorization).toBeUndefined();
    expect(first.headers.accept).toBe('application/json');
    expect(gitlab.requests[1]!.headers['content-type']).toBe('application/json');
    expect(ctx.memoKeys.join(' ')).not.toContain(TOKEN);
  });

  it('keeps a relative URL root', async () => {
    gitlab.routes = { 'GET /gitlab/api/v4/metadata': { body: METADATA_EE } };
    const ex = await gitlabGet(ctxFor({ gitlabUrl: `${gitlab.url}/gitlab/` }), '/api/v4/metadata');
    expect(ex.ok && ex.response.status).toBe(200);
  });

  it('sends no PRIVATE-TOKEN header without a token', async () => {
    gitlab.routes = { 'GET /api/v4/metadata': { status: 401, body: { message: '401 Unauthorized' } } };
    await gitlabGet(makeContext({ gitlabUrl: gitlab.url }), '/api/v4/metadata');
    expect(gitlab.requests[0]!.headers['private-token']).toBeUndefined();
  });

  it('returns a failure, without a request, when no GitLab URL is given', async () => {
    const ex = await gitlabGet(makeContext({ gitlabToken: TOKEN }), '/api/v4/metadata');
    expect(ex.ok).toBe(false);
    expect(!ex.ok && ex.failure.message).toMatch(/no GitLab URL/);
  });

  it('does not follow a redirect to another origin, and says the token was not sent there', async () => {
    gitlab.routes = { 'GET /api/v4/metadata': { status: 302, headers: { location: `${other.url}/api/v4/metadata` } } };
    const ctx = ctxFor();
    const ex = await gitlabGet(ctx, '/api/v4/metadata');
    expect(otherHits).toBe(0);
    expect(describeExchange(ctx, ex)).toBe(`GitLab redirected to ${other.url}; the token was not sent there (HTTP 302)`);
  });

  it('describes a same-origin redirect as a sign-in page or proxy rule', async () => {
    gitlab.routes = { 'GET /api/v4/metadata': { status: 302, headers: { location: '/users/sign_in' } } };
    const ctx = ctxFor();
    expect(describeExchange(ctx, await gitlabGet(ctx, '/api/v4/metadata'))).toMatch(/redirected to .*\/users\/sign_in instead of answering/);
  });

  it('describes Grape errors by their message and connection failures by their kind', async () => {
    gitlab.routes = { 'GET /api/v4/license': { status: 403, body: { message: '403 Forbidden' } } };
    const ctx = ctxFor();
    expect(describeExchange(ctx, await gitlabGet(ctx, '/api/v4/license'))).toBe('GitLab answered HTTP 403 (403 Forbidden)');
    const down = ctxFor({ gitlabUrl: 'http://127.0.0.1:1' });
    expect(describeExchange(down, await gitlabGet(down, '/api/v4/license'))).toMatch(/^could not reach GitLab: Connection to 127\.0\.0\.1:1 refused/);
  });
});

describe('gitlabGraphql', () => {
  const cases: { name: string; answer: Route; ok: boolean; reason?: RegExp }[] = [
    { name: 'data', answer: gqlData({ duoSettings: { aiGatewayUrl: 'http://aigw:5052' } }), ok: true },
    { name: 'GraphQL errors', answer: gqlErrors('first problem', 'second problem'), ok: false, reason: /^first problem; second problem$/ },
    { name: 'errors with a 401', answer: { status: 401, body: { errors: [{ message: 'Invalid token' }] } }, ok: false, reason: /^Invalid token$/ },
    { name: 'an HTTP error without errors', answer: { status: 500, body: 'Internal Server Error' }, ok: false, reason: /HTTP 500/ },
    {
      name: 'an HTML page',
      answer: { status: 200, headers: { 'content-type': 'text/html' }, body: '<html><title>Sign in</title></html>' },
      ok: false,
      reason: /not JSON: HTML page/,
    },
    { name: 'no data', answer: { body: { data: null } }, ok: false, reason: /no data/ },
  ];
  it.each(cases)('$name', async ({ answer, ok, reason }) => {
    gitlab.routes = { 'POST /api/graphql': answer };
    const result = await gitlabGraphql(ctxFor(), '{ duoSettings { aiGatewayUrl } }');
    expect(result.ok).toBe(ok);
    if (!result.ok) expect(result.reason).toMatch(reason!);
    expect(gitlab.requests[0]).toMatchObject({ method: 'POST', path: '/api/graphql', query: '{ duoSettings { aiGatewayUrl } }' });
  });

  it('falls back to a smaller query when a nested field is missing, and stops at a missing top-level field', async () => {
    gitlab.routes = { 'POST /api/graphql': (r) => (r.query === 'big' ? missingField('errors', 'CloudConnectorProbeResult') : gqlData({ ok: 1 })) };
    const result = await gitlabGraphqlFirst(ctxFor(), ['big', 'small']);
    expect(result).toEqual({ ok: true, data: { ok: 1 } });
    gitlab.requests.length = 0;
    gitlab.routes = { 'POST /api/graphql': missingField('cloudConnectorStatus', 'Query') };
    const top = await gitlabGraphqlFirst(ctxFor(), ['big', 'small']);
    expect(top.ok).toBe(false);
    expect(gitlab.requests).toHaveLength(1);
  });
});

describe('cloudConnectorStatus', () => {
  it('lists the probes, shared by every caller', async () => {
    gitlab.routes = { 'POST /api/graphql': gqlData(connectorStatus()) };
    const ctx = ctxFor();
    const [a, b] = await Promise.all([cloudConnectorStatus(ctx), cloudConnectorStatus(ctx)]);
    expect(a).toEqual(b);
    expect(a.available && a.probes.map((p) => p.name)).toEqual([
      'ai_gateway_url_presence_probe',
      'host_probe',
      'code_suggestions_license_probe',
      'end_to_end_probe',
    ]);
    expect(gitlab.requests).toHaveLength(1);
  });
  it('is unavailable when GitLab returns null', async () => {
    gitlab.routes = { 'POST /api/graphql': gqlData({ cloudConnectorStatus: null }) };
    expect(await cloudConnectorStatus(ctxFor())).toMatchObject({ available: false, reason: expect.stringMatching(/no status/) });
  });
});

describe('resolveGatewayUrl', () => {
  it.each([
    ['flag', 'flag'],
    ['env', 'env'],
    ['config', 'config'],
    [undefined, 'flag'],
  ] as const)("a configured URL from %s is reported as %s, and GitLab's own setting is read beside it", async (source, expected) => {
    gitlab.routes = { 'POST /api/graphql': gqlData({ duoSettings: { aiGatewayUrl: 'http://other:5052' } }) };
    const ctx = ctxFor({ gatewayUrl: ' http://aigw:5052 ', gatewayUrlSource: source });
    expect(await resolveGatewayUrl(ctx)).toEqual({ url: 'http://aigw:5052', source: expected });
    expect(await gatewayTarget(ctx)).toEqual({
      url: 'http://aigw:5052',
      source: expected,
      gitlabSetting: { state: 'set', url: 'http://other:5052' },
    });
    expect(gitlab.requests.map((r) => r.query)).toEqual(['{ duoSettings { aiGatewayUrl } }']);
  });

  it.each([
    ['a URL', gqlData({ duoSettings: { aiGatewayUrl: 'http://aigw.example.com:5052' } }), { url: 'http://aigw.example.com:5052', source: 'gitlab' }],
    ['a blank setting', gqlData({ duoSettings: { aiGatewayUrl: '' } }), { source: 'gitlab', detail: expect.stringMatching(/is blank/) }],
    ['a null setting', gqlData({ duoSettings: { aiGatewayUrl: null } }), { source: 'gitlab', detail: expect.stringMatching(/is blank/) }],
    [
      'an error',
      gqlErrors("Field 'duoSettings' doesn't exist on type 'Query'"),
      { source: 'none', detail: expect.stringMatching(/could not be read: .*duoSettings' doesn't exist/) },
    ],
  ])('asks GitLab: %s', async (_name, answer, expected) => {
    gitlab.routes = { 'POST /api/graphql': answer };
    const ctx = ctxFor();
    expect(await resolveGatewayUrl(ctx)).toEqual(expected);
    await resolveGatewayUrl(ctx);
    expect(gitlab.requests).toHaveLength(1);
    expect(gitlab.requests[0]!.query).toBe('{ duoSettings { aiGatewayUrl } }');
  });

  it('is none without a GitLab URL and token', async () => {
    expect(await resolveGatewayUrl(makeContext({ gitlabUrl: gitlab.url }))).toMatchObject({ source: 'none' });
    expect(gitlab.requests).toHaveLength(0);
  });
});

describe('gitlabGatewayTimeout', () => {
  it.each<[string, Route, unknown]>([
    ['the setting', gqlData({ duoSettings: { aiGatewayTimeoutSeconds: 300 } }), { seconds: 300, source: 'setting' }],
    ['unset (null): the 60 s fallback', gqlData({ duoSettings: { aiGatewayTimeoutSeconds: null } }), { seconds: 60, source: 'default' }],
    ['no duoSettings', gqlData({ duoSettings: null }), { seconds: 60, source: 'default' }],
    ['zero is not a timeout', gqlData({ duoSettings: { aiGatewayTimeoutSeconds: 0 } }), { seconds: 60, source: 'default' }],
    ['a GitLab before 18.7 (no field)', missingField('aiGatewayTimeoutSeconds', 'DuoSettings'), { seconds: 60, source: 'default' }],
    ['another missing field', missingField('duoSettings', 'Query'), undefined],
    ['a refusal', gqlErrors('The resource that you are attempting to access does not exist'), undefined],
  ])('%s', async (_name, route, expected) => {
    gitlab.routes = { 'POST /api/graphql': route };
    expect(await gitlabGatewayTimeout(ctxFor())).toEqual(expected);
  });

  it('asks nothing without a token', async () => {
    expect(await gitlabGatewayTimeout(makeContext({ gitlabUrl: gitlab.url }))).toBeUndefined();
    expect(gitlab.requests).toHaveLength(0);
  });
});

describe('gitlabGroups', () => {
  it('follows X-Next-Page and reads each group', async () => {
    // The fake routes by path alone: the pages are told apart by their order.
    let page = 0;
    gitlab.routes = {
      'GET /api/v4/groups': () =>
        ++page === 2
          ? {
              body: [{ id: 2, full_path: 'a/b', parent_id: 1, duo_features_enabled: false, lock_duo_features_enabled: true }],
              headers: { 'x-next-page': '' },
            }
          : {
              body: [{ id: 1, full_path: 'a', parent_id: null, duo_features_enabled: true }, { name: 'no id' }, { id: 3 }],
              headers: { 'x-next-page': '2' },
            },
    };
    expect(await gitlabGroups(ctxFor())).toEqual({
      ok: true,
      truncated: false,
      groups: [
        { id: 1, fullPath: 'a', duoFeaturesEnabled: true },
        { id: 3, fullPath: '3' },
        { id: 2, fullPath: 'a/b', parentId: 1, duoFeaturesEnabled: false, lockDuoFeaturesEnabled: true },
      ],
    });
    expect(gitlab.requests.map((r) => r.path)).toEqual(['/api/v4/groups', '/api/v4/groups']);
  });

  it('stops after ten pages, and reports a refusal', async () => {
    let page = 0;
    gitlab.routes = { 'GET /api/v4/groups': () => ({ body: [{ id: ++page }], headers: { 'x-next-page': String(page + 1) } }) };
    const many = await gitlabGroups(ctxFor());
    expect(many.ok && [many.truncated, many.groups.length]).toEqual([true, 10]);
    gitlab.routes = { 'GET /api/v4/groups': { status: 403, body: { message: '403 Forbidden' } } };
    expect(await gitlabGroups(ctxFor())).toEqual({ ok: false, reason: 'GitLab answered HTTP 403 (403 Forbidden)' });
    gitlab.routes = { 'GET /api/v4/groups': { body: { not: 'a list' } } };
    expect(await gitlabGroups(ctxFor())).toEqual({ ok: false, reason: 'the answer is not a JSON list' });
  });
});
