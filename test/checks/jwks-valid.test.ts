// jwks-valid on key sets served by a loopback GitLab: counts and kids as evidence, the empty-set consequence, each failing shape.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check from '../../checks/jwks-valid.js';
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

async function run(keys: unknown) {
  gitlab.routes = {
    'GET /.well-known/openid-configuration': { body: discoveryDoc(gitlab.url) },
    'GET /oauth/discovery/keys': { body: keys },
  };
  return check.run(makeContext({ gitlabUrl: gitlab.url }));
}

describe('jwks-valid', () => {
  it('passes GitLab\'s key set, with keyCount and kids as evidence', async () => {
    const out = await run(jwksDoc(main.jwk, ci.jwk));
    expect(out.status).toBe('pass');
    expect(out.summary).toBe(`2 keys, 2 usable for RS256 (kids: ${main.kid}, ${ci.kid})`);
    expect(out.evidence).toMatchObject({ keyCount: 2, kids: [main.kid, ci.kid], usableCount: 2 });
    expect(out.details).toContain(`Key 0 kid ${main.kid}: kty RSA, alg RS256, use sig, 2048 bits, usable for RS256`);
  });

  it('fails an empty set and spells out the consequence', async () => {
    const out = await run(jwksDoc());
    expect(out.status).toBe('fail');
    expect(out.summary).toContain('No keys found in JWKS');
    expect(out.evidence).toMatchObject({ keyCount: 0, kids: [] });
    expect(out.details?.at(-1)).toMatch(/every request with 401 "Forbidden by auth provider".*up to 24 h unless it is restarted/);
    expect(out.remediation).toMatch(/restart the gateway/);
  });

  it.each([
    ['keys missing', () => ({ jwks: [] }), /no "keys" member/, /openid_connect_signing_key/],
    ['weak key', () => jwksDoc(weak.jwk), /1024-bit RSA key/, /at least 2048 bits/],
    ['private key published', () => jwksDoc(privateJwk(main)), /publishes private key material/, /compromised|rotate/i],
  ])('fails: %s', async (_name, keys, summary, remediation) => {
    const out = await run(keys());
    expect(out.status).toBe('fail');
    expect(out.summary).toMatch(summary);
    expect(out.remediation).toMatch(remediation);
  });

  it('warns on non-standard but usable sets', async () => {
    const out = await run(jwksDoc({ ...main.jwk, alg: 'RS512' }, ci.jwk));
    expect(out.status).toBe('warn');
    expect(out.summary).toContain('alg RS512');
    expect(out.evidence).toMatchObject({ keyCount: 2, problems: ['alg-not-rs256'] });
  });

  it('skips when no key set was fetched', async () => {
    gitlab.routes = {};
    const out = await check.run(makeContext({ gitlabUrl: gitlab.url }));
    expect(out.status).toBe('skip');
  });
});
