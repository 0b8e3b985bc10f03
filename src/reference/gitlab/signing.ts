// The reference GitLab's OIDC signing key: its public JWKS and the RS256 tokens it issues for the AI gateway.
import { createPrivateKey, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, SignJWT, type JWK } from 'jose';
import { pooledRsaKey } from '../../pki/keys.js';

/** Lifetime of an issued gateway token (GitLab: one hour). */
export const TOKEN_LIFETIME_SECONDS = 3600;

/** GitLab's signing key pair and its public JWK (`kid` = RFC 7638 thumbprint, `use: sig`, `alg: RS256`). */
export interface SigningKey {
  privateKey: KeyObject;
  jwk: JWK;
}

/** An RSA 2048 signing key (from the process's key pool: instances started one after another differ) and its JWK. */
export async function createSigningKey(): Promise<SigningKey> {
  const pair = pooledRsaKey(2048);
  const privateKey = createPrivateKey(pair.privatePem);
  const jwk = await exportJWK(createPublicKey(pair.publicPem));
  const kid = await calculateJwkThumbprint(jwk, 'sha256');
  return { privateKey, jwk: { ...jwk, kid, use: 'sig', alg: 'RS256' } };
}

/** What a token is issued for. */
export interface TokenRequest {
  issuer: string;
  instanceId: string;
  scopes: string[];
  /** Override for the `aud` claim (the wrong-audience scenario); default `gitlab-ai-gateway`. */
  audience?: string;
  /** Seconds the issuing clock is off (positive = ahead): every time claim is shifted by it. */
  clockSkewSeconds?: number;
}

/** A signed token and when it expires (epoch seconds, as GitLab's `expires_at`). */
export interface IssuedToken {
  token: string;
  expiresAt: number;
}

/** Signs a gateway token with the claims GitLab puts in it: iss, aud, sub, gitlab_realm, scopes, jti, iat, nbf, exp. */
export async function issueToken(key: SigningKey, req: TokenRequest): Promise<IssuedToken> {
  const now = Math.floor(Date.now() / 1000) + (req.clockSkewSeconds ?? 0);
  const expiresAt = now + TOKEN_LIFETIME_SECONDS;
  const token = await new SignJWT({ gitlab_realm: 'self-managed', scopes: req.scopes })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.jwk.kid as string })
    .setIssuer(req.issuer)
    .setAudience(req.audience ?? 'gitlab-ai-gateway')
    .setSubject(req.instanceId)
    .setJti(randomUUID())
    .setIssuedAt(now)
    .setNotBefore(now - 5)
    .setExpirationTime(expiresAt)
    .sign(key.privateKey);
  return { token, expiresAt };
}
