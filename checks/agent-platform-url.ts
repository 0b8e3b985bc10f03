// agent-platform-url: GitLab's duo_agent_platform_service_url (read as an administrator sees it) is a host:port, and
// whether GitLab talks TLS to it. Blank: the rake task's warning for the version checked, and the platform checks skip.
import { defineCheck, type Messages } from '../src/check.js';
import { addressShape, hasServiceUrlSetting, rakeHasWorkflowSteps } from '../src/judge/agent-platform.js';
import { gitlabVersion, serviceUrlSetting, workflowAccess, type ServiceUrlSetting } from '../src/probes/duo-workflow/gitlab.js';

/** The facts: GitLab's version, the setting, and `secure` as direct_access reports it. */
export interface Facts {
  gitlabVersion?: string;
  setting: ServiceUrlSetting;
  /** Gitlab::DuoWorkflow::Client.secure? as GitLab hands it out; undefined when direct_access gave no answer. */
  secure?: boolean;
}

/** The rake task's lines for a blank setting (verify_self_hosted_setup.rb, verify_duo_workflow_service!). */
export const RAKE_NOT_CONFIGURED = 'No self-hosted Duo Workflow Service URL configured ⚠';
export const RAKE_SET_SETTING = "Set the 'duo_agent_platform_service_url' application setting to enable the Agent Platform";

const SETTING_PLACES =
  'Admin > GitLab Duo > Change configuration (Local URL for the GitLab Duo Agent Platform service), or GraphQL: ' +
  'mutation { duoSettingsUpdate(input: { duoAgentPlatformServiceUrl: "<host>:<port>" }) { errors } }';

const tlsText = (secure: boolean | undefined): string =>
  secure === true
    ? 'GitLab connects with TLS (duo_workflow.secure: DUO_AGENT_PLATFORM_SERVICE_SECURE unset or true)'
    : secure === false
      ? 'GitLab connects without TLS (DUO_AGENT_PLATFORM_SERVICE_SECURE=false)'
      : "whether GitLab uses TLS was not reported (its workflow token request failed; GitLab's default is TLS)";

export const messages = {
  configured: { status: 'pass', text: (d: { value: string; secure?: boolean }) => `Duo Workflow Service URL: ${d.value}; ${tlsText(d.secure)}` },
  notConfigured: {
    status: 'skip',
    text: (d: { version?: string; rakeStep: boolean }) =>
      d.rakeStep
        ? `${RAKE_NOT_CONFIGURED} — ${RAKE_SET_SETTING}`
        : // Stryker disable next-line StringLiteral: a rake task without the step is known only from a known version
          `No self-hosted Duo Workflow Service URL configured (duo_agent_platform_service_url is blank); GitLab ${d.version ?? ''}'s rake task has no Duo Workflow Service step`,
  },
  predatesSetting: {
    status: 'skip',
    text: (d: { version?: string }) =>
      `GitLab ${d.version ?? '(version unknown)'} has no duo_agent_platform_service_url setting (it came in 18.4): nothing to check`,
  },
  unreadable: { status: 'skip', text: (d: { reason: string }) => `GitLab's Duo Workflow Service URL could not be read: ${d.reason}` },
  scheme: {
    status: 'fail',
    text: (d: { value: string; scheme: string }) =>
      `duo_agent_platform_service_url is "${d.value}": it must be host:port — gRPC reads "${d.scheme}://" as part of the host name, so GitLab cannot resolve it`,
    fix: (d: { hostPort: string }) =>
      `Set duo_agent_platform_service_url to ${d.hostPort} (no scheme) in ${SETTING_PLACES}. TLS is chosen by DUO_AGENT_PLATFORM_SERVICE_SECURE in GitLab's environment, not by a scheme.`,
  },
  noPort: {
    status: 'fail',
    text: (d: { value: string }) =>
      `duo_agent_platform_service_url "${d.value}" has no port: gRPC then dials port 443, while the service listens on 50052 by default`,
    fix: (d: { value: string }) =>
      `Set duo_agent_platform_service_url to ${d.value}:50052 (or the port the service is published on) in ${SETTING_PLACES}.`,
  },
  malformed: {
    status: 'fail',
    text: (d: { value: string }) => `duo_agent_platform_service_url "${d.value}" is not host:port`,
    fix: `Set duo_agent_platform_service_url to <host>:<port> of the Duo Workflow Service (default port 50052) in ${SETTING_PLACES}.`,
  },
} satisfies Messages;

/** Judges the setting. */
export function judge(facts: Facts) {
  const version = facts.gitlabVersion;
  if (!facts.setting.ok) {
    if (facts.setting.missingField || !hasServiceUrlSetting(version))
      return { findings: [{ id: 'predatesSetting' as const, data: { ...(version ? { version } : {}) } }] };
    return { findings: [{ id: 'unreadable' as const, data: { reason: facts.setting.reason } }] };
  }
  const value = facts.setting.value;
  if (value === null)
    return { findings: [{ id: 'notConfigured' as const, data: { ...(version ? { version } : {}), rakeStep: rakeHasWorkflowSteps(version) } }] };
  const shape = addressShape(value);
  const evidence = { serviceUrl: value, ...(facts.secure !== undefined ? { secure: facts.secure } : {}) };
  switch (shape.kind) {
    case 'host-port':
      return {
        findings: [{ id: 'configured' as const, data: { value, ...(facts.secure !== undefined ? { secure: facts.secure } : {}) } }],
        evidence,
      };
    case 'scheme':
      return { findings: [{ id: 'scheme' as const, data: { value, scheme: shape.scheme, hostPort: shape.hostPort } }], evidence };
    case 'no-port':
      return { findings: [{ id: 'noPort' as const, data: { value } }], evidence };
    default:
      return { findings: [{ id: 'malformed' as const, data: { value } }], evidence };
  }
}

export default defineCheck({
  id: 'agent-platform-url',
  title: "GitLab's Duo Workflow Service URL is a host:port GitLab can use",
  category: 'agent-platform',
  tags: ['ci', 'oncall', 'pre-upgrade'],
  dependsOn: ['gitlab-reachable'],
  needs: ['gitlab', 'token'],
  explain: {
    checks:
      "Reads GitLab's duo_agent_platform_service_url (GraphQL duoSettings.duoAgentPlatformServiceUrl, administrators only) and whether GitLab " +
      'talks TLS to it (duo_workflow.secure, as POST /api/v4/ai/duo_workflows/direct_access reports it).',
    failsWhen:
      "The value is not host:port: an http:// or https:// prefix, no port, anything else. Blank: skips with the rake task's warning, and the other Duo Agent Platform checks skip.",
    fix: `Set it to <host>:<port> of the Duo Workflow Service (default 50052) in ${SETTING_PLACES}.`,
  },
  messages,
  // Stryker disable all: gather does I/O (probes); the integration tier tests it, mutating it here only measures the unit tier's blind spot
  async gather(ctx): Promise<Facts> {
    const [version, setting] = await Promise.all([gitlabVersion(ctx), serviceUrlSetting(ctx)]);
    // direct_access reports secure? only when the token request succeeds; asked only when there is a setting to go with it.
    const grant = setting.ok && setting.value ? await workflowAccess(ctx) : undefined;
    const secure = grant?.facts.ok ? grant.facts.secure : undefined;
    return { ...(version ? { gitlabVersion: version } : {}), setting, ...(secure !== undefined ? { secure } : {}) };
  },
  // Stryker restore all
  judge,
});
