// token-verifies: a table over the pure judge (each answer GitLab's direct_access can give, each measured cause), and
// gather against a scripted GitLab (the token itself never kept).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, {
  clockOffset,
  exchangeFacts,
  judge,
  NBF_SLACK_S,
  OFFSET_WARN_S,
  printableClaims,
  TOKEN_LIFETIME_S,
  type Facts,
} from '../../checks/token-verifies.js';
import { expectRenderings, type RenderCase } from '../helpers/renderings.js';
import { DIRECT_ACCESS_PATH } from '../../src/probes/direct-access.js';
import { makeContext } from '../helpers/context.js';
import { startFakeGitLab, type FakeGitLab } from '../helpers/fake-gitlab.js';
import { discoveryDoc, jwksDoc, signToken, testKey, type TestKey } from '../jwks/fixtures.js';

const T0 = Date.parse('2026-12-01T12:00:00Z');
const date = (offsetS: number) => new Date(T0 + offsetS * 1000).toUTCString();
const minted = { iss: 'gitlab-ai-gateway', aud: 'gitlab-ai-gateway', scopes: ['complete_code', 'ai_gateway_model_provider_proxy'] };

/** Facts with GitLab answering `status`/`body` at GitLab time +offset, the gateway at T0. */
function facts(
  status: number,
  body: Record<string, unknown>,
  over: Partial<Facts> & { offsetS?: number; claims?: Record<string, unknown>; monolith?: boolean } = {},
): Facts {
  const { offsetS = 0, claims, monolith = false, ...rest } = over;
  return {
    exchange: { status, body, monolith, date: date(offsetS), ...(claims ? { claims } : {}) },
    gateway: { url: 'https://aigw.example.com/monitoring/healthz', date: date(0) },
    keySet: { kids: ['oidc', 'cc'] },
    gatewayEnv: { ownKeys: true, signingKey: true },
    ...rest,
  };
}
const failed = (status: number, error: string | null) => ({ message: 'Token creation failed', error_description: null, error_code: null, error });
const ids = (f: Facts) => judge(f).findings.map((x) => x.id);

