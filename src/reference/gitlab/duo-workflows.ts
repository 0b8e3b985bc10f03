// GitLab's Duo Agent Platform routes under /api/v4/ai/duo_workflows, as the checks meet them: direct_access (GitLab asks the
// Duo Workflow Service for a token), list_tools (GitLab's own ListTools call) and the agent WebSocket behind Workhorse.
// Sources (flyisland/gitlab-ee 6714c9136): ee/lib/api/ai/duo_workflows/workflows.rb, ee/lib/ai/duo_workflow/duo_workflow_service/client.rb,
// ee/lib/gitlab/duo_workflow/client.rb, ee/lib/cloud_connector.rb, workhorse/internal/ai_assist/duoworkflow/handler.go.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { callUnary, type CallRequest, type UnaryOutcome } from '../../probes/duo-workflow/call.js';
import { fromStruct, type Struct } from '../../probes/duo-workflow/contract.js';
import { sendJson } from '../http.js';
import { acceptUpgrade, handshakeProblem, refuseUpgrade } from '../websocket.js';
import type { GitLabState } from './config.js';
import { globalUserId } from './gateway-client.js';
import { issueToken } from './signing.js';

/** Grape's path of the agent socket (Workhorse's route `v4/ai/duo_workflows/ws\z`). */
export const AGENT_WS_PATH = '/api/v4/ai/duo_workflows/ws';
const DIRECT_ACCESS = '/api/v4/ai/duo_workflows/direct_access';
const LIST_TOOLS = '/api/v4/ai/duo_workflows/list_tools';

/** The audience the service requires (its Cloud Connector name). */
const DWS_AUDIENCE = 'gitlab-duo-workflow-service';
/** How long GitLab's gRPC calls may take before the reference gives up (GitLab sets no deadline; a test must end). */
const CALL_TIMEOUT_MS = 10_000;

/** The metadata client.rb sends with every call. */
async function serviceMetadata(state: GitLabState): Promise<Record<string, string>> {
  // CloudConnector::Tokens.get(unit_primitive: :duo_agent_platform): GitLab's own token for the service's audience.
  const { token } = await issueToken(state.cloudConnectorKeys.current, {
    issuer: state.url,
    instanceId: state.instanceId,
    scopes: ['duo_agent_platform'],
    audience: DWS_AUDIENCE,
    clockSkewSeconds: state.clockSkewSeconds,
  });
  return {
    authorization: `Bearer ${token}`,
    'x-gitlab-authentication-type': 'oidc',
    'x-gitlab-instance-id': state.instanceId,
    'x-gitlab-realm': 'self-managed',
    'x-gitlab-global-user-id': globalUserId(state),
    'x-gitlab-user-id': '1',
    'x-gitlab-client-type': 'gitlab-rails',
    'x-gitlab-version': state.version.replace(/-ee$/, ''),
  };
}

/** CloudConnector.ai_headers(user): what direct_access hands a client to send the service (no authentication type). */
function aiHeaders(state: GitLabState): Record<string, string> {
  return {
    'x-gitlab-host-name': new URL(state.externalUrl).hostname,
    'x-gitlab-instance-id': state.instanceId,
    'x-gitlab-realm': 'self-managed',
    'x-gitlab-deployment-type': 'self-managed',
    'x-gitlab-version': state.version.replace(/-ee$/, ''),
    'x-gitlab-global-user-id': globalUserId(state),
    'x-gitlab-user-id': '1',
    'x-gitlab-feature-enabled-by-namespace-ids': '',
  };
}

/**
 * One call GitLab makes to the service at `Gitlab::DuoWorkflow::Client.url` (the setting, else the cloud service — here a
 * closed loopback stand-in) with `secure?`'s channel credentials.
 */
export async function gitlabServiceCall<R>(state: GitLabState, method: 'ListTools' | 'GenerateToken'): Promise<UnaryOutcome<R>> {
  const req: CallRequest = {
    address: state.duoAgentPlatformServiceUrl || state.cloud.duoWorkflowServiceUrl,
    secure: state.duoWorkflowSecure,
    // Gitlab::X509::Certificate.ca_certs_bundle: the system roots plus GitLab's trusted certificates (the stack's CA).
    ...(state.ca ? { ca: [state.ca] } : {}),
    metadata: await serviceMetadata(state),
    timeoutMs: CALL_TIMEOUT_MS,
  };
  return callUnary<R>(method, req);
}

