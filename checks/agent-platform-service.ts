// agent-platform-service: the Duo Workflow Service answers gRPC ListTools — as GitLab's own DuoAgentPlatformProbe calls it
// (GitLab's view), and from here layer by layer with GitLab's TLS decision and workflow token (naming the layer that fails).
import { defineCheck, type FindingOf, type Messages } from '../src/check.js';
import { addressShape, CAUSE_FIX, grpcCause, type GrpcCause } from '../src/judge/agent-platform.js';
import { cloudConnectorStatus, probeText } from '../src/probes/gitlab-api.js';
import {
  gitlabListTools,
  serviceUrlSetting,
  workflowAccess,
  WORKFLOW_LIST_TOOLS_PATH,
  type GitLabListTools,
} from '../src/probes/duo-workflow/gitlab.js';
import { measureService, type ServiceMeasurement } from '../src/probes/duo-workflow/service.js';

export interface Facts {
  /** GitLab's setting (host:port). */
  address: string;
  /** GitLab's own ListTools call. */
  gitlab: GitLabListTools;
  /** duo-doctor's measurement, layer by layer. */
  measured: ServiceMeasurement;
  /** GitLab's health-check probe for the cloud usage-billing service, when this GitLab has one. */
  billing?: { success: boolean; text: string };
}

/** The rake task's result lines (verify_duo_workflow_service!). */
export const RAKE_REACHABLE = 'Duo Workflow Service is reachable ✔';
export const RAKE_NOT_REACHABLE = 'Duo Workflow Service is not reachable ✗';

const layer = (d: { address: string }) => d.address;

export const messages = {
  // GitLab's view: DuoAgentPlatformProbe's messages, word for word.
  gitlabOperational: {
    status: 'pass',
    text: (d: { address: string; tools: number }) =>
      `GitLab Duo Workflow Service at ${d.address} is operational. (GitLab's ListTools: ${d.tools} tool${d.tools === 1 ? '' : 's'})`,
  },
  gitlabNotOperational: {
    status: 'fail',
    text: (d: { address: string; cause: GrpcCause; message: string }) =>
      `GitLab Duo Workflow Service at ${d.address} is not operational. GitLab's ListTools failed: ${d.message}`,
    fix: (d: { cause: GrpcCause }) => CAUSE_FIX[d.cause],
  },
  // duo-doctor's view, one finding per layer.
  listed: {
    status: 'pass',
    text: (d: { address: string; tools: number; ms: number; secure: boolean }) =>
      `ListTools at ${d.address} answered ${d.tools} tool${d.tools === 1 ? '' : 's'} in ${d.ms} ms (${d.secure ? 'TLS' : 'plaintext'}, HTTP/2)`,
  },
  answersWithoutToken: {
    status: 'pass',
    text: (d: { address: string; secure: boolean }) =>
      `The service at ${d.address} answers gRPC (${d.secure ? 'TLS' : 'plaintext'}, HTTP/2) and asks for a token; GitLab issued none to test with (see agent-platform-token)`,
  },
  noListener: {
    status: 'fail',
    text: (d: { address: string; code: string }) => `Nothing listens at ${layer(d)} (${d.code})`,
    fix: CAUSE_FIX['no-listener'],
  },
  unreachable: {
    status: 'fail',
    text: (d: { address: string; message: string }) => `${layer(d)} cannot be reached over TCP: ${d.message}`,
    fix: 'Open the network path from GitLab to the service: firewall rules, security groups, the published container port, DNS of the host.',
  },
  tlsToPlaintext: {
    status: 'fail',
    text: (d: { address: string }) =>
      `GitLab uses TLS, but ${layer(d)} answers a TLS handshake with plain bytes (SSL WRONG_VERSION_NUMBER): the service serves plain gRPC`,
    fix: CAUSE_FIX['tls-to-plaintext'],
  },
  plaintextToTls: {
    status: 'fail',
    text: (d: { address: string }) => `GitLab uses plain gRPC (DUO_AGENT_PLATFORM_SERVICE_SECURE=false), but ${layer(d)} serves TLS`,
    fix: "Remove DUO_AGENT_PLATFORM_SERVICE_SECURE=false from GitLab's environment (GitLab defaults to TLS) and run gitlab-ctl reconfigure, or turn TLS off on the service (DUO_WORKFLOW_TLS__ENABLED).",
  },
  http2Refused: {
    status: 'fail',
    text: (d: { address: string; evidence: string }) => `${layer(d)} does not speak HTTP/2, which gRPC needs end to end: ${d.evidence}`,
    fix: CAUSE_FIX.http2,
  },
  notGrpc: {
    status: 'fail',
    text: (d: { address: string; details: string }) => `${layer(d)} speaks HTTP/2 but does not carry gRPC to the service: ${d.details}`,
    fix: 'A proxy answers instead of relaying gRPC: in nginx use `grpc_pass grpc://<service>:50052;` (grpcs:// when the service serves TLS) in that location, not proxy_pass, which talks HTTP/1.x to the service.',
  },
  tlsFailed: {
    status: 'fail',
    text: (d: { address: string; message: string }) => `The TLS handshake with ${layer(d)} failed: ${d.message}`,
    fix: 'Serve a certificate for the name in duo_agent_platform_service_url with a protocol GitLab accepts (TLS 1.2+), or see the failure above.',
  },
  tlsUntrusted: {
    status: 'fail',
    text: (d: { address: string; error: string }) => `The certificate of ${layer(d)} is not trusted: ${d.error}`,
    fix: 'GitLab checks it against its CA bundle: put the issuing CA into /etc/gitlab/trusted-certs/ and run gitlab-ctl reconfigure (give duo-doctor the same CA with --ca-file); the certificate must name the host in duo_agent_platform_service_url.',
  },
  callRefused: {
    status: 'fail',
    text: (d: { address: string; codeName: string; details: string }) =>
      `ListTools at ${layer(d)} was refused with the workflow token GitLab issued: ${d.codeName} ${d.details}`,
    fix: CAUSE_FIX.unauthenticated,
  },
  callFailed: {
    status: 'fail',
    text: (d: { address: string; codeName: string; details: string; cause: GrpcCause }) =>
      `ListTools at ${layer(d)} failed: ${[d.codeName, d.details].filter(Boolean).join(' ')}`,
    fix: (d: { cause: GrpcCause }) => CAUSE_FIX[d.cause],
  },
  billingBlocked: {
    status: 'fail',
    text: (d: { text: string }) => `GitLab's health check: ${d.text}`,
    fix: "With an online cloud license Workhorse streams usage (TrackSelfHostedExecuteWorkflow) to the cloud Duo Agent Platform service over TLS on port 443: allow GitLab's egress to cloud.gitlab.com:443 (or duo-workflow-svc.runway.gitlab.net:443), through the proxy in GitLab's environment if there is one.",
  },
} satisfies Messages;