describe('token-verifies judge', () => {
  it.each([
    ['a minted token', facts(201, {}, { claims: minted }), ['exchanged']],
    [`clocks ${OFFSET_WARN_S} s apart: still fine`, facts(201, {}, { claims: minted, offsetS: OFFSET_WARN_S }), ['exchanged']],
    [
      `clocks ${OFFSET_WARN_S + 1} s apart: a warning`,
      facts(201, {}, { claims: minted, offsetS: -(OFFSET_WARN_S + 1) }),
      ['exchanged', 'clockOffset'],
    ],
    ["GitLab's own token handed out (no exchange)", facts(201, {}, { claims: { iss: 'https://gitlab.example.com' } }), ['notGatewayMinted']],
    ['a 2xx without a token', facts(200, { message: 'Token is missing in response' }), ['tokenMissing']],
    ['direct connections disabled', facts(403, { message: '403 Forbidden - Direct connections are disabled' }), ['directDisabled']],
    ['GitLab refusing the user itself', facts(401, { message: '401 Unauthorized' }, { monolith: true }), ['userNoAccess']],
    ['no answer', { unreached: 'refused' }, ['noAnswer']],
    ['forbidden, clocks agree, keys published', facts(401, failed(401, 'Forbidden by auth provider')), ['gatewayRefused', 'staleOrForeignKeys']],
    [
      'forbidden, clocks agree, GitLab publishes an empty set',
      facts(401, failed(401, 'Forbidden by auth provider'), { keySet: { kids: [] } }),
      ['gatewayRefused', 'gitlabPublishesNoKeys'],
    ],
    [
      `forbidden, GitLab ${NBF_SLACK_S} s ahead`,
      facts(401, failed(401, 'Forbidden by auth provider'), { offsetS: NBF_SLACK_S }),
      ['gatewayRefused', 'staleOrForeignKeys'],
    ],
    [
      `forbidden, GitLab ${NBF_SLACK_S + 1} s ahead`,
      facts(401, failed(401, 'Forbidden by auth provider'), { offsetS: NBF_SLACK_S + 1 }),
      ['gatewayRefused', 'gitlabClockAhead'],
    ],
    [
      `forbidden, GitLab ${TOKEN_LIFETIME_S + 1} s behind`,
      facts(401, failed(401, 'Forbidden by auth provider'), { offsetS: -(TOKEN_LIFETIME_S + 1) }),
      ['gatewayRefused', 'gitlabClockBehind'],
    ],
    [
      `forbidden, GitLab ${TOKEN_LIFETIME_S} s behind (at the token's lifetime)`,
      facts(401, failed(401, 'Forbidden by auth provider'), { offsetS: -TOKEN_LIFETIME_S }),
      ['gatewayRefused', 'staleOrForeignKeys'],
    ],
    [
      'forbidden, keys unfetchable',
      facts(401, failed(401, 'Forbidden by auth provider'), { keySet: { failed: true } }),
      ['gatewayRefused', 'keysUnfetchable'],
    ],
    ['a header mismatch', facts(401, failed(401, "Header mismatch 'X-Gitlab-Instance-Id'")), ['gatewayRefused']],
    ['the scope refused (403)', facts(403, failed(403, null)), ['scopeRefused']],
    [
      '500, no signing key',
      facts(500, failed(500, null), { gatewayEnv: { ownKeys: false, signingKey: false } }),
      ['gatewayFailed', 'signingKeyUnset'],
    ],
    [
      '500, no key at all',
      facts(500, failed(500, null), { keySet: { kids: [] }, gatewayEnv: { ownKeys: false, signingKey: true } }),
      ['gatewayFailed', 'noKeysAtAll'],
    ],
    [
      '500, keys published, no own keys',
      facts(500, failed(500, null), { gatewayEnv: { ownKeys: false, signingKey: true } }),
      ['gatewayFailed', 'signingKeyOrNoKeys'],
    ],
    [
      '500, no key set read, environment unknown',
      facts(500, failed(500, null), { keySet: undefined, gatewayEnv: undefined }),
      ['gatewayFailed', 'signingKeyOrNoKeys'],
    ],
    ["'direct connections are disabled' with another status", facts(401, { message: 'Direct connections are disabled' }), ['unexpected']],
    ["GitLab's 500 message with another status", facts(502, { message: '500 Internal Server Error' }), ['unexpected']],
    ['another message with a 500', facts(500, { message: '500 Something else' }), ['unexpected']],
    ['a message that is not a string', facts(418, { message: 42 }), ['unexpected']],
    ['500, environment unknown', facts(500, failed(500, null), { gatewayEnv: undefined }), ['gatewayFailed', 'signingKeyOrNoKeys']],
    ['GitLab unable to reach the gateway', facts(500, { message: '500 Internal Server Error' }), ['gatewayUnreachable']],
    ['anything else', facts(418, { message: 'teapot' }), ['unexpected']],
  ] as const)('%s → %j', (_name, f, expected) => {
    expect(ids(f as Facts)).toEqual(expected);
  });

  it('never reads a refusal as "this user needs a Duo seat"', () => {
    const refusal = judge(facts(401, failed(401, 'Forbidden by auth provider')));
    const texts = refusal.findings.map((f) => check.messages[f.id].text(f.data as never)).join(' ');
    expect(texts).not.toMatch(/seat/i);
  });

  it.each([
    [date(0), date(0), 0],
    [date(12), date(0), 12],
    [date(0), date(7), -7],
    [undefined, date(0), undefined],
  ])('clock offset of GitLab %s against the gateway %s → %s', (gitlab, gateway, expected) => {
    expect(clockOffset({ exchange: { status: 201, monolith: false, ...(gitlab ? { date: gitlab } : {}) }, gateway: { date: gateway } })).toBe(
      expected,
    );
  });
});

describe('token-verifies gather', () => {
  const ADMIN_TOKEN = 'glpat-ADMINSECRET0123456789';
  let gitlab: FakeGitLab;
  let key: TestKey;
  beforeAll(async () => {
    [gitlab, key] = await Promise.all([startFakeGitLab({}), testKey('main')]);
  });
  afterAll(() => gitlab.close());

  it('keeps the claims of the token GitLab hands out, never the token', async () => {
    const token = await signToken({ key, iss: 'gitlab-ai-gateway', aud: 'gitlab-ai-gateway' });
    gitlab.routes = {
      'GET /.well-known/openid-configuration': { body: discoveryDoc(gitlab.url) },
      'GET /oauth/discovery/keys': { body: jwksDoc(key.jwk) },
      [`POST ${DIRECT_ACCESS_PATH}`]: {
        status: 201,
        body: { base_url: 'http://aigw.example.com', token, expires_at: 1, headers: { 'X-Gitlab-Realm': 'self-managed' } },
      },
    };
    const ctx = makeContext({ gitlabUrl: gitlab.url, gitlabToken: ADMIN_TOKEN });
    const gathered = (await check.gather(ctx)) as Facts;
    const printed = JSON.stringify(gathered);
    for (const part of token.split('.')) expect(printed).not.toContain(part);
    expect(gathered.exchange?.claims).toMatchObject({ iss: 'gitlab-ai-gateway' });
    expect(gathered.keySet).toEqual({ kids: [key.kid] });
    const out = await check.run(ctx);
    expect(out.findings?.map((f) => f.id)).toEqual(['exchanged']);
  });
});

