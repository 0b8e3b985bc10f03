// gitlab-reachable: its judge over tables of facts (finding ids), and its gather against a scripted GitLab on loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { gather, judge, messages, type ApiAnswer, type Facts } from '../../checks/gitlab-reachable.js';
import { renderJudgement } from '../../src/check.js';
import { expectRenderings, type RenderCase } from '../helpers/renderings.js';
import { makeContext } from '../helpers/context.js';
import { startFakeGitLab, type FakeGitLab } from '../helpers/fake-gitlab.js';
import { FORBIDDEN, INSUFFICIENT_SCOPE, METADATA_CE, METADATA_EE, USER_ADMIN, USER_REGULAR } from '../helpers/gitlab-bodies.js';
import { freePort, startSilentServer } from '../helpers/loopback.js';

const URL_ = 'https://gitlab.example.com';
const json = (value: unknown, status = 200): ApiAnswer => ({
  said: `GitLab answered HTTP ${status}`,
  elapsedMs: 12,
  status,
  json: { ok: true, value: value as Record<string, unknown> },
});
const status = (code: number, extra: Partial<ApiAnswer> = {}): ApiAnswer => ({
  said: `GitLab answered HTTP ${code}`,
  elapsedMs: 3,
  status: code,
  ...extra,
});
const failed = (kind: NonNullable<ApiAnswer['failure']>['kind'], code?: string): ApiAnswer => ({
  said: 'could not reach GitLab',
  elapsedMs: 2000,
  failure: { kind, message: `${kind} failure`, ...(code ? { code } : {}) },
});
const facts = (metadata: ApiAnswer, user?: ApiAnswer, gitlabUrl = URL_): Facts => ({
  gitlabUrl,
  timeoutMs: 2000,
  metadata,
  ...(user ? { user } : {}),
});
const ids = (f: Facts) => judge(f).findings.map((x) => x.id);

