// Whether the gateway holds keys of its own (from its environment), and the sentence saying what it answers without GitLab's.
import { describe, expect, it } from 'vitest';
import { gatewayHasOwnKeys, withoutGitLabKeys } from '../../src/judge/gateway-keys.js';

const SIGNING = 'AIGW_SELF_SIGNED_JWT__SIGNING_KEY';
const VALIDATION = 'AIGW_SELF_SIGNED_JWT__VALIDATION_KEY';

describe('gatewayHasOwnKeys', () => {
  it.each([
    ['no AIGW_ variable: not the gateway environment', { PATH: '/bin' }, undefined],
    ['empty environment', {}, undefined],
    ['an AIGW_ variable, no keys', { AIGW_GITLAB_URL: 'https://g' }, false],
    ['a lower-case aigw_ variable counts as the gateway', { aigw_gitlab_url: 'https://g' }, false],
    ['both keys', { [SIGNING]: 'k1', [VALIDATION]: 'k2' }, true],
    ['both keys spelled in lower case (pydantic ignores case)', { [SIGNING.toLowerCase()]: 'k1', [VALIDATION.toLowerCase()]: 'k2' }, true],
    ['the signing key only', { [SIGNING]: 'k1' }, false],
    ['the validation key only', { [VALIDATION]: 'k2' }, false],
    ['both set, one empty', { [SIGNING]: 'k1', [VALIDATION]: '' }, false],
    ['both set, the other empty', { [SIGNING]: '', [VALIDATION]: 'k2' }, false],
  ] as [string, Record<string, string>, boolean | undefined][])('%s → %s', (_name, env, want) => {
    expect(gatewayHasOwnKeys(env)).toBe(want);
  });
});

describe('withoutGitLabKeys', () => {
  it('with keys of its own: 401 for every GitLab token, cached a day', () => {
    expect(withoutGitLabKeys(true)).toBe(
      'GitLab\'s tokens then fail to verify against the gateway\'s own keys alone: every request from GitLab gets 401 {"error":"Forbidden by auth provider"}, and the gateway keeps that key set for 24 h unless it is restarted.',
    );
  });

  it('without any: 500 CriticalAuthError, cached a day', () => {
    expect(withoutGitLabKeys(false)).toBe(
      'The gateway then answers every authenticated request HTTP 500 "Internal Server Error" (its log: CriticalAuthError "No keys founds in JWKS; are OIDC providers up?"), and the gateway keeps that key set for 24 h unless it is restarted.',
    );
  });

  it('unknown: both answers, each with its condition', () => {
    expect(withoutGitLabKeys(undefined)).toBe(
      'The gateway then answers every authenticated request HTTP 500 "Internal Server Error" (its log: CriticalAuthError "No keys founds in JWKS; are OIDC providers up?") — or, when it has AIGW_SELF_SIGNED_JWT keys of its own, 401 {"error":"Forbidden by auth provider"} — and the gateway keeps that key set for 24 h unless it is restarted.',
    );
  });
});
