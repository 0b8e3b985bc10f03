// gitlab-health-check: GitLab's own GitLab Duo health check (GraphQL cloudConnectorStatus) — each probe's outcome and
// message, and for each failure the fix of its real cause (GitLab's URL blocker, TLS trust, a stopped gateway, seats...).
import { defineCheck, type FindingOf, type Judgement, type Messages } from '../src/check.js';
import { ADMIN_AI_GATEWAY_URL, ADMIN_DUO, ADMIN_DUO_CONFIGURATION, ADMIN_FEATURES } from '../src/data/admin-paths.js';
import { COMPLETION_REQUEST, COMPLETIONS_PATH } from '../src/completion-request.js';
import { completed } from '../src/judge/completion.js';
import { rakeEra, rakeWording, type RakeEra } from '../src/judge/rake.js';
import { redactSecrets } from '../src/redact.js';
import { hostnameOf } from '../src/net/url.js';
import {
  cloudConnectorStatus,
  gitlabAiGatewaySetting,
  gitlabMetadata,
  gitlabPost,
  probeText,
  type ConnectorStatus,
} from '../src/probes/gitlab-api.js';

/** What gitlab-health-check judges. */
export interface Facts {
  gitlabVersion?: string;
  status: ConnectorStatus;
  /** GitLab's ai_gateway_url setting, which decides the probe set GitLab runs (and which host_probe is the gateway's). */
  gatewaySetting?: string;
  /**
   * GitLab's answer to the completion system-exchange asks for (the same memoised request), read only when the
   * end-to-end probe failed with a 401: the body redacted of the token, at most 2000 characters.
   */
  exchange?: { status: number; body: string };
}

/** A failed probe: its name and what GitLab said. */
interface Failed {
  name: string;
  text: string;
}

const said = (d: Failed) => `${d.name}: ${d.text}`;
// Stryker disable next-line StringLiteral: the fallback never reaches a text (a host_probe text without the host is a cloud host's)
const hostOfMessage = (text: string) => /^(\S+) connection failed:/.exec(text)?.[1] ?? 'the host';

/** GitLab's issues for the end-to-end probe's 401 while Duo works (doc/administration/gitlab_duo_self_hosted/troubleshooting.md). */
const FALSE_ALARM_ISSUES = 'gitlab-org/gitlab#517097, #509801';

/** The end-to-end probe's text when the gateway answered its test completion 401 (CodeSuggestionsClient#test_completion). */
const END_TO_END_401 = /AI Gateway returned code 401:/;

const ALLOWLIST =
  'Admin > Settings > Network > Outbound requests: add the gateway\'s host or IP (with :port if you like) to "Local IP addresses and ' +
  'domain names that hooks and integrations can access" (outbound_local_requests_whitelist), or turn on "Allow requests to the local network ' +
  'from webhooks and integrations". GitLab\'s HTTP client refuses local and private addresses unless one of these says otherwise.';

