// token-verifies against a loopback GitLab issuing generated tokens: rotation, audience, clock skew, gateway-minted tokens, refusals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jwksReachable from '../../checks/jwks-reachable.js';
import jwksValid from '../../checks/jwks-valid.js';
import check from '../../checks/token-verifies.js';
import { DIRECT_ACCESS_PATH } from '../../src/probes/direct-access.js';
import { makeContext } from '../helpers/context.js';
import { startFakeGitLab, type Answer, type FakeGitLab } from '../helpers/fake-gitlab.js';
import { discoveryDoc, jwksDoc, signToken, testKey, type TestKey, type TokenSpec } from '../jwks/fixtures.js';

const ADMIN_TOKEN = 'glpat-ADMINSECRET0123456789';
let gitlab: FakeGitLab;
let main: TestKey;
let rotated: TestKey;

beforeAll(async () => {
  [gitlab, main, rotated] = await Promise.all([startFakeGitLab({}), testKey('main'), testKey('rotated')]);
});
afterAll(() => gitlab.close());

function routes(directAccess: Answer) {
  return {
    'GET /.well-known/openid-configuration': { body: discoveryDoc(gitlab.url) },
    'GET /oauth/discovery/keys': { body: jwksDoc(main.jwk) },
    [`POST ${DIRECT_ACCESS_PATH}`]: directAccess,
  };
}

/** A direct_access 201 as GitLab answers it. */
const issued = (token: string, headers: Record<string, string> = {}): Answer => ({
  status: 201,
  headers,
  body: { base_url: 'http://aigw.example.com:5052', token, expires_at: Math.floor(Date.now() / 1000) + 3600, headers: { 'X-Gitlab-Realm': 'self-managed' } },
});

async function run(answer: Answer) {
  gitlab.routes = routes(answer);
  return check.run(makeContext({ gitlabUrl: gitlab.url, gitlabToken: ADMIN_TOKEN }));
}

async function runToken(spec: Partial<TokenSpec>, headers: Record<string, string> = {}) {
  const token = await signToken({ key: main, iss: gitlab.url, ...spec });
  return { token, out: await run(issued(token, headers)) };
}

describe('token-verifies', () => {
  it('passes a fresh token and prints its header and claims, never the token', async () => {
    const { token, out } = await runToken({});
    expect(out.status).toBe('pass');
    expect(out.summary).toMatch(new RegExp(`verifies with key ${main.kid} \\(RS256, aud gitlab-ai-gateway\\); clock offset -?\\d s`));
    expect(out.evidence).toMatchObject({ directAccessStatus: 201, alg: 'RS256', kid: main.kid, kidFound: true, signature: 'verified', iss: gitlab.url, aud: 'gitlab-ai-gateway', gitlab_realm: 'self-managed' });
    expect(out.details?.[0]).toBe(`Header: {"alg":"RS256","kid":"${main.kid}","typ":"JWT"}`);
    const printed = JSON.stringify(out);
    for (const part of token.split('.')) expect(printed).not.toContain(part);
    expect(printed).not.toContain(ADMIN_TOKEN);
    expect(gitlab.requests.at(-1)?.headers['private-token']).toBe(ADMIN_TOKEN);
  });

  it('fails a token signed with a key the set lacks (rotation)', async () => {
    const { out } = await runToken({ key: rotated });
    expect(out.status).toBe('fail');
    expect(out.summary).toContain(`GitLab signed with kid ${rotated.kid}, which is not in the key set`);
    expect(out.evidence).toMatchObject({ kidFound: false, signature: 'kid-not-found' });
    expect(out.remediation).toMatch(/gitlab-secrets\.json.*restart the gateway/);
  });

  it('fails the wrong audience', async () => {
    const { out } = await runToken({ aud: 'gitlab-code-suggestions' });
    expect(out.status).toBe('fail');
    expect(out.summary).toContain('aud is "gitlab-code-suggestions", not gitlab-ai-gateway');
    expect(out.remediation).toMatch(/gateway version that matches GitLab's/);
  });

  it.each([
    ['iat 60 s old: warn', { clockOffsetS: -60 }, {}, 'warn', /clock skew from the iat: this host is 6\d s ahead/],
    ['Date header 10 min ahead: fail', {}, { date: new Date(Date.now() + 600_000).toUTCString() }, 'fail', /clock skew from the Date header: this host is (59|60)\d s behind/],
  ] as const)('%s', async (_name, spec, headers, status, summary) => {
    const { out } = await runToken(spec, headers);
    expect(out.status).toBe(status);
    expect(out.summary).toMatch(summary);
    expect(out.remediation).toMatch(/NTP/);
  });

  it('passes a token minted by the gateway itself, saying why GitLab\'s keys do not verify it', async () => {
    const { out } = await runToken({ key: rotated, kid: 'gitlab_ai_gateway_signing_key', iss: 'gitlab-ai-gateway' });
    expect(out.status).toBe('pass');
    expect(out.summary).toContain('the gateway issued it (iss gitlab-ai-gateway)');
    expect(out.evidence).toMatchObject({ signature: 'minted-by-gateway', kidFound: false });
  });

  it('skips when direct connections are disabled, naming the setting', async () => {
    const out = await run({ status: 403, body: { message: '403 Forbidden - Direct connections are disabled' } });
    expect(out.status).toBe('skip');
    expect(out.details?.[0]).toContain('disabled_direct_code_suggestions');
  });

  it('skips when the user may not use Code Suggestions', async () => {
    const out = await run({ status: 401, body: { message: '401 Unauthorized' } });
    expect(out.status).toBe('skip');
    expect(out.details?.[0]).toMatch(/Duo seat/);
  });

  it('fails when GitLab cannot obtain a token from the gateway', async () => {
    const out = await run({ status: 503, body: { message: '503 Service Unavailable - Token creation failed' } });
    expect(out.status).toBe('fail');
    expect(out.summary).toContain('Token creation failed');
    expect(out.remediation).toMatch(/Restart the gateway/);
  });

  it('fails a 201 without a token', async () => {
    const out = await run({ status: 201, body: { base_url: 'x' } });
    expect(out.status).toBe('fail');
    expect(out.summary).toContain('but no token');
  });

  it('shares one discovery and key fetch across the three jwks checks', async () => {
    gitlab.routes = routes(issued(await signToken({ key: main, iss: gitlab.url })));
    gitlab.requests.length = 0;
    const ctx = makeContext({ gitlabUrl: gitlab.url, gitlabToken: ADMIN_TOKEN });
    const statuses = [];
    for (const c of [jwksReachable, jwksValid, check]) statuses.push((await c.run(ctx)).status);
    expect(statuses).toEqual(['pass', 'pass', 'pass']);
    expect(gitlab.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /.well-known/openid-configuration',
      'GET /oauth/discovery/keys',
      `POST ${DIRECT_ACCESS_PATH}`,
    ]);
  });
});