type Finding = FindingOf<typeof messages>;

/** duo-doctor's own measurement, judged by the first layer that fails. */
function judgeMeasured(m: ServiceMeasurement): Finding {
  const address = m.address;
  if (!m.tcp.ok)
    return m.tcp.code === 'ECONNREFUSED'
      ? { id: 'noListener', data: { address, code: m.tcp.code } }
      : { id: 'unreachable', data: { address, message: m.tcp.message } };
  const tls = m.tls;
  if (m.secure) {
    if (!tls) return { id: 'tlsFailed', data: { address, message: 'no handshake was made' } };
    if (!tls.ok) {
      if (tls.plaintextPeer) return { id: 'tlsToPlaintext', data: { address } };
      if (tls.untrusted) return { id: 'tlsUntrusted', data: { address, error: tls.code ?? tls.message } };
      // OpenSSL's message spells it with spaces ("tlsv1 alert no application protocol"), Node's code with underscores.
      if (/NO[_ ]APPLICATION[_ ]PROTOCOL/i.test(`${tls.code} ${tls.message}`))
        return { id: 'http2Refused', data: { address, evidence: 'its TLS offers no HTTP/2 (ALPN h2 refused)' } };
      return { id: 'tlsFailed', data: { address, message: `${tls.code ? `${tls.code}: ` : ''}${tls.message.trim()}` } };
    }
    if (tls.alpn !== 'h2')
      return { id: 'http2Refused', data: { address, evidence: `its TLS negotiates ${tls.alpn ?? 'no application protocol'}, not h2` } };
  } else if (m.preface?.kind !== 'http2') {
    if (tls?.ok || (tls && !tls.ok && tls.untrusted)) return { id: 'plaintextToTls', data: { address } };
    const p = m.preface;
    const evidence =
      p?.kind === 'http1'
        ? `it answered the HTTP/2 preface with "${p.statusLine}"`
        : p?.kind === 'closed'
          ? 'it closed the connection at the HTTP/2 preface'
          : `it answered the HTTP/2 preface with ${p?.kind === 'other' ? `bytes ${p.firstBytes}` : p?.kind === 'tls' ? 'a TLS alert' : 'nothing'}`;
    return { id: 'http2Refused', data: { address, evidence } };
  }
  const call = m.call;
  if (!call) return { id: 'callFailed', data: { address, codeName: '', details: 'no call was made', cause: 'other' as const } };
  if (call.ok) return { id: 'listed', data: { address, tools: call.tools.length, ms: call.ms, secure: m.secure } };
  const cause = grpcCause(call.details, call.code);
  if (cause === 'http2') return { id: 'notGrpc', data: { address, details: `${call.codeName} ${call.details}` } };
  if (call.code === 16 && !m.withToken) return { id: 'answersWithoutToken', data: { address, secure: m.secure } };
  if (call.code === 16 || call.code === 7) return { id: 'callRefused', data: { address, codeName: call.codeName, details: call.details } };
  return { id: 'callFailed', data: { address, codeName: call.codeName, details: call.details, cause } };
}

