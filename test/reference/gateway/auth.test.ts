// The gateway's cache of verified tokens: a hit still expires with the token, and a new key set verifies again.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { authenticate, AUTH_MESSAGES } from '../../../src/reference/gateway/auth.js';
import type { KeySet } from '../../../src/reference/gateway/jwks.js';
import { createSigningKey, issueToken, TOKEN_LIFETIME_SECONDS, type SigningKey } from '../../../src/reference/gitlab/signing.js';
import { gitlabHeaders } from '../helpers.js';

const INSTANCE = '7f3c5a2e-1b4d-4c8e-9a6f-0d2b3c4e5f60';
const gitlab = await createSigningKey();
const other = await createSigningKey();

const mint = async (key: SigningKey = gitlab) =>
  (await issueToken(key, { issuer: 'https://gitlab.test', instanceId: INSTANCE, scopes: ['complete_code'] })).token;
const auth = (token: string, keySet: KeySet, headers: Record<string, string> = {}) =>
  authenticate({ ...gitlabHeaders(token, INSTANCE), ...headers }, { bypass: false, keySet: () => Promise.resolve(keySet) });
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
    keySet.keys = [];
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
    expect(await auth(token, { keys: [], error: 'fetch failed' })).toEqual(forbidden);
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
