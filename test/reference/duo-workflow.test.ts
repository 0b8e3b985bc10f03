// The reference Duo Workflow Service: the real interceptor's authentication answers in order, GenerateToken's rules and its
// failure without a signing key, and TLS — called with grpc-js over the real contract.
import { createPrivateKey, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildChain } from '../../src/pki/generate.js';
import { pooledRsaKey } from '../../src/pki/keys.js';
import { callUnary, listTools } from '../../src/probes/duo-workflow/call.js';
import { DWS_AUTH_MESSAGES, DWS_SERVICE_NAME } from '../../src/reference/duo-workflow/auth.js';
import { startDuoWorkflowService, type RunningDuoWorkflow } from '../../src/reference/duo-workflow/server.js';

const SIGNING = pooledRsaKey(2048).privatePem;
const OTHER = pooledRsaKey(2048).privatePem;
const VALIDATION = pooledRsaKey(2048).privatePem;
const KEYS = { DUO_WORKFLOW_SELF_SIGNED_JWT__SIGNING_KEY: SIGNING, DUO_WORKFLOW_SELF_SIGNED_JWT__VALIDATION_KEY: VALIDATION };
const IDENTITY = { 'x-gitlab-realm': 'self-managed', 'x-gitlab-instance-id': 'inst-1', 'x-gitlab-global-user-id': 'user-1' };

/** A token as the service's own GenerateToken signs it (iss = aud = the service, sub = the global user id). */
async function serviceToken(opts: { key?: string; audience?: string; sub?: string; scopes?: string[] } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ gitlab_realm: 'self-managed', gitlab_instance_id: 'inst-1', scopes: opts.scopes ?? ['duo_agent_platform'] })
    .setProtectedHeader({ alg: 'RS256' })
    .setIssuer(DWS_SERVICE_NAME)
    .setAudience(opts.audience ?? DWS_SERVICE_NAME)
    .setSubject(opts.sub ?? 'user-1')
    .setJti(randomUUID())
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .sign(createPrivateKey(opts.key ?? SIGNING));
}

let service: RunningDuoWorkflow;
let open: RunningDuoWorkflow;
beforeAll(async () => {
  [service, open] = await Promise.all([
    startDuoWorkflowService({ env: KEYS, log: () => undefined }),
    startDuoWorkflowService({ env: { DUO_WORKFLOW_AUTH__ENABLED: 'false' }, log: () => undefined }),
  ]);
});
afterAll(async () => {
  await Promise.all([service?.close(), open?.close()]);
});

const call = (address: string, metadata: Record<string, string>) => listTools({ address, secure: false, metadata, timeoutMs: 5000 });

describe('reference Duo Workflow Service: authentication (authentication_interceptor.py → authenticate)', () => {
  it.each([
    ['no Authorization', async () => ({}), DWS_AUTH_MESSAGES.noHeader],
    ['Basic instead of Bearer', async () => ({ authorization: 'Basic abc', 'x-gitlab-authentication-type': 'oidc' }), DWS_AUTH_MESSAGES.badHeader],
    ['no authentication type', async () => ({ authorization: `Bearer ${await serviceToken()}`, ...IDENTITY }), DWS_AUTH_MESSAGES.notOidc],
    [
      'a token no key verifies',
      async () => ({ authorization: `Bearer ${await serviceToken({ key: OTHER })}`, 'x-gitlab-authentication-type': 'oidc', ...IDENTITY }),
      DWS_AUTH_MESSAGES.forbidden,
    ],
    [
      "the AI gateway's audience",
      async () => ({
        authorization: `Bearer ${await serviceToken({ audience: 'gitlab-ai-gateway' })}`,
        'x-gitlab-authentication-type': 'oidc',
        ...IDENTITY,
      }),
      DWS_AUTH_MESSAGES.forbidden,
    ],
    [
      'the realm header differs',
      async () => ({
        authorization: `Bearer ${await serviceToken()}`,
        'x-gitlab-authentication-type': 'oidc',
        ...IDENTITY,
        'x-gitlab-realm': 'saas',
      }),
      DWS_AUTH_MESSAGES.mismatch('X-Gitlab-Realm'),
    ],
    [
      'the instance header differs',
      async () => ({
        authorization: `Bearer ${await serviceToken()}`,
        'x-gitlab-authentication-type': 'oidc',
        ...IDENTITY,
        'x-gitlab-instance-id': 'other',
      }),
      DWS_AUTH_MESSAGES.mismatch('X-Gitlab-Instance-Id'),
    ],
    [
      'the subject (global user id) differs',
      async () => ({
        authorization: `Bearer ${await serviceToken()}`,
        'x-gitlab-authentication-type': 'oidc',
        ...IDENTITY,
        'x-gitlab-global-user-id': 'user-2',
      }),
      DWS_AUTH_MESSAGES.mismatch('X-Gitlab-Global-User-Id'),
    ],
  ])('%s → UNAUTHENTICATED', async (_name, metadata, details) => {
    const out = await call(service.address, await metadata());
    expect(out).toMatchObject({ ok: false, codeName: 'UNAUTHENTICATED', details });
  });

  it('lists tools for its own token with matching headers', async () => {
    const out = await call(service.address, { authorization: `Bearer ${await serviceToken()}`, 'x-gitlab-authentication-type': 'oidc', ...IDENTITY });
    expect(out).toMatchObject({ ok: true });
    if (out.ok) expect(out.tools).toContain('create_plan');
  });

  it('verifies none of its own tokens with a signing key but no validation key (LocalAuthProvider adds both keys or none)', async () => {
    const half = await startDuoWorkflowService({ env: { DUO_WORKFLOW_SELF_SIGNED_JWT__SIGNING_KEY: SIGNING }, log: () => undefined });
    try {
      const out = await call(half.address, { authorization: `Bearer ${await serviceToken()}`, 'x-gitlab-authentication-type': 'oidc', ...IDENTITY });
      expect(out).toMatchObject({ ok: false, codeName: 'UNAUTHENTICATED', details: DWS_AUTH_MESSAGES.forbidden });
    } finally {
      await half.close();
    }
  });

  it('lets everyone in with DUO_WORKFLOW_AUTH__ENABLED=false', async () => {
    expect(await call(open.address, {})).toMatchObject({ ok: true });
  });
});

