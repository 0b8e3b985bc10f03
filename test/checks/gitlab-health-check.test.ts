// gitlab-health-check: each failed probe read for its real cause (a table over the judge, with GitLab's own messages),
// then gather against a scripted GitLab (older schemas, an unavailable health check).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { judge, type Facts } from '../../checks/gitlab-health-check.js';
import type { ConnectorProbe } from '../../src/probes/gitlab-api.js';
import { makeContext } from '../helpers/context.js';
import { renderFacts } from '../helpers/render-facts.js';
import { gqlData, missingField, startFakeGitLab, type FakeGitLab } from '../helpers/fake-gitlab.js';

const AIGW = 'http://aigw.example.com:5052';
const ok = (name: string, message: string): ConnectorProbe => ({ name, success: true, message, errors: [] });
const bad = (name: string, message: string, errors = [message]): ConnectorProbe => ({ name, success: false, message, errors });
const CTA = '\n\nIf you use firewalls or proxy servers, they must allow traffic to this host.';
const hostFailed = (host: string, error: string) => bad('host_probe', `${host} connection failed: ${error}.${CTA}`);

/** GitLab 18.x's self-hosted set, every probe passing, with one replaced. */
function selfHosted(replace: ConnectorProbe[] = []): Facts {
  const probes = [
    ok('ai_gateway_url_presence_probe', `Self hosted AI Gateway URL is set to ${AIGW}. It can be changed in the Gitlab Duo configuration.`),
    ok('host_probe', 'aigw.example.com reachable.'),
    ok('code_suggestions_license_probe', 'License includes access to Code Suggestions.'),
  ].map((p) => replace.find((r) => r.name === p.name) ?? p);
  return { gitlabVersion: '18.6.0-ee', gatewaySetting: AIGW, status: { available: true, success: probes.every((p) => p.success), probes } };
}