/** Judges GitLab's view and duo-doctor's view of the service, and GitLab's usage-billing probe. */
export function judge(facts: Facts) {
  const findings: Finding[] = [];
  const g = facts.gitlab;
  if (g.ok) findings.push({ id: 'gitlabOperational', data: { address: facts.address, tools: g.tools } });
  else if (g.status === 400 && g.message) {
    // Stryker disable next-line Regex: Grape's bad_request! message always starts with it
    const message = g.message.replace(/^400 Bad request - /, '');
    findings.push({ id: 'gitlabNotOperational', data: { address: facts.address, cause: grpcCause(message), message } });
  }
  findings.push(judgeMeasured(facts.measured));
  if (facts.billing && !facts.billing.success) findings.push({ id: 'billingBlocked', data: { text: facts.billing.text } });
  const gitlabOk = g.ok;
  const details = [
    ...(!g.ok && g.status !== 400
      ? [`GitLab's own ListTools call could not be made (HTTP ${g.status}${g.message ? `: ${g.message}` : ''}): judged on duo-doctor's call alone`]
      : []),
    `Rake task: ${gitlabOk ? RAKE_REACHABLE : g.status === 400 ? RAKE_NOT_REACHABLE : '(GitLab was not asked)'}`,
    `duo-doctor's call: ${facts.measured.secure ? 'TLS' : 'plaintext'} (${facts.measured.secureSource === 'gitlab' ? "GitLab's duo_workflow.secure" : 'as the service serves: GitLab did not report its duo_workflow.secure'}), ${facts.measured.withToken ? "with GitLab's workflow token" : 'without a token'}`,
    ...(facts.billing
      ? []
      : [
          "Usage-billing egress (online cloud license): this GitLab's health check has no probe for it, and it cannot be measured from outside GitLab.",
        ]),
  ];
  return { findings, details, evidence: { address: facts.address, gitlabOk, secure: facts.measured.secure, withToken: facts.measured.withToken } };
}

export default defineCheck({
  id: 'agent-platform-service',
  title: 'The Duo Workflow Service answers gRPC ListTools, as GitLab calls it',
  category: 'agent-platform',
  tags: ['ci', 'oncall', 'pre-upgrade'],
  dependsOn: ['agent-platform-url'],
  needs: ['gitlab', 'token'],
  explain: {
    checks:
      `Asks GitLab to call ListTools itself (GET ${WORKFLOW_LIST_TOOLS_PATH}, as its DuoAgentPlatformProbe does), then measures the service from here: TCP, ` +
      "TLS as GitLab uses it (duo_workflow.secure, offering HTTP/2) or cleartext HTTP/2, and a gRPC ListTools call (@grpc/grpc-js, the service's contract.proto) " +
      "with the workflow token and headers GitLab hands out. Also reads GitLab's usage-billing health probe where GitLab has one.",
    failsWhen:
      "GitLab's call fails, or a layer fails from here: no listener, TLS to a plaintext service (WRONG_VERSION_NUMBER) or the reverse, an untrusted certificate, " +
      'no HTTP/2 (an HTTP/1.1-only proxy), HTTP/2 without gRPC (nginx proxy_pass instead of grpc_pass), the token refused, a service error.',
    fix: "The failing layer names its fix: the service address and port, DUO_AGENT_PLATFORM_SERVICE_SECURE, the proxy's grpc_pass and http2, the gateway container's AIGW_GITLAB_URL.",
  },
  messages,
  // Stryker disable all: gather does I/O (probes); the integration tier tests it, mutating it here only measures the unit tier's blind spot
  async gather(ctx): Promise<Facts> {
    const setting = await serviceUrlSetting(ctx);
    const value = setting.ok ? (setting.value ?? '') : '';
    const shape = addressShape(value);
    const address = shape.kind === 'host-port' ? value : shape.kind === 'scheme' ? shape.hostPort : value;
    const [gitlab, grant, status] = await Promise.all([gitlabListTools(ctx), workflowAccess(ctx), cloudConnectorStatus(ctx)]);
    const reported = grant.facts.ok ? grant.facts.secure : undefined;
    const measured = await measureService(ctx, address, reported, grant);
    // BillingDuoWorkflowServiceProbe (newer GitLab): "... is reachable for usage billing." / "... usage billing will fail ...".
    const billingProbe = status.available ? status.probes.find((p) => /usage billing/i.test(probeText(p))) : undefined;
    return { address, gitlab, measured, ...(billingProbe ? { billing: { success: billingProbe.success, text: probeText(billingProbe) } } : {}) };
  },
  // Stryker restore all
  judge,
});
