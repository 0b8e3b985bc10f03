// The reference GitLab's health check (GraphQL cloudConnectorStatus) as GitLab runs it: the probe set of the version and
// configuration (self-hosted URL or not, vendored features, Duo Agent Platform URL), the host probe as an HTTP HEAD
// through GitLab's HTTP client (its URL blocker and allowlist), and GitLab's texts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../../src/reference/gateway/server.js';
import { startGitLab, type GitLabOptions, type RunningGitLab } from '../../src/reference/gitlab/server.js';
import { closedPort } from '../../src/reference/http.js';
import { startLoopback, type LoopbackServer } from '../helpers/loopback.js';

const quiet = () => {};
const CTA = '\n\nIf you use firewalls or proxy servers, they must allow traffic to this host.';
const ALLOW = { outboundLocalRequestsAllowlist: ['127.0.0.1'] };

interface Probe {
  name: string;
  success: boolean;
  message: string;
  errors: string[];
}

let gateway: RunningGateway;
let gitlabUrlForGateway: RunningGitLab;
beforeAll(async () => {
  // The gateway trusts a GitLab of its own; the health check's end-to-end probe needs only a gateway that answers.
  gitlabUrlForGateway = await startGitLab({ log: quiet });
  gateway = await startGateway({ env: { AIGW_GITLAB_URL: gitlabUrlForGateway.url }, log: quiet });
});
afterAll(async () => {
  await gateway.close();
  await gitlabUrlForGateway.close();
});

/** Runs the health check of a GitLab with these options and ai_gateway_url. */
async function healthCheck(options: GitLabOptions, aiGatewayUrl: string | undefined): Promise<{ success: boolean; probeResults: Probe[] }> {
  const gitlab = await startGitLab({ log: quiet, ...options });
  try {
    gitlab.setAiGatewayUrl(aiGatewayUrl);
    const res = await fetch(`${gitlab.url}/api/graphql`, {
      method: 'POST',
      headers: { 'PRIVATE-TOKEN': gitlab.adminToken, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ cloudConnectorStatus { success probeResults { name success message errors } } }' }),
    });
    return ((await res.json()) as { data: { cloudConnectorStatus: { success: boolean; probeResults: Probe[] } } }).data.cloudConnectorStatus;
  } finally {
    await gitlab.close();
  }
}

const names = (r: { probeResults: Probe[] }) => r.probeResults.map((p) => p.name);
const failing = (r: { probeResults: Probe[] }) => r.probeResults.filter((p) => !p.success).map((p) => p.name);

describe('reference GitLab health check: the probe set', () => {
  const CLOUD = ['license_probe', 'host_probe', 'host_probe', 'access_probe', 'token_probe'];
  const SELF_HOSTED = ['ai_gateway_url_presence_probe', 'host_probe', 'code_suggestions_license_probe'];
  it.each<[string, GitLabOptions, boolean, string[]]>([
    ['18.6 with a self-hosted URL', { ...ALLOW, version: '18.6.0-ee' }, true, SELF_HOSTED],
    ['17.6 (the first with the ai_settings table)', { ...ALLOW, version: '17.6.0-ee' }, true, SELF_HOSTED],
    ['17.5 (AI_GATEWAY_URL era: ends with the end-to-end probe)', { ...ALLOW, version: '17.5.3-ee' }, true, [...SELF_HOSTED, 'end_to_end_probe']],
    ['a Duo Agent Platform URL', { ...ALLOW, duoAgentPlatformServiceUrl: '127.0.0.1:1' }, true, [...SELF_HOSTED, 'duo_agent_platform_probe']],
    [
      'code completions vendored',
      { ...ALLOW, featureSettings: [{ feature: 'code_completions', provider: 'vendored' }] },
      true,
      [...CLOUD, 'end_to_end_probe', 'duo_agent_platform_probe', ...SELF_HOSTED],
    ],
    [
      'another feature vendored',
      { ...ALLOW, featureSettings: [{ feature: 'duo_chat', provider: 'vendored' }] },
      true,
      [...CLOUD, 'duo_agent_platform_probe', ...SELF_HOSTED],
    ],
    ['no self-hosted URL', { ...ALLOW }, false, [...CLOUD, 'end_to_end_probe', 'duo_agent_platform_probe']],
  ])('%s', async (_name, options, withUrl, expected) => {
    expect(names(await healthCheck(options, withUrl ? gateway.url : undefined))).toEqual(expected);
  });
});

