// The gateway-side network checks against the reference stack: each scenario fails exactly where it should, with GitLab's words.
import { describe, expect, it } from 'vitest';
import gatewayAuth from '../../checks/gateway-auth.js';
import gatewayHealth from '../../checks/gateway-health.js';
import gatewayReachable from '../../checks/gateway-reachable.js';
import gatewayUrl, { LOCALHOST_MESSAGE } from '../../checks/gateway-url.js';
import gitlabReachable from '../../checks/gitlab-reachable.js';
import versionMatch from '../../checks/version-match.js';
import { defaultSettings } from '../../src/config/settings.js';
import type { CheckResult, Status } from '../../src/model.js';
import { findScenario, startStack } from '../../src/reference/scenarios.js';
import { runChecks } from '../../src/runner/run.js';

const CHECKS = [gatewayUrl, gatewayReachable, gatewayHealth, gatewayAuth, gitlabReachable, versionMatch];
const IDS = CHECKS.map((c) => c.id);

/** Per scenario: the status of each check, and what its results must say. */
const EXPECT: Record<string, { statuses: Partial<Record<string, Status>>; also?: (r: Record<string, CheckResult>) => void }> = {
  healthy: {
    statuses: { 'gateway-url': 'pass', 'gateway-reachable': 'pass', 'gateway-health': 'pass', 'gateway-auth': 'pass', 'version-match': 'pass' },
    also: (r) => {
      expect(r['gateway-url']?.summary).toMatch(/^AI Gateway URL configured: https:\/\/127\.0\.0\.1:\d+$/);
      expect(r['gateway-health']?.summary).toBe('AI Gateway server is accessible');
      // The gateway answers {} (fastapi_health), which GitLab prints as "Unknown".
      expect(r['gateway-health']?.details).toContain('Health status: Unknown');
      expect(r['version-match']?.summary).toBe('AI gateway self-hosted-v19.4.1-ee matches GitLab 19.4.1-ee');
    },
  },
  'no-gateway-url': {
    statuses: { 'gateway-url': 'fail', 'gateway-reachable': 'skip', 'gateway-health': 'skip', 'gateway-auth': 'skip' },
    also: (r) => {
      // The reference claims GitLab 19.4.1, which runs the newest variant of the rake task.
      expect(r['gateway-url']?.summary).toBe("Set the 'ai_gateway_url' application setting to point to your AI Gateway instance");
      expect(r['gateway-url']?.findings).toEqual([{ id: 'blank', status: 'fail' }]);
      expect(r['gateway-url']?.remediation).toContain('Ai::Setting.instance.update!');
    },
  },
  'gateway-down': {
    statuses: { 'gateway-url': 'pass', 'gateway-reachable': 'fail', 'gateway-health': 'skip', 'gateway-auth': 'skip' },
    also: (r) => {
      expect(r['gateway-reachable']?.summary).toMatch(/^AI Gateway \(127\.0\.0\.1:\d+\) unreachable: .*refused the connection/);
      expect(r['gateway-reachable']?.evidence).toMatchObject({ verdict: 'refused' });
    },
  },
  'gateway-localhost-url': {
    // duo-doctor reaches this GitLab on 127.0.0.1, so it runs on GitLab's host: localhost:5052 refuses here as for GitLab.
    statuses: { 'gateway-url': 'fail', 'gateway-reachable': 'fail' },
    also: (r) => {
      expect(r['gateway-url']?.summary).toBe(
        'AI Gateway URL http://localhost:5052 points at localhost: GitLab (gitlab.example.com) would call itself, not the gateway',
      );
      expect(r['gateway-url']?.findings?.map((f) => f.id)).toEqual(['configured', 'loopbackElsewhere']);
      expect(r['gateway-url']?.remediation).toContain(LOCALHOST_MESSAGE);
    },
  },
  'auth-bypassed': {
    statuses: { 'gateway-url': 'pass', 'gateway-reachable': 'pass', 'gateway-health': 'pass', 'gateway-auth': 'fail', 'version-match': 'pass' },
    also: (r) => {
      expect(r['gateway-auth']?.summary).toMatch(/^SECURITY: .*AIGW_AUTH__BYPASS_EXTERNAL is on$/);
      expect(r['gateway-auth']?.evidence).toMatchObject({ securityFinding: true });
    },
  },
  'version-mismatch': {
    statuses: { 'gateway-url': 'pass', 'gateway-health': 'pass', 'gateway-auth': 'pass', 'version-match': 'fail' },
    also: (r) => {
      expect(r['version-match']?.summary).toBe(
        'AI gateway self-hosted-v19.3.2-ee does not match GitLab 19.4.1-ee (major.minor differs): use self-hosted-v19.4.1-ee',
      );
    },
  },
  'gateway-url-mismatch': {
    statuses: { 'gateway-url': 'warn', 'gateway-reachable': 'pass', 'gateway-health': 'pass' },
    also: (r) => {
      expect(r['gateway-url']?.summary).toMatch(
        /^GitLab is configured with http:\/\/127\.0\.0\.1:\d+; you are checking http:\/\/127\.0\.0\.1:\d+ \(from --gateway-url\)$/,
      );
      expect(r['gateway-url']?.evidence).toMatchObject({ source: 'flag' });
      // The health check says it exercised the URL GitLab does not use, and names GitLab's.
      expect(r['gateway-health']?.details.join('\n')).toMatch(
        /Exercised http:\/\/127\.0\.0\.1:\d+ \(from --gateway-url\), not http:\/\/127\.0\.0\.1:\d+, the URL GitLab itself uses/,
      );
    },
  },
};

describe('gateway-side network checks against the reference stack', () => {
  it.each(Object.keys(EXPECT))(
    '%s',
    async (name) => {
      const scenario = findScenario(name);
      if (!scenario) throw new Error(`no scenario ${name}`);
      const stack = await startStack(scenario);
      try {
        const run = await runChecks(CHECKS, defaultSettings({ ...stack.settingsOverrides, timeoutMs: 15_000 }));
        expect(JSON.stringify(run)).not.toContain(stack.adminToken);
        const results = Object.fromEntries(run.results.map((r) => [r.id, r]));
        const expected = EXPECT[name]!;
        const statuses = Object.fromEntries(Object.keys(expected.statuses).map((id) => [id, results[id]?.status]));
        expect(statuses).toEqual(expected.statuses);
        // The scenario's own list of failing checks agrees for the checks tested here.
        const failed = IDS.filter((id) => results[id]?.status === 'fail' || results[id]?.status === 'error');
        expect(failed).toEqual(IDS.filter((id) => (scenario.expectedFailures as readonly string[]).includes(id)));
        expected.also?.(results);
      } finally {
        await stack.close();
      }
    },
    60_000,
  );
});