describe('gitlab-reachable judge', () => {
  it.each([
    ['EE and an administrator', facts(json(METADATA_EE), json(USER_ADMIN)), ['answers']],
    ['an older GitLab without the enterprise field, -ee version', facts(json({ version: '16.11.2-ee' }), json(USER_ADMIN)), ['answers']],
    ['an older GitLab without the enterprise field, plain version', facts(json({ version: '16.11.2' }), json(USER_ADMIN)), ['communityEdition']],
    ['the Community Edition', facts(json(METADATA_CE), json(USER_ADMIN)), ['communityEdition']],
    ['a regular user', facts(json(METADATA_EE), json(USER_REGULAR)), ['notAdmin']],
    ['both: CE and a regular user', facts(json(METADATA_CE), json(USER_REGULAR)), ['communityEdition', 'notAdmin']],
    ['a user answer without is_admin', facts(json(METADATA_EE), json({ username: 'x' })), ['notAdmin']],
    ['a 401 on metadata', facts(status(401)), ['tokenRejected']],
    ['a 403 for want of scope', facts(status(403, { apiMessage: 'insufficient_scope' })), ['tokenLacksScope']],
    ['a plain 403 on /user', facts(json(METADATA_EE), status(403, { apiMessage: '403 Forbidden' })), ['tokenForbidden']],
    ['a 401 on /user', facts(json(METADATA_EE), status(401)), ['tokenRejected']],
    ['a 404: no API there', facts(status(404)), ['noApi']],
    ['a 204', facts(status(204)), ['noApi']],
    ['a 404 at a URL ending in /api/v4', facts(status(404), undefined, `${URL_}/api/v4`), ['apiPathInUrl']],
    ['a 404 at a URL ending in /api/v4/', facts(status(404), undefined, `${URL_}/api/v4/`), ['apiPathInUrl']],
    ['a redirect', facts(status(301, { redirectTo: 'https://other.example.com/api/v4/metadata' })), ['redirected']],
    [
      'a 200 HTML page',
      facts({ said: 'GitLab answered HTTP 200', elapsedMs: 1, status: 200, json: { ok: false, reason: 'HTML page instead of JSON' } }),
      ['notGitlab'],
    ],
    ['a 200 object without version', facts(json({ kas: {} })), ['notGitlab']],
    ['DNS', facts(failed('dns')), ['dnsFailed']],
    ['refused', facts(failed('refused')), ['refused']],
    ['timeout', facts(failed('timeout')), ['timedOut']],
    ['reset', facts(failed('reset')), ['reset']],
    ['too large', facts(failed('too-large')), ['tooLarge']],
    ['not HTTP', facts(failed('protocol')), ['notHttp']],
    ['proxy', facts(failed('proxy')), ['proxyFailed']],
    ['aborted', facts(failed('aborted')), ['cancelled']],
    ['anything else', facts(failed('other')), ['requestFailed']],
    ['an untrusted issuer', facts(failed('tls', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY')), ['tlsUntrusted']],
    ['a self-signed certificate', facts(failed('tls', 'DEPTH_ZERO_SELF_SIGNED_CERT')), ['tlsUntrusted']],
    ['an expired certificate', facts(failed('tls', 'CERT_HAS_EXPIRED')), ['tlsExpired']],
    ['a certificate not yet valid', facts(failed('tls', 'CERT_NOT_YET_VALID')), ['tlsExpired']],
    ['a wrong host name', facts(failed('tls', 'ERR_TLS_CERT_ALTNAME_INVALID')), ['tlsWrongHost']],
    ['plain http on an https URL', facts(failed('tls', 'ERR_SSL_WRONG_VERSION_NUMBER')), ['notTls']],
    ['another TLS failure', facts(failed('tls', 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE')), ['tlsFailed']],
  ])('%s', (_name, f, expected) => {
    expect(ids(f)).toEqual(expected);
  });

  it('suggests --ca-file only for an untrusted issuer', () => {
    const fix = (code: string) => renderJudgement(messages, judge(facts(failed('tls', code)))).remediation ?? '';
    expect(fix('SELF_SIGNED_CERT_IN_CHAIN')).toContain('--ca-file');
    for (const code of ['CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID', 'ERR_SSL_WRONG_VERSION_NUMBER'])
      expect(fix(code)).not.toContain('--ca-file');
  });

  it("names the user's timeout in the fix", () => {
    expect(renderJudgement(messages, judge(facts(failed('timeout')))).remediation).toContain('--timeout 2000 ms');
  });

  it('keeps the version and username as evidence', () => {
    expect(judge(facts(json(METADATA_EE), json(USER_ADMIN))).evidence).toMatchObject({
      version: '18.6.0-ee',
      enterprise: true,
      username: 'root',
      isAdmin: true,
    });
  });
});

describe('gitlab-reachable gather', () => {
  const TOKEN = 'glpat-reachable-test-token';
  let gitlab: FakeGitLab;
  beforeAll(async () => {
    gitlab = await startFakeGitLab({});
  });
  afterAll(() => gitlab.close());

  it('asks metadata then user, and the whole run holds no token', async () => {
    gitlab.routes = { 'GET /api/v4/metadata': { body: METADATA_EE }, 'GET /api/v4/user': { body: USER_ADMIN } };
    const ctx = makeContext({ gitlabUrl: gitlab.url, gitlabToken: TOKEN });
    const f = await gather(ctx);
    expect(f.metadata.status).toBe(200);
    expect(f.user?.status).toBe(200);
    expect(ids(f)).toEqual(['answers']);
    expect(JSON.stringify(await check.run(ctx))).not.toContain(TOKEN);
  });

  it('does not send the token on to /user when metadata is no GitLab API', async () => {
    gitlab.routes = { 'GET /api/v4/metadata': { status: 404, body: { message: '404 Not Found' } } };
    const ctx = makeContext({ gitlabUrl: gitlab.url, gitlabToken: TOKEN });
    const f = await gather(ctx);
    expect(f.user).toBeUndefined();
    expect(ctx.memoKeys.some((k) => k.includes('/api/v4/user'))).toBe(false);
  });

  it('reads the scope refusal from the error body', async () => {
    gitlab.routes = { 'GET /api/v4/metadata': { status: 403, body: INSUFFICIENT_SCOPE } };
    expect(ids(await gather(makeContext({ gitlabUrl: gitlab.url, gitlabToken: TOKEN })))).toEqual(['tokenLacksScope']);
    gitlab.routes = { 'GET /api/v4/metadata': { body: METADATA_EE }, 'GET /api/v4/user': { status: 403, body: FORBIDDEN } };
    expect(ids(await gather(makeContext({ gitlabUrl: gitlab.url, gitlabToken: TOKEN })))).toEqual(['tokenForbidden']);
  });

  it('a refused port', async () => {
    const f = await gather(makeContext({ gitlabUrl: `http://127.0.0.1:${await freePort()}`, gitlabToken: TOKEN }));
    expect(ids(f)).toEqual(['refused']);
  });

  it('a host that accepts TCP but never completes TLS: on time, naming the stage', async () => {
    const silent = await startSilentServer();
    try {
      const started = Date.now();
      const out = await check.run(makeContext({ gitlabUrl: `https://127.0.0.1:${silent.port}`, gitlabToken: TOKEN, timeoutMs: 400 }));
      expect(Date.now() - started).toBeLessThan(1500);
      expect(out.findings?.map((x) => x.id)).toEqual(['timedOut']);
      expect(out.summary).toContain('within 400 ms (TLS handshake)');
    } finally {
      await silent.close();
    }
  });
});

describe('gitlab-reachable renderings (every message, pinned in __renderings__/gitlab-reachable.txt)', () => {
  const tls = (code: string) => failed('tls', code);
  const cases: RenderCase<Facts>[] = [
    { name: 'EE, an administrator', facts: facts(json(METADATA_EE), json(USER_ADMIN)) },
    { name: 'EE by its -ee version, no revision', facts: facts(json({ version: '16.11.2-ee', revision: 42 }), json(USER_ADMIN)) },
    { name: 'CE, a regular user', facts: facts(json(METADATA_CE), json(USER_REGULAR)) },
    { name: 'enterprise false despite -ee', facts: facts(json({ version: '17.0.0-ee', enterprise: false }), json(USER_ADMIN)) },
    { name: 'a user answer without a username nor is_admin', facts: facts(json(METADATA_EE), json({})) },
    { name: 'is_admin "true" as a string', facts: facts(json(METADATA_EE), json({ username: 'alice', is_admin: 'true' })) },
    {
      name: 'the user answer not JSON',
      facts: facts(json(METADATA_EE), { said: 'GitLab answered HTTP 200', elapsedMs: 2, status: 200, json: { ok: false, reason: 'empty body' } }),
    },
    { name: 'a 401 on metadata', facts: facts(status(401, { apiMessage: '401 Unauthorized' })) },
    { name: 'a 403 for want of scope on /user', facts: facts(json(METADATA_EE), status(403, { apiMessage: 'insufficient_scope' })) },
    { name: 'a plain 403 on /user', facts: facts(json(METADATA_EE), status(403, { apiMessage: '403 Forbidden' })) },
    { name: 'a 403 without a message', facts: facts(status(403)) },
    {
      name: 'a redirect',
      facts: facts(
        status(302, {
          said: 'GitLab answered HTTP 302 → https://gitlab.example.com/users/sign_in',
          redirectTo: 'https://gitlab.example.com/users/sign_in',
        }),
      ),
    },
    { name: 'a 404 at a URL ending in /api/v4 (query dropped)', facts: facts(status(404), undefined, `${URL_}/api/v4?x=1`) },
    { name: 'a redirect at a URL ending in /api/v4/', facts: facts(status(301), undefined, `${URL_}/api/v4/`) },
    { name: 'a 404', facts: facts(status(404)) },
    {
      name: 'a 200 HTML page',
      facts: facts({
        said: 'GitLab answered HTTP 200',
        elapsedMs: 1,
        status: 200,
        json: { ok: false, reason: 'HTML page ("Sign in") instead of JSON' },
      }),
    },
    { name: 'a 200 without a body', facts: facts({ said: 'GitLab answered HTTP 200', elapsedMs: 1, status: 200 }) },
    { name: 'a 200 whose version is a number', facts: facts(json({ version: 18 })) },
    { name: 'DNS', facts: facts(failed('dns', 'ENOTFOUND')) },
    { name: 'refused', facts: facts(failed('refused', 'ECONNREFUSED')) },
    { name: 'timeout', facts: facts(failed('timeout')) },
    { name: 'reset', facts: facts(failed('reset', 'ECONNRESET')) },
    { name: 'too large', facts: facts(failed('too-large')) },
    { name: 'not HTTP', facts: facts(failed('protocol', 'HPE_INVALID_CONSTANT')) },
    { name: 'proxy', facts: facts(failed('proxy')) },
    { name: 'cancelled', facts: facts(failed('aborted')) },
    { name: 'another failure', facts: facts(failed('other')) },
    { name: 'TLS untrusted', facts: facts(tls('SELF_SIGNED_CERT_IN_CHAIN')) },
    { name: 'TLS expired', facts: facts(tls('CERT_HAS_EXPIRED')) },
    { name: 'TLS not yet valid', facts: facts(tls('CERT_NOT_YET_VALID')) },
    { name: 'TLS wrong host', facts: facts(tls('ERR_TLS_CERT_ALTNAME_INVALID')) },
    { name: 'not TLS', facts: facts(tls('ERR_SSL_WRONG_VERSION_NUMBER')) },
    { name: 'TLS without a code', facts: facts(failed('tls')) },
    { name: 'the user unreachable after the metadata', facts: facts(json(METADATA_EE), failed('reset', 'ECONNRESET')) },
  ];
  it('renders every case as pinned, reaching every message', () => expectRenderings(check, cases));
});
