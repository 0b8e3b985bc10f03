// agent-platform-token: GitLab obtains a workflow token from the Duo Workflow Service (GenerateToken), as every agent
// session does before it starts — the step that fails when the service cannot sign tokens or refuses GitLab's.
import { defineCheck, type Messages } from '../src/check.js';
import { CAUSE_FIX, grpcCause, type GrpcCause } from '../src/judge/agent-platform.js';
import { WORKFLOW_DIRECT_ACCESS_PATH, workflowAccess, type WorkflowAccess } from '../src/probes/duo-workflow/gitlab.js';

export interface Facts {
  access: WorkflowAccess;
}

const MEANING: Record<GrpcCause, string> = {
  'signing-key': 'the service cannot sign workflow tokens (DUO_WORKFLOW_SELF_SIGNED_JWT__SIGNING_KEY is not set)',
  'tls-to-plaintext': 'GitLab spoke TLS to a service that serves plain gRPC',
  'no-listener': 'nothing listens at the service address',
  http2: 'something between GitLab and the service does not carry HTTP/2',
  unavailable: 'GitLab could not reach the service',
  unauthenticated: "the service refused GitLab's token",
  permission: "GitLab's token does not allow the Duo Agent Platform",
  timeout: 'the service did not answer in time',
  other: 'the service failed the call',
};

export const messages = {
  issued: { status: 'pass', text: () => 'GitLab obtained a workflow token from the Duo Workflow Service (GenerateToken) and hands it out' },
  refused: {
    status: 'fail',
    text: (d: { cause: GrpcCause; message: string }) =>
      `GitLab could not get a workflow token, so no agent session can start: ${MEANING[d.cause]} (GitLab: ${d.message})`,
    fix: (d: { cause: GrpcCause }) => CAUSE_FIX[d.cause],
  },
  forbidden: {
    status: 'fail',
    text: (d: { status: number; message?: string }) =>
      `GitLab refused to hand out a workflow token (HTTP ${d.status}${d.message ? `: ${d.message}` : ''})`,
    fix: "The token's user needs access to the GitLab Duo Agent Platform: a Duo seat, the Agent Platform turned on (Admin > GitLab Duo), and a token with the api scope.",
  },
  routeMissing: {
    status: 'skip',
    text: () => `GitLab has no ${WORKFLOW_DIRECT_ACCESS_PATH} (a version before the Duo Agent Platform): nothing to check`,
  },
  unreachable: { status: 'skip', text: (d: { message: string }) => `GitLab could not be asked for a workflow token: ${d.message}` },
  unexpected: {
    status: 'fail',
    text: (d: { status: number; message?: string }) =>
      `GitLab answered the workflow token request with HTTP ${d.status}${d.message ? `: ${d.message}` : ''}`,
    fix: "Read GitLab's log (log/api_json.log and log/exceptions_json.log) for POST /api/v4/ai/duo_workflows/direct_access at the time of this run.",
  },
} satisfies Messages;

/** Judges GitLab's answer to direct_access. */
export function judge(facts: Facts) {
  const a = facts.access;
  if (a.ok) return { findings: [{ id: 'issued' as const }], evidence: { httpStatus: a.status } };
  const evidence = { httpStatus: a.status };
  if (a.status === 0) return { findings: [{ id: 'unreachable' as const, data: { message: a.message ?? 'no answer' } }], evidence };
  if (a.status === 404) return { findings: [{ id: 'routeMissing' as const }], evidence };
  // bad_request!(workflow_token_result[:message]): Grape's "400 Bad request - <code>:<details>".
  // Stryker disable next-line Regex: Grape's bad_request! message always starts with it
  const grpcText = a.status === 400 ? a.message?.replace(/^400 Bad request - /, '') : undefined;
  if (grpcText) return { findings: [{ id: 'refused' as const, data: { cause: grpcCause(grpcText), message: grpcText } }], evidence };
  if (a.status === 401 || a.status === 403)
    return { findings: [{ id: 'forbidden' as const, data: { status: a.status, ...(a.message ? { message: a.message } : {}) } }], evidence };
  return { findings: [{ id: 'unexpected' as const, data: { status: a.status, ...(a.message ? { message: a.message } : {}) } }], evidence };
}

export default defineCheck({
  id: 'agent-platform-token',
  title: 'GitLab obtains a workflow token from the Duo Workflow Service',
  category: 'agent-platform',
  tags: ['ci', 'oncall', 'pre-upgrade'],
  dependsOn: ['agent-platform-url'],
  needs: ['gitlab', 'token'],
  explain: {
    checks:
      `POST ${WORKFLOW_DIRECT_ACCESS_PATH} with the administrator's token: GitLab calls the service's GenerateToken with its own Cloud Connector ` +
      'token and returns the service-signed workflow token every agent session starts with. The token is never printed.',
    failsWhen:
      "GitLab answers 400 with the gRPC error (the signing key missing, TLS to a plaintext service, no listener, no HTTP/2 on the way, GitLab's token refused, no Agent Platform in the license), or refuses the request.",
    fix: 'The failure names it: usually DUO_WORKFLOW_SELF_SIGNED_JWT__SIGNING_KEY on the gateway container, DUO_AGENT_PLATFORM_SERVICE_SECURE in GitLab, or AIGW_GITLAB_URL on the container.',
  },
  messages,
  // Stryker disable all: gather does I/O (probes); the integration tier tests it, mutating it here only measures the unit tier's blind spot
  async gather(ctx): Promise<Facts> {
    return { access: (await workflowAccess(ctx)).facts };
  },
  // Stryker restore all
  judge,
});