describe('gitlab-health-check judge', () => {
  it.each<[string, Facts, string[]]>([
    ['every probe passing', selfHosted(), ['allPassed']],
    [
      'the URL blocker (localhost)',
      selfHosted([hostFailed('aigw.example.com', 'URL is blocked: Requests to localhost are not allowed')]),
      ['hostBlocked'],
    ],
    [
      'the URL blocker (local network)',
      selfHosted([hostFailed('aigw.example.com', 'URL is blocked: Requests to the local network are not allowed')]),
      ['hostBlocked'],
    ],
    [
      'an untrusted certificate',
      selfHosted([
        hostFailed(
          'aigw.example.com',
          'SSL_connect returned=1 errno=0 peeraddr=10.0.0.5:443 state=error: certificate verify failed (unable to get local issuer certificate)',
        ),
      ]),
      ['hostTlsUntrusted'],
    ],
    [
      'a refused connection',
      selfHosted([
        hostFailed(
          'aigw.example.com',
          'Failed to open TCP connection to aigw.example.com:5052 (Connection refused - connect(2) for "aigw.example.com" port 5052)',
        ),
      ]),
      ['hostRefused'],
    ],
    [
      'a name that does not resolve',
      selfHosted([hostFailed('aigw.example.com', 'Failed to open TCP connection to aigw.example.com:5052 (getaddrinfo: Name or service not known)')]),
      ['hostUnresolved'],
    ],
    [
      'a timeout',
      selfHosted([hostFailed('aigw.example.com', 'Failed to open TCP connection to aigw.example.com:5052 (execution expired)')]),
      ['hostTimeout'],
    ],
    ['another error', selfHosted([hostFailed('aigw.example.com', 'end of file reached')]), ['hostFailed']],
    [
      'no seat',
      selfHosted([
        bad(
          'code_suggestions_license_probe',
          'License includes access to Code Suggestions, but you lack the necessary permissions to use this feature.',
        ),
      ]),
      ['seatMissing'],
    ],
    [
      'no Code Suggestions in the license',
      selfHosted([bad('code_suggestions_license_probe', 'License does not provide access to Code Suggestions.')]),
      ['licenseMissing'],
    ],
    [
      'an unreachable gateway and no seat',
      selfHosted([
        hostFailed('aigw.example.com', 'end of file reached'),
        bad('code_suggestions_license_probe', 'License does not provide access to Code Suggestions.'),
      ]),
      ['hostFailed', 'licenseMissing'],
    ],
    ['GitLab unavailable', { status: { available: false, reason: "Field 'cloudConnectorStatus' doesn't exist on type 'Query'" } }, ['unavailable']],
    ['no probes', { status: { available: true, success: true, probes: [] } }, ['noProbes']],
    [
      'success false though every probe passed',
      { ...selfHosted(), status: { ...selfHosted().status, success: false } as Facts['status'] },
      ['reportsFailure'],
    ],
  ])('%s → %j', (_name, facts, ids) => {
    expect(judge(facts).findings.map((f) => f.id)).toEqual(ids);
  });

  it('reads the cloud-connected set GitLab runs when the URL is blank or a feature is vendored', () => {
    const facts: Facts = {
      status: {
        available: true,
        success: false,
        probes: [
          bad('license_probe', 'Subscription for this instance cannot be synchronized. Contact GitLab customer support to upgrade your license.'),
          hostFailed('customers.gitlab.com', 'Failed to open TCP connection to customers.gitlab.com:443 (execution expired)'),
          bad('access_probe', 'Subscription has not yet been synchronized. Synchronize your subscription.'),
          bad('duo_agent_platform_probe', 'GitLab Duo Workflow Service at duo-workflow-svc.runway.gitlab.net:443 is not operational.', [
            '14:failed to connect',
          ]),
        ],
      },
    };
    const out = judge(facts);
    expect(out.findings.map((f) => f.id)).toEqual(['cloudSubscription', 'cloudHostFailed', 'cloudSubscription', 'agentPlatformDown']);
    expect(out.details).toContain(
      'GitLab ran its cloud-connected probe set: its ai_gateway_url setting is blank, so it is not a self-hosted installation to GitLab.',
    );
  });

  it("names the allowlist as the fix for GitLab's URL blocker", () => {
    const out = renderFacts(check, selfHosted([hostFailed('aigw.example.com', 'URL is blocked: Requests to localhost are not allowed')]));
    expect(out.summary).toBe(
      'host_probe: aigw.example.com connection failed: URL is blocked: Requests to localhost are not allowed. If you use firewalls or proxy servers, they must allow traffic to this host.',
    );
    expect(out.remediation).toMatch(/outbound_local_requests_whitelist/);
  });

  it('words the presence fix as the rake task of the version does', () => {
    const facts = (version: string): Facts => ({
      gitlabVersion: version,
      status: { available: true, success: false, probes: [bad('ai_gateway_url_presence_probe', 'Environment variable AI_GATEWAY_URL is not set.')] },
    });
    expect(renderFacts(check, facts('17.3.0-ee')).remediation).toMatch(/^Set 'AI_GATEWAY_URL' to point/);
    expect(renderFacts(check, facts('18.10.1-ee')).remediation).toMatch(/^Set the 'ai_gateway_url' application setting/);
  });
});

describe('gitlab-health-check gather', () => {
  let gitlab: FakeGitLab;
  beforeAll(async () => {
    gitlab = await startFakeGitLab({});
  });
  afterAll(() => gitlab.close());
  const ctx = () => makeContext({ gitlabUrl: gitlab.url, gitlabToken: 'glpat-health-test-token' });

  it('asks an older GitLab without errors/details the smaller query', async () => {
    gitlab.routes = {
      'POST /api/graphql': (r) =>
        r.query?.includes('cloudConnectorStatus')
          ? r.query.includes('errors')
            ? missingField('errors', 'CloudConnectorProbeResult')
            : gqlData({ cloudConnectorStatus: { success: true, probeResults: [{ name: 'host_probe', success: true, message: 'aigw reachable.' }] } })
          : gqlData({ duoSettings: { aiGatewayUrl: AIGW } }),
    };
    const facts = await check.gather(ctx());
    expect(JSON.parse(JSON.stringify(facts))).toEqual(facts);
    expect(facts).toMatchObject({ gatewaySetting: AIGW, status: { available: true, probes: [{ name: 'host_probe', success: true }] } });
  });

  it('skips a GitLab without cloudConnectorStatus', async () => {
    gitlab.routes = { 'POST /api/graphql': missingField('cloudConnectorStatus', 'Query') };
    expect(await check.run(ctx())).toMatchObject({ status: 'skip', findings: [{ id: 'unavailable' }] });
  });
});
