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

  describe("the end-to-end probe's known 401 false alarm (gitlab-org/gitlab#517097, #509801)", () => {
    const e2e401 = bad(
      'end_to_end_probe',
      'Authentication with the AI gateway services failed: AI Gateway returned code 401: {"error":"Forbidden by auth provider"}',
    );
    /** GitLab before 17.6: its self-hosted set ended with the end-to-end probe. */
    const withEndToEnd = (probe: ConnectorProbe, exchange?: Facts['exchange']): Facts => {
      const base = selfHosted();
      const probes = [...(base.status.available ? base.status.probes : []), probe];
      return { ...base, gitlabVersion: '17.5.2-ee', status: { available: true, success: false, probes }, ...(exchange ? { exchange } : {}) };
    };
    const COMPLETED = { status: 200, body: '{"choices":[{"text":"\\n  puts \\"Hello\\""}]}' };

    it.each<[string, Facts, string[]]>([
      ['a 401 while a completion through GitLab works', withEndToEnd(e2e401, COMPLETED), ['endToEndFalseAlarm']],
      ['a 401 and the completion was not asked', withEndToEnd(e2e401), ['endToEndFailed']],
      [
        'a 401 and the completion answered 200 without a completion',
        withEndToEnd(e2e401, { status: 200, body: '{"choices":[]}' }),
        ['endToEndFailed'],
      ],
      ['a 401 and a blank completion', withEndToEnd(e2e401, { status: 200, body: '{"choices":[{"text":"  "}]}' }), ['endToEndFailed']],
      [
        'a 401 and the completion failed too',
        withEndToEnd(e2e401, { status: 401, body: '{"error":"Forbidden by auth provider"}' }),
        ['endToEndFailed'],
      ],
      ['a completion as 201 is not one', withEndToEnd(e2e401, { ...COMPLETED, status: 201 }), ['endToEndFailed']],
      [
        'a 403 while a completion works is a real refusal',
        withEndToEnd(
          bad('end_to_end_probe', 'Authentication with the AI gateway services failed: AI Gateway returned code 403: {"detail":"Forbidden"}'),
          COMPLETED,
        ),
        ['endToEndFailed'],
      ],
      [
        'a 4010 is not a 401',
        withEndToEnd(bad('end_to_end_probe', 'Authentication with the AI gateway services failed: AI Gateway returned code 4010: x'), COMPLETED),
        ['endToEndFailed'],
      ],
      [
        'a timeout while a completion works',
        withEndToEnd(
          bad('end_to_end_probe', 'Authentication with the AI gateway services failed: Net::ReadTimeout with #<TCPSocket:(closed)>'),
          COMPLETED,
        ),
        ['endToEndFailed'],
      ],
    ])('%s → %j', (_name, facts, ids) => {
      expect(judge(facts).findings.map((f) => f.id)).toEqual(ids);
    });

    it('warns, names the issue, and keeps every other failure a failure', () => {
      const facts = withEndToEnd(e2e401, COMPLETED);
      const alone = renderFacts(check, facts);
      expect(alone.status).toBe('warn');
      expect(`${alone.summary} ${alone.remediation}`).toMatch(/gitlab-org\/gitlab#517097/);
      expect(alone.summary).toMatch(
        /^end_to_end_probe: Authentication with the AI gateway services failed: .* — yet a code completion .*\(system-exchange\)/,
      );
      const probes = facts.status.available ? facts.status.probes : [];
      const withHost: Facts = {
        ...facts,
        status: { available: true, success: false, probes: [hostFailed('aigw.example.com', 'end of file reached'), ...probes.slice(1)] },
      };
      expect(judge(withHost).findings.map((f) => [f.id, check.messages[f.id].status])).toEqual([
        ['hostFailed', 'fail'],
        ['endToEndFalseAlarm', 'warn'],
      ]);
      expect(renderFacts(check, withHost).status).toBe('fail');
    });
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

  it.each<[string, Facts, string, RegExp, RegExp | undefined]>([
    [
      'unavailable',
      { status: { available: false, reason: 'GitLab answered HTTP 403' } },
      'skip',
      /unavailable: GitLab answered HTTP 403$/,
      undefined,
    ],
    ['no probes', { status: { available: true, success: true, probes: [] } }, 'warn', /ran no probes/, /Run the health check at/],
    [
      'success false',
      { ...selfHosted(), status: { ...selfHosted().status, success: false } as Facts['status'] },
      'fail',
      /reports failure, though every probe passed/,
      /Run the health check at/,
    ],
    [
      'untrusted TLS',
      selfHosted([hostFailed('aigw.example.com', 'SSL_connect returned=1 errno=0 state=error: certificate verify failed')]),
      'fail',
      /^host_probe: aigw\.example\.com connection failed/,
      /certificate aigw\.example\.com serves: .*gitlab-ctl reconfigure.*gateway-tls/,
    ],
    [
      'refused',
      selfHosted([hostFailed('aigw.example.com', 'Failed to open TCP connection to aigw.example.com:5052 (Connection refused)')]),
      'fail',
      /Connection refused/,
      /^Nothing accepts connections at aigw\.example\.com and that port: .*listens on 5052 by default/,
    ],
    [
      'unresolved',
      selfHosted([hostFailed('aigw.example.com', 'getaddrinfo: Name or service not known')]),
      'fail',
      /getaddrinfo/,
      /^GitLab cannot resolve aigw\.example\.com: /,
    ],
    [
      'timed out',
      selfHosted([hostFailed('aigw.example.com', 'execution expired')]),
      'fail',
      /execution expired/,
      /^GitLab's connection to aigw\.example\.com timed out: .*no_proxy/,
    ],
    [
      'another probe',
      { status: { available: true, success: false, probes: [bad('new_probe', 'It broke.')] } },
      'fail',
      /^new_probe: It broke\.$/,
      /^new_probe: follow GitLab's message/,
    ],
    [
      'presence missing',
      selfHosted([bad('ai_gateway_url_presence_probe', 'Self hosted AI Gateway URL is not set.')]),
      'fail',
      /^ai_gateway_url_presence_probe: Self hosted AI Gateway URL is not set\.$/,
      /Ai::Setting\.instance\.update!.*\(see gateway-url\)/,
    ],
  ])('renders %s', (_name, facts, status, summary, remediation) => {
    const out = renderFacts(check, facts);
    expect(out.status).toBe(status);
    expect(out.summary).toMatch(summary);
    if (remediation) expect(out.remediation).toMatch(remediation);
  });

  it.each<[string, ConnectorProbe[], RegExp]>([
    [
      'self-hosted',
      selfHosted().status.available ? (selfHosted().status as { probes: ConnectorProbe[] }).probes : [],
      /^All 3 of GitLab's health-check probes passed \(self-hosted probes\)$/,
    ],
    ['cloud', [ok('license_probe', 'ok'), ok('access_probe', 'ok')], /^All 2 .*\(cloud-connected probes\)$/],
    ['both', [ok('ai_gateway_url_presence_probe', 'ok'), ok('token_probe', 'ok')], /^All 2 .*\(self-hosted and cloud-connected probes\)$/],
  ])('names the probe set that passed: %s', (_name, probes, summary) => {
    expect(renderFacts(check, { status: { available: true, success: true, probes } }).summary).toMatch(summary);
  });

  it('lists each probe, flattened, with its outcome, and says why the cloud set ran', () => {
    const probes = [ok('ai_gateway_url_presence_probe', '  Self hosted AI Gateway URL\n is set. '), ok('host_probe', ''), bad('token_probe', '', [])];
    const out = judge({ status: { available: true, success: false, probes } });
    expect(out.details).toEqual([
      '✔ ai_gateway_url_presence_probe: Self hosted AI Gateway URL is set.',
      '✔ host_probe: passed',
      '✗ token_probe: failed',
      'GitLab ran its cloud-connected probes too: at least one feature uses a GitLab-managed (vendored) model.',
    ]);
    expect(out.evidence).toEqual({
      probes: [
        { name: 'ai_gateway_url_presence_probe', success: true },
        { name: 'host_probe', success: true },
        { name: 'token_probe', success: false },
      ],
    });
    expect(renderFacts(check, { status: { available: true, success: false, probes: [bad('x_probe', 'Broken. \n')] } }).summary).toBe(
      'x_probe: Broken.',
    );
    expect(judge(selfHosted()).details).toHaveLength(3);
  });

  it.each<[string, string, string]>([
    ['no "connection failed" text', 'Cannot validate connection to host because the URL is empty.', 'cloudHostFailed'],
    ['the gateway named after other words', 'Cannot reach: aigw.example.com connection failed: x', 'cloudHostFailed'],
    ['the gateway first', 'aigw.example.com connection failed: x', 'hostFailed'],
  ])('reads the host of a host_probe only from the start of its text: %s', (_name, message, id) => {
    expect(judge(selfHosted([bad('host_probe', message)])).findings.map((f) => f.id)).toEqual([id]);
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

  it("asks GitLab for the completion only after the end-to-end probe's 401, and warns when it comes back", async () => {
    const status = (message: string) =>
      gqlData({
        cloudConnectorStatus: {
          success: false,
          probeResults: [{ name: 'end_to_end_probe', success: false, message, errors: [message], details: {} }],
        },
      });
    const completion = { body: { choices: [{ text: 'puts "hi"' }] } };
    const e401 = 'Authentication with the AI gateway services failed: AI Gateway returned code 401: {"error":"Forbidden by auth provider"}';
    gitlab.routes = {
      'POST /api/graphql': (r) => (r.query?.includes('cloudConnectorStatus') ? status(e401) : gqlData({ duoSettings: { aiGatewayUrl: AIGW } })),
      'POST /api/v4/code_suggestions/completions': completion,
    };
    gitlab.requests.length = 0;
    expect(await check.run(ctx())).toMatchObject({ status: 'warn', findings: [{ id: 'endToEndFalseAlarm' }] });
    expect(gitlab.requests.filter((r) => r.path === '/api/v4/code_suggestions/completions')).toHaveLength(1);

    const e500 = 'Authentication with the AI gateway services failed: AI Gateway returned code 500: Internal Server Error';
    gitlab.routes['POST /api/graphql'] = (r) =>
      r.query?.includes('cloudConnectorStatus') ? status(e500) : gqlData({ duoSettings: { aiGatewayUrl: AIGW } });
    gitlab.requests.length = 0;
    expect(await check.run(ctx())).toMatchObject({ status: 'fail', findings: [{ id: 'endToEndFailed' }] });
    expect(gitlab.requests.filter((r) => r.path === '/api/v4/code_suggestions/completions')).toHaveLength(0);
  });

  it('skips a GitLab without cloudConnectorStatus', async () => {
    gitlab.routes = { 'POST /api/graphql': missingField('cloudConnectorStatus', 'Query') };
    expect(await check.run(ctx())).toMatchObject({ status: 'skip', findings: [{ id: 'unavailable' }] });
  });
});
