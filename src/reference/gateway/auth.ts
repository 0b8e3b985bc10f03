// The gateway's authentication middleware, as ai-gateway's ai_gateway/api/middleware/authentication.py (aec48795e) runs it
// over the Cloud Connector auth of ai_gateway/cloud_connector/{auth,providers}.py (f73a3b07d^, since moved into the
// gitlab-cloud-connector package): the three bypass switches, the header checks in order, RS256 against every key of the
// merged set, and the messages byte for byte.
import type { IncomingHttpHeaders } from 'node:http';
import { importJWK, jwtVerify, decodeJwt, type JWK, type JWTPayload } from 'jose';
import type { KeySet } from './jwks.js';

/** The audience and issuer of the gateway (CloudConnectorConfig().service_name, AIGW_CLOUD_CONNECTOR_SERVICE_NAME's default). */
export const GATEWAY_SERVICE_NAME = 'gitlab-ai-gateway';

/** The real gateway's 401 messages (auth.py's CloudConnectorAuthError texts), byte for byte. */
export const AUTH_MESSAGES = {
  noHeader: 'No authorization header presented',
  badHeader: 'Invalid authorization header',
  notOidc: 'Invalid authentication token type - only OIDC is supported',
  forbidden: 'Forbidden by auth provider',
  mismatch: (header: string) => `Header mismatch '${header}'`,
} as const;

/** CompositeProvider.CriticalAuthError's text: raised, not caught, so the request ends in Starlette's plain 500. */
export const NO_KEYS_MESSAGE = 'No keys founds in JWKS; are OIDC providers up?';

/** Claims the gateway reads from a verified token (UserClaims). */
export interface GatewayClaims extends JWTPayload {
  gitlab_realm?: string;
  gitlab_instance_id?: string;
  scopes?: string[];
  duo_seat_count?: string | number;
}

/** The three switches of ConfigAuth (AIGW_AUTH__BYPASS_*), already read as pydantic reads a bool. */
export interface AuthSwitches {
  bypassExternal: boolean;
  bypassExternalWithHeader: boolean;
  bypassJwtSignature: boolean;
}

/**
 * The verdict: a user (claims absent when auth was bypassed: CloudConnectorUser(is_debug=True) may do anything), a 401
 * message, or the critical error of an empty key set (HTTP 500).
 */
export type AuthResult =
  { ok: true; claims?: GatewayClaims; bypassed?: 'external' | 'header' } | { ok: false; message: string } | { ok: false; critical: string };

/** Imported keys, per JWK of the cached key set: importing costs more than verifying, and the set changes once a day. */
const imported = new WeakMap<JWK, ReturnType<typeof importJWK>>();

function importedKey(jwk: JWK): ReturnType<typeof importJWK> {
  let key = imported.get(jwk);
  if (!key) {
    key = importJWK({ kty: jwk.kty, n: jwk.n, e: jwk.e } as JWK, 'RS256');
    imported.set(jwk, key);
  }
  return key;
}

/**
 * python-jose's jwt.decode(token, jwks, audience=service_name, algorithms=["RS256"]): every key of the set is tried
 * (the kid does not select), RS256 only; aud (a string or an array holding it), exp and nbf checked without leeway.
 * jose additionally requires exp: GitLab always sets it (and python-jose 3.3 would pass a token without one).
 */
async function verifyToken(token: string, keySet: KeySet): Promise<GatewayClaims | undefined> {
  for (const jwk of keySet.keys) {
    if (jwk.kty !== 'RSA') continue;
    try {
      const { payload } = await jwtVerify(token, await importedKey(jwk), {
        algorithms: ['RS256'],
        audience: GATEWAY_SERVICE_NAME,
        requiredClaims: ['exp'],
      });
      return payload as GatewayClaims;
    } catch {
      // Wrong key, bad signature or claims: try the next key.
    }
  }
  return undefined;
}

/**
 * AIGW_AUTH__BYPASS_JWT_SIGNATURE: options={"verify_signature": False} — python-jose skips the signature (any alg, any
 * key) but still validates aud, exp and nbf.
 */
function unverifiedClaims(token: string): GatewayClaims | undefined {
  try {
    const claims = decodeJwt(token) as GatewayClaims;
    const now = Math.floor(Date.now() / 1000);
    const aud = claims.aud === undefined ? [] : Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.includes(GATEWAY_SERVICE_NAME)) return undefined;
    if (typeof claims.exp === 'number' && claims.exp <= now) return undefined;
    if (typeof claims.nbf === 'number' && claims.nbf > now) return undefined;
    return claims;
  } catch {
    return undefined;
  }
}

