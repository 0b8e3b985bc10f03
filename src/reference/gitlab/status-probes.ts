// GitLab's Cloud Connector health check (Admin > GitLab Duo > Run health check; GraphQL `cloudConnectorStatus`), run
// for real with the probe set and texts of the version the reference claims. Source: gitlab-org/gitlab at 6714c9136
// (flyisland/gitlab-ee): ee/app/services/cloud_connector/status_checks/status_service.rb, probes/registry.rb and
// probes/*.rb; older texts from the code index (see FIDELITY.md).
import { gitlabServiceCall } from './duo-workflows.js';
import { compareVersions, parseVersion } from '../../judge/versions.js';
import { readBody, request } from '../http.js';
import { codeSuggestionsAvailable, type GitLabState } from './config.js';
import { postCompletion } from './gateway-client.js';
import { blockedReason } from './url-blocker.js';

/** One probe's result, as GraphQL `cloudConnectorStatus.probeResults` lists it. */
export interface ProbeResult {
  name: string;
  success: boolean;
  message: string;
  errors: string[];
  details: Record<string, unknown>;
}

/** HostProbe's DEFAULT_TIMEOUT_SEC and CodeSuggestionsClient's COMPLETION_CHECK_TIMEOUT. */
const HOST_TIMEOUT_MS = 5_000;
const COMPLETION_CHECK_TIMEOUT_MS = 3_000;
const NETWORKING_CTA = 'If you use firewalls or proxy servers, they must allow traffic to this host.';
const SYNCHRONIZE_CTA = 'Synchronize your subscription.';

/** BaseProbe#execute: success with its message, or failure with the first error as the message. */
function result(name: string, errors: string[], successMessage: string, details: Record<string, unknown> = {}): ProbeResult {
  return { name, success: errors.length === 0, message: errors[0] ?? successMessage, errors, details };
}

/** Whether the version predates the `ai_settings` table (17.6), when GitLab read AI_GATEWAY_URL from its environment. */
function envVarEra(state: GitLabState): boolean {
  const v = parseVersion(state.version);
  return v !== undefined && compareVersions(v, { major: 17, minor: 6, patch: 0 }) < 0;
}

/** SelfHosted::AiGatewayUrlPresenceProbe (its texts before 17.6 named the environment variable). */
function presenceProbe(state: GitLabState): ProbeResult {
  const url = state.aiGatewayUrl;
  const [set, unset] = envVarEra(state)
    ? [`Environment variable AI_GATEWAY_URL is set to ${url}.`, 'Environment variable AI_GATEWAY_URL is not set.']
    : [
        `Self hosted AI Gateway URL is set to ${url}. It can be changed in the Gitlab Duo configuration.`,
        'Self hosted AI Gateway URL is not set. It can be changed in the Gitlab Duo configuration.',
      ];
  return result('ai_gateway_url_presence_probe', url ? [] : [unset], set);
}

