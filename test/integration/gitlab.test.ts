// The GitLab-side checks against every scenario of the reference stack: each fails exactly where the scenario says, with GitLab's words.
import { describe, expect, it } from 'vitest';
import gitlabHealthCheck from '../../checks/gitlab-health-check.js';
import gitlabReachable from '../../checks/gitlab-reachable.js';
import license from '../../checks/license.js';
import modelEndpoints from '../../checks/model-endpoints.js';
import systemExchange from '../../checks/system-exchange.js';
import { defaultSettings } from '../../src/config/settings.js';
import type { CheckResult } from '../../src/model.js';
import { SCENARIOS, startStack, type Scenario } from '../../src/reference/scenarios.js';
import { runChecks } from '../../src/runner/run.js';

const CHECKS = [gitlabReachable, license, systemExchange, gitlabHealthCheck, modelEndpoints];
const IDS = CHECKS.map((c) => c.id);

/** What a scenario's results must also say, beyond which checks fail. */
const EXPECT: Record<string, (r: Record<string, CheckResult>) => void> = {
  healthy: (r) => {
    expect(r['gitlab-reachable']?.evidence).toMatchObject({ version: '19.4.1-ee', enterprise: true, isAdmin: true });
    expect(r['license']?.evidence).toMatchObject({ codeSuggestions: 'granted', codeSuggestionsSource: 'cloudConnectorStatus' });
    expect(r['system-exchange']?.summary).toMatch(/^A code completion came back/);
    // GitLab 18.x's self-hosted set: presence, host (HEAD through its HTTP client), license, and the Duo Agent Platform's
    // ListTools (its URL is set) — no end-to-end probe.
    expect(r['gitlab-health-check']?.summary).toBe("All 4 of GitLab's health-check probes passed (self-hosted probes)");
    expect(r['model-endpoints']?.details.join('\n')).toMatch(/✔ Codestral \(codestral\): .*\/v1\/models answered HTTP 200/);
  },
  'expired-license': (r) => {
    expect(r['license']?.summary).toMatch(/^The ultimate license expired on \d{4}-\d\d-\d\d \(10 days ago\)$/);
    expect(r['system-exchange']?.evidence).toMatchObject({ hop: 'gitlab', httpStatus: 401 });
  },
  'no-code-suggestions': (r) => {
    expect(r['license']?.summary).toBe('License does not provide access to code suggestions, verify your license');
    expect(r['gitlab-health-check']?.details.join('\n')).toMatch(/✗ code_suggestions_license_probe: License does not provide access/);
  },
  'no-gateway-url': (r) => {
    expect(r['system-exchange']?.summary).toMatch(/GitLab's AI gateway URL setting is blank$/);
    // A blank setting makes GitLab run its cloud-connected set, which an air-gapped installation fails.
    expect(r['gitlab-health-check']?.findings?.map((f) => f.id)).toEqual([
      'cloudSubscription',
      'cloudHostFailed',
      'cloudHostFailed',
      'cloudSubscription',
      'cloudSubscription',
      'endToEndFailed',
    ]);
  },
  'url-blocked': (r) => {
    expect(r['gitlab-health-check']?.findings).toEqual([{ id: 'hostBlocked', status: 'fail' }]);
    expect(r['gitlab-health-check']?.summary).toMatch(
      /^host_probe: 127\.0\.0\.1 connection failed: URL is blocked: Requests to localhost are not allowed\./,
    );
    expect(r['gitlab-health-check']?.remediation).toMatch(/outbound_local_requests_whitelist/);
  },
  'gateway-url-mismatch': (r) => {
    expect(r['gitlab-health-check']?.findings).toEqual([{ id: 'hostRefused', status: 'fail' }]);
    expect(r['gitlab-health-check']?.summary).toMatch(/Connection refused - connect\(2\) for "127\.0\.0\.1" port \d+/);
  },
  'gateway-down': (r) => expect(r['system-exchange']?.evidence).toMatchObject({ hop: 'gitlab-to-gateway' }),
  'jwks-empty': (r) => {
    expect(r['system-exchange']?.summary).toBe('The AI gateway rejected GitLab\'s token: "Forbidden by auth provider"');
    expect(r['system-exchange']?.remediation).toMatch(/jwks-reachable, jwks-valid and token-verifies/);
  },
};

async function runScenario(scenario: Scenario): Promise<Record<string, CheckResult>> {
  const stack = await startStack(scenario);
  try {
    const run = await runChecks(CHECKS, defaultSettings({ ...stack.settingsOverrides, timeoutMs: 15_000 }));
    const serialized = JSON.stringify(run);
    expect(serialized).not.toContain(stack.adminToken);
    return Object.fromEntries(run.results.map((r) => [r.id, r]));
  } finally {
    await stack.close();
  }
}

describe('GitLab-side checks against the reference stack', () => {
  it.each(SCENARIOS.map((s) => [s.name, s] as const))(
    '%s',
    async (_name, scenario) => {
      const results = await runScenario(scenario);
      const failed = IDS.filter((id) => results[id]?.status === 'fail' || results[id]?.status === 'error');
      expect(failed).toEqual(IDS.filter((id) => (scenario.expectedFailures as readonly string[]).includes(id)));
      if (scenario.name === 'healthy') expect(IDS.map((id) => results[id]?.status)).toEqual(IDS.map(() => 'pass'));
      EXPECT[scenario.name]?.(results);
    },
    60_000,
  );
});
