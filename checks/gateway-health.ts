// gateway-health: GitLab's own health request to the gateway (GET <ai_gateway_url>/monitoring/healthz) answers 200,
// worded as the rake task of GitLab's version words it. The real gateway answers {} (fastapi_health with no conditions),
// so its "Health status" is "Unknown", exactly as GitLab prints it.
import { defineCheck, type Judgement, type Messages } from '../src/check.js';
import { rakeEra, rakeWording, HEALTH_CAUSES_HEADING, type RakeEra } from '../src/judge/rake.js';
import { gatewayHealthz } from '../src/probes/gateway.js';
import { exercisedLines } from '../src/judge/gateway-target.js';
import { gatewayTarget, gitlabMetadata, targetSourceName, type GatewayTarget } from '../src/probes/gitlab-api.js';
import { parseJson, type HttpExchange } from '../src/probes/http.js';
import { reach } from '../src/probes/reach.js';
import { redactUrl } from '../src/redact.js';

/** A possible cause of a failed health request (the rake task's list, plus a proxy in the way), with its fix. */
const CAUSES = {
  notRunning: {
    rake: 0,
    fix: "Start the gateway and check its logs (`docker logs <container>`, `kubectl logs`); behind a proxy, check the proxy's upstream.",
  },
  wrongUrl: {
    rake: 1,
    fix: "Point GitLab's AI gateway URL at the gateway itself (scheme, host, port 5052, any path prefix of a reverse proxy, no trailing slash).",
  },
  network: { rake: 2, fix: 'Check routing and DNS between GitLab and the gateway.' },
  firewall: { rake: 3, fix: 'Allow TCP from GitLab to the gateway port.' },
  tls: { rake: 4, fix: 'Check the certificate the gateway (or its TLS proxy) serves and that GitLab trusts its CA (see gateway-tls).' },
  proxy: { rake: undefined, fix: 'Add the gateway host to NO_PROXY, or allow it on the proxy.' },
} as const;

export type Cause = keyof typeof CAUSES;

/** What is known when the health request did not give 200. */
export interface HealthFailure {
  secure: boolean;
  /** A TCP connection to the gateway's host and port worked (the memoised reach probe). */
  tcpReachable: boolean;
  exchange: HttpExchange;
}

/** GitLab's possible causes, narrowed by what the exchange and the reach probe already prove; each kept cause says why. Pure. */
export function possibleCauses(f: HealthFailure): { cause: Cause; why?: string }[] {
  const answered = f.exchange.ok;
  const status = f.exchange.ok ? f.exchange.response.status : undefined;
  const kind = f.exchange.ok ? undefined : f.exchange.failure.kind;
  const headers = f.exchange.ok ? f.exchange.response.headers : {};
  // Stryker disable next-line StringLiteral: no proxy is named by any other string either
  const viaProxy = Boolean(headers.via) || /squid|proxy/i.test(headers.server ?? '');
  const causes: { cause: Cause; why?: string }[] = [];
  const upstreamDown = status === 502 || status === 503 || status === 504;
  if (!answered ? kind === 'refused' || kind === 'reset' || kind === 'timeout' || kind === 'protocol' : upstreamDown) {
    causes.push({
      cause: 'notRunning',
      ...(upstreamDown ? { why: `HTTP ${status} is what a proxy in front says when the gateway behind it is down` } : {}),
    });
  }
  causes.push({
    cause: 'wrongUrl',
    ...(status === 404 || status === 401
      ? { why: "something answers, but not the gateway's /monitoring/healthz: another service, a missing path prefix, or a trailing slash" }
      : {}),
  });
  // Any HTTP answer, or a TCP connect that worked, rules out routing and firewalls.
  if (!answered && !f.tcpReachable) causes.push({ cause: 'network' }, { cause: 'firewall' });
  if (f.secure && (kind === 'tls' || (!answered && !f.tcpReachable))) causes.push({ cause: 'tls' });
  if (kind === 'proxy' || (viaProxy && status !== undefined && status >= 400)) {
    causes.push({ cause: 'proxy', ...(headers.via ? { why: `the answer came through a proxy (Via: ${headers.via})` } : {}) });
  }
  return causes;
}

/** What gateway-health judges. */
export interface Facts extends Partial<HealthFailure> {
  gitlabVersion?: string;
  target: GatewayTarget;
  /** The health URL requested (absent: no gateway URL). */
  url?: string;
}

interface Failure {
  era: RakeEra;
  causes: { cause: Cause; why?: string }[];
}

const causeLines = (d: Failure) => {
  const rake = rakeWording(d.era).healthCauses;
  const text = (c: Cause) => {
    const index = CAUSES[c].rake;
    // Stryker disable next-line ConditionalExpression,LogicalOperator: the rake task lists every cause that has an index
    return index !== undefined && rake[index] ? rake[index] : c === 'proxy' ? 'A proxy (HTTP_PROXY/HTTPS_PROXY) between GitLab and AI Gateway' : c;
  };
  return [HEALTH_CAUSES_HEADING, ...d.causes.map(({ cause, why }) => `  - ${text(cause)}${why ? ` (${why})` : ''}`)];
};
const causeFixes = (d: Failure) => d.causes.map(({ cause }) => CAUSES[cause].fix).join('\n');

