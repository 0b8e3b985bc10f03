// The Duo Workflow Service's authentication, in the real interceptor's order and with its messages:
// flyisland/ai-gateway duo_workflow_service/interceptors/authentication_interceptor.py (607dff814), which calls
// gitlab_cloud_connector's authenticate() — its in-tree original is ai_gateway/cloud_connector/auth.py and providers.py at f73a3b07d^.
import { importJWK, jwtVerify, type JWK, type JWTPayload } from 'jose';
import { AUTH_MESSAGES } from '../gateway/auth.js';
import type { KeySet } from '../gateway/jwks.js';

/** The service's Cloud Connector name (DUO_WORKFLOW_CLOUD_CONNECTOR_SERVICE_NAME's default, server.py setup_cloud_connector): issuer and audience of its own tokens, the audience it requires. */
export const DWS_SERVICE_NAME = 'gitlab-duo-workflow-service';

/** The UNAUTHENTICATED details: the same authenticate() as the AI gateway's, so the same messages (auth.py at f73a3b07d^). */
export const DWS_AUTH_MESSAGES = AUTH_MESSAGES;

/** Claims the service reads. */
export interface DwsClaims extends JWTPayload {
  gitlab_realm?: string;
  gitlab_instance_id?: string;
  scopes?: string[];
}

export type DwsAuth = { ok: true; claims?: DwsClaims } | { ok: false; message: string };

/** CompositeProvider.authenticate: the first key (local keys, then GitLab's) that verifies RS256 with audience = the service name. */
async function verify(token: string, keys: readonly JWK[]): Promise<DwsClaims | undefined> {
  for (const jwk of keys) {
    if (jwk.kty !== 'RSA') continue;
    try {
      const key = await importJWK({ ...jwk, alg: 'RS256' }, 'RS256');
      const { payload } = await jwtVerify(token, key, { algorithms: ['RS256'], audience: DWS_SERVICE_NAME, requiredClaims: ['exp'] });
      return payload as DwsClaims;
    } catch {
      // Another key may verify it.
    }
  }
  return undefined;
}

/** Authenticates one call's metadata (lower-case keys) as the interceptor does. */
export async function authenticateCall(
  metadata: Readonly<Record<string, string | undefined>>,
  opts: { enabled: boolean; localKeys: readonly JWK[]; gitlabKeys: () => Promise<KeySet> },
): Promise<DwsAuth> {
  // DUO_WORKFLOW_AUTH__ENABLED == "false": "[WARN] Auth is disabled, all users allowed".
  if (!opts.enabled) return { ok: true };
  const authorization = metadata['authorization'];
  if (authorization === undefined) return { ok: false, message: DWS_AUTH_MESSAGES.noHeader };
  const space = authorization.indexOf(' ');
  const scheme = space < 0 ? authorization : authorization.slice(0, space);
  const token = space < 0 ? '' : authorization.slice(space + 1);
  if (scheme.toLowerCase() !== 'bearer') return { ok: false, message: DWS_AUTH_MESSAGES.badHeader };
  if (metadata['x-gitlab-authentication-type'] !== 'oidc') return { ok: false, message: DWS_AUTH_MESSAGES.notOidc };
  const claims = await verify(token, [...opts.localKeys, ...(await opts.gitlabKeys()).keys]);
  if (!claims) return { ok: false, message: DWS_AUTH_MESSAGES.forbidden };
  // _validate_headers: each claim present must equal its header; the subject is the global user id in the service's own tokens.
  const subjectHeader = claims.iss === DWS_SERVICE_NAME ? 'X-Gitlab-Global-User-Id' : 'X-Gitlab-Instance-Id';
  const pairs: [unknown, string][] = [
    [claims.gitlab_realm, 'X-Gitlab-Realm'],
    [claims.gitlab_instance_id, 'X-Gitlab-Instance-Id'],
    [claims.sub, subjectHeader],
  ];
  for (const [claim, header] of pairs) {
    if (claim && claim !== metadata[header.toLowerCase()]) return { ok: false, message: DWS_AUTH_MESSAGES.mismatch(header) };
  }
  return { ok: true, claims };
}