export const messages = {
  allPassed: {
    status: 'pass',
    text: (d: { count: number; set: string }) => `All ${d.count} of GitLab's health-check probes passed (${d.set})`,
  },
  unavailable: { status: 'skip', text: (d: { reason: string }) => `GitLab's health check is unavailable: ${d.reason}` },
  noProbes: { status: 'warn', text: () => "GitLab's health check ran no probes", fix: `Run the health check at ${ADMIN_DUO} to see why.` },
  reportsFailure: {
    status: 'fail',
    text: () => "GitLab's health check reports failure, though every probe passed",
    fix: `Run the health check at ${ADMIN_DUO} to see why.`,
  },
  presenceMissing: {
    status: 'fail',
    text: (d: Failed & { era: RakeEra }) => said(d),
    fix: (d: Failed & { era: RakeEra }) =>
      `${rakeWording(d.era).blankUrl}: ${ADMIN_AI_GATEWAY_URL}, or ` +
      '`Ai::Setting.instance.update!(ai_gateway_url: "http://<gateway-host>:5052")` (see gateway-url).',
  },
  hostBlocked: {
    status: 'fail',
    text: said,
    fix: (d: Failed) => `GitLab's URL blocker refuses ${hostOfMessage(d.text)}. ${ALLOWLIST}`,
  },
  hostTlsUntrusted: {
    status: 'fail',
    text: said,
    fix: (d: Failed) =>
      `GitLab does not trust the certificate ${hostOfMessage(d.text)} serves: copy its CA (PEM) into /etc/gitlab/trusted-certs/ and run ` +
      '`sudo gitlab-ctl reconfigure` (Helm: global.certificates.customCAs), or serve a certificate for the name in the URL (see gateway-tls).',
  },
  hostRefused: {
    status: 'fail',
    text: said,
    fix: (d: Failed) =>
      `Nothing accepts connections at ${hostOfMessage(d.text)} and that port: start the gateway (docker ps / kubectl get pods), or correct the ` +
      "port in GitLab's ai_gateway_url (the gateway listens on 5052 by default) (see gateway-reachable).",
  },
  hostUnresolved: {
    status: 'fail',
    text: said,
    fix: (d: Failed) =>
      `GitLab cannot resolve ${hostOfMessage(d.text)}: use a name GitLab's host resolves (DNS or /etc/hosts on every GitLab node), or an IP.`,
  },
  hostTimeout: {
    status: 'fail',
    text: said,
    fix: (d: Failed) =>
      `GitLab's connection to ${hostOfMessage(d.text)} timed out: open the firewall from GitLab's nodes to the gateway's port; if GitLab uses ` +
      "an HTTP(S)_PROXY, add the gateway host to no_proxy (gitlab_rails['env'] in gitlab.rb) or allow it on the proxy.",
  },
  hostFailed: {
    status: 'fail',
    text: said,
    fix: 'If you use firewalls or proxy servers, they must allow traffic from GitLab to the AI gateway (see gateway-reachable and gateway-tls).',
  },
  cloudHostFailed: {
    status: 'fail',
    text: said,
    fix:
      'GitLab also runs its cloud-connected probes because a feature uses a GitLab-managed (vendored) model, or the self-hosted URL is blank: ' +
      'allow GitLab to reach cloud.gitlab.com and customers.gitlab.com on 443, or — air-gapped — assign every feature to a self-hosted model ' +
      `(${ADMIN_FEATURES}) and set the AI gateway URL.`,
  },
  cloudSubscription: {
    status: 'fail',
    text: said,
    fix:
      'Synchronise the subscription (Admin > Subscription > Sync subscription details) with an online cloud license; air-gapped self-hosted ' +
      'installations instead assign every feature to a self-hosted model so these cloud probes do not run.',
  },
  licenseMissing: {
    status: 'fail',
    text: said,
    fix: 'Add a license with GitLab Duo at Admin > Subscription (see the license check).',
  },
  seatMissing: {
    status: 'fail',
    text: said,
    fix: 'Assign a GitLab Duo seat to the user at Admin > GitLab Duo > Seat utilization (/admin/code_suggestions) (see the license check).',
  },
  endToEndFailed: { status: 'fail', text: said, fix: 'A test completion failed: the system-exchange check names the failing hop.' },
  endToEndFalseAlarm: {
    status: 'warn',
    text: (d: Failed) =>
      `${said(d)} — yet a code completion through GitLab and the AI gateway works (system-exchange): GitLab's health check's known false alarm (${FALSE_ALARM_ISSUES})`,
    fix:
      `Nothing to fix in the installation: the same completion through GitLab's API came back, so the path GitLab → AI gateway → model works. ` +
      `GitLab's troubleshooting page lists this 401 as a known issue of its health check (${FALSE_ALARM_ISSUES}): confirm with a Duo Chat ` +
      'message or a code suggestion in an IDE, and read this probe again after upgrading GitLab.',
  },
  agentPlatformDown: {
    status: 'fail',
    text: said,
    fix: `Start the Duo Workflow Service and check GitLab's duo_agent_platform_service_url setting (${ADMIN_DUO_CONFIGURATION}).`,
  },
  probeFailed: { status: 'fail', text: said, fix: (d: Failed) => `${d.name}: follow GitLab's message above.` },
} satisfies Messages;

type Finding = FindingOf<typeof messages>;

const CLOUD_PROBES = new Set(['license_probe', 'access_probe', 'token_probe']);

/** The finding for one failed probe: its real cause, read from the probe's name and GitLab's message. */
function failureFinding(d: Failed, gatewayHost: string | undefined, era: RakeEra, exchangeWorks: boolean): Finding {
  switch (d.name) {
    case 'ai_gateway_url_presence_probe':
      return { id: 'presenceMissing', data: { ...d, era } };
    case 'code_suggestions_license_probe':
      return /lack the necessary permissions/i.test(d.text) ? { id: 'seatMissing', data: d } : { id: 'licenseMissing', data: d };
    case 'end_to_end_probe':
      return END_TO_END_401.test(d.text) && exchangeWorks ? { id: 'endToEndFalseAlarm', data: d } : { id: 'endToEndFailed', data: d };
    case 'duo_agent_platform_probe':
      return { id: 'agentPlatformDown', data: d };
    case 'host_probe': {
      if (hostOfMessage(d.text) !== gatewayHost) return { id: 'cloudHostFailed', data: d };
      if (/URL is blocked/.test(d.text)) return { id: 'hostBlocked', data: d };
      if (/certificate verify failed|does not match the server certificate|SSL_connect/.test(d.text)) return { id: 'hostTlsUntrusted', data: d };
      if (/Connection refused/.test(d.text)) return { id: 'hostRefused', data: d };
      if (/getaddrinfo|Host cannot be resolved/.test(d.text)) return { id: 'hostUnresolved', data: d };
      if (/execution expired|timed out|Timeout/i.test(d.text)) return { id: 'hostTimeout', data: d };
      return { id: 'hostFailed', data: d };
    }
    default:
      return CLOUD_PROBES.has(d.name) ? { id: 'cloudSubscription', data: d } : { id: 'probeFailed', data: d };
  }
}

