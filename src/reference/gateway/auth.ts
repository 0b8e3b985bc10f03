// The gateway's authentication middleware: the real one's order of checks, its messages, and RS256-only verification.
import type { IncomingHttpHeaders } from 'node:http';
import { importJWK, jwtVerify, type JWK, type JWTPayload } from 'jose';
import type { KeySet } from './jwks.js';

/** The audience every GitLab-issued gateway token carries. */
export const GATEWAY_AUDIENCE = 'gitlab-ai-gateway';

/** The real gateway's 401 messages, byte for byte. */
export const AUTH_MESSAGES = {
  noHeader: 'No authorization header presented',
  badHeader: 'Invalid authorization header',
  notOidc: 'Invalid authentication token type - only OIDC is supported',
  forbidden: 'Forbidden by auth provider',
  mismatch: (header: string) => `Header mismatch '${header}'`,
} as const;

/** Claims the gateway reads from a verified token. */
export interface GatewayClaims extends JWTPayload {
  gitlab_realm?: string;
  scopes?: string[];
}

/** The verdict: a user (with claims unless auth is bypassed), or the 401 message. */
export type AuthResult = { ok: true; claims?: GatewayClaims } | { ok: false; message: string };

/** Imported keys, per JWK of the cached key set: importing costs more than verifying, and the set changes once a day. */
const imported = new WeakMap<JWK, ReturnType<typeof importJWK>>();

function importedKey(jwk: JWK): ReturnType<typeof importJWK> {
  let key = imported.get(jwk);
  if (!key) {
    key = importJWK({ ...jwk, alg: 'RS256' }, 'RS256');
    imported.set(jwk, key);
  }
  return key;
}

/**
 * Verifies a token against every RSA key of the set. Like python-jose, the `kid` does not select the key: each key is
 * tried, so a token is accepted only if one of GitLab's keys verifies it. RS256 only; audience, exp and nbf checked
 * without leeway; aud and exp must be present (GitLab never issues a token without them; python-jose 3.3 would let one through).
 */
async function verifyToken(token: string, keySet: KeySet): Promise<GatewayClaims | undefined> {
  for (const jwk of keySet.keys) {
    if (jwk.kty !== 'RSA') continue;
    try {
      const key = await importedKey(jwk);
      // exp is required: GitLab always sets it, and a token without one would never expire.
      const { payload } = await jwtVerify(token, key, { algorithms: ['RS256'], audience: GATEWAY_AUDIENCE, requiredClaims: ['exp'] });
      return payload as GatewayClaims;
    } catch {
      // Wrong key, bad signature or claims: try the next key.
    }
  }
  return undefined;
}

/** How many verified tokens each key set remembers (an installation's active IDE users, with room to spare). */
const VERIFIED_CACHE_SIZE = 1000;

/**
 * Tokens already verified under a key set, with their claims, least recently used first (a Map keeps insertion order).
 *
 * Why skipping the signature check for a token seen before is safe: the entry is keyed by the whole token string, so
 * only the byte-identical token — same header, claims and signature — finds it; a token differing in one byte (a forged
 * signature, an edited claim) misses and is verified in full. The claims are those the signature covered. The cache
 * lives on the key set object, and `KeySetCache` hands out a new object on every refresh or replacement, so a token
 * verified under keys GitLab has since rotated away is verified again against the new set. What can change with time
 * alone is `exp` (nbf only moves from "not yet" to "valid"; jose checks nothing else against the clock), and every hit
 * re-checks it. Only successes are kept, so a rejected token is verified again each time. The real gateway's
 * middleware verifies per request; API gateways (Envoy's jwt_authn, Kong, AWS API Gateway) cache verified JWTs this way.
 */
type VerifiedTokens = Map<string, GatewayClaims>;

const verifiedBySet = new WeakMap<KeySet, VerifiedTokens>();

/** Whether verified claims have expired by now, as jose judges exp with no leeway (exp is in whole seconds). */
function expired(claims: GatewayClaims, nowMs: number): boolean {
  return typeof claims.exp !== 'number' || claims.exp <= Math.floor(nowMs / 1000);
}

/** The token's claims if it verifies under the key set: from the cache while unexpired, else verified in full and cached. */
async function verifiedClaims(token: string, keySet: KeySet): Promise<GatewayClaims | undefined> {
  let cache = verifiedBySet.get(keySet);
  if (!cache) {
    cache = new Map();
    verifiedBySet.set(keySet, cache);
  }
  const cached = cache.get(token);
  if (cached) {
    cache.delete(token);
    if (expired(cached, Date.now())) return undefined;
    cache.set(token, cached); // now the most recently used
    return cached;
  }
  const claims = await verifyToken(token, keySet);
  if (!claims) return undefined;
  if (cache.size >= VERIFIED_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(token, Object.freeze(claims));
  return claims;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** Authenticates a request as the real gateway's middleware does, in the same order. */
export async function authenticate(
  headers: IncomingHttpHeaders,
  opts: { bypass: boolean; keySet: () => Promise<KeySet> },
): Promise<AuthResult> {
  if (opts.bypass) return { ok: true };
  const authorization = header(headers, 'Authorization');
  if (authorization === undefined) return { ok: false, message: AUTH_MESSAGES.noHeader };
  const space = authorization.indexOf(' ');
  const scheme = space < 0 ? authorization : authorization.slice(0, space);
  const token = space < 0 ? '' : authorization.slice(space + 1);
  if (scheme.toLowerCase() !== 'bearer') return { ok: false, message: AUTH_MESSAGES.badHeader };
  if (header(headers, 'X-Gitlab-Authentication-Type') !== 'oidc') return { ok: false, message: AUTH_MESSAGES.notOidc };
  const claims = await verifiedClaims(token, await opts.keySet());
  if (!claims) return { ok: false, message: AUTH_MESSAGES.forbidden };
  if (header(headers, 'X-Gitlab-Realm') !== claims.gitlab_realm) {
    return { ok: false, message: AUTH_MESSAGES.mismatch('X-Gitlab-Realm') };
  }
  if (header(headers, 'X-Gitlab-Instance-Id') !== claims.sub) {
    return { ok: false, message: AUTH_MESSAGES.mismatch('X-Gitlab-Instance-Id') };
  }
  return { ok: true, claims };
}

/** Whether an authenticated user may use a route needing `scope` (a bypassed request may use anything). */
export function hasScope(result: AuthResult & { ok: true }, scope: string): boolean {
  return !result.claims || (Array.isArray(result.claims.scopes) && result.claims.scopes.includes(scope));
}