export const messages = {
  accessible: { status: 'pass', text: (d: { era: RakeEra }) => rakeWording(d.era).healthOk },
  httpStatus: {
    status: 'fail',
    text: (d: Failure & { status: number }) => rakeWording(d.era).healthHttp(d.status),
    fix: causeFixes,
  },
  connectionError: {
    status: 'fail',
    text: (d: Failure & { kind: string; message: string }) => `Connection error: ${d.kind} - ${d.message}`,
    fix: causeFixes,
  },
  noUrl: { status: 'skip', text: () => 'No AI gateway URL (see gateway-url)' },
} satisfies Messages;

function excerpt(body: string, max = 200): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** Which URL this exercised, and whether GitLab uses it. */
function exercised(f: Facts): string[] {
  // Stryker disable next-line StringLiteral: judged only with a URL
  return [`Requested ${redactUrl(f.url ?? '')} (from ${targetSourceName(f.target)})`, ...exercisedLines(f.target)];
}

/** Judges GitLab's health request. Pure. */
export function judge(f: Facts): Judgement<typeof messages> {
  if (!f.url || !f.exchange) return { findings: [{ id: 'noUrl' }] };
  const era = rakeEra(f.gitlabVersion);
  const wording = rakeWording(era);
  const { exchange } = f;
  const base = { url: redactUrl(f.url) };
  if (exchange.ok && exchange.response.status === 200) {
    const { response } = exchange;
    const parsed = parseJson(response);
    const value = parsed.ok && typeof parsed.value === 'object' && parsed.value !== null ? (parsed.value as Record<string, unknown>) : undefined;
    const status = typeof value?.['status'] === 'string' ? value['status'] : undefined;
    const lines = value ? [wording.healthStatus(status)] : [`Health response: ${excerpt(response.body, 100)}`];
    return {
      findings: [{ id: 'accessible', data: { era } }],
      details: [`Response time: ${response.elapsedMs}ms`, ...lines, ...exercised(f)],
      evidence: {
        httpStatus: 200,
        responseMs: response.elapsedMs,
        healthStatus: status ?? 'Unknown',
        rakeDiagnostics: {
          ai_gateway_health: { status: 'OK', ...base, http_code: 200, response_time_ms: response.elapsedMs, health_data: value ?? null },
        },
      },
    };
  }
  const causes = possibleCauses({ secure: f.secure ?? false, tcpReachable: f.tcpReachable ?? false, exchange });
  const failure = { era, causes };
  const details: string[] = [];
  if (exchange.ok) {
    const { response } = exchange;
    if (response.redirectTo) details.push(`Redirected to ${redactUrl(response.redirectTo)} (not followed; GitLab does not follow it either)`);
    if (response.headers.server) details.push(`Server: ${response.headers.server}`);
    if (response.body.trim()) details.push(`Body: ${excerpt(response.body)}`);
  }
  details.push(...causeLines(failure), ...exercised(f));
  const evidence = exchange.ok
    ? { httpStatus: exchange.response.status, responseMs: exchange.response.elapsedMs, causes: causes.map((c) => c.cause) }
    : { failure: exchange.failure.kind, code: exchange.failure.code, elapsedMs: exchange.elapsedMs, causes: causes.map((c) => c.cause) };
  const health = exchange.ok
    ? { status: 'ERROR', ...base, http_code: exchange.response.status, response_time_ms: exchange.response.elapsedMs }
    : { status: 'ERROR', ...base, error: exchange.failure.kind, error_message: exchange.failure.message };
  return {
    findings: [
      exchange.ok
        ? { id: 'httpStatus', data: { ...failure, status: exchange.response.status } }
        : { id: 'connectionError', data: { ...failure, kind: exchange.failure.kind, message: exchange.failure.message } },
    ],
    details,
    evidence: { ...evidence, rakeDiagnostics: { ai_gateway_health: health } },
  };
}

export default defineCheck({
  id: 'gateway-health',
  title: 'The AI gateway answers its health endpoint',
  category: 'network',
  tags: ['ci', 'oncall', 'pre-upgrade'],
  dependsOn: ['gateway-reachable'],
  needs: ['gateway'],
  explain: {
    checks:
      "GitLab's exact request: GET <ai_gateway_url>/monitoring/healthz (the URL joined as GitLab joins it) with `accept: application/json`, " +
      'no authentication, within the timeout (10 s by default); reports the response time and the `status` field ("Unknown" when the ' +
      "body has none, as the real gateway's `{}`), and which URL it exercised.",
    failsWhen:
      "Anything but HTTP 200, or no answer. The report lists GitLab's possible causes (not running, wrong ai_gateway_url, network, " +
      'firewall, SSL/TLS), keeping only those the other probes have not ruled out.',
    fix: "Start the gateway, point GitLab's AI gateway URL at it, and open the path between them (the remediation lists only the causes still possible).",
  },
  messages,
  // Stryker disable all: gather does I/O (probes); the integration tier tests it, mutating it here only measures the unit tier's blind spot
  async gather(ctx): Promise<Facts> {
    const [target, metadata, { url, exchange }] = await Promise.all([gatewayTarget(ctx), gitlabMetadata(ctx), gatewayHealthz(ctx)]);
    const facts: Facts = { target, ...(metadata.version ? { gitlabVersion: metadata.version } : {}) };
    if (!url || !target.url) return facts;
    const answered = exchange.ok && exchange.response.status === 200;
    const tcpReachable = answered ? true : (await reach(ctx, target.url)).tcp?.ok === true;
    return { ...facts, url, exchange, secure: url.startsWith('https:'), tcpReachable };
  },
  // Stryker restore all
  judge,
});