/** The message Ruby's Net::HTTP (through Gitlab::HTTP) gives for a Node request error. */
function rubyHttpError(err: NodeJS.ErrnoException, url: URL): string {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const open = (why: string) => `Failed to open TCP connection to ${host}:${port} (${why})`;
  const tls = (why: string) => `SSL_connect returned=1 errno=0 peeraddr=${host}:${port} state=error: certificate verify failed (${why})`;
  switch (err.code) {
    case 'ECONNREFUSED':
      return open(`Connection refused - connect(2) for "${host}" port ${port}`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return open('getaddrinfo: Name or service not known');
    case 'EHOSTUNREACH':
      return open(`No route to host - connect(2) for "${host}" port ${port}`);
    case 'ENETUNREACH':
      return open(`Network is unreachable - connect(2) for "${host}" port ${port}`);
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
      return tls('unable to get local issuer certificate');
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return tls('self-signed certificate in certificate chain');
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return tls('self-signed certificate');
    case 'CERT_HAS_EXPIRED':
      return tls('certificate has expired');
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `hostname "${host}" does not match the server certificate`;
    default:
      return /timed out/.test(err.message) ? open('execution expired') : err.message;
  }
}

/** Gitlab::HTTP.head(url, timeout: 5): the URL blocker first, then the request with GitLab's trusted CAs. Throws Ruby's message. */
async function gitlabHttpHead(state: GitLabState, url: URL): Promise<void> {
  const blocked = await blockedReason(url, state.outbound);
  if (blocked) throw new Error(blocked);
  try {
    const res = await request({ url: url.href, method: 'HEAD', ...(state.ca ? { ca: state.ca } : {}), timeoutMs: HOST_TIMEOUT_MS });
    res.stream.resume();
  } catch (err) {
    throw new Error(rubyHttpError(err as NodeJS.ErrnoException, url));
  }
}

/** HostProbe: an HTTP HEAD through GitLab's HTTP client; any answer passes, any exception fails (with its message). */
async function hostProbe(state: GitLabState, url: string | undefined): Promise<ProbeResult> {
  const name = 'host_probe';
  let parsed: URL | undefined;
  try {
    parsed = url ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!parsed?.hostname) {
    return result(name, [url ? `${url} is not a valid URL.` : 'Cannot validate connection to host because the URL is empty.'], '');
  }
  const host = parsed.hostname;
  try {
    await gitlabHttpHead(state, parsed);
    return result(name, [], `${host} reachable.`);
  } catch (err) {
    return result(name, [`${host} connection failed: ${(err as Error).message}.\n\n${NETWORKING_CTA}`], '');
  }
}

function instanceDetails(state: GitLabState): Record<string, unknown> {
  const details: Record<string, unknown> = { instance_id: state.instanceId, gitlab_version: state.version };
  if (state.license) details['license'] = { plan: state.license.plan, expires_at: state.license.expiresAt };
  return details;
}

/** SelfHosted::CodeSuggestionsLicenseProbe (the reference's only user, the administrator, holds a seat whenever the license allows). */
function codeSuggestionsLicenseProbe(state: GitLabState): ProbeResult {
  const errors = codeSuggestionsAvailable(state.license) ? [] : ['License does not provide access to Code Suggestions.'];
  return result('code_suggestions_license_probe', errors, 'License includes access to Code Suggestions.', instanceDetails(state));
}

/** LicenseProbe: the subscription can synchronise only with an online cloud license. */
function licenseProbe(state: GitLabState): ProbeResult {
  const l = state.license;
  const errors = !l
    ? ['Subscription for this instance cannot be synchronized. Contact GitLab customer support to obtain a license.']
    : l.cloud !== 'online'
      ? ['Subscription for this instance cannot be synchronized. Contact GitLab customer support to upgrade your license.']
      : [];
  return result('license_probe', errors, 'Subscription can be synchronized.', instanceDetails(state));
}

/** AccessProbe and TokenProbe: the reference never synchronised with CustomersDot, so it holds no catalog and no token. */
const accessProbe = (): ProbeResult => result('access_probe', [`Subscription has not yet been synchronized. ${SYNCHRONIZE_CTA}`], '');
const tokenProbe = (): ProbeResult => result('token_probe', [`Access credentials not found. ${SYNCHRONIZE_CTA}`], '');

/** The body of GitLab's test completion. */
export const TEST_COMPLETION_BODY = JSON.stringify({
  current_file: { file_name: 'test.rb', content_above_cursor: 'def hello_world', content_below_cursor: '' },
  stream: false,
});

/** What went wrong with GitLab's test completion (undefined = it worked), in GitLab's words (CodeSuggestionsClient#test_completion). */
export async function testCompletion(state: GitLabState, gatewayUrl: string): Promise<string | undefined> {
  try {
    const res = await postCompletion(state, gatewayUrl, TEST_COMPLETION_BODY, COMPLETION_CHECK_TIMEOUT_MS);
    const body = await readBody(res.stream, 10_000_000);
    if (res.status !== 200) return `AI Gateway returned code ${res.status}: ${body}`;
    const choice = (JSON.parse(body) as { choices?: { text?: string }[] }).choices?.[0]?.text;
    return choice ? undefined : "Response doesn't contain a completion";
  } catch (err) {
    return rubyHttpError(err as NodeJS.ErrnoException, new URL(gatewayUrl));
  }
}

/** EndToEndProbe: a real completion through the gateway code completions use (the self-hosted one, or GitLab's cloud). */
async function endToEndProbe(state: GitLabState, gatewayUrl: string): Promise<ProbeResult> {
  // The known false alarm (endToEndProbeRefused): only this probe's token is one the gateway does not accept.
  const error = await testCompletion(state.endToEndProbeRefused ? { ...state, audience: 'gitlab-ai-gateway-health-check' } : state, gatewayUrl);
  return result(
    'end_to_end_probe',
    error === undefined ? [] : [`Authentication with the AI gateway services failed: ${error}`],
    'Authentication with the AI gateway services succeeded.',
  );
}

/** DuoAgentPlatformProbe: GitLab's own ListTools call over gRPC to the Duo Workflow Service (its URL, `secure?`, GitLab's token). */
async function duoAgentPlatformProbe(state: GitLabState): Promise<ProbeResult> {
  const host = state.duoAgentPlatformServiceUrl || state.cloud.duoWorkflowServiceUrl;
  const listed = await gitlabServiceCall(state, 'ListTools');
  return result(
    'duo_agent_platform_probe',
    listed.ok ? [] : [`GitLab Duo Workflow Service at ${host} is not operational.`, `${listed.code}:${listed.details}`],
    `GitLab Duo Workflow Service at ${host} is operational.`,
  );
}

/** Registry#default_probes: the cloud-connected set (CustomersDot, Cloud Connector, the synchronised subscription). */
async function defaultProbes(state: GitLabState, withEndToEnd: boolean): Promise<ProbeResult[]> {
  const [customers, cloud, endToEnd, agentPlatform] = await Promise.all([
    hostProbe(state, state.cloud.customersDotUrl),
    hostProbe(state, state.cloud.cloudConnectorUrl),
    withEndToEnd ? endToEndProbe(state, `${state.cloud.cloudConnectorUrl}/ai`) : undefined,
    duoAgentPlatformProbe(state),
  ]);
  return [licenseProbe(state), customers, cloud, accessProbe(), tokenProbe(), ...(endToEnd ? [endToEnd] : []), agentPlatform];
}

/** Registry#self_hosted_only_probes. */
async function selfHostedOnlyProbes(state: GitLabState): Promise<ProbeResult[]> {
  return [presenceProbe(state), await hostProbe(state, state.aiGatewayUrl), codeSuggestionsLicenseProbe(state)];
}

/** The probe set StatusService#selected_probes picks for this configuration and version. */
async function selectedProbes(state: GitLabState): Promise<ProbeResult[]> {
  if (!state.aiGatewayUrl) return defaultProbes(state, true);
  if (envVarEra(state)) {
    // Before 17.6 the self-hosted set (Gitlab::Ai::SelfHosted::AiGateway.probes) ended with the end-to-end completion.
    return [...(await selfHostedOnlyProbes(state)), await endToEndProbe(state, state.aiGatewayUrl)];
  }
  const vendored = state.featureSettings.filter((f) => f.provider === 'vendored');
  if (vendored.length) {
    // Registry#probes_for_vendored_features: the cloud set, with the end-to-end probe only when code completions are vendored.
    const completionsVendored = vendored.some((f) => f.feature === 'code_completions');
    return [...(await defaultProbes(state, completionsVendored)), ...(await selfHostedOnlyProbes(state))];
  }
  const probes = await selfHostedOnlyProbes(state);
  return state.duoAgentPlatformServiceUrl ? [...probes, await duoAgentPlatformProbe(state)] : probes;
}

/** StatusService#execute: every selected probe, and success when all of them succeeded. */
export async function runStatusProbes(state: GitLabState): Promise<{ success: boolean; probeResults: ProbeResult[] }> {
  const probeResults = await selectedProbes(state);
  return { success: probeResults.every((p) => p.success), probeResults };
}
