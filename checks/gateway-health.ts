// gateway-health: GitLab's own health request to the gateway (GET /monitoring/healthz) answers 200 within the timeout.
import { defineCheck } from '../src/check.js';
import type { CheckOutcome } from '../src/model.js';
import { GATEWAY_VERSION_HEADER, gatewayHealthz } from '../src/probes/gateway.js';
import { parseJson, type HttpExchange } from '../src/probes/http.js';
import { redactUrl } from '../src/redact.js';

/** GitLab's list of possible causes (rake task), each with its fix. */
const CAUSES = {
  notRunning: {
    text: 'AI Gateway is not running',
    fix: 'Start the gateway and check its logs (`docker logs <container>`, `kubectl logs`); behind a proxy, check the proxy\'s upstream.',
  },
  wrongUrl: {
    text: 'Incorrect ai_gateway_url setting',
    fix: "Point GitLab's AI gateway URL at the gateway itself (scheme, host, port 5052, and any path prefix of a reverse proxy).",
  },
  network: {
    text: 'Network connectivity issues between GitLab and AI Gateway',
    fix: 'Check routing and DNS between GitLab and the gateway.',
  },
  firewall: {
    text: 'Firewall blocking the connection',
    fix: 'Allow TCP from GitLab to the gateway port.',
  },
  tls: {
    text: 'SSL/TLS configuration issues',
    fix: 'Check the certificate the gateway (or its TLS proxy) serves and that GitLab trusts its CA (see gateway-tls).',
  },
  proxy: {
    text: 'A proxy (HTTP_PROXY/HTTPS_PROXY) between GitLab and AI Gateway',
    fix: 'Add the gateway host to NO_PROXY, or allow it on the proxy.',
  },
} as const;

type Cause = keyof typeof CAUSES;

/** What is known when the health request did not give 200. */
export interface HealthFailure {
  secure: boolean;
  /** gateway-reachable passed or only warned: TCP (and maybe TLS) to the host works. */
  tcpReachable: boolean;
  exchange: HttpExchange;
}

/** GitLab's possible causes, narrowed by what the exchange and gateway-reachable already prove; each kept cause says why. */
export function possibleCauses(f: HealthFailure): { cause: Cause; why?: string }[] {
  const answered = f.exchange.ok;
  const status = f.exchange.ok ? f.exchange.response.status : undefined;
  const kind = f.exchange.ok ? undefined : f.exchange.failure.kind;
  const headers = f.exchange.ok ? f.exchange.response.headers : {};
  const viaProxy = Boolean(headers.via) || /squid|proxy/i.test(headers.server ?? '');
  const causes: { cause: Cause; why?: string }[] = [];

  const upstreamDown = status === 502 || status === 503 || status === 504;
  if (!answered ? kind === 'refused' || kind === 'reset' || kind === 'timeout' || kind === 'protocol' : upstreamDown) {
    causes.push({ cause: 'notRunning', why: upstreamDown ? `HTTP ${status} is what a proxy in front says when the gateway behind it is down` : undefined });
  }
  causes.push({
    cause: 'wrongUrl',
    why: status === 404 ? 'something answers, but has no /monitoring/healthz: another service, or a missing path prefix' : undefined,
  });
  // Any HTTP answer, or a TCP connect that worked, rules out routing and firewalls.
  if (!answered && !f.tcpReachable) {
    causes.push({ cause: 'network' }, { cause: 'firewall' });
  }
  if (f.secure && (kind === 'tls' || (!answered && !f.tcpReachable))) causes.push({ cause: 'tls' });
  if (kind === 'proxy' || (viaProxy && status !== undefined && status >= 400)) {
    causes.push({ cause: 'proxy', why: headers.via ? `the answer came through a proxy (Via: ${headers.via})` : undefined });
  }
  return causes;
}

/** One-line excerpt of a body, for the details. */
function excerpt(body: string, max = 200): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** The outcome of GitLab's health request, worded as the rake task words it. */
export function judgeHealth(exchange: HttpExchange, known: Omit<HealthFailure, 'exchange'>): CheckOutcome {
  if (exchange.ok && exchange.response.status === 200) {
    const { response } = exchange;
    const parsed = parseJson(response);
    const value = parsed.ok ? parsed.value : undefined;
    const rawStatus = value && typeof value === 'object' ? (value as { status?: unknown }).status : undefined;
    const healthStatus = typeof rawStatus === 'string' && rawStatus ? rawStatus : 'Unknown';
    const version = response.headers[GATEWAY_VERSION_HEADER];
    return {
      status: 'pass',
      summary: 'AI Gateway server is accessible',
      details: [`Response time: ${response.elapsedMs}ms`, `Health status: ${healthStatus}`, ...(version ? [`Gateway version: ${version}`] : [])],
      evidence: { httpStatus: 200, responseMs: response.elapsedMs, healthStatus, ...(version ? { gatewayVersion: version } : {}) },
    };
  }
  const causes = possibleCauses({ ...known, exchange });
  const details: string[] = [];
  let summary: string;
  let evidence: Record<string, unknown>;
  if (exchange.ok) {
    const { response } = exchange;
    summary = `AI Gateway returned HTTP ${response.status}`;
    if (response.redirectTo) details.push(`Redirected to ${redactUrl(response.redirectTo)} (not followed; GitLab does not follow it either)`);
    if (response.headers.server) details.push(`Server: ${response.headers.server}`);
    if (response.body.trim()) details.push(`Body: ${excerpt(response.body)}`);
    evidence = { httpStatus: response.status, responseMs: response.elapsedMs };
  } else {
    summary = `Connection error: ${exchange.failure.kind} - ${exchange.failure.message}`;
    evidence = { failure: exchange.failure.kind, code: exchange.failure.code, elapsedMs: exchange.elapsedMs };
  }
  details.push('Cannot access AI Gateway. Possible causes:', ...causes.map(({ cause, why }) => `  - ${CAUSES[cause].text}${why ? ` (${why})` : ''}`));
  return {
    status: 'fail',
    summary,
    details,
    remediation: causes.map(({ cause }) => CAUSES[cause].fix).join('\n'),
    evidence: { ...evidence, causes: causes.map((c) => c.cause) },
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
      "GitLab's exact request: GET <gateway>/monitoring/healthz with `accept: application/json`, no authentication, within the " +
      'timeout (10 s by default); reports the response time and the `status` field.',
    failsWhen:
      'Anything but HTTP 200, or no answer. The report lists GitLab\'s possible causes (not running, wrong ai_gateway_url, network, ' +
      'firewall, SSL/TLS), keeping only those the other checks have not ruled out.',
    fix: 'Start the gateway, point GitLab\'s AI gateway URL at it, and open the path between them (the remediation lists only the causes still possible).',
  },
  async run(ctx) {
    const { url, exchange } = await gatewayHealthz(ctx);
    if (!url) return { status: 'skip', summary: 'No AI gateway URL (see gateway-url)' };
    const reachable = ctx.resultOf('gateway-reachable')?.status;
    return judgeHealth(exchange, { secure: url.startsWith('https:'), tcpReachable: reachable === 'pass' || reachable === 'warn' });
  },
});
