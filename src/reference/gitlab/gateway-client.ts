// How the reference GitLab talks to its AI gateway: the token and headers GitLab sends, and the completion request.
import { createHash, randomUUID } from 'node:crypto';
import { request, type OutgoingResponse } from '../http.js';
import type { GitLabState } from './config.js';
import { issueToken, type IssuedToken } from './signing.js';

/** The unit primitive (token scope) for code completions. */
export const COMPLETE_CODE = 'complete_code';

/** The administrator's user id, whose anonymised global id GitLab sends. */
const ADMIN_USER_ID = 1;

/** GitLab's anonymised global user id: stable per instance and user, not the user id itself. */
export function globalUserId(state: GitLabState): string {
  return createHash('sha256').update(`${state.instanceId}:${ADMIN_USER_ID}`).digest('base64url').slice(0, 43);
}

/** Signs a token for the gateway as this instance would (its skew and audience applied). */
export function instanceToken(state: GitLabState): Promise<IssuedToken> {
  return issueToken(state.key, {
    issuer: state.url,
    instanceId: state.instanceId,
    scopes: [COMPLETE_CODE],
    clockSkewSeconds: state.clockSkewSeconds,
    ...(state.audience ? { audience: state.audience } : {}),
  });
}

/** The identifying headers GitLab sends the gateway (without Authorization). */
export function publicHeaders(state: GitLabState): Record<string, string> {
  return {
    'X-Gitlab-Authentication-Type': 'oidc',
    'X-Gitlab-Instance-Id': state.instanceId,
    'X-Gitlab-Realm': 'self-managed',
    'X-Gitlab-Global-User-Id': globalUserId(state),
    'X-Gitlab-Host-Name': new URL(state.externalUrl).hostname,
    'X-Gitlab-Version': state.version.replace(/-ee$/, ''),
    'X-Gitlab-Unit-Primitive': COMPLETE_CODE,
  };
}

/** POSTs a completion request body to `<ai_gateway_url>/v2/code/completions` with a fresh token. */
export async function postCompletion(state: GitLabState, gatewayUrl: string, body: string, timeoutMs: number): Promise<OutgoingResponse> {
  const { token } = await instanceToken(state);
  return request({
    url: `${gatewayUrl.replace(/\/+$/, '')}/v2/code/completions`,
    method: 'POST',
    headers: {
      ...publicHeaders(state),
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
      'X-Request-ID': randomUUID(),
    },
    body,
    ...(state.ca ? { ca: state.ca } : {}),
    timeoutMs,
  });
}