/** How many verified tokens each key set remembers (an installation's active IDE users, with room to spare). */
const VERIFIED_CACHE_SIZE = 1000;

/**
 * Tokens already verified under a key set, with their claims, least recently used first. Keyed by the whole token
 * string (a token differing in one byte is verified in full), held on the key set object (a refreshed set starts
 * empty), every hit re-checks exp, and only successes are kept. The real middleware verifies per request; this cache
 * changes no verdict, only the cost (API gateways such as Envoy's jwt_authn cache verified JWTs this way).
 */
const verifiedBySet = new WeakMap<KeySet, Map<string, GatewayClaims>>();

function expired(claims: GatewayClaims, nowMs: number): boolean {
  return typeof claims.exp !== 'number' || claims.exp <= Math.floor(nowMs / 1000);
}

async function verifiedClaims(token: string, keySet: KeySet): Promise<GatewayClaims | undefined> {
  let cache = verifiedBySet.get(keySet);
  if (!cache) verifiedBySet.set(keySet, (cache = new Map()));
  const cached = cache.get(token);
  if (cached) {
    cache.delete(token);
    if (expired(cached, Date.now())) return undefined;
    cache.set(token, cached);
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

/**
 * auth.py's _validate_headers, in its order: gitlab_realm ↔ X-Gitlab-Realm, gitlab_instance_id ↔ X-Gitlab-Instance-Id,
 * then sub ↔ X-Gitlab-Global-User-Id for the gateway's own tokens, X-Gitlab-Instance-Id for GitLab's. Empty claims pass.
 */
function headerMismatch(claims: GatewayClaims, headers: IncomingHttpHeaders): string | undefined {
  const pairs: [unknown, string][] = [
    [claims.gitlab_realm, 'X-Gitlab-Realm'],
    [claims.gitlab_instance_id, 'X-Gitlab-Instance-Id'],
    [claims.sub, claims.iss === GATEWAY_SERVICE_NAME ? 'X-Gitlab-Global-User-Id' : 'X-Gitlab-Instance-Id'],
  ];
  return pairs.find(([claim, name]) => claim && claim !== header(headers, name))?.[1];
}

/** Authenticates a request as the real gateway's middleware does, in the same order. */
export async function authenticate(headers: IncomingHttpHeaders, opts: { auth: AuthSwitches; keySet: () => Promise<KeySet> }): Promise<AuthResult> {
  if (opts.auth.bypassExternal) return { ok: true, bypassed: 'external' };
  // The header's value is compared exactly: `conn.headers.get("Bypass-Auth") == "true"`.
  if (opts.auth.bypassExternalWithHeader && header(headers, 'Bypass-Auth') === 'true') return { ok: true, bypassed: 'header' };
  const authorization = header(headers, 'Authorization');
  if (authorization === undefined) return { ok: false, message: AUTH_MESSAGES.noHeader };
  const space = authorization.indexOf(' ');
  const scheme = space < 0 ? authorization : authorization.slice(0, space);
  const token = space < 0 ? '' : authorization.slice(space + 1);
  if (scheme.toLowerCase() !== 'bearer') return { ok: false, message: AUTH_MESSAGES.badHeader };
  if (header(headers, 'X-Gitlab-Authentication-Type') !== 'oidc') return { ok: false, message: AUTH_MESSAGES.notOidc };
  const keySet = await opts.keySet();
  if (keySet.keys.length === 0) return { ok: false, critical: NO_KEYS_MESSAGE };
  const claims = opts.auth.bypassJwtSignature ? unverifiedClaims(token) : await verifiedClaims(token, keySet);
  if (!claims) return { ok: false, message: AUTH_MESSAGES.forbidden };
  const mismatch = headerMismatch(claims, headers);
  if (mismatch) return { ok: false, message: AUTH_MESSAGES.mismatch(mismatch) };
  return { ok: true, claims };
}

/**
 * CloudConnectorUser.can(unit_primitive, disallowed_issuers): a bypassed (debug) user may do anything; otherwise the
 * scope must be in the token's scopes and its issuer not disallowed.
 */
export function can(result: AuthResult & { ok: true }, scope: string, disallowedIssuers: readonly string[] = []): boolean {
  if (!result.claims) return true;
  if (typeof result.claims.iss === 'string' && disallowedIssuers.includes(result.claims.iss)) return false;
  return Array.isArray(result.claims.scopes) && result.claims.scopes.includes(scope);
}
