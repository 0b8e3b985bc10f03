// POST /v1/code/user_access_token: the gateway mints a user token for direct connections, as ai-gateway's
// ai_gateway/api/v1/code/user_access_token.py (aec48795e) does with TokenAuthority
// (ai_gateway/cloud_connector/token_authority.py, f73a3b07d^).
import { createPrivateKey, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SignJWT } from 'jose';
import { can, GATEWAY_SERVICE_NAME, type AuthResult } from './auth.js';

/** The unit primitives a user token may carry, in the route's order. */
const UNIT_PRIMITIVES = ['complete_code', 'ai_gateway_model_provider_proxy'] as const;
/** TokenAuthority: one hour. */
const LIFETIME_S = 3600;

/** What the route answers: FastAPI's status and JSON body. */
export interface RouteAnswer {
  status: number;
  body: Record<string, unknown>;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The route: scopes the caller may delegate (its own, and never from a token the gateway itself issued), the three
 * identifying headers, then the signature with AIGW_SELF_SIGNED_JWT__SIGNING_KEY. An unset or unparsable key makes
 * python-jose raise inside jwt.encode; the route turns any exception into 500 "Failed to generate JWT".
 */
export async function userAccessToken(user: AuthResult & { ok: true }, headers: IncomingHttpHeaders, signingKeyPem: string): Promise<RouteAnswer> {
  const scopes = UNIT_PRIMITIVES.filter((up) => can(user, up, [GATEWAY_SERVICE_NAME]));
  if (!scopes.length) return { status: 403, body: { detail: 'Unauthorized to create user access token' } };
  const globalUserId = header(headers, 'x-gitlab-global-user-id');
  const instanceId = header(headers, 'x-gitlab-instance-id');
  const realm = header(headers, 'x-gitlab-realm');
  if (!globalUserId) return { status: 400, body: { detail: 'Missing X-Gitlab-Global-User-Id header' } };
  if (!instanceId) return { status: 400, body: { detail: 'Missing X-Gitlab-Instance-Id header' } };
  if (!realm) return { status: 400, body: { detail: 'Missing X-Gitlab-Realm header' } };
  try {
    const key = createPrivateKey(signingKeyPem);
    const now = Math.floor(Date.now() / 1000);
    const expiresAt = now + LIFETIME_S;
    const seats = user.claims?.duo_seat_count;
    const token = await new SignJWT({
      gitlab_realm: realm,
      gitlab_instance_id: instanceId,
      scopes,
      ...(seats !== undefined && String(seats).trim() ? { duo_seat_count: seats } : {}),
    })
      // python-jose's header: typ and alg, no kid.
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuer(GATEWAY_SERVICE_NAME)
      .setSubject(globalUserId)
      .setAudience(GATEWAY_SERVICE_NAME)
      .setExpirationTime(expiresAt)
      .setNotBefore(now)
      .setIssuedAt(now)
      .setJti(randomUUID())
      .sign(key);
    return { status: 200, body: { token, expires_at: expiresAt } };
  } catch {
    return { status: 500, body: { detail: 'Failed to generate JWT' } };
  }
}