/** Judges GitLab's health-check results. Pure. */
export function judge(f: Facts): Judgement<typeof messages> {
  if (!f.status.available) return { findings: [{ id: 'unavailable', data: { reason: f.status.reason } }] };
  const { probes } = f.status;
  const evidence = { probes: probes.map((p) => ({ name: p.name, success: p.success })) };
  if (probes.length === 0) return { findings: [{ id: 'noProbes' }], evidence };
  const era = rakeEra(f.gitlabVersion);
  const flat = (text: string) => text.replace(/\s+/g, ' ').trim();
  const details = probes.map((p) => `${p.success ? '✔' : '✗'} ${p.name}: ${flat(probeText(p)) || (p.success ? 'passed' : 'failed')}`);
  const selfHosted = probes.some((p) => p.name === 'ai_gateway_url_presence_probe');
  const cloud = probes.some((p) => CLOUD_PROBES.has(p.name));
  if (cloud) {
    details.push(
      selfHosted
        ? 'GitLab ran its cloud-connected probes too: at least one feature uses a GitLab-managed (vendored) model.'
        : 'GitLab ran its cloud-connected probe set: its ai_gateway_url setting is blank, so it is not a self-hosted installation to GitLab.',
    );
  }
  const failed = probes.filter((p) => !p.success);
  if (failed.length === 0) {
    const set = selfHosted ? (cloud ? 'self-hosted and cloud-connected probes' : 'self-hosted probes') : 'cloud-connected probes';
    return {
      findings: f.status.success ? [{ id: 'allPassed', data: { count: probes.length, set } }] : [{ id: 'reportsFailure' }],
      details,
      evidence,
    };
  }
  const gatewayHost = f.gatewaySetting ? hostnameOf(f.gatewaySetting) : undefined;
  const exchangeWorks = f.exchange !== undefined && completed(f.exchange.status, f.exchange.body);
  return {
    findings: failed.map((p) => failureFinding({ name: p.name, text: flat(probeText(p)) }, gatewayHost, era, exchangeWorks)),
    details,
    evidence,
  };
}

export default defineCheck({
  id: 'gitlab-health-check',
  title: "GitLab's own GitLab Duo health check passes",
  category: 'system-exchange',
  tags: ['ci', 'oncall', 'pre-upgrade'],
  needs: ['gitlab', 'token'],
  explain: {
    checks:
      "Runs the probes behind Admin > GitLab Duo > Run health check (GraphQL cloudConnectorStatus) and lists each probe's outcome and message. " +
      'Which probes GitLab runs depends on its version and configuration: with a self-hosted AI gateway URL ai_gateway_url_presence_probe, ' +
      "host_probe (an HTTP HEAD through GitLab's HTTP client: its URL blocker, trusted CAs and proxy apply) and code_suggestions_license_probe, " +
      'plus duo_agent_platform_probe with a Duo Agent Platform URL; the cloud-connected set when a feature is vendored or the URL is blank.',
    failsWhen:
      'Any probe fails. Each failure is read for its cause: GitLab\'s URL blocker refusing a local gateway ("URL is blocked"), an untrusted ' +
      'certificate, a refused or timed-out connection, an unresolvable name, no license or seat, a failed test completion, cloud probes on an ' +
      'air-gapped instance. Skipped when GitLab cannot run them (older than 17.3, a non-administrator token, or GitLab.com). ' +
      "Warns instead when the end-to-end probe's test completion got a 401 while the same completion through GitLab's API works: " +
      `GitLab's known false alarm (${FALSE_ALARM_ISSUES}).`,
    fix: 'Each failed probe comes with the fix of its cause (the outbound allowlist for the URL blocker, trusted-certs for TLS, ...).',
  },
  messages,
  // Stryker disable all: gather does I/O (probes); the integration tier tests it, mutating it here only measures the unit tier's blind spot
  async gather(ctx): Promise<Facts> {
    const [status, setting, metadata] = await Promise.all([cloudConnectorStatus(ctx), gitlabAiGatewaySetting(ctx), gitlabMetadata(ctx)]);
    // The known false alarm is told apart by the completion system-exchange asks for (memoised: one request per run).
    const e2e401 = status.available && status.probes.some((p) => p.name === 'end_to_end_probe' && !p.success && END_TO_END_401.test(probeText(p)));
    const answer = e2e401 ? await gitlabPost(ctx, COMPLETIONS_PATH, COMPLETION_REQUEST) : undefined;
    return {
      status,
      ...(answer?.ok
        ? { exchange: { status: answer.response.status, body: redactSecrets(answer.response.body.slice(0, 2000), [ctx.settings.gitlabToken]) } }
        : {}),
      ...(setting.state === 'set' ? { gatewaySetting: setting.url } : {}),
      ...(metadata.version ? { gitlabVersion: metadata.version } : {}),
    };
  },
  // Stryker restore all
  judge,
});
