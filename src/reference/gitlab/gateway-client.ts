// How the reference GitLab talks to its AI gateway: the token and headers GitLab sends, and the completion request.
import { createHash, randomUUID } from 'node:crypto';
import { readBody, request, type OutgoingResponse } from '../http.js';
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

/** Signs a Duo token for the gateway with the current Cloud Connector key (CloudConnector::Tokens#issue_token; skew and audience applied). */
export function instanceToken(state: GitLabState): Promise<IssuedToken> {
  return issueToken(state.cloudConnectorKeys.current, {
    issuer: state.url,
    instanceId: state.instanceId,
    scopes: [COMPLETE_CODE],
    clockSkewSeconds: state.clockSkewSeconds,
    ...(state.audience ? { audience: state.audience } : {}),
  });
}

/**
 * The identifying headers GitLab sends the gateway, without Authorization: Gitlab::AiGateway.public_headers =
 * CloudConnector.ai_headers (ee/lib/cloud_connector.rb) + enablement type, feature flags, verbose-logs flag, team
 * member (ee/lib/gitlab/ai_gateway.rb), + X-Gitlab-Model-Prompt-Cache-Enabled (ee/lib/api/code_suggestions.rb), 6714c9136.
 */
export function publicHeaders(state: GitLabState): Record<string, string> {
  return {
    'x-gitlab-host-name': new URL(state.externalUrl).hostname,
    'x-gitlab-instance-id': state.instanceId,
    'x-gitlab-realm': 'self-managed',
    'x-gitlab-deployment-type': 'self-managed',
    // Gitlab.version_info.to_s: major.minor.patch, no edition suffix.
    'x-gitlab-version': state.version.replace(/-.*$/, ''),
    'x-gitlab-global-user-id': globalUserId(state),
    'x-gitlab-user-id': String(ADMIN_USER_ID),
    'x-gitlab-feature-enabled-by-namespace-ids': '',
    'x-gitlab-feature-enablement-type': 'duo_enterprise',
    'x-gitlab-enabled-feature-flags': '',
    'x-gitlab-enabled-instance-verbose-ai-logs': 'false',
    'X-Gitlab-Is-Team-Member': 'false',
    'X-Gitlab-Model-Prompt-Cache-Enabled': 'false',
  };
}

/** Gitlab::AiGateway.headers: authentication type, a fresh Duo token, content type, request id and send time, then the public ones. */
async function gatewayHeaders(state: GitLabState): Promise<Record<string, string>> {
  const { token } = await instanceToken(state);
  return {
    'X-Gitlab-Authentication-Type': 'oidc',
    Authorization: `Bearer ${token}`,
    'Content-Type': 'application/json',
    'X-Request-ID': randomUUID(),
    'X-Gitlab-Rails-Send-Start': String(Date.now() / 1000),
    ...publicHeaders(state),
  };
}

/** POSTs a completion request body to `<ai_gateway_url>/v2/code/completions` with a fresh token. */
export async function postCompletion(state: GitLabState, gatewayUrl: string, body: string, timeoutMs: number): Promise<OutgoingResponse> {
  return request({
    url: `${gatewayUrl.replace(/\/+$/, '')}/v2/code/completions`,
    method: 'POST',
    headers: await gatewayHeaders(state),
    body,
    ...(state.ca ? { ca: state.ca } : {}),
    timeoutMs,
  });
}

/** CodeSuggestionsClient::DEFAULT_TIMEOUT. */
const ACCESS_TOKEN_TIMEOUT_MS = 30_000;

/**
 * CodeSuggestionsClient#direct_access_token's request (ee/lib/gitlab/llm/ai_gateway/code_suggestions_client.rb,
 * gitlab-ee 6714c9136): POST <ai_gateway_url>/v1/code/user_access_token, no body, GitLab's own Duo token. Rejects on a
 * network error, as Gitlab::HTTP.post raises.
 */
export async function requestUserAccessToken(
  state: GitLabState,
  gatewayUrl: string,
): Promise<{ status: number; contentType?: string; body: string }> {
  const res = await request({
    url: `${gatewayUrl.replace(/\/+$/, '')}/v1/code/user_access_token`,
    method: 'POST',
    headers: await gatewayHeaders(state),
    ...(state.ca ? { ca: state.ca } : {}),
    timeoutMs: ACCESS_TOKEN_TIMEOUT_MS,
  });
  const type = res.headers['content-type'];
  return { status: res.status, ...(type ? { contentType: type } : {}), body: await readBody(res.stream, 1_000_000) };
}
