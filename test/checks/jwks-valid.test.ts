// jwks-valid: a table over the pure judge (finding ids at each edge), and gather against a loopback GitLab.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { judge, messages, type Facts } from '../../checks/jwks-valid.js';
import type { Message } from '../../src/check.js';
import { makeContext } from '../helpers/context.js';
import { startFakeGitLab, type FakeGitLab } from '../helpers/fake-gitlab.js';
import { discoveryDoc, jwksDoc, privateJwk, testKey, type TestKey } from '../jwks/fixtures.js';

let gitlab: FakeGitLab;
let main: TestKey;
let ci: TestKey;
let weak: TestKey;

beforeAll(async () => {
  [gitlab, main, ci, weak] = await Promise.all([startFakeGitLab({}), testKey('main'), testKey('ci'), testKey('weak', 1024)]);
});
afterAll(() => gitlab.close());

const URL = 'https://gitlab.example.com/oauth/discovery/keys';
const ids = (facts: Facts) => judge(facts).findings.map((f) => f.id);

describe('jwks-valid judge', () => {
  it.each([
    ['nothing fetched', () => ({}), ['noKeySet']],
    ['one good key', () => ({ fetched: { url: URL, doc: jwksDoc(main.jwk) } }), ['usable']],
    ['several keys (OIDC, CI, Cloud Connector)', () => ({ fetched: { url: URL, doc: jwksDoc(main.jwk, ci.jwk, { ...main.jwk }) } }), ['usable']],
    ['empty set', () => ({ fetched: { url: URL, doc: jwksDoc() } }), ['keysEmpty']],
    ['no keys member', () => ({ fetched: { url: URL, doc: { jwks: [] } } }), ['keysMissing']],
    ['not an object', () => ({ fetched: { url: URL, doc: 'keys' } }), ['notObject']],
    ['weak key only', () => ({ fetched: { url: URL, doc: jwksDoc(weak.jwk) } }), ['weakModulus', 'noRs256Key']],
    ['private key published', () => ({ fetched: { url: URL, doc: jwksDoc(privateJwk(main)) } }), ['privateMaterial']],
    ['RS512 beside a good key', () => ({ fetched: { url: URL, doc: jwksDoc({ ...main.jwk, alg: 'RS512' }, ci.jwk) } }), ['algNotRs256']],
  ] as const)('%s → %j', (_name, facts, expected) => {
    expect(ids(facts())).toEqual(expected);
  });

  it.each([
    [undefined, /HTTP 500 "Internal Server Error".*or, when it has AIGW_SELF_SIGNED_JWT keys/],
    [false, /HTTP 500 "Internal Server Error"/],
    [true, /401 \{"error":"Forbidden by auth provider"\}/],
  ])('an empty set says what the gateway answers (own keys: %s)', (own, consequence) => {
    const j = judge({ fetched: { url: URL, doc: jwksDoc() }, ...(own === undefined ? {} : { gatewayHasOwnKeys: own }) });
    expect(j.details?.at(-1)).toMatch(consequence);
  });

  it('names the Cloud Connector key tasks in the fixes, never openid_connect_signing_key', () => {
    for (const doc of [jwksDoc(), jwksDoc(weak.jwk), jwksDoc(privateJwk(main))]) {
      const j = judge({ fetched: { url: URL, doc } });
      const fixes = j.findings.map((f) => (messages[f.id] as Message<unknown>).fix).join(' ');
      expect(fixes).toMatch(/cloud_connector:keys:/);
      expect(fixes).not.toMatch(/openid_connect_signing_key/);
    }
  });

  it('counts and kids are evidence', () => {
    expect(judge({ fetched: { url: URL, doc: jwksDoc(main.jwk, ci.jwk) } }).evidence).toMatchObject({
      keyCount: 2,
      kids: [main.kid, ci.kid],
      usableCount: 2,
    });
  });
});

describe('jwks-valid gather', () => {
  it('reads the set jwks-reachable fetched, as plain JSON facts', async () => {
    gitlab.routes = {
      'GET /.well-known/openid-configuration': { body: discoveryDoc(gitlab.url) },
      'GET /oauth/discovery/keys': { body: jwksDoc(main.jwk, ci.jwk) },
    };
    const ctx = makeContext({ gitlabUrl: gitlab.url, env: {} });
    const facts = (await check.gather(ctx)) as Facts;
    expect(JSON.parse(JSON.stringify(facts))).toEqual(facts);
    expect(facts.gatewayHasOwnKeys).toBeUndefined();
    expect((await check.run(ctx)).status).toBe('pass');
  });

  it('knows the gateway has its own keys when its environment says so', async () => {
    gitlab.routes = {
      'GET /.well-known/openid-configuration': { body: discoveryDoc(gitlab.url) },
      'GET /oauth/discovery/keys': { body: jwksDoc() },
    };
    const ctx = makeContext({
      gitlabUrl: gitlab.url,
      env: { AIGW_GITLAB_URL: gitlab.url, AIGW_SELF_SIGNED_JWT__SIGNING_KEY: 'pem', AIGW_SELF_SIGNED_JWT__VALIDATION_KEY: 'pem' },
    });
    expect(await check.gather(ctx)).toMatchObject({ gatewayHasOwnKeys: true });
  });
});
