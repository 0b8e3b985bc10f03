// GitLab's /api/v4/code_suggestions endpoints: completions relayed to the gateway, direct_access, connection_details.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { parseJson, readBody, sendJson, type OutgoingResponse } from '../http.js';
import { codeSuggestionsAvailable, type GitLabState } from './config.js';
import { globalUserId, instanceToken, postCompletion, publicHeaders } from './gateway-client.js';

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
    state.log(`code_suggestions/completions: SendURL: Do request: ${(err as Error).message}`);
    res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
    return void res.end('Bad Gateway\n');
  }
  const type = upstream.headers['content-type'];
  res.writeHead(upstream.status, type ? { 'content-type': type } : {});
  res.flushHeaders();
  // Chunks go out as they arrive, so a streamed completion stays streamed through GitLab.
  await pipeline(upstream.stream, res).catch(() => res.destroy());
}

async function directAccess(state: GitLabState, res: ServerResponse): Promise<void> {
  if (state.directAccessDisabled) return sendJson(res, 403, { message: '403 Forbidden - Direct connections are disabled' });
  const { token, expiresAt } = await instanceToken(state);
  sendJson(res, 201, {
    base_url: state.aiGatewayUrl ?? '',
    token,
    expires_at: expiresAt,
    headers: publicHeaders(state),
  });
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
export async function handleCodeSuggestions(
  state: GitLabState,
  action: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
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
