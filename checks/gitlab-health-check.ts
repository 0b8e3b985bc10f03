// gitlab-health-check: GitLab's own Duo health-check probes (GraphQL cloudConnectorStatus), each with its outcome and message.
import { defineCheck } from '../src/check.js';
import { cloudConnectorStatus, probeText, type ConnectorProbe } from '../src/probes/gitlab-api.js';

/** The fix for each of GitLab's self-hosted probes, by its snake_case name. */
const PROBE_FIX: Record<string, string> = {
  ai_gateway_url_presence_probe:
    'Set the AI gateway URL at Admin > GitLab Duo > Self-hosted (or `Ai::Setting.instance.update!(ai_gateway_url: "http://<gateway-host>:5052")`).',
  host_probe:
    'GitLab cannot connect to the AI gateway host: if you use firewalls or proxy servers, they must allow traffic from GitLab to it ' +
    '(see gateway-reachable; add the host to NO_PROXY when a proxy is in the way).',
  code_suggestions_license_probe:
    'Add a license with GitLab Duo at Admin > Subscription, and assign a GitLab Duo seat to the user at /admin/code_suggestions (see the license check).',
  end_to_end_probe: 'A test completion failed: the system-exchange check names the failing hop.',
};

function line(p: ConnectorProbe): string {
  const said = probeText(p);
  return `${p.success ? '✔' : '✗'} ${p.name}: ${said || (p.success ? 'passed' : 'failed')}`;
}

export default defineCheck({
  id: 'gitlab-health-check',
  title: "GitLab's own GitLab Duo health check passes",
  category: 'system-exchange',
  tags: ['ci', 'oncall', 'pre-upgrade'],
  needs: ['gitlab', 'token'],
  explain: {
    checks:
      'Runs the probes behind Admin > GitLab Duo > Run health check through GraphQL ' +
      '`cloudConnectorStatus { success probeResults { name success message errors details } }` and lists each probe\'s outcome and message ' +
      '(self-hosted: ai_gateway_url_presence_probe, host_probe, code_suggestions_license_probe, end_to_end_probe).',
    failsWhen:
      'Any of GitLab\'s probes fails. Skipped when GitLab cannot run them: older than 17.3 (no cloudConnectorStatus field), ' +
      'the token is not an administrator\'s, or the cloud_connector_status feature is off.',
    fix: 'Each failed probe comes with its fix; the other checks here (gateway-url, gateway-reachable, license, system-exchange) go deeper.',
  },
  async run(ctx) {
    const status = await cloudConnectorStatus(ctx);
    if (!status.available) {
      return { status: 'skip', summary: `GitLab's health check is unavailable: ${status.reason}` };
    }
    const details = status.probes.map(line);
    const failed = status.probes.filter((p) => !p.success);
    const evidence = { probes: status.probes.map((p) => ({ name: p.name, success: p.success })) };
    if (status.probes.length === 0) {
      return { status: 'warn', summary: "GitLab's health check ran no probes", evidence, remediation: 'Run the health check at Admin > GitLab Duo to see why.' };
    }
    if (failed.length === 0 && status.success) {
      return { status: 'pass', summary: `All ${status.probes.length} of GitLab's health-check probes passed`, details, evidence };
    }
    const fixes = failed.map((p) => PROBE_FIX[p.name] ?? `${p.name}: follow GitLab's message above.`);
    return {
      status: 'fail',
      summary: failed.length
        ? `${failed.length} of ${status.probes.length} of GitLab's health-check probes failed: ${failed.map((p) => p.name).join(', ')}`
        : "GitLab's health check reports failure, though every probe passed",
      details,
      remediation: [...new Set(fixes)].join('\n') || 'Run the health check at Admin > GitLab Duo to see why.',
      evidence,
    };
  },
});
