// AIGW_GITLAB_URL unset: the gateway's default is https://gitlab.com, whose keys verify no token a self-managed GitLab signs.
import { describe, expect, it } from 'vitest';
import { authenticate, AUTH_MESSAGES } from '../../../src/reference/gateway/auth.js';
import { DEFAULT_GITLAB_URL, resolveGatewayConfig } from '../../../src/reference/gateway/config.js';
import { fetchGitLabKeys } from '../../../src/reference/gateway/jwks.js';
import { createSigningKey, issueToken } from '../../../src/reference/gitlab/signing.js';
import { gitlabHeaders } from '../helpers.js';

const INSTANCE = '7f3c5a2e-1b4d-4c8e-9a6f-0d2b3c4e5f60';

describe('reference gateway: AIGW_GITLAB_URL', () => {
  it.each([
    ['unset', {}, DEFAULT_GITLAB_URL],
    ['empty (pydantic-settings keeps "")', { AIGW_GITLAB_URL: '' }, ''],
    ['set', { AIGW_GITLAB_URL: 'https://127.0.0.1:8443' }, 'https://127.0.0.1:8443'],
  ])('%s resolves to its value or the default', (_, env, expected) => {
    expect(resolveGatewayConfig({ env }).gitlabUrl).toBe(expected);
  });

  it('stands in for gitlab.com with a non-empty foreign key set, fetched from nowhere', async () => {
    const set = await fetchGitLabKeys(DEFAULT_GITLAB_URL, undefined);
    expect(set.keys).toHaveLength(1);
    expect(set.keys[0]?.kid).toBe('gitlab.com-stand-in');
    expect(set.error).toContain(DEFAULT_GITLAB_URL);
  });

  it("refuses a self-managed GitLab's token as forbidden (keys present, none matching), not as an empty key set", async () => {
    const gitlab = await createSigningKey();
    const { token } = await issueToken(gitlab, { issuer: 'https://gitlab.test', instanceId: INSTANCE, scopes: ['complete_code'] });
    const keySet = await fetchGitLabKeys(DEFAULT_GITLAB_URL, undefined);
    const result = await authenticate(gitlabHeaders(token, INSTANCE), {
      auth: { bypassExternal: false, bypassExternalWithHeader: false, bypassJwtSignature: false },
      keySet: () => Promise.resolve(keySet),
    });
    expect(result).toEqual({ ok: false, message: AUTH_MESSAGES.forbidden });
  });
});
