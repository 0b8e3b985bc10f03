// The JWKS probe's pure parts: the gateway's URL join and the base it starts from (jwks.integration.test.ts: fetching from
// a loopback GitLab, redirects followed as Python requests does, one memoised fetch per run).
import { describe, expect, it } from 'vitest';
import { gatewayBase, gatewayDiscoveryUrl, jwksUriOf, prefixedDiscoveryUrl } from '../../src/probes/jwks.js';
import { defaultSettings } from '../../src/config/settings.js';

describe('gatewayDiscoveryUrl (urllib.parse.urljoin with a leading slash)', () => {
  it.each([
    ['https://gitlab.example.com', 'https://gitlab.example.com/.well-known/openid-configuration'],
    ['https://gitlab.example.com/', 'https://gitlab.example.com/.well-known/openid-configuration'],
    ['https://host/gitlab', 'https://host/.well-known/openid-configuration'],
    ['https://host/gitlab/', 'https://host/.well-known/openid-configuration'],
    ['http://host:8080/a/b?x=1#f', 'http://host:8080/.well-known/openid-configuration'],
  ])('%s → %s', (base, url) => expect(gatewayDiscoveryUrl(base)).toBe(url));
});

describe('prefixedDiscoveryUrl', () => {
  it.each([
    ['https://gitlab.example.com', undefined],
    ['https://gitlab.example.com/', undefined],
    ['https://host/gitlab', 'https://host/gitlab/.well-known/openid-configuration'],
    ['https://host/gitlab/', 'https://host/gitlab/.well-known/openid-configuration'],
  ])('%s → %s', (base, url) => expect(prefixedDiscoveryUrl(base)).toBe(url));
});

describe('jwksUriOf', () => {
  it.each([
    [{ jwks_uri: 'https://h/oauth/discovery/keys' }, true, ''],
    [{}, false, 'has no jwks_uri'],
    [{ jwks_uri: 42 }, false, 'not a non-empty string'],
    [{ jwks_uri: '/oauth/discovery/keys' }, false, 'relative'],
    [{ jwks_uri: 'ftp://h/keys' }, false, 'not http(s)'],
    [['jwks_uri'], false, 'not a JSON object'],
  ])('%j → ok %s', (doc, ok, reason) => {
    const r = jwksUriOf(doc);
    expect(r.ok).toBe(ok);
    if (!r.ok) expect(r.reason).toContain(reason);
  });
});

describe('gatewayBase', () => {
  it('prefers AIGW_GITLAB_URL and says when it differs from --gitlab-url', () => {
    const s = defaultSettings({ gitlabUrl: 'https://gitlab.example.com', env: { AIGW_GITLAB_URL: 'http://gitlab.internal' } });
    expect(gatewayBase(s)).toEqual({
      url: 'http://gitlab.internal',
      source: 'AIGW_GITLAB_URL',
      gitlabUrl: 'https://gitlab.example.com',
      differs: true,
    });
  });
  it('treats a trailing slash as the same URL', () => {
    const s = defaultSettings({ gitlabUrl: 'https://gitlab.example.com', env: { AIGW_GITLAB_URL: 'https://gitlab.example.com/' } });
    expect(gatewayBase(s)?.differs).toBe(false);
  });
  it('falls back to --gitlab-url, and is undefined without either', () => {
    expect(gatewayBase(defaultSettings({ gitlabUrl: 'https://g' }))).toMatchObject({ url: 'https://g', source: '--gitlab-url' });
    expect(gatewayBase(defaultSettings())).toBeUndefined();
  });
});