describe('token-verifies judge: evidence and details beside the findings', () => {
  it("keeps GitLab's status and the clock offset as evidence, at the offset measured", () => {
    expect(judge(facts(201, {}, { claims: minted, offsetS: 7 })).evidence).toStrictEqual({ directAccessStatus: 201, clockOffsetSeconds: 7 });
    expect(judge(facts(201, {}, { claims: minted, offsetS: 0 })).evidence).toEqual({ directAccessStatus: 201, clockOffsetSeconds: 0 });
  });

  it("has no offset without the gateway's Date, and no status without an answer", () => {
    expect(judge({ ...facts(201, {}, { claims: minted }), gateway: { failure: 'refused' } } as Facts).evidence).toStrictEqual({
      directAccessStatus: 201,
    });
    expect(judge({ unreached: 'refused' }).evidence).toStrictEqual({});
  });

  it.each([
    ['the gateway asked and the key set read', facts(201, {}, { claims: minted }), 3, 'oidc, cc'],
    ['an empty key set', facts(201, {}, { claims: minted, keySet: { kids: [] } }), 3, 'empty (no keys)'],
    ['no key set, no gateway URL', { ...facts(201, {}, { claims: minted }), keySet: undefined, gateway: { date: date(0) } } as Facts, 1, undefined],
  ])('details: %s', (_name, f, lines, kids) => {
    const { details } = judge(f);
    expect(details).toHaveLength(lines);
    if (kids) expect(details?.[2]).toContain(kids);
  });

  it('names the scopes of a minted token, and (none) for a token without any', () => {
    expect(judge(facts(201, {}, { claims: minted })).findings[0]?.data).toMatchObject({
      iss: 'gitlab-ai-gateway',
      scopes: 'complete_code, ai_gateway_model_provider_proxy',
    });
    expect(judge(facts(201, {}, { claims: { ...minted, scopes: 'complete_code' } })).findings[0]?.data).toMatchObject({ scopes: '(none)' });
  });
});

describe("token-verifies: parsing GitLab's answer (exchangeFacts, printableClaims)", () => {
  const jwt = (payload: unknown) => `e30.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.c2ln`;
  // A thunk: the answer is parsed inside the test, where a mutant is active (not while the table is collected).
  const answer =
    (status: number, body: string, headers: Record<string, string> = {}) =>
    () =>
      exchangeFacts({ ok: true, response: { status, headers: { 'content-type': 'application/json', ...headers }, body, elapsedMs: 1 } });
  it.each([
    [
      'a token: its printable claims kept, the token and headers dropped',
      answer(
        201,
        JSON.stringify({
          token: jwt({ ...minted, sub: 'u', gitlab_realm: 'self-managed', iat: 1, nbf: 2, exp: 3, jti: 'x', extra: 1 }),
          base_url: 'b',
          headers: { h: 1 },
        }),
        {
          date: 'Tue, 01 Dec 2026 12:00:00 GMT',
        },
      ),
      {
        status: 201,
        body: { base_url: 'b' },
        monolith: false,
        date: 'Tue, 01 Dec 2026 12:00:00 GMT',
        claims: { ...minted, sub: 'u', gitlab_realm: 'self-managed', iat: 1, nbf: 2, exp: 3 },
      },
    ],
    ['a token that is not a JWT: no claims', answer(201, JSON.stringify({ token: 'opaque' })), { status: 201, body: {}, monolith: false }],
    ['a token that is not a string: no claims', answer(201, JSON.stringify({ token: 42 })), { status: 201, body: {}, monolith: false }],
    [
      "GitLab's own refusal",
      answer(401, JSON.stringify({ message: '401 Unauthorized' }), { 'x-gitlab-error-origin': 'monolith' }),
      { status: 401, body: { message: '401 Unauthorized' }, monolith: true },
    ],
    ['another error origin', answer(401, '{}', { 'x-gitlab-error-origin': 'rails' }), { status: 401, body: {}, monolith: false }],
    ['not JSON', answer(502, '<html><title>Bad Gateway</title></html>', { 'content-type': 'text/html' }), { status: 502, monolith: false }],
    ['JSON null', answer(500, 'null'), { status: 500, monolith: false }],
    ['a JSON list', answer(500, '[1]'), { status: 500, monolith: false }],
    ['a JSON string', answer(500, '"x"'), { status: 500, monolith: false }],
  ])('%s', (_name, got, expected) => expect(got()).toStrictEqual(expected));

  it.each([
    ['no payload part', 'onlyone', undefined],
    ['a payload that is not base64 JSON', 'a.!!!.c', undefined],
    ['a payload without printable claims', jwt({ jti: 'x' }), {}],
  ])('printableClaims: %s', (_name, token, expected) => expect(printableClaims(token)).toStrictEqual(expected));
});

