// A direct-access token from GitLab (code_suggestions/direct_access) and the headers an IDE sends the gateway with it; never printed.
import type { CheckContext } from '../check.js';
import { apiMessage, describeExchange, gitlabPost } from './gitlab-api.js';
import { parseJson } from './http.js';

/** The endpoint IDEs call for a token to talk to the gateway directly. */
export const DIRECT_ACCESS_PATH = '/api/v4/code_suggestions/direct_access';

/** Where the setting that turns direct access off lives, for skip messages. */
export const DIRECT_ACCESS_SETTING =
  'Admin > GitLab Duo > Change configuration > Connection method "Direct connections" (application setting disabled_direct_code_suggestions)';

/** Headers to call the gateway with (Authorization included: never print them), or why there are none. */
export type DirectAccess =
  { ok: true; headers: Record<string, string> } | { ok: false; reason: string; /** GitLab's direct connections are turned off. */ disabled: boolean };

/**
 * Asks GitLab for a direct-access token (POST, shared by every check that asks) and returns the headers GitLab says
 * to send the gateway plus `Authorization: Bearer <token>`. Never throws; a refusal is a reason.
 */
export async function directAccessHeaders(ctx: CheckContext): Promise<DirectAccess> {
  if (!ctx.settings.gitlabUrl || !ctx.settings.gitlabToken) {
    return { ok: false, disabled: false, reason: 'a direct-access token needs GitLab: give --gitlab-url and GITLAB_TOKEN (or --gitlab-token-file)' };
  }
  const ex = await gitlabPost(ctx, DIRECT_ACCESS_PATH, {});
  if (!ex.ok) return { ok: false, disabled: false, reason: `could not ask GitLab for a direct-access token: ${describeExchange(ctx, ex)}` };
  const { response } = ex;
  if (response.status === 403 && /direct connections are disabled/i.test(apiMessage(response) ?? '')) {
    return {
      ok: false,
      disabled: true,
      reason: `GitLab does not hand out direct-access tokens: direct connections are disabled (${DIRECT_ACCESS_SETTING})`,
    };
  }
  if (response.status !== 201 && response.status !== 200) {
    return { ok: false, disabled: false, reason: `GitLab refused a direct-access token: ${describeExchange(ctx, ex)}` };
  }
  const parsed = parseJson(response);
  const body = (parsed.ok ? parsed.value : undefined) as { token?: unknown; headers?: unknown } | undefined;
  if (typeof body?.token !== 'string' || !body.token) {
    return { ok: false, disabled: false, reason: `GitLab answered ${DIRECT_ACCESS_PATH} with HTTP ${response.status} but no token` };
  }
  const headers: Record<string, string> = {};
  if (typeof body.headers === 'object' && body.headers !== null) {
    for (const [name, value] of Object.entries(body.headers)) if (typeof value === 'string') headers[name] = value;
  }
  // GitLab's headers (Gitlab::AiGateway.public_headers) carry no authentication type; the IDE adds it with the token.
  return { ok: true, headers: { ...headers, 'X-Gitlab-Authentication-Type': 'oidc', Authorization: `Bearer ${body.token}` } };
}