describe('reference GitLab health check: texts and outcomes', () => {
  it('passes a healthy self-hosted installation with 18.x texts', async () => {
    const r = await healthCheck({ ...ALLOW, version: '18.6.0-ee' }, gateway.url);
    expect(r.success).toBe(true);
    expect(r.probeResults.map((p) => p.message)).toEqual([
      `Self hosted AI Gateway URL is set to ${gateway.url}. It can be changed in the Gitlab Duo configuration.`,
      '127.0.0.1 reachable.',
      'License includes access to Code Suggestions.',
    ]);
  });

  it('speaks the environment variable before 17.6, and runs the completion', async () => {
    const r = await healthCheck({ ...ALLOW, version: '17.5.0-ee' }, gateway.url);
    expect(r.probeResults[0]?.message).toBe(`Environment variable AI_GATEWAY_URL is set to ${gateway.url}.`);
    // The gateway trusts another GitLab's keys: GitLab's token is refused, as the end-to-end probe reports.
    expect(r.probeResults[3]).toMatchObject({
      name: 'end_to_end_probe',
      success: false,
      message: 'Authentication with the AI gateway services failed: AI Gateway returned code 401: {"error":"Forbidden by auth provider"}',
    });
  });

  it("reports a refused connection in Ruby's words", async () => {
    const port = await closedPort();
    const r = await healthCheck({ ...ALLOW }, `http://127.0.0.1:${port}`);
    expect(r.probeResults[1]).toMatchObject({
      name: 'host_probe',
      success: false,
      message: `127.0.0.1 connection failed: Failed to open TCP connection to 127.0.0.1:${port} (Connection refused - connect(2) for "127.0.0.1" port ${port}).${CTA}`,
    });
  });

  it('fails the cloud probes of an air-gapped installation with their texts', async () => {
    const r = await healthCheck({ ...ALLOW }, undefined);
    expect(r.probeResults.filter((p) => p.name !== 'host_probe' && p.name !== 'end_to_end_probe').map((p) => [p.name, p.message, p.errors])).toEqual([
      [
        'license_probe',
        'Subscription for this instance cannot be synchronized. Contact GitLab customer support to upgrade your license.',
        ['Subscription for this instance cannot be synchronized. Contact GitLab customer support to upgrade your license.'],
      ],
      [
        'access_probe',
        'Subscription has not yet been synchronized. Synchronize your subscription.',
        ['Subscription has not yet been synchronized. Synchronize your subscription.'],
      ],
      [
        'token_probe',
        'Access credentials not found. Synchronize your subscription.',
        ['Access credentials not found. Synchronize your subscription.'],
      ],
      [
        'duo_agent_platform_probe',
        expect.stringMatching(/^GitLab Duo Workflow Service at 127\.0\.0\.1:\d+ is not operational\.$/),
        [expect.stringMatching(/is not operational\.$/), expect.stringMatching(/^14:.*ECONNREFUSED/)],
      ],
    ]);
  });

  it('passes the license probe with an online cloud license', async () => {
    const r = await healthCheck(
      { ...ALLOW, license: { plan: 'ultimate', expiresAt: '2999-01-01', codeSuggestions: true, cloud: 'online' } },
      undefined,
    );
    expect(r.probeResults[0]).toMatchObject({ name: 'license_probe', success: true, message: 'Subscription can be synchronized.' });
  });
});

describe("reference GitLab health check: the host probe through GitLab's HTTP client", () => {
  let recorder: LoopbackServer;
  const methods: string[] = [];
  beforeAll(async () => {
    recorder = await startLoopback((req, res) => {
      methods.push(req.method ?? '');
      res.writeHead(405).end();
    });
  });
  afterAll(() => recorder.close());

  it('sends HEAD, and any answer (here 405) passes', async () => {
    methods.length = 0;
    const r = await healthCheck({ ...ALLOW }, recorder.url);
    expect(methods).toEqual(['HEAD']);
    expect(failing(r)).toEqual([]);
  });

  it.each<[string, GitLabOptions, string | undefined]>([
    ["GitLab's defaults: local requests refused", {}, 'URL is blocked: Requests to localhost are not allowed'],
    ['the address on the allowlist', { outboundLocalRequestsAllowlist: ['127.0.0.1'] }, undefined],
    ['a range on the allowlist', { outboundLocalRequestsAllowlist: ['127.0.0.0/8'] }, undefined],
    ['another address on the allowlist', { outboundLocalRequestsAllowlist: ['10.0.0.1'] }, 'URL is blocked: Requests to localhost are not allowed'],
    ['local requests allowed', { allowLocalRequests: true }, undefined],
  ])('%s', async (_name, options, blocked) => {
    methods.length = 0;
    const r = await healthCheck(options, recorder.url);
    const host = r.probeResults.find((p) => p.name === 'host_probe');
    if (blocked) {
      expect(host).toMatchObject({ success: false, message: `127.0.0.1 connection failed: ${blocked}.${CTA}` });
      expect(methods).toEqual([]);
    } else {
      expect(host).toMatchObject({ success: true, message: '127.0.0.1 reachable.' });
    }
  });

  it('honours a port on the allowlist', async () => {
    const port = new URL(recorder.url).port;
    const ok = await healthCheck({ outboundLocalRequestsAllowlist: [`127.0.0.1:${port}`] }, recorder.url);
    const other = await healthCheck({ outboundLocalRequestsAllowlist: [`127.0.0.1:${Number(port) === 1 ? 2 : 1}`] }, recorder.url);
    expect([failing(ok), failing(other)]).toEqual([[], ['host_probe']]);
  });
});
