// The reference GitLab's signing keys: its OpenID Connect key and its Cloud Connector keys (what /oauth/discovery/keys
// publishes), and the Duo tokens it signs for the AI gateway with the current Cloud Connector key.
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT, type JWK } from 'jose';
import { pooledRsaKey } from '../../pki/keys.js';
import { rsaThumbprint } from '../../judge/keyset.js';

/** Lifetime of an issued gateway token (TokenIssuer ttl: 1.hour). */
export const TOKEN_LIFETIME_SECONDS = 3600;

/** A key pair and its public JWK as JwksController#pem_to_jwk publishes it: kty, kid (RFC 7638 thumbprint), e, n, use sig, alg RS256. */
export interface SigningKey {
  privateKey: KeyObject;
  /** The private key in PEM (what GitLab stores; the gateway's AIGW_SELF_SIGNED_JWT__* variables hold the same format). */
  privatePem: string;
  jwk: JWK;
}

function signingKeyOf(pair: { privatePem: string; publicPem: string }): SigningKey {
  const { n, e } = createPublicKey(pair.publicPem).export({ format: 'jwk' }) as { n: string; e: string };
  return {
    privateKey: createPrivateKey(pair.privatePem),
    privatePem: pair.privatePem,
    jwk: { kty: 'RSA', kid: rsaThumbprint(e, n), e, n, use: 'sig', alg: 'RS256' },
  };
}

/** An RSA 2048 key (from the process's key pool: instances started one after another differ) and its JWK. */
export function createSigningKey(): SigningKey {
  return signingKeyOf(pooledRsaKey(2048));
}

let oidcKey: SigningKey | undefined;

/**
 * The OpenID Connect key the reference GitLab publishes beside its Cloud Connector keys. It never signs a Duo token, so
 * every instance of the process shares one, generated once: the key pool stays for the keys that sign.
 */
export function openIdConnectKey(): SigningKey {
  if (!oidcKey) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    oidcKey = signingKeyOf({
      privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    });
  }
  return oidcKey;
}

/**
 * The table cloud_connector_keys as ee/app/models/cloud_connector/keys.rb manages it (gitlab-ee 6714c9136): keys in
 * creation order, `current` (the oldest) signs tokens, `rotate!` swaps the two keys' secrets, `trim!` drops the newest.
 */
export class CloudConnectorKeys {
  private readonly keys: SigningKey[];

  constructor(first: SigningKey) {
    this.keys = [first];
  }

  /** ordered_by_date.first: the key Duo tokens are signed with (CachingKeyLoader#load_key). */
  get current(): SigningKey {
    return this.keys[0] as SigningKey;
  }

  /** Every key, published at /oauth/discovery/keys (EE JwksController#load_keys: all_as_pem). */
  all(): readonly SigningKey[] {
    return this.keys;
  }

  /** `gitlab-rake cloud_connector:keys:create`: a new key, published at once, not yet signing. */
  create(): SigningKey {
    const key = createSigningKey();
    this.keys.push(key);
    return key;
  }

  /** `gitlab-rake cloud_connector:keys:rotate`: "Key rotation requires exactly 2 keys". */
  rotate(): void {
    if (this.keys.length !== 2) throw new Error(`Key rotation requires exactly 2 keys, found ${this.keys.length}`);
    this.keys.reverse();
  }

  /** `gitlab-rake cloud_connector:keys:trim`. */
  trim(): void {
    if (this.keys.length === 1) throw new Error('Refusing to remove single key, as it is in use');
    this.keys.pop();
  }
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

/** A signed token and when it expires (epoch seconds). */
export interface IssuedToken {
  token: string;
  expiresAt: number;
}

/**
 * Signs a Duo token with the claims ee/lib/cloud_connector/tokens/token_issuer.rb gives it (its spec lists them): iss,
 * aud as an array of the backends' jwt_aud, sub (the instance uuid), gitlab_realm, scopes, jti, iat, nbf, exp. The kid is
 * the key's thumbprint. nbf = iat - 5 s is the reference's choice: the gitlab-cloud-connector gem that sets it is not in
 * the mirrors.
 */
export async function issueToken(key: SigningKey, req: TokenRequest): Promise<IssuedToken> {
  const now = Math.floor(Date.now() / 1000) + (req.clockSkewSeconds ?? 0);
  const expiresAt = now + TOKEN_LIFETIME_SECONDS;
  const token = await new SignJWT({ gitlab_realm: 'self-managed', scopes: req.scopes })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.jwk.kid as string })
    .setIssuer(req.issuer)
    .setAudience([req.audience ?? 'gitlab-ai-gateway'])
    .setSubject(req.instanceId)
    .setJti(randomUUID())
    .setIssuedAt(now)
    .setNotBefore(now - 5)
    .setExpirationTime(expiresAt)
    .sign(key.privateKey);
  return { token, expiresAt };
}
