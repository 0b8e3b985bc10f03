// jwks-valid: a table over the pure judge (finding ids at each edge), and gather against a loopback GitLab.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { judge, messages, type Facts } from '../../checks/jwks-valid.js';
import type { Message } from '../../src/check.js';
import { expectRenderings, type RenderCase } from '../helpers/renderings.js';
import { makeContext } from '../helpers/context.js';
import { startFakeGitLab, type FakeGitLab } from '../helpers/fake-gitlab.js';
import { discoveryDoc, jwksDoc, privateJwk, testKey, type TestKey } from '../jwks/fixtures.js';

let gitlab: FakeGitLab;
let main: TestKey;
let ci: TestKey;
let weak: TestKey;

// The keys serve the judge tables too; the fake GitLab only gather (started in its describe).
beforeAll(async () => {
  [main, ci, weak] = await Promise.all([testKey('main'), testKey('ci'), testKey('weak', 1024)]);
});

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
  beforeAll(async () => {
    gitlab = await startFakeGitLab({});
  });
  afterAll(() => gitlab.close());

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

// Fixed moduli (generated once with node:crypto) so the pinned kids and sizes never change.
describe('jwks-valid renderings (every message, pinned in __renderings__/jwks-valid.txt)', () => {
  const N_A =
    'xaHSfeb6CD734cq0G81vY9UjNc2VJrN7HpiWtRllHr4K53h5yroGrCKfhPOE6fg14qTuMzWX4GjkIv3WzLND9b70KmdGIO1X4bO83GyzCOFTXMT2Q7vx4S5ye6p42q-BfY-bFM0ycJZztFD4v8fUIlL8uTMiDCb2h3Gl9Hw1j3pJ3TBYoHCFF_pBu2NZfSmd6NsrBuT97Bk5YM4q_arDxiYBaUzu1Fu_G8VH1k9-ownmLRZ-eePiYFlyeeXrza25sS5hu2g9MPOOrd4jsZnCSYyM_-0l1o7f6lLctP9ckk62Zma7-oyQ9pyY3BPLH7Rn_Qq56lRjZT1622NYH4XUNw';
  const N_B =
    '3rkRUwayZaYulG0sgHt0ArII33u2HZWpe7ccPJBnTYSoNieKKIibVGHRdeS9vSMa_raoXXt39wqHs5pp_nCZ2zilVjR0aTeyaKdfB7d6c0-CgJ5BqEVLF02Ra4aQ4XtsjWs0u1OsLkhhaCT-swQrjk4zvP-bCvTsooPsWXi5zqcnKePCcWGGOvmUIb3IegxdKdcO6tqwbKk9Vqm-z8SPnoe3kaoafGfRBervy-8DkIyxc0sk8I7bmpisiYaiiXkO-BoUfvPFhnZn0v0Ab-ghx01IXqTvYikimHLBtksnbkFtDewTQGo_ZTGzQaJoX96_Ubd6L6gkXyFxI7mqGmsnvQ';
  const N_WEAK =
    '3Chi3DmjM6GZ6-wOL_FLndqHYkK-ip9JVtS9l76CQTn6my_5L7RoeJRntkaZIIO_pIOaPHkMugX8RX6fhZTLUbPrnljA7UOdR4xrzyMHHFXr5an-DIUrXTgGBR14DdG-yQ97RRzuEiZKX3M0SkeEMgG0cocabMOIpXTen_Ell1c';
  const rsa = (n: string, kid: string, extra: Record<string, unknown> = {}) => ({
    kty: 'RSA',
    kid,
    e: 'AQAB',
    n,
    use: 'sig',
    alg: 'RS256',
    ...extra,
  });
  const at = (doc: unknown, gatewayHasOwnKeys?: boolean): Facts => ({
    fetched: { url: URL, doc },
    ...(gatewayHasOwnKeys === undefined ? {} : { gatewayHasOwnKeys }),
  });
  const cases: RenderCase<Facts>[] = [
    { name: 'nothing fetched', facts: {} },
    { name: 'one key', facts: at(jwksDoc(rsa(N_A, 'oidc'))) },
    { name: 'OIDC, CI and Cloud Connector keys', facts: at(jwksDoc(rsa(N_A, 'oidc'), rsa(N_B, 'ci'), rsa(N_A, 'oidc'))) },
    { name: 'a key without alg and use', facts: at(jwksDoc({ kty: 'RSA', kid: 'k', e: 'AQAB', n: N_A })) },
    { name: 'not an object', facts: at(['keys']) },
    { name: 'no keys member, own keys', facts: at({ jwks: [] }, true) },
    { name: 'keys not an array, no own keys', facts: at({ keys: {} }, false) },
    { name: 'keys empty', facts: at(jwksDoc()) },
    { name: 'a weak key only', facts: at(jwksDoc(rsa(N_WEAK, 'weak'))) },
    { name: 'a private key', facts: at(jwksDoc(rsa(N_A, 'oidc', { d: 'x', p: 'y', q: 'z' }))) },
    { name: 'a private key without kid', facts: at(jwksDoc({ kty: 'oct', k: 'c2VjcmV0' }, rsa(N_A, 'oidc'))) },
    { name: 'an EC key first', facts: at(jwksDoc({ kty: 'EC', kid: 'ec', crv: 'P-256', x: 'x', y: 'y' }, rsa(N_A, 'oidc'))) },
    { name: 'a key without kty', facts: at(jwksDoc({ kid: 'nokty' }, rsa(N_A, 'oidc'))) },
    { name: 'a string in keys', facts: at(jwksDoc('oidc', rsa(N_A, 'oidc'))) },
    { name: 'RS512 and use enc', facts: at(jwksDoc(rsa(N_A, 'a', { alg: 'RS512' }), rsa(N_B, 'b', { use: 'enc' }))) },
    { name: 'no kid', facts: at(jwksDoc({ kty: 'RSA', e: 'AQAB', n: N_A, use: 'sig', alg: 'RS256' })) },
    { name: 'one kid, two keys', facts: at(jwksDoc(rsa(N_A, 'same'), rsa(N_B, 'same'), rsa(N_A, 'other'))) },
    { name: 'no modulus', facts: at(jwksDoc(rsa('!!', 'bad-n'), rsa(N_A, 'oidc'))) },
    { name: 'no exponent', facts: at(jwksDoc(rsa(N_A, 'bad-e', { e: 7 }), rsa(N_B, 'oidc'))) },
  ];
  it('renders every case as pinned, reaching every message', () => expectRenderings(check, cases));
});
