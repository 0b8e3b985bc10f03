// The gateway's cache of verified tokens: a hit still expires with the token, and a new key set verifies again.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { authenticate, AUTH_MESSAGES, can, NO_KEYS_MESSAGE, type AuthSwitches } from '../../../src/reference/gateway/auth.js';
import type { KeySet } from '../../../src/reference/gateway/jwks.js';
import { createSigningKey, issueToken, TOKEN_LIFETIME_SECONDS, type SigningKey } from '../../../src/reference/gitlab/signing.js';
import { gitlabHeaders } from '../helpers.js';

const INSTANCE = '7f3c5a2e-1b4d-4c8e-9a6f-0d2b3c4e5f60';
const gitlab = await createSigningKey();
const other = await createSigningKey();

const mint = async (key: SigningKey = gitlab) =>
  (await issueToken(key, { issuer: 'https://gitlab.test', instanceId: INSTANCE, scopes: ['complete_code'] })).token;
const auth = (token: string, keySet: KeySet, headers: Record<string, string> = {}) =>
  authenticate(
    { ...gitlabHeaders(token, INSTANCE), ...headers },
    { auth: { bypassExternal: false, bypassExternalWithHeader: false, bypassJwtSignature: false }, keySet: () => Promise.resolve(keySet) },
  );
const forbidden = { ok: false, message: AUTH_MESSAGES.forbidden };

afterEach(() => {
  vi.useRealTimers();
});

describe('reference gateway: verified-token cache', () => {
  it('answers a repeated token from the cache while it is valid', async () => {
    const keySet: KeySet = { keys: [gitlab.jwk] };
    const token = await mint();
    expect(await auth(token, keySet)).toMatchObject({ ok: true });
    // Only a cache hit can still accept it: the key set object no longer holds a key that verifies it.
    keySet.keys = [other.jwk];
    expect(await auth(token, keySet)).toMatchObject({ ok: true, claims: { sub: INSTANCE } });
  });

  it('rejects a cached token once it is past its exp', async () => {
    const keySet: KeySet = { keys: [gitlab.jwk] };
    const token = await mint();
    expect(await auth(token, keySet)).toMatchObject({ ok: true });
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + (TOKEN_LIFETIME_SECONDS + 1) * 1000);
    expect(await auth(token, keySet)).toEqual(forbidden);
  });

  it('verifies again under a new key set: a rotated-away key no longer admits its tokens', async () => {
    const token = await mint();
    expect(await auth(token, { keys: [gitlab.jwk] })).toMatchObject({ ok: true });
    expect(await auth(token, { keys: [other.jwk] })).toEqual(forbidden);
    expect(await auth(token, { keys: [], error: 'fetch failed' })).toEqual({ ok: false, critical: NO_KEYS_MESSAGE });
  });

  it('still runs every per-request check on a cached token', async () => {
    const keySet: KeySet = { keys: [gitlab.jwk] };
    const token = await mint();
    expect(await auth(token, keySet)).toMatchObject({ ok: true });
    const cases: [Record<string, string>, string][] = [
      [{ authorization: `Basic ${token}` }, AUTH_MESSAGES.badHeader],
      [{ 'x-gitlab-authentication-type': 'jwt' }, AUTH_MESSAGES.notOidc],
      [{ 'x-gitlab-realm': 'saas' }, AUTH_MESSAGES.mismatch('X-Gitlab-Realm')],
      [{ 'x-gitlab-instance-id': 'another-instance' }, AUTH_MESSAGES.mismatch('X-Gitlab-Instance-Id')],
    ];
    for (const [headers, message] of cases) expect(await auth(token, keySet, headers)).toEqual({ ok: false, message });
  });

  it('does not let a cached token vouch for a forged one that differs in its signature', async () => {
    const keySet: KeySet = { keys: [gitlab.jwk] };
    const token = await mint();
    expect(await auth(token, keySet)).toMatchObject({ ok: true });
    const [header, payload] = token.split('.');
    const forged = `${header}.${payload}.${(await mint(other)).split('.')[2]}`;
    expect(await auth(forged, keySet)).toEqual(forbidden);
  });
});

describe('reference gateway: the three bypass switches (authentication.py, providers.py)', () => {
  const off: AuthSwitches = { bypassExternal: false, bypassExternalWithHeader: false, bypassJwtSignature: false };
  const run = (auth: Partial<AuthSwitches>, headers: Record<string, string>, keys: KeySet = { keys: [gitlab.jwk] }) =>
    authenticate(headers, { auth: { ...off, ...auth }, keySet: () => Promise.resolve(keys) });

  it.each([
    ['off: no header', {}, {}, { ok: false, message: AUTH_MESSAGES.noHeader }],
    ['BYPASS_EXTERNAL: anyone, no token', { bypassExternal: true }, {}, { ok: true, bypassed: 'external' }],
    [
      'BYPASS_EXTERNAL_WITH_HEADER: Bypass-Auth: true',
      { bypassExternalWithHeader: true },
      { 'bypass-auth': 'true' },
      { ok: true, bypassed: 'header' },
    ],
    [
      'BYPASS_EXTERNAL_WITH_HEADER: the value must be exactly "true"',
      { bypassExternalWithHeader: true },
      { 'bypass-auth': 'True' },
      { ok: false, message: AUTH_MESSAGES.noHeader },
    ],
    ['the header alone does nothing', {}, { 'bypass-auth': 'true' }, { ok: false, message: AUTH_MESSAGES.noHeader }],
  ] as const)('%s', async (_name, auth, headers, expected) => {
    expect(await run(auth, headers)).toEqual(expected);
  });

  it('BYPASS_JWT_SIGNATURE accepts a token signed with any key, but still checks aud, exp and the headers', async () => {
    const forged = await mint(other);
    expect(await run({}, gitlabHeaders(forged, INSTANCE))).toEqual(forbidden);
    expect(await run({ bypassJwtSignature: true }, gitlabHeaders(forged, INSTANCE))).toMatchObject({ ok: true, claims: { sub: INSTANCE } });
    const wrongAudience = (await issueToken(other, { issuer: 'https://gitlab.test', instanceId: INSTANCE, scopes: [], audience: 'elsewhere' })).token;
    expect(await run({ bypassJwtSignature: true }, gitlabHeaders(wrongAudience, INSTANCE))).toEqual(forbidden);
    expect(await run({ bypassJwtSignature: true }, { ...gitlabHeaders(forged, INSTANCE), 'x-gitlab-instance-id': 'x' })).toEqual({
      ok: false,
      message: AUTH_MESSAGES.mismatch('X-Gitlab-Instance-Id'),
    });
  });

  it('an empty key set is a critical error (a 500), not a 401, bypassed signature or not', async () => {
    for (const auth of [{}, { bypassJwtSignature: true }]) {
      expect(await run(auth, gitlabHeaders(await mint(), INSTANCE), { keys: [] })).toEqual({ ok: false, critical: NO_KEYS_MESSAGE });
    }
  });

  it('can: scopes of the token, any scope for a bypassed user, never a disallowed issuer', () => {
    const user = { ok: true as const, claims: { iss: 'gitlab-ai-gateway', scopes: ['complete_code'] } };
    expect(can(user, 'complete_code')).toBe(true);
    expect(can(user, 'duo_chat')).toBe(false);
    expect(can(user, 'complete_code', ['gitlab-ai-gateway'])).toBe(false);
    expect(can({ ok: true, bypassed: 'external' }, 'anything', ['gitlab-ai-gateway'])).toBe(true);
  });
});
