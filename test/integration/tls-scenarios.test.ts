// The TLS checks against the reference GitLab over https: each TLS scenario fails exactly the expected check, for the expected reason.
import { describe, expect, it } from 'vitest';
import caBundle from '../../checks/ca-bundle.js';
import gatewayTls from '../../checks/gateway-tls.js';
import gitlabTls from '../../checks/gitlab-tls.js';
import { defaultSettings, type Settings } from '../../src/config/settings.js';
import { isFailing, type CheckResult } from '../../src/model.js';
import { findScenario, startStack, type Scenario } from '../../src/reference/scenarios.js';
import { runChecks } from '../../src/runner/run.js';

const TLS_CHECKS = [caBundle, gitlabTls, gatewayTls];
const TLS_IDS = TLS_CHECKS.map((c) => c.id);

function scenario(name: string): Scenario {
  const found = findScenario(name);
  if (!found) throw new Error(`no scenario ${name}`);
  return found;
}

async function runTlsChecks(s: Scenario, adjust: (o: Partial<Settings>) => Partial<Settings> = (o) => o): Promise<Record<string, CheckResult>> {
  const stack = await startStack(s);
  try {
    const run = await runChecks(TLS_CHECKS, defaultSettings(adjust(stack.settingsOverrides)));
    return Object.fromEntries(run.results.map((r) => [r.id, r]));
  } finally {
    await stack.close();
  }
}

const cases: { scenario: Scenario; gitlabTls: CheckResult['status']; verdicts: string[]; reason?: RegExp; caBundle: CheckResult['status'] }[] = [
  // GitLab and the gateway over https with one private CA that the gateway, GitLab and duo-doctor are all given.
  { scenario: scenario('healthy'), gitlabTls: 'pass', verdicts: ['trusted'], caBundle: 'pass' },
  { scenario: scenario('self-signed-gitlab'), gitlabTls: 'fail', verdicts: ['selfSignedLeaf'], reason: /ai-assist issue 799/, caBundle: 'skip' },
  // The gateway's environment names no bundle: --ca-file (duo-doctor's own) does not stand in for it, so the gateway's view fails.
  {
    scenario: scenario('private-ca-no-bundle'),
    gitlabTls: 'fail',
    verdicts: ['untrustedRoot'],
    reason: /both SSL_CERT_FILE and REQUESTS_CA_BUNDLE/,
    caBundle: 'pass',
  },
  { scenario: scenario('missing-intermediate'), gitlabTls: 'fail', verdicts: ['missingIntermediate'], reason: /fullchain\.pem/, caBundle: 'pass' },
  {
    scenario: scenario('expired-gitlab-cert'),
    gitlabTls: 'fail',
    verdicts: ['trusted', 'expired'],
    reason: /^Renew "127\.0\.0\.1"/,
    caBundle: 'pass',
  },
  {
    scenario: scenario('wrong-host-cert'),
    gitlabTls: 'fail',
    verdicts: ['trusted', 'hostnameMismatch'],
    reason: /subjectAltName that includes IP:127\.0\.0\.1/,
    caBundle: 'pass',
  },
];

describe('TLS checks against the reference stack over https', () => {
  it.each(cases)('$scenario.name', async ({ scenario: s, gitlabTls: status, verdicts, reason, caBundle: bundleStatus }) => {
    const results = await runTlsChecks(s);
    const failed = TLS_IDS.filter((id) => isFailing(results[id]?.status ?? 'pass'));
    expect(failed).toEqual(s.expectedFailures.filter((id) => TLS_IDS.includes(id)));
    const tls = results['gitlab-tls'];
    expect(tls?.status).toBe(status);
    expect(tls?.findings?.map((f) => f.id)).toEqual(verdicts);
    if (reason) expect(tls?.remediation).toMatch(reason);
    expect(results['ca-bundle']?.status).toBe(bundleStatus);
    // Only the healthy installation's gateway serves https (from GitLab's private CA); the others are plain http.
    if (s.gatewayTls) expect(results['gateway-tls']?.status).toBe('pass');
    else expect(results['gateway-tls']?.summary).toMatch(/served over plain http/);
  });

  it("--ca-file stands in for the gateway's bundle when the gateway's environment is unknown", async () => {
    const results = await runTlsChecks(scenario('private-ca-no-bundle'), (s) => ({ ...s, env: {} }));
    expect(results['gitlab-tls']?.evidence?.['trust']).toMatchObject({ source: '--ca-file' });
    expect(results['gitlab-tls']?.details).toContainEqual(
      expect.stringMatching(/--ca-file, standing for the gateway's CA bundle: give the gateway that file in both/),
    );
  });

  it('private-ca-no-bundle, judged without --ca-file: the gateway lacks the private root', async () => {
    const results = await runTlsChecks(scenario('private-ca-no-bundle'), ({ caFile: _, ...rest }) => rest);
    const tls = results['gitlab-tls'];
    expect(tls?.status).toBe('fail');
    expect(tls?.summary).toMatch(/issued by "duo-doctor reference root CA", which is neither sent by the server nor in the trust store/);
    expect(tls?.remediation).toMatch(/to the CA bundle named by both SSL_CERT_FILE and REQUESTS_CA_BUNDLE/);
    expect(tls?.evidence?.['trust']).toMatchObject({ source: 'system' });
  });
});