describe('reference Duo Workflow Service: GenerateToken', () => {
  const generate = (address: string, metadata: Record<string, string>) =>
    callUnary<{ token: string; expiresAt: string }>('GenerateToken', { address, secure: false, metadata, timeoutMs: 5000 });

  it('refuses a token it issued itself (disallowed_issuers)', async () => {
    const out = await generate(service.address, {
      authorization: `Bearer ${await serviceToken()}`,
      'x-gitlab-authentication-type': 'oidc',
      ...IDENTITY,
    });
    expect(out).toMatchObject({ ok: false, codeName: 'PERMISSION_DENIED', details: 'Unauthorized to generate token' });
  });

  it('fails UNKNOWN without DUO_WORKFLOW_SELF_SIGNED_JWT__SIGNING_KEY, while ListTools still works', async () => {
    const unsignedOpen = await startDuoWorkflowService({ env: { DUO_WORKFLOW_AUTH__ENABLED: 'false' }, log: () => undefined });
    try {
      const out = await generate(unsignedOpen.address, IDENTITY);
      expect(out).toMatchObject({ ok: false, codeName: 'UNKNOWN' });
      if (!out.ok) expect(out.details).toMatch(/RSA_JWK from key: None/);
      expect(await call(unsignedOpen.address, {})).toMatchObject({ ok: true });
    } finally {
      await unsignedOpen.close();
    }
  });

  it('signs a one-hour token with the signing key', async () => {
    const out = await generate(open.address, IDENTITY);
    expect(out.ok).toBe(false); // `open` has no signing key either: the same failure with auth off
    const signer = await startDuoWorkflowService({ env: { DUO_WORKFLOW_AUTH__ENABLED: 'false', ...KEYS }, log: () => undefined });
    try {
      const signed = await generate(signer.address, IDENTITY);
      expect(signed.ok).toBe(true);
      if (signed.ok) {
        expect(Number(signed.response.expiresAt) - Date.now() / 1000).toBeGreaterThan(3500);
        // The token it signed opens ListTools on a service with the same key.
        expect(
          await call(service.address, { authorization: `Bearer ${signed.response.token}`, 'x-gitlab-authentication-type': 'oidc', ...IDENTITY }),
        ).toMatchObject({ ok: true });
      }
    } finally {
      await signer.close();
    }
  });
});

describe('reference Duo Workflow Service: TLS (DUO_WORKFLOW_TLS__ENABLED)', () => {
  it('serves gRPC over TLS with ALPN h2 and refuses plaintext', async () => {
    const chain = buildChain({ host: '127.0.0.1' });
    const tls = await startDuoWorkflowService({
      env: { DUO_WORKFLOW_AUTH__ENABLED: 'false' },
      tls: { certPem: chain.chainPem, keyPem: chain.leaf.keyPem },
      log: () => undefined,
    });
    try {
      expect(await listTools({ address: tls.address, secure: true, ca: [chain.root.certPem], metadata: {}, timeoutMs: 5000 })).toMatchObject({
        ok: true,
      });
      expect(await listTools({ address: tls.address, secure: false, metadata: {}, timeoutMs: 5000 })).toMatchObject({
        ok: false,
        codeName: 'UNAVAILABLE',
      });
    } finally {
      await tls.close();
    }
  });
});
