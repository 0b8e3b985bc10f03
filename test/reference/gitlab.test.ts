// The reference GitLab: its API answers and shapes, OIDC keys, GraphQL, and code suggestions through a real gateway.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calculateJwkThumbprint, createLocalJWKSet, jwtVerify, type JWK } from 'jose';
import { startGateway, type RunningGateway } from '../../src/reference/gateway/server.js';
import { DEFAULT_GITLAB_VERSION } from '../../src/reference/gitlab/config.js';
import { startGitLab, type GitLabOptions, type RunningGitLab } from '../../src/reference/gitlab/server.js';
import { createSigningKey, issueToken } from '../../src/reference/gitlab/signing.js';
import { pooledRsaKey } from '../../src/pki/keys.js';
import { createPublicKey } from 'node:crypto';
import { rootFields } from '../../src/reference/gitlab/graphql.js';
import { COMPLETION, expectRefused } from './helpers.js';

/** GitLab's own schema and documented example (fixtures/gitlab-api/README.md says where each comes from). */
const FIXTURES = new URL('../../fixtures/gitlab-api/', import.meta.url);
const quiet = () => {};

/** A GitLab wired to a gateway that trusts it, as in a healthy installation. */
async function wired(options: GitLabOptions = {}): Promise<{ gitlab: RunningGitLab; gateway: RunningGateway; close(): Promise<void> }> {
  const gitlab = await startGitLab({ log: quiet, ...options });
  const gateway = await startGateway({ env: { AIGW_GITLAB_URL: gitlab.url, ...gatewayKeys }, log: quiet, streamIntervalMs: 50 });
  gitlab.setAiGatewayUrl(gateway.url);
  return {
    gitlab,
    gateway,
    close: async () => {
      await gateway.close();
      await gitlab.close();
    },
  };
}

/** The gateway's own key pair (AIGW_SELF_SIGNED_JWT__*), with which it mints direct-access tokens. */
const signing = pooledRsaKey(3072);
const gatewayKeys = { AIGW_SELF_SIGNED_JWT__SIGNING_KEY: signing.privatePem, AIGW_SELF_SIGNED_JWT__VALIDATION_KEY: pooledRsaKey(3072).privatePem };

let stack: Awaited<ReturnType<typeof wired>>;
beforeAll(async () => {
  stack = await wired({ adminToken: 'glpat-test-admin-token' });
});
afterAll(() => stack?.close());

const api = (path: string, init: RequestInit = {}, gitlab = stack.gitlab) =>
  fetch(gitlab.url + path, { ...init, headers: { 'PRIVATE-TOKEN': gitlab.adminToken, 'content-type': 'application/json', ...init.headers } });
const graphql = async (query: string, gitlab = stack.gitlab) =>
  (await (await api('/api/v4/graphql', { method: 'POST', body: JSON.stringify({ query }) }, gitlab)).json()) as {
    data?: Record<string, unknown>;
    errors?: { message: string }[];
  };

/** The subset of JSON Schema the metadata schema uses: type, required, properties, additionalProperties. */
function schemaErrors(schema: Record<string, unknown>, value: unknown, at = '$'): string[] {
  const types = ([] as string[]).concat((schema['type'] as string | string[] | undefined) ?? []);
  const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  if (types.length && !types.includes(actual)) return [`${at}: ${actual} is not ${types.join('|')}`];
  if (actual !== 'object') return [];
  const obj = value as Record<string, unknown>;
  const props = (schema['properties'] ?? {}) as Record<string, Record<string, unknown>>;
  return [
    ...((schema['required'] ?? []) as string[]).filter((k) => !(k in obj)).map((k) => `${at}.${k}: required`),
    ...(schema['additionalProperties'] === false
      ? Object.keys(obj)
          .filter((k) => !(k in props))
          .map((k) => `${at}.${k}: not allowed`)
      : []),
    ...Object.entries(props).flatMap(([k, s]) => (k in obj ? schemaErrors(s, obj[k], `${at}.${k}`) : [])),
  ];
}

