// The token judge: signature by kid and by any key (as python-jose), rotation, gateway-minted tokens, audience, times and clock skew.
import { SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { judgeToken, type TokenProblemId } from '../../src/jwks/token.js';
import { signToken, testKey, type TestKey, type TokenSpec } from './fixtures.js';

let main: TestKey;
let ci: TestKey;
let rotated: TestKey;

beforeAll(async () => {
  [main, ci, rotated] = await Promise.all([testKey('main'), testKey('ci'), testKey('rotated')]);
});

const now = () => new Date();

describe('judgeToken', () => {
  it('passes a fresh GitLab token signed by a key of the set, and reports header and printable claims only', async () => {
    const token = await signToken({ key: main });
    const j = await judgeToken(token, [ci.jwk, main.jwk], { now: now(), serverDate: now() });
    expect(j.status).toBe('pass');
    expect(j.signature).toEqual({ kind: 'verified', kid: main.kid });
    expect(j.kidFound).toBe(true);
    expect(j.header).toEqual({ alg: 'RS256', kid: main.kid, typ: 'JWT' });
    expect(Object.keys(j.claims).sort()).toEqual(['aud', 'exp', 'gitlab_realm', 'iat', 'iss', 'nbf', 'scopes', 'sub']);
    expect(JSON.stringify(j)).not.toContain('jti');
    expect(JSON.stringify(j)).not.toContain(token.split('.')[2]);
    expect(j.offsets.map((o) => o.source)).toEqual(['Date header', 'iat']);
    expect(Math.abs(j.skewSeconds ?? 99)).toBeLessThanOrEqual(2);
  });

  const cases: { name: string; spec: () => TokenSpec; keys: () => TestKey[]; status: 'pass' | 'warn' | 'fail'; ids: TokenProblemId[]; signature: string }[] = [
    { name: 'kid not in the set (rotation)', spec: () => ({ key: rotated }), keys: () => [main, ci], status: 'fail', ids: ['kid-not-found'], signature: 'kid-not-found' },
    {
      name: 'kid in the set but another key signed',
      spec: () => ({ key: rotated, kid: main.kid }),
      keys: () => [main],
      status: 'fail',
      ids: ['bad-signature'],
      signature: 'bad-signature',
    },
    {
      name: 'signed by a key of the set under another kid (python-jose tries every key)',
      spec: () => ({ key: main, kid: 'renamed' }),
      keys: () => [ci, main],
      status: 'warn',
      ids: ['other-key'],
      signature: 'verified-other-key',
    },
    { name: 'no kid at all', spec: () => ({ key: main, kid: null }), keys: () => [ci, main], status: 'pass', ids: [], signature: 'verified' },
    { name: 'wrong audience', spec: () => ({ key: main, aud: 'gitlab-code-suggestions' }), keys: () => [main], status: 'fail', ids: ['audience'], signature: 'verified' },
    { name: 'audience in a list', spec: () => ({ key: main, aud: ['other', 'gitlab-ai-gateway'] }), keys: () => [main], status: 'pass', ids: [], signature: 'verified' },
    { name: 'no audience', spec: () => ({ key: main, aud: null }), keys: () => [main], status: 'warn', ids: ['audience-missing'], signature: 'verified' },
    { name: 'expired', spec: () => ({ key: main, clockOffsetS: -7200 }), keys: () => [main], status: 'fail', ids: ['expired', 'clock-skew'], signature: 'verified' },
    { name: 'issuer clock 60 s behind', spec: () => ({ key: main, clockOffsetS: -60 }), keys: () => [main], status: 'warn', ids: ['clock-skew'], signature: 'verified' },
    { name: 'issuer clock 10 min behind', spec: () => ({ key: main, clockOffsetS: -600 }), keys: () => [main], status: 'fail', ids: ['clock-skew'], signature: 'verified' },
    {
      name: 'issuer clock 20 s ahead: nbf in the future here',
      spec: () => ({ key: main, clockOffsetS: 20 }),
      keys: () => [main],
      status: 'fail',
      ids: ['not-yet-valid'],
      signature: 'verified',
    },
    {
      name: 'minted by the gateway with its own key',
      spec: () => ({ key: rotated, kid: 'gitlab_ai_gateway_signing_key', iss: 'gitlab-ai-gateway' }),
      keys: () => [main, ci],
      status: 'pass',
      ids: [],
      signature: 'minted-by-gateway',
    },
  ];

  it.each(cases)('$name → $status', async ({ spec, keys, status, ids, signature }) => {
    const j = await judgeToken(await signToken(spec()), keys().map((k) => k.jwk), { now: now() });
    expect(j.problems.map((p) => p.id)).toEqual(ids);
    expect(j.status).toBe(status);
    expect(j.signature.kind).toBe(signature);
  });

  it('refuses anything but RS256, like the gateway', async () => {
    const token = await new SignJWT({ aud: 'gitlab-ai-gateway' }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('x'.repeat(32)));
    const j = await judgeToken(token, [main.jwk], { now: now() });
    expect(j.status).toBe('fail');
    expect(j.problems.map((p) => p.id)).toEqual(['alg-not-rs256']);
  });

  it('fails a malformed token without echoing it', async () => {
    const j = await judgeToken('not-a-jwt-SECRETISH', [main.jwk], { now: now() });
    expect(j.status).toBe('fail');
    expect(j.problems[0]?.id).toBe('malformed');
    expect(JSON.stringify(j)).not.toContain('SECRETISH');
  });

  it('measures skew from the Date header even when iat agrees', async () => {
    const token = await signToken({ key: main });
    const j = await judgeToken(token, [main.jwk], { now: now(), serverDate: new Date(Date.now() + 400_000) });
    expect(j.status).toBe('fail');
    expect(j.skewSeconds).toBeLessThan(-390);
    expect(j.problems.find((p) => p.id === 'clock-skew')?.message).toContain('Date header');
  });
});
