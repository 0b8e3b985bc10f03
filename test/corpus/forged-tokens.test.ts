// Forged and malformed tokens against the reference AI gateway: each rejected with the real gateway's answer; GitLab's own accepted.
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt, exportJWK, SignJWT, type JWTPayload } from 'jose';
import { startGateway, type RunningGateway } from '../../src/reference/gateway/server.js';
import { COMPLETION, gitlabHeaders, startIssuer, type TestIssuer } from '../reference/helpers.js';
import { failOnUnhandled } from './harness.js';

failOnUnhandled();

let issuer: TestIssuer;
let gateway: RunningGateway;
/** A key GitLab never published: what an attacker signs with. */
const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 });

beforeAll(async () => {
  issuer = await startIssuer();
  gateway = await startGateway({ env: { AIGW_GITLAB_URL: issuer.url }, log: () => undefined });
});
afterAll(async () => {
  await gateway?.close();
  await issuer?.close();
});

/** Base64url of a JSON value (for hand-built tokens). */
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
/** The claims GitLab puts in a fresh token (iss, aud, sub, gitlab_realm, scopes, jti, iat, nbf, exp). */
const claims = async (): Promise<JWTPayload> => decodeJwt(await issuer.mint());
const kid = () => issuer.key.jwk.kid as string;
const without = (c: JWTPayload, ...names: string[]) => Object.fromEntries(Object.entries(c).filter(([k]) => !names.includes(k)));

/** Signs `payload` with `key` under `header` (alg defaults to RS256, kid to GitLab's). */
function sign(payload: JWTPayload, key: KeyObject | Uint8Array, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: kid(), ...header } as { alg: string }).sign(key);
}

const FORBIDDEN = { status: 401, body: { error: 'Forbidden by auth provider' } };
const mismatch = (header: string) => ({ status: 401, body: { error: `Header mismatch '${header}'` } });

interface Forgery {
  name: string;
  token: () => Promise<string>;
  /** Header changes on top of what GitLab sends. */
  headers?: () => Record<string, string>;
  expected: { status: number; body?: unknown };
}

