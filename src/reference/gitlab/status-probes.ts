// GitLab's Cloud Connector status probes for a self-hosted gateway, run for real, with GitLab's messages.
import { connect } from 'node:net';
import { readBody } from '../http.js';
import { codeSuggestionsAvailable, licenseExpired, type GitLabState } from './config.js';
import { postCompletion } from './gateway-client.js';

/** One probe's result, as GraphQL `cloudConnectorStatus.probeResults` lists it. */
export interface ProbeResult {
  name: string;
  success: boolean;
  message: string;
  errors: string[];
  details: Record<string, unknown>;
}

/** HostProbe's connect timeout and EndToEndProbe's request timeout (GitLab: 5 s and 3 s). */
const HOST_TIMEOUT_MS = 5_000;
const COMPLETION_CHECK_TIMEOUT_MS = 3_000;
const NETWORKING_CTA = 'If you use firewalls or proxy servers, they must allow traffic to this host.';

function result(name: string, success: boolean, message: string, details: Record<string, unknown> = {}): ProbeResult {
  return { name, success, message, errors: success ? [] : [message], details };
}

function presenceProbe(state: GitLabState): ProbeResult {
  const name = 'ai_gateway_url_presence_probe';
  return state.aiGatewayUrl
    ? result(name, true, `Environment variable AI_GATEWAY_URL is set to ${state.aiGatewayUrl}.`)
    : result(name, false, 'Environment variable AI_GATEWAY_URL is not set.');
}

/** The message Ruby's TCPSocket error would carry for a Node connect error. */
function rubyConnectError(err: NodeJS.ErrnoException, host: string, port: number): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return `Connection refused - connect(2) for "${host}" port ${port}`;
    case 'ETIMEDOUT':
      return 'Connection timed out - user specified timeout';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `getaddrinfo: Name or service not known`;
    default:
      return err.message;
  }
}

/** HostProbe: a TCP connection to the URL's host and port (any connection passes). */
async function hostProbe(url: string | undefined): Promise<ProbeResult> {
  const name = 'host_probe';
  if (!url) return result(name, false, 'Cannot validate connection to host because the URL is empty.');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return result(name, false, `${url} is not a valid URL.`);
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const port = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
  const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    const socket = connect({ host, port, timeout: HOST_TIMEOUT_MS });
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }));
    });
    socket.once('error', (err) => resolve(err));
  });
  if (!error) return result(name, true, `${host} reachable.`);
  if (error.code === 'EHOSTUNREACH' || error.code === 'ENETUNREACH') {
    return result(name, false, `${host} could not be reached. ${NETWORKING_CTA}`);
  }
  return result(name, false, `${host} connection failed: ${rubyConnectError(error, host, port)}.`);
}

function licenseProbe(state: GitLabState): ProbeResult {
  const name = 'code_suggestions_license_probe';
  const details: Record<string, unknown> = { instance_id: state.instanceId, gitlab_version: state.version.replace(/-ee$/, '') };
  if (state.license) details['license'] = { plan: state.license.plan, expires_at: state.license.expiresAt, expired: licenseExpired(state.license) };
  return codeSuggestionsAvailable(state.license)
    ? result(name, true, 'License includes access to Code Suggestions.', details)
    : result(name, false, 'License does not provide access to Code Suggestions.', details);
}

/** The body of GitLab's test completion. */
export const TEST_COMPLETION_BODY = JSON.stringify({
  current_file: { file_name: 'test.rb', content_above_cursor: 'def hello_world', content_below_cursor: '' },
  stream: false,
});

/** What went wrong with GitLab's test completion (undefined = it worked), in GitLab's words. */
export async function testCompletion(state: GitLabState, gatewayUrl: string): Promise<string | undefined> {
  try {
    const res = await postCompletion(state, gatewayUrl, TEST_COMPLETION_BODY, COMPLETION_CHECK_TIMEOUT_MS);
    const body = await readBody(res.stream, 10_000_000);
    if (res.status !== 200) return `AI Gateway returned code ${res.status}: ${body}`;
    const choice = (JSON.parse(body) as { choices?: { text?: string }[] }).choices?.[0]?.text;
    return choice ? undefined : "Response doesn't contain a completion";
  } catch (err) {
    return (err as Error).message;
  }
}

async function endToEndProbe(state: GitLabState, url: string): Promise<ProbeResult> {
  const error = await testCompletion(state, url);
  return error === undefined
    ? result('end_to_end_probe', true, 'Authentication with the AI gateway services succeeded.')
    : result('end_to_end_probe', false, `Authentication with the AI gateway services failed: ${error}`);
}

/**
 * Runs the self-hosted probe set: URL presence, host, Code Suggestions license and — when a URL is set — the
 * end-to-end completion. (Without a URL GitLab would aim the end-to-end probe at GitLab's cloud gateway, which the
 * reference never contacts, so the probe is left out.)
 */
export async function runStatusProbes(state: GitLabState): Promise<{ success: boolean; probeResults: ProbeResult[] }> {
  const url = state.aiGatewayUrl;
  const probeResults = [
    presenceProbe(state),
    ...(await Promise.all([hostProbe(url), Promise.resolve(licenseProbe(state)), ...(url ? [endToEndProbe(state, url)] : [])])),
  ];
  return { success: probeResults.every((p) => p.success), probeResults };
}