/** Grape's bad_request!(message) for a ServiceResponse.error carrying the GRPC::BadStatus message ("<code>:<details>"). */
function badRequest(res: ServerResponse, failure: { code: number; details: string }): void {
  sendJson(res, 400, { message: `400 Bad request - ${failure.code}:${failure.details}` });
}

/** Answers the duo_workflows routes; false when the path is none of them. */
export async function handleDuoWorkflows(state: GitLabState, path: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (req.method === 'POST' && path === DIRECT_ACCESS) {
    const generated = await gitlabServiceCall<{ token: string; expiresAt: string }>(state, 'GenerateToken');
    if (!generated.ok) {
      badRequest(res, generated);
      return true;
    }
    sendJson(res, 201, {
      gitlab_rails: {
        base_url: state.externalUrl,
        token: `glpat-oauth-${state.instanceId.slice(0, 8)}`,
        token_expires_at: Number(generated.response.expiresAt),
      },
      duo_workflow_service: {
        base_url: state.duoAgentPlatformServiceUrl || state.cloud.duoWorkflowServiceUrl,
        token: generated.response.token,
        token_expires_at: Number(generated.response.expiresAt),
        headers: aiHeaders(state),
        secure: state.duoWorkflowSecure,
      },
      workflow_metadata: { extended_logging: false, is_team_member: false },
    });
    return true;
  }
  if (req.method === 'GET' && path === LIST_TOOLS) {
    const listed = await gitlabServiceCall<{ tools?: Struct[] }>(state, 'ListTools');
    if (!listed.ok) {
      badRequest(res, listed);
      return true;
    }
    // Google::Protobuf.encode_json(response), sliced to "tools" and "evalDataset" (the proto's json_name is eval_dataset, so only tools survive).
    sendJson(res, 200, { tools: (listed.response.tools ?? []).map(fromStruct) });
    return true;
  }
  if (req.method === 'GET' && path === AGENT_WS_PATH) {
    // The request reached Workhorse without Upgrade/Connection: gorilla/websocket's Upgrade fails with http.Error(400).
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', 'sec-websocket-version': '13' });
    res.end('Bad Request\n');
    return true;
  }
  return false;
}

/** Workhorse's handling of an upgrade to the agent socket: Rails pre-authorises (401), then gorilla's Upgrader checks origin and handshake. */
export function handleAgentUpgrade(
  state: GitLabState | undefined,
  token: string | undefined,
  path: string,
  req: IncomingMessage,
  socket: Duplex,
): void {
  socket.on('error', () => socket.destroy());
  const json = (message: string) => ({ type: 'application/json', text: JSON.stringify({ message }) });
  const text = (message: string) => ({ type: 'text/plain; charset=utf-8', text: `${message}\n` });
  if (!state) return refuseUpgrade(socket, 503, 'Service Unavailable', json('503 Service Unavailable'));
  if (path !== AGENT_WS_PATH) return refuseUpgrade(socket, 404, 'Not Found', json('404 Not Found'));
  if (token === undefined || !state.adminTokens.has(token)) return refuseUpgrade(socket, 401, 'Unauthorized', json('401 Unauthorized'));
  const origin = req.headers.origin;
  // gorilla's checkSameOrigin: an Origin whose host differs from the request's Host is refused.
  if (origin && URL.canParse(origin) && new URL(origin).host.toLowerCase() !== (req.headers.host ?? '').toLowerCase()) {
    return refuseUpgrade(socket, 403, 'Forbidden', text('Forbidden'), { 'sec-websocket-version': '13' });
  }
  if (handshakeProblem(req)) return refuseUpgrade(socket, 400, 'Bad Request', text('Bad Request'), { 'sec-websocket-version': '13' });
  acceptUpgrade(req, socket);
}
