// GitLab's /api/v4/code_suggestions endpoints: completions relayed to the gateway, direct_access, connection_details.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { parseJson, readBody, sendJson, type OutgoingResponse } from '../http.js';
import { codeSuggestionsAvailable, type GitLabState } from './config.js';
import { globalUserId, postCompletion, publicHeaders, requestUserAccessToken } from './gateway-client.js';

/** The header GitLab sets on code-suggestions errors it raises itself (not on answers relayed from the gateway). */
export const ERROR_ORIGIN_HEADER = 'X-GitLab-Error-Origin';

/** Workhorse's read timeout for the relayed completion (GitLab: 55 s). */
const RELAY_TIMEOUT_MS = 55_000;

/** Grape's message for the required parameters a completion body lacks (undefined when it has them). */
function missingParams(body: unknown): string | undefined {
  const file = (body as { current_file?: unknown } | undefined)?.current_file;
  const fileObj = typeof file === 'object' && file !== null ? (file as Record<string, unknown>) : undefined;
  const missing = [
    ...(fileObj ? [] : ['current_file']),
    ...['file_name', 'content_above_cursor'].filter((f) => typeof fileObj?.[f] !== 'string').map((f) => `current_file[${f}]`),
  ];
  return missing.length ? missing.map((m) => `${m} is missing`).join(', ') : undefined;
}

/** Relays a completion to the gateway as Workhorse's send_url does: the gateway's status and body, streamed through. */
async function completions(state: GitLabState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const text = await readBody(req);
  const body = parseJson(text);
  const missing = missingParams(body);
  if (missing) return sendJson(res, 400, { error: missing });
  if (!state.aiGatewayUrl) {
    // Real GitLab would fall back to GitLab's cloud gateway; the reference never contacts it and fails as Workhorse does.
    state.log('code_suggestions/completions: no ai_gateway_url set');
    res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
    return void res.end('Internal Server Error\n');
  }
  let upstream: OutgoingResponse;
  try {
    upstream = await postCompletion(state, state.aiGatewayUrl, JSON.stringify(body), RELAY_TIMEOUT_MS);
  } catch (err) {
    // workhorse/internal/sendurl/sendurl.go handleRequestError: 500 unless the route set another status (this one sets
    // none), written by fail.Request as http.Error(StatusText): "Internal Server Error\n".
    state.log(`code_suggestions/completions: SendURL: Do request: ${(err as Error).message}`);
    res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
    return void res.end('Internal Server Error\n');
  }
  const type = upstream.headers['content-type'];
  res.writeHead(upstream.status, type ? { 'content-type': type } : {});
  res.flushHeaders();
  // Chunks go out as they arrive, so a streamed completion stays streamed through GitLab.
  await pipeline(upstream.stream, res).catch(() => res.destroy());
}

/** The Date header of a GitLab whose clock is off by clockSkewSeconds: what duo-doctor compares with the gateway's. */
function skewedDate(state: GitLabState): Record<string, string> {
  return { date: new Date(Date.now() + state.clockSkewSeconds * 1000).toUTCString() };
}

/** The members of the gateway's error body GitLab keeps (parsed_response.slice('detail', 'error', 'error_code', 'message')), or its text. */
function errorContext(answer: { status: number; contentType?: string; body: string }): Record<string, unknown> {
  const parsed = /json/i.test(answer.contentType ?? '') ? parseJson(answer.body) : undefined;
  if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const kept = Object.entries(parsed as Record<string, unknown>).filter(([k]) => ['detail', 'error', 'error_code', 'message'].includes(k));
    return { response_code: answer.status, ...Object.fromEntries(kept) };
  }
  return { response_code: answer.status, detail: answer.body };
}

/**
 * POST /api/v4/code_suggestions/direct_access as ee/lib/api/code_suggestions.rb (gitlab-ee 6714c9136) answers it: the
 * token comes from the gateway (CodeSuggestionsClient#direct_access_token). A gateway answer that is not 2xx raises
 * "Token creation failed" and GitLab renders message, error_description (the gateway's `message`), error_code and error
 * with the gateway's status (503 when there is none) — the gateway's `detail` is logged, not returned. A 2xx without a
 * token is "Token is missing in response" with that status. A connection error is not rescued: Grape's 500.
 */
async function directAccess(state: GitLabState, res: ServerResponse): Promise<void> {
  if (state.directAccessDisabled) return sendJson(res, 403, { message: '403 Forbidden - Direct connections are disabled' });
  const gatewayUrl = state.aiGatewayUrl;
  let answer: { status: number; contentType?: string; body: string };
  try {
    // Without a self-hosted URL real GitLab asks GitLab's cloud (cloud_connector_auth_url); the reference never does.
    if (!gatewayUrl) throw new Error('no ai_gateway_url set');
    answer = await requestUserAccessToken(state, gatewayUrl);
  } catch (err) {
    state.log(`code_suggestions/direct_access: ${(err as Error).message}`);
    return sendJson(res, 500, { message: '500 Internal Server Error' });
  }
  const success = answer.status >= 200 && answer.status < 300;
  const parsed = success ? (parseJson(answer.body) as { token?: unknown; expires_at?: unknown } | undefined) : undefined;
  const token = typeof parsed?.token === 'string' && parsed.token ? parsed.token : undefined;
  if (!token) {
    const context = errorContext(answer);
    state.log(`code_suggestions/direct_access: ${success ? 'Token is missing in response' : 'Token creation failed'} ${JSON.stringify(context)}`);
    return sendJson(
      res,
      answer.status || 503,
      {
        message: success ? 'Token is missing in response' : 'Token creation failed',
        error_description: context.message ?? null,
        error_code: context.error_code ?? null,
        error: context.error ?? null,
      },
      skewedDate(state),
    );
  }
  sendJson(res, 201, { base_url: gatewayUrl, token, expires_at: parsed?.expires_at, headers: publicHeaders(state) }, skewedDate(state));
}

function connectionDetails(state: GitLabState, res: ServerResponse): void {
  sendJson(res, 201, {
    instance_id: state.instanceId,
    instance_version: state.version.replace(/-ee$/, ''),
    realm: 'self-managed',
    global_user_id: globalUserId(state),
    host_name: new URL(state.externalUrl).hostname,
    feature_enablement_type: 'duo_enterprise',
    saas_duo_pro_namespace_ids: [],
  });
}

/** Handles POST /api/v4/code_suggestions/<action> for an authenticated user; false when the action is unknown. */
export async function handleCodeSuggestions(state: GitLabState, action: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (!['completions', 'direct_access', 'connection_details'].includes(action)) return false;
  // GitLab refuses a user without Code Suggestions access before any action, and says the error is its own.
  if (!codeSuggestionsAvailable(state.license)) {
    sendJson(res, 401, { message: '401 Unauthorized' }, { [ERROR_ORIGIN_HEADER]: 'monolith' });
    return true;
  }
  if (action === 'completions') await completions(state, req, res);
  else if (action === 'direct_access') await directAccess(state, res);
  else connectionDetails(state, res);
  return true;
}
