// Test helpers for the reference servers: a token issuer whose private key the test holds, and small HTTP helpers.
import { connect } from 'node:net';
import { listen, sendJson } from '../../src/reference/http.js';
import { createSigningKey, issueToken, type SigningKey, type TokenRequest } from '../../src/reference/gitlab/signing.js';

/** An OIDC issuer on loopback: discovery + JWKS, with the signing key exposed for minting (and forging) tokens. */
export interface TestIssuer {
  url: string;
  key: SigningKey;
  instanceId: string;
  /** What /oauth/discovery/keys serves: the real key, or nothing. */
  mode: { keys: 'normal' | 'empty' };
  /** How many JWKS fetches it answered. */
  fetches: number;
  mint(overrides?: Partial<TokenRequest> & { scopes?: string[] }): Promise<string>;
  close(): Promise<void>;
}

export async function startIssuer(): Promise<TestIssuer> {
  const key = await createSigningKey();
  const issuer = { key, instanceId: '7f3c5a2e-1b4d-4c8e-9a6f-0d2b3c4e5f60', mode: { keys: 'normal' as 'normal' | 'empty' }, fetches: 0 };
  const running = await listen({
    handler: (req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/.well-known/openid-configuration') {
        return sendJson(res, 200, { issuer: running.url, jwks_uri: `${running.url}/oauth/discovery/keys` });
      }
      if (path === '/oauth/discovery/keys') {
        issuer.fetches++;
        return sendJson(res, 200, { keys: issuer.mode.keys === 'normal' ? [key.jwk] : [] });
      }
      sendJson(res, 404, {});
    },
  });
  return Object.assign(issuer, {
    url: running.url,
    mint: async (overrides: Partial<TokenRequest> = {}) =>
      (await issueToken(key, { issuer: running.url, instanceId: issuer.instanceId, scopes: ['complete_code'], ...overrides })).token,
    close: running.close,
  });
}

/** The headers GitLab sends with a token for this issuer's instance. */
export function gitlabHeaders(token: string, instanceId: string): Record<string, string> {
  return {
    authorization: `Bearer ${token}`,
    'x-gitlab-authentication-type': 'oidc',
    'x-gitlab-realm': 'self-managed',
    'x-gitlab-instance-id': instanceId,
    'content-type': 'application/json',
  };
}

/** The test completion body GitLab's end-to-end probe sends. */
export const COMPLETION = JSON.stringify({
  current_file: { file_name: 'test.rb', content_above_cursor: 'def hello_world', content_below_cursor: '' },
});

/** The error code of a fresh TCP connection to a URL's port ('connected' if something listens): nothing left after close. */
export function expectRefused(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname.replace(/^\[|\]$/g, ''));
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}