describe('reference GitLab: API', () => {
  it.each([
    ['no token', {}],
    ['a wrong token', { 'PRIVATE-TOKEN': 'glpat-wrong' }],
    ['a wrong bearer', { authorization: 'Bearer glpat-wrong' }],
  ])('401 with %s', async (_name, headers) => {
    const res = await fetch(`${stack.gitlab.url}/api/v4/metadata`, { headers });
    expect(res.status).toBe(401);
    expect(await res.text()).toBe('{"message":"401 Unauthorized"}');
  });

  it('accepts the admin token as PRIVATE-TOKEN and as a Bearer', async () => {
    expect((await api('/api/v4/user')).status).toBe(200);
    const bearer = await fetch(`${stack.gitlab.url}/api/v4/user`, { headers: { authorization: `Bearer ${stack.gitlab.adminToken}` } });
    expect(((await bearer.json()) as { is_admin: boolean }).is_admin).toBe(true);
  });

  it('answers metadata and version valid against GitLab’s own schema', async () => {
    const schema = JSON.parse(readFileSync(new URL('metadata.schema.json', FIXTURES), 'utf8')) as Record<string, unknown>;
    for (const path of ['/api/v4/metadata', '/api/v4/version']) {
      const body = await (await api(path)).json();
      expect(schemaErrors(schema, body)).toEqual([]);
      expect(body).toMatchObject({ version: '19.4.1-ee', enterprise: true });
    }
    // The validator itself rejects what the schema forbids.
    expect(schemaErrors(schema, { version: '1', revision: 'x', kas: {}, enterprise: true, extra: 1 }).length).toBeGreaterThan(0);
  });

  it('answers the license in the documented shape', async () => {
    const example = JSON.parse(readFileSync(new URL('license.example.json', FIXTURES), 'utf8')) as Record<string, unknown>;
    const license = (await (await api('/api/v4/license')).json()) as Record<string, unknown>;
    expect(Object.keys(license).sort()).toEqual(Object.keys(example).sort());
    for (const [k, v] of Object.entries(example)) expect([k, typeof license[k]]).toEqual([k, typeof v]);
    expect(license['expired']).toBe(false);
  });

  it('answers the health endpoints', async () => {
    expect(await (await fetch(`${stack.gitlab.url}/-/health`)).text()).toBe('GitLab OK');
    expect(await (await fetch(`${stack.gitlab.url}/-/readiness`)).json()).toEqual({ status: 'ok', master_check: [{ status: 'ok' }] });
    expect(await (await fetch(`${stack.gitlab.url}/-/liveness`)).json()).toEqual({ status: 'ok' });
  });

  it('publishes OIDC discovery and an RSA 2048 key whose kid is its RFC 7638 thumbprint', async () => {
    const discovery = (await (await fetch(`${stack.gitlab.url}/.well-known/openid-configuration`)).json()) as Record<string, string>;
    expect(discovery['jwks_uri']).toBe(`${stack.gitlab.url}/oauth/discovery/keys`);
    const res = await fetch(discovery['jwks_uri'] as string);
    // JwksController#keys: expires_in 24.hours, public, must_revalidate, 'no-transform'.
    expect(res.headers.get('cache-control')).toBe('max-age=86400, public, must-revalidate, no-transform=true');
    const { keys } = (await res.json()) as { keys: JWK[] };
    // The OpenID Connect key and the Cloud Connector key: GitLab publishes several.
    expect(keys).toHaveLength(2);
    for (const key of keys) {
      expect(Object.keys(key).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
      expect(key).toMatchObject({ kty: 'RSA', use: 'sig', alg: 'RS256' });
      expect(Buffer.from(key.n as string, 'base64url').length).toBe(256);
      expect(key.kid).toBe(await calculateJwkThumbprint(key));
    }
    expect(new Set(keys.map((k) => k.kid)).size).toBe(2);
  });
});

describe('reference GitLab: GraphQL', () => {
  it('reads root fields, aliases included, skipping arguments and selections', () => {
    expect(rootFields('query Q($a: Int) { a: duoSettings(x: {y: 1}) { aiGatewayUrl } cloudConnectorStatus { success } }')).toEqual([
      { key: 'a', name: 'duoSettings' },
      { key: 'cloudConnectorStatus', name: 'cloudConnectorStatus' },
    ]);
  });

  it('answers duoSettings and aiSelfHostedModels', async () => {
    const { data } = await graphql('{ duoSettings { aiGatewayUrl } aiSelfHostedModels { nodes { name endpoint } } }');
    expect(data).toMatchObject({ duoSettings: { aiGatewayUrl: stack.gateway.url }, aiSelfHostedModels: { nodes: [] } });
  });

  it('fails validation for a field it does not have', async () => {
    const res = await graphql('{ duoSettings { aiGatewayUrl } nope }');
    expect(res.data).toBeUndefined();
    expect(res.errors?.[0]?.message).toBe("Field 'nope' doesn't exist on type 'Query'");
  });

  it('refuses anonymous reads with GitLab’s permission error, and a wrong token with 401', async () => {
    const anon = await fetch(`${stack.gitlab.url}/api/graphql`, {
      method: 'POST',
      body: JSON.stringify({ query: '{ duoSettings { aiGatewayUrl } }' }),
    });
    const body = (await anon.json()) as { data: unknown; errors: { message: string }[] };
    expect(body.data).toEqual({ duoSettings: null });
    expect(body.errors[0]?.message).toMatch(/don't have permission/);
    const wrong = await fetch(`${stack.gitlab.url}/api/graphql`, {
      method: 'POST',
      headers: { 'PRIVATE-TOKEN': 'glpat-wrong' },
      body: JSON.stringify({ query: '{ duoSettings { aiGatewayUrl } }' }),
    });
    expect(wrong.status).toBe(401);
  });

  it('answers aiFeatureSettings with each feature, its provider and its self-hosted model', async () => {
    const s = await wired({
      selfHostedModels: [{ name: 'Codestral', model: 'codestral', endpoint: 'http://127.0.0.1:1' }],
      featureSettings: [
        { feature: 'code_completions', provider: 'self_hosted', model: 'Codestral' },
        { feature: 'duo_chat', provider: 'vendored' },
      ],
    });
    try {
      const { data } = await graphql('{ aiFeatureSettings { nodes { feature provider selfHostedModel { id name model } } } }', s.gitlab);
      expect(data).toEqual({
        aiFeatureSettings: {
          nodes: [
            {
              feature: 'code_completions',
              title: 'Code completions',
              provider: 'self_hosted',
              selfHostedModel: { id: 'gid://gitlab/Ai::SelfHostedModel/1', name: 'Codestral', model: 'codestral' },
            },
            { feature: 'duo_chat', title: 'Duo chat', provider: 'vendored', selfHostedModel: null },
          ],
        },
      });
    } finally {
      await s.close();
    }
  });
});

describe('reference GitLab: code suggestions', () => {
  it('relays a completion through the real gateway', async () => {
    const res = await api('/api/v4/code_suggestions/completions', { method: 'POST', body: COMPLETION });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { choices: { text: string }[] }).choices[0]?.text).toContain('hello world');
  });

  it('relays a streamed completion chunk by chunk', async () => {
    const res = await api('/api/v4/code_suggestions/completions', {
      method: 'POST',
      body: JSON.stringify({ current_file: { file_name: 'a.rb', content_above_cursor: 'def x' }, stream: true }),
    });
    expect(res.headers.get('content-type')).toMatch(/event-stream/);
    let reads = 0;
    for await (const _ of res.body as AsyncIterable<Uint8Array>) reads++;
    expect(reads).toBeGreaterThanOrEqual(2);
  });

  it('400 for a completion body missing required parameters', async () => {
    const res = await api('/api/v4/code_suggestions/completions', { method: 'POST', body: '{"current_file":{"file_name":"a.rb"}}' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'current_file[content_above_cursor] is missing' });
  });

  it('relays a gateway error with its status and body, without the monolith origin header', async () => {
    const s = await wired({ audience: 'elsewhere' });
    try {
      const res = await api('/api/v4/code_suggestions/completions', { method: 'POST', body: COMPLETION }, s.gitlab);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: 'Forbidden by auth provider' });
      expect(res.headers.get('x-gitlab-error-origin')).toBeNull();
    } finally {
      await s.close();
    }
  });

  it("hands out the token the gateway minted from GitLab's own (POST /v1/code/user_access_token), signed with the gateway's key", async () => {
    const res = await api('/api/v4/code_suggestions/direct_access', { method: 'POST' });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { base_url: string; token: string; expires_at: number; headers: Record<string, string> };
    expect(body.base_url).toBe(stack.gateway.url);
    const { payload, protectedHeader } = await jwtVerify(body.token, createPublicKey(signing.publicPem), { audience: 'gitlab-ai-gateway' });
    expect(protectedHeader).toEqual({ alg: 'RS256', typ: 'JWT' });
    expect(payload).toMatchObject({
      iss: 'gitlab-ai-gateway',
      aud: 'gitlab-ai-gateway',
      sub: body.headers['x-gitlab-global-user-id'],
      gitlab_realm: 'self-managed',
      gitlab_instance_id: stack.gitlab.instanceId,
      // The scopes GitLab's own token carries, among those a user token may hold.
      scopes: ['complete_code'],
    });
    expect(payload.exp).toBe((payload.iat as number) + 3600);
    expect(body.expires_at).toBe(payload.exp);
    expect(typeof payload.jti).toBe('string');
    // Gitlab::AiGateway.public_headers: CloudConnector's lower-case x-gitlab-* headers, no Authorization or authentication type.
    expect(body.headers).toMatchObject({
      'x-gitlab-instance-id': stack.gitlab.instanceId,
      'x-gitlab-realm': 'self-managed',
      'x-gitlab-version': DEFAULT_GITLAB_VERSION.replace(/-.*$/, ''),
    });
    expect(Object.keys(body.headers).filter((h) => /authori[sz]ation|authentication-type/i.test(h))).toEqual([]);
    // GitLab's key set does not verify it: the gateway signed it.
    const jwks = (await (await fetch(`${stack.gitlab.url}/oauth/discovery/keys`)).json()) as { keys: JWK[] };
    await expect(jwtVerify(body.token, createLocalJWKSet(jwks))).rejects.toThrow();
  });

  it('signs its own Duo tokens with the Cloud Connector key, aud an array', async () => {
    const key = createSigningKey();
    const { token } = await issueToken(key, { issuer: 'https://gitlab.example.com', instanceId: 'uuid', scopes: ['complete_code'] });
    const { payload, protectedHeader } = await jwtVerify(token, createPublicKey(key.privateKey), { audience: 'gitlab-ai-gateway' });
    expect(protectedHeader).toMatchObject({ alg: 'RS256', kid: key.jwk.kid });
    expect(payload).toMatchObject({
      iss: 'https://gitlab.example.com',
      aud: ['gitlab-ai-gateway'],
      sub: 'uuid',
      gitlab_realm: 'self-managed',
      scopes: ['complete_code'],
    });
    expect(payload.nbf).toBe((payload.iat as number) - 5);
  });

  it.each([
    [
      "the gateway refusing GitLab's token (401)",
      { AIGW_GITLAB_URL: 'http://127.0.0.1:9' },
      401,
      { message: 'Token creation failed', error_description: null, error_code: null, error: 'Forbidden by auth provider' },
    ],
    [
      'the gateway unable to sign (no AIGW_SELF_SIGNED_JWT__SIGNING_KEY)',
      { AIGW_GITLAB_URL: '' },
      500,
      { message: 'Token creation failed', error_description: null, error_code: null, error: null },
    ],
  ])('maps %s as CodeSuggestionsClient does', async (_name, env, status, body) => {
    const gitlab = await startGitLab({ log: quiet });
    const gwEnv = env.AIGW_GITLAB_URL === '' ? { AIGW_GITLAB_URL: gitlab.url } : { ...env, ...gatewayKeys };
    const gateway = await startGateway({ env: gwEnv, log: quiet });
    gitlab.setAiGatewayUrl(gateway.url);
    try {
      const res = await api('/api/v4/code_suggestions/direct_access', { method: 'POST' }, gitlab);
      expect(res.status).toBe(status);
      expect(await res.json()).toEqual(body);
    } finally {
      await Promise.all([gateway.close(), gitlab.close()]);
    }
  });

  it("answers Grape's 500 when the gateway cannot be reached", async () => {
    const gitlab = await startGitLab({ log: quiet, aiGatewayUrl: 'http://127.0.0.1:9' });
    try {
      const res = await api('/api/v4/code_suggestions/direct_access', { method: 'POST' }, gitlab);
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ message: '500 Internal Server Error' });
    } finally {
      await gitlab.close();
    }
  });

  it('answers connection details', async () => {
    const res = await api('/api/v4/code_suggestions/connection_details', { method: 'POST' });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({
      instance_id: stack.gitlab.instanceId,
      instance_version: '19.4.1',
      realm: 'self-managed',
      host_name: '127.0.0.1',
    });
  });

  it('403 "Direct connections are disabled" when direct access is off', async () => {
    const gitlab = await startGitLab({ log: quiet, directAccessDisabled: true });
    try {
      const res = await api('/api/v4/code_suggestions/direct_access', { method: 'POST' }, gitlab);
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ message: '403 Forbidden - Direct connections are disabled' });
    } finally {
      await gitlab.close();
    }
  });

  it.each<[string, GitLabOptions['license']]>([
    ['without Code Suggestions', { plan: 'premium', expiresAt: '2999-01-01', codeSuggestions: false }],
    ['expired', { plan: 'ultimate', expiresAt: '2020-01-01', codeSuggestions: true }],
    ['absent', null],
  ])('refuses code suggestions when the license is %s: 401 from the monolith', async (_name, license) => {
    const gitlab = await startGitLab({ log: quiet, license });
    try {
      for (const action of ['completions', 'direct_access', 'connection_details']) {
        const res = await api(`/api/v4/code_suggestions/${action}`, { method: 'POST', body: COMPLETION }, gitlab);
        expect([action, res.status, res.headers.get('x-gitlab-error-origin')]).toEqual([action, 401, 'monolith']);
      }
    } finally {
      await gitlab.close();
    }
    expect(await expectRefused(`${gitlab.url}/-/health`)).toBe('ECONNREFUSED');
  });
});