const FORGERIES: Forgery[] = [
  // Algorithm confusion.
  { name: 'alg none, no signature', token: async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(await claims())}.`, expected: FORBIDDEN },
  {
    name: "alg NONE (upper case), GitLab's signature kept",
    token: async () => {
      const [, p, s] = (await issuer.mint()).split('.');
      return `${b64({ alg: 'NONE', typ: 'JWT' })}.${p}.${s}`;
    },
    expected: FORBIDDEN,
  },
  {
    name: 'HS256 signed with the RSA public key (PEM) as secret',
    token: async () =>
      sign(
        await claims(),
        new TextEncoder().encode(
          createPublicKey({ key: issuer.key.jwk as never, format: 'jwk' })
            .export({ type: 'spki', format: 'pem' })
            .toString(),
        ),
        { alg: 'HS256' },
      ),
    expected: FORBIDDEN,
  },
  {
    name: 'HS256 signed with the published JWK as secret',
    token: async () => sign(await claims(), new TextEncoder().encode(JSON.stringify(issuer.key.jwk)), { alg: 'HS256' }),
    expected: FORBIDDEN,
  },
  {
    name: "PS256 by GitLab's own key (RS256 only)",
    token: async () => sign(await claims(), issuer.key.privateKey, { alg: 'PS256' }),
    expected: FORBIDDEN,
  },
  {
    name: "RS512 by GitLab's own key (RS256 only)",
    token: async () => sign(await claims(), issuer.key.privateKey, { alg: 'RS512' }),
    expected: FORBIDDEN,
  },
  // Wrong keys.
  { name: 'RS256 by another key with the same kid', token: async () => sign(await claims(), attacker.privateKey), expected: FORBIDDEN },
  {
    name: 'RS256 by another key, unknown kid',
    token: async () => sign(await claims(), attacker.privateKey, { kid: 'attacker' }),
    expected: FORBIDDEN,
  },
  { name: 'RS256 by another key, no kid', token: async () => sign(await claims(), attacker.privateKey, { kid: undefined }), expected: FORBIDDEN },
  {
    name: "the attacker's key embedded in the header (jwk)",
    token: async () => sign(await claims(), attacker.privateKey, { jwk: await exportJWK(attacker.publicKey) }),
    expected: FORBIDDEN,
  },
  {
    name: 'a jku header naming another key set',
    token: async () => sign(await claims(), attacker.privateKey, { jku: 'http://127.0.0.1:9/keys' }),
    expected: FORBIDDEN,
  },
  {
    name: "tampered payload, GitLab's signature kept",
    token: async () => {
      const [h, , s] = (await issuer.mint()).split('.');
      return `${h}.${b64({ ...(await claims()), scopes: ['complete_code', 'admin'] })}.${s}`;
    },
    expected: FORBIDDEN,
  },
  // Claims GitLab's key signed, but wrong.
  { name: 'wrong aud', token: () => issuer.mint({ audience: 'not-the-gateway' }), expected: FORBIDDEN },
  {
    name: 'aud a list without the gateway',
    token: async () => sign({ ...(await claims()), aud: ['gitlab-code-suggestions', 'other'] }, issuer.key.privateKey),
    expected: FORBIDDEN,
  },
  { name: 'expired', token: () => issuer.mint({ clockSkewSeconds: -7200 }), expected: FORBIDDEN },
  { name: 'nbf in the future', token: () => issuer.mint({ clockSkewSeconds: 600 }), expected: FORBIDDEN },
  {
    name: 'exp not a number',
    token: async () => sign({ ...(await claims()), exp: 'tomorrow' as never }, issuer.key.privateKey),
    expected: FORBIDDEN,
  },
  { name: 'missing aud', token: async () => sign(without(await claims(), 'aud'), issuer.key.privateKey), expected: FORBIDDEN },
  { name: 'missing exp', token: async () => sign(without(await claims(), 'exp'), issuer.key.privateKey), expected: FORBIDDEN },
  // auth.py _validate_headers compares only claims that are set (`if claim_val and claim_val != header`): a GitLab-signed
  // token without sub or gitlab_realm passes the header checks — its signature is what stops a forger.
  {
    name: 'missing sub (signed by GitLab)',
    token: async () => sign(without(await claims(), 'sub'), issuer.key.privateKey),
    expected: { status: 200 },
  },
  {
    name: 'missing gitlab_realm (signed by GitLab)',
    token: async () => sign(without(await claims(), 'gitlab_realm'), issuer.key.privateKey),
    expected: { status: 200 },
  },
  // Headers that do not match the token.
  {
    name: 'X-Gitlab-Realm mismatch',
    token: () => issuer.mint(),
    headers: () => ({ 'x-gitlab-realm': 'saas' }),
    expected: mismatch('X-Gitlab-Realm'),
  },
  {
    name: 'X-Gitlab-Instance-Id mismatch',
    token: () => issuer.mint(),
    headers: () => ({ 'x-gitlab-instance-id': 'another-instance' }),
    expected: mismatch('X-Gitlab-Instance-Id'),
  },
  // Malformed.
  {
    name: 'oversized token (100 KB)',
    token: async () => sign({ ...(await claims()), padding: 'x'.repeat(100 * 1024) }, attacker.privateKey),
    expected: { status: 431 },
  },
  {
    name: 'oversized but under the header limit (8 KB of claims)',
    token: async () => sign({ ...(await claims()), padding: 'x'.repeat(8 * 1024) }, attacker.privateKey),
    expected: FORBIDDEN,
  },
  {
    name: 'malformed base64 in the signature',
    token: async () => {
      const [h, p] = (await issuer.mint()).split('.');
      return `${h}.${p}.!!not*base64!!`;
    },
    expected: FORBIDDEN,
  },
  {
    name: 'signature stripped',
    token: async () => {
      const [h, p] = (await issuer.mint()).split('.');
      return `${h}.${p}.`;
    },
    expected: FORBIDDEN,
  },
  { name: 'two dots only', token: async () => '..', expected: FORBIDDEN },
  { name: 'four segments', token: async () => `${await issuer.mint()}.extra`, expected: FORBIDDEN },
  {
    name: 'header not JSON',
    token: async () => {
      const [, p, s] = (await issuer.mint()).split('.');
      return `${Buffer.from('{not json').toString('base64url')}.${p}.${s}`;
    },
    expected: FORBIDDEN,
  },
  {
    name: 'payload not JSON',
    token: async () => {
      const [h, , s] = (await issuer.mint()).split('.');
      return `${h}.${Buffer.from('[1,2').toString('base64url')}.${s}`;
    },
    expected: FORBIDDEN,
  },
  { name: 'not a JWT at all', token: async () => 'garbage', expected: FORBIDDEN },
  { name: 'empty bearer token', token: async () => '', expected: FORBIDDEN },
];

async function post(token: string, extra: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${gateway.url}/v2/code/completions`, {
    method: 'POST',
    headers: { ...gitlabHeaders(token, issuer.instanceId), ...extra },
    body: COMPLETION,
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // A non-JSON answer (the HTTP layer's 431) is compared as text.
  }
  return { status: res.status, body };
}

describe('reference gateway strictness: forged tokens', () => {
  it('has the whole table of forgeries', () => {
    expect(FORGERIES.length).toBeGreaterThanOrEqual(20);
  });

  it("accepts GitLab's own token (the baseline every forgery differs from)", async () => {
    const r = await post(await issuer.mint());
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ object: 'text_completion' });
  });

  it.each(FORGERIES.map((f) => [f.name, f] as const))('rejects %s', async (_name, f) => {
    const r = await post(await f.token(), f.headers?.() ?? {});
    expect(r.status).toBe(f.expected.status);
    if (f.expected.body !== undefined) expect(r.body).toEqual(f.expected.body);
    // Still serving after each attempt.
    expect((await post(await issuer.mint())).status).toBe(200);
  });
});
