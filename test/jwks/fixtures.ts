// Generated JWKS fixtures for the jwks tests: RSA keys, GitLab-shaped discovery and key-set bodies, signed tokens. Made by code, never hand-edited.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, SignJWT, type JWK } from 'jose';

/** A generated key pair and its public JWK as GitLab publishes it (kty, kid = thumbprint, e, n, use sig, alg RS256). */
export interface TestKey {
  privateKey: KeyObject;
  jwk: JWK;
  kid: string;
}

const cache = new Map<string, TestKey>();

/** An RSA key of `bits`, memoised per `name` (RSA generation dominates test time). */
export async function testKey(name: string, bits = 2048): Promise<TestKey> {
  const cached = cache.get(`${name}:${bits}`);
  if (cached) return cached;
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const { kty, n, e } = publicKey.export({ format: 'jwk' }) as JWK;
  const kid = await calculateJwkThumbprint({ kty, n, e } as JWK, 'sha256');
  // GitLab's JwksController: to_jwk.slice(:kty, :kid, :e, :n).merge(use: 'sig', alg: 'RS256').
  const key: TestKey = { privateKey, jwk: { kty, kid, e, n, use: 'sig', alg: 'RS256' }, kid };
  cache.set(`${name}:${bits}`, key);
  return key;
}

/** The private members of a key, as a broken JWKS might leak them. */
export function privateJwk(key: TestKey): JWK {
  return { ...(key.privateKey.export({ format: 'jwk' }) as JWK), kid: key.kid, use: 'sig', alg: 'RS256' };
}

/** GitLab's `/.well-known/openid-configuration`, shortened to the members that matter, for a GitLab at `base`. */
export function discoveryDoc(base: string, jwksUri = `${base.replace(/\/+$/, '')}/oauth/discovery/keys`): Record<string, unknown> {
  const root = base.replace(/\/+$/, '');
  return {
    issuer: root,
    authorization_endpoint: `${root}/oauth/authorize`,
    token_endpoint: `${root}/oauth/token`,
    userinfo_endpoint: `${root}/oauth/userinfo`,
    jwks_uri: jwksUri,
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
  };
}

/** A key-set body. */
export function jwksDoc(...keys: unknown[]): { keys: unknown[] } {
  return { keys };
}

/** Claims and header overrides for a test token. */
export interface TokenSpec {
  key: TestKey;
  /** Header kid; default the key's; `null` for none. */
  kid?: string | null;
  iss?: string;
  aud?: string | string[] | null;
  /** Seconds added to "now" for iat/nbf/exp (a skewed issuer clock). */
  clockOffsetS?: number;
  /** Lifetime; default 3600. */
  lifetimeS?: number;
  /** nbf relative to iat; default -5 (GitLab's self-issued tokens). */
  nbfOffsetS?: number;
}

/** Signs a token shaped like GitLab's self-issued instance token (RS256, aud gitlab-ai-gateway, realm self-managed). */
export async function signToken(spec: TokenSpec): Promise<string> {
  const iat = Math.floor(Date.now() / 1000) + (spec.clockOffsetS ?? 0);
  const header: { alg: string; typ: string; kid?: string } = { alg: 'RS256', typ: 'JWT' };
  const kid = spec.kid === undefined ? spec.key.kid : spec.kid;
  if (kid !== null) header.kid = kid;
  const claims: Record<string, unknown> = {
    gitlab_realm: 'self-managed',
    scopes: ['code_suggestions'],
    jti: 'c0ffee00-0000-4000-8000-000000000000',
  };
  const jwt = new SignJWT(claims)
    .setProtectedHeader(header)
    .setIssuer(spec.iss ?? 'https://gitlab.example.com')
    .setSubject('ea8bf810-1d6f-4a6a-b4fd-93e8cbd8b57f')
    .setIssuedAt(iat)
    .setNotBefore(iat + (spec.nbfOffsetS ?? -5))
    .setExpirationTime(iat + (spec.lifetimeS ?? 3600));
  const aud = spec.aud === undefined ? 'gitlab-ai-gateway' : spec.aud;
  if (aud !== null) jwt.setAudience(aud);
  return jwt.sign(spec.key.privateKey);
}