describe('token-verifies renderings (every message, pinned in __renderings__/token-verifies.txt)', () => {
  const cases: RenderCase<Facts>[] = [
    { name: 'no answer from GitLab, no gateway', facts: { unreached: 'connect ECONNREFUSED 10.0.0.1:443' } },
    { name: 'no answer, nothing said', facts: { gateway: { failure: 'timeout' } } },
    { name: 'direct connections disabled', facts: facts(403, { message: '403 Forbidden - Direct connections are disabled' }) },
    { name: 'GitLab refused the user', facts: facts(403, { message: '403 Forbidden' }, { monolith: true }) },
    { name: 'exchanged, clocks agree', facts: facts(201, { base_url: 'https://aigw.example.com' }, { claims: minted }) },
    {
      name: 'exchanged (200), GitLab 31 s ahead, no scopes',
      facts: facts(200, {}, { claims: { iss: 'gitlab-ai-gateway' }, offsetS: 31 }),
    },
    { name: 'exchanged, GitLab 45 s behind', facts: facts(201, {}, { claims: minted, offsetS: -45, keySet: { kids: [] } }) },
    { name: "GitLab's own token, no claims", facts: facts(201, {}, { offsetS: 40, keySet: { failed: true } }) },
    {
      name: 'no gateway date (failed), no key set, no environment',
      facts: {
        exchange: { status: 201, monolith: false, body: {}, claims: { iss: 'https://gitlab.example.com' } },
        gateway: { failure: 'connect ECONNREFUSED' },
      },
    },
    { name: 'no token in a 2xx', facts: facts(201, { message: 'Token is missing in response' }) },
    { name: 'forbidden, clocks agree, two keys', facts: facts(401, failed(401, 'Forbidden by auth provider')) },
    { name: 'a 502 that is not JSON', facts: { exchange: { status: 502, monolith: false } } },
    { name: 'a message that is not a string', facts: facts(418, { message: 42 }) },
    { name: 'forbidden, clocks agree, one key', facts: facts(401, failed(401, 'Forbidden by auth provider'), { keySet: { kids: ['cc'] } }) },
    { name: 'forbidden, clocks agree, no key', facts: facts(401, failed(401, 'Forbidden by auth provider'), { keySet: { kids: [] } }) },
    { name: 'forbidden, GitLab 6 s ahead', facts: facts(401, failed(401, 'Forbidden by auth provider'), { offsetS: 6 }) },
    {
      name: 'forbidden, GitLab 3601 s behind, keys unfetchable',
      facts: facts(401, failed(401, 'Forbidden by auth provider'), { offsetS: -3601, keySet: { failed: true } }),
    },
    { name: 'forbidden, nothing measured', facts: { exchange: { status: 401, monolith: false, body: failed(401, 'Forbidden by auth provider') } } },
    { name: 'header mismatch', facts: facts(401, failed(401, "Header mismatch 'X-Gitlab-Instance-Id'")) },
    { name: 'authorization header rewritten', facts: facts(401, failed(401, 'Invalid authorization header')) },
    { name: 'token type rewritten', facts: facts(401, failed(401, 'Unsupported Token Type')) },
    { name: 'another gateway error', facts: facts(401, failed(401, 'Signature has expired')) },
    { name: 'token creation failed 401 without an error', facts: facts(401, failed(401, null)) },
    { name: 'token creation failed 400 with an error', facts: facts(400, failed(400, 'bad request')) },
    { name: 'scope refused', facts: facts(403, failed(403, null)) },
    { name: 'gateway 500, no signing key', facts: facts(500, failed(500, null), { gatewayEnv: { ownKeys: false, signingKey: false } }) },
    {
      name: 'gateway 502, no key at all',
      facts: facts(502, failed(502, null), { keySet: { failed: true }, gatewayEnv: { ownKeys: false, signingKey: true } }),
    },
    { name: 'gateway 500, keys published, own keys', facts: facts(500, failed(500, null)) },
    { name: 'gateway 500, no key set read, own keys', facts: facts(500, failed(500, null), { keySet: undefined }) },
    { name: 'GitLab could not reach the gateway', facts: facts(500, { message: '500 Internal Server Error' }) },
    { name: 'something else', facts: facts(418, { message: "I'm a teapot" }) },
    { name: 'something else, no message', facts: facts(502, {}) },
  ];
  it('renders every case as pinned, reaching every message', () => expectRenderings(check, cases));
});
