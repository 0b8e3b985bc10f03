// gateway-reachable: TCP (and TLS) to the AI gateway, with DNS/connect/TLS timings and the proxy variables in effect.
import { defineCheck, type CheckContext, type FindingOf, type Judgement, type Messages } from '../src/check.js';
import { classifyTlsFailure, isCertificateProblem } from '../src/judge/tls-failure.js';
import { hostnameOf } from '../src/net/url.js';
import { isLoopbackHost } from '../src/net/loopback.js';
import { namingTarget, type TargetFacts } from '../src/judge/gateway-target.js';
import { resolveGatewayUrl, withGatewayTarget } from '../src/probes/gitlab-api.js';
import { kindOfCode } from '../src/probes/http.js';
import { reach, type ExchangeSummary, type ReachFacts } from '../src/probes/reach.js';
import { redactUrl } from '../src/redact.js';

export interface Facts extends TargetFacts {
  /** Why there is no gateway URL (none given, and GitLab's setting could not be read or is blank). */
  noUrl?: string;
  /** GitLab's own setting names a loopback host: that is GitLab's machine, not this one, so it is not probed from here. */
  gitlabsOwnHost?: string;
  reach?: ReachFacts;
}

/** How the gateway was (or was not) reached: what the phases and the proxy comparison say. */
export type ReachVerdict = 'ok' | 'invalid-url' | 'dns' | 'refused' | 'timeout' | 'unreachable' | 'reset' | 'tls' | 'proxy';

type Where = { name: string; message: string };

export const messages = {
  noUrl: { status: 'skip', text: (d: { why: string }) => `No AI gateway URL: ${d.why}` },
  gitlabsOwnHost: {
    status: 'skip',
    text: (d: { url: string }) => `GitLab's AI gateway URL ${d.url} names GitLab's own host: not probed from here (see gateway-url)`,
  },
  reachable: { status: 'pass', text: (d: { name: string; how: string }) => `${d.name} ${d.how}` },
  certificateProblem: {
    status: 'warn',
    text: (d: { name: string; code: string; untrusted: boolean }) => `${d.name} reachable, but TLS certificate is NOT trusted (${d.code})`,
    fix: (d: { untrusted: boolean }) =>
      (d.untrusted
        ? 'If the gateway uses a private CA, pass it with --ca-file and make sure GitLab trusts it too (/etc/gitlab/trusted-certs, then gitlab-ctl reconfigure). '
        : 'The certificate is expired, not yet valid, or not issued for this host name: renew or reissue it for the name in the gateway URL. ') +
      'A TLS-inspecting proxy re-signs traffic: add the gateway host to NO_PROXY. The gateway-tls check shows the chain.',
  },
  invalidUrl: { status: 'fail', text: (d: Where) => `${d.name} unreachable: ${d.message}`, fix: 'Fix the AI gateway URL (see gateway-url).' },
  dnsFailed: {
    status: 'fail',
    text: (d: Where) => `${d.name} unreachable: ${d.message}`,
    fix:
      'The gateway host name does not resolve. Check its spelling in the AI gateway URL and the DNS of this machine and of GitLab ' +
      '(GitLab must resolve it too; in Docker/Kubernetes use a name the GitLab container or pod can resolve).',
  },
  refused: {
    status: 'fail',
    text: (d: Where) => `${d.name} unreachable: ${d.message}`,
    fix:
      'Nothing listens on that port. Start the gateway (`docker ps`, `kubectl get pods`), check the port (5052 by default, ' +
      'published with -p 5052:5052), and make it listen on 0.0.0.0 rather than 127.0.0.1 inside its container.',
  },
  timedOut: {
    status: 'fail',
    text: (d: Where) => `${d.name} unreachable: ${d.message}`,
    fix:
      'No answer in time: a firewall or security group is dropping the traffic, the host/port is wrong, or (stuck in the TLS handshake) ' +
      'something that is not the gateway accepts the connection. Allow TCP from GitLab to the gateway port (5052 by default); raise --timeout if it is just slow.',
  },
  noRoute: {
    status: 'fail',
    text: (d: Where) => `${d.name} unreachable: ${d.message}`,
    fix: 'No route to the gateway host: check the network between this machine (and GitLab) and the gateway.',
  },
  reset: {
    status: 'fail',
    text: (d: Where) => `${d.name} unreachable: ${d.message}`,
    fix: 'The connection is reset: a firewall, load balancer or proxy in front of the gateway is refusing it; check its rules.',
  },
  tlsFailed: {
    status: 'fail',
    text: (d: Where) => `${d.name} unreachable: ${d.message}`,
    fix:
      'The TLS handshake failed: the URL says https but the port may serve plain http (use http://), or the TLS proxy in front ' +
      'of the gateway is misconfigured (see gateway-tls).',
  },
  proxyInterferes: {
    status: 'fail',
    text: (d: Where) => `${d.name} unreachable: ${d.message}`,
    fix:
      "A proxy from HTTP_PROXY/HTTPS_PROXY is in the way. Add the gateway host to NO_PROXY (in GitLab's environment, " +
      "e.g. gitlab_rails['env'] in gitlab.rb, and here), or allow the gateway on the proxy.",
  },
} satisfies Messages;

type Finding = FindingOf<typeof messages>;

const FAILURE_ID: Record<
  Exclude<ReachVerdict, 'ok'>,
  'invalidUrl' | 'dnsFailed' | 'refused' | 'timedOut' | 'noRoute' | 'reset' | 'tlsFailed' | 'proxyInterferes'
> = {
  'invalid-url': 'invalidUrl',
  dns: 'dnsFailed',
  refused: 'refused',
  timeout: 'timedOut',
  unreachable: 'noRoute',
  reset: 'reset',
  tls: 'tlsFailed',
  proxy: 'proxyInterferes',
};

/** Proxies and security gateways that sign their own error pages in Server. */
const PROXY_SERVER =
  /squid|privoxy|tinyproxy|zscaler|bluecoat|proxysg|mcafee|skyhigh|forcepoint|websense|fortigate|netskope|polipo|ccproxy|apache traffic server/i;

/** Whether an answer carries a proxy's signature (a Via header, a proxy product in Server). */
function signedByProxy(s: ExchangeSummary): boolean {
  // Stryker disable next-line StringLiteral: no proxy product is named by any other string either
  return Boolean(s.proxyHeaders) || PROXY_SERVER.test(s.server ?? '');
}

/**
 * Compares the proxied answer with the direct one. Interference when: the proxy refuses or fails (tunnel refused,
 * proxy down, 407); the proxy's answer differs in status from the host's own; or the host is not reachable directly
 * and the proxy answers with a 5xx carrying its own signature (its error page, not the host's). Undefined = none.
 */
export function proxyInterference(via: ExchangeSummary, direct: ExchangeSummary, proxy: string): string | undefined {
  if (!via.ok) {
    if (via.failureKind === 'proxy') return via.failure;
    if (direct.ok) return `through proxy ${proxy}: ${via.failure}; directly the host answers HTTP ${direct.status}`;
    return undefined;
  }
  const signature = [via.server ? `Server: ${via.server}` : '', ...Object.entries(via.proxyHeaders ?? {}).map(([k, v]) => `${k}: ${v}`)]
    .filter(Boolean)
    .join(', ');
  const signed = signature ? ` (${signature})` : '';
  if (via.status === 407) return `proxy ${proxy} demands authentication (HTTP 407 Proxy Authentication Required)${signed}`;
  if (direct.ok && direct.status !== via.status)
    return `through proxy ${proxy} the answer is HTTP ${via.status}${signed}, but the host itself answers HTTP ${direct.status}`;
  if (!direct.ok && (via.status ?? 0) >= 500 && signedByProxy(via))
    return `proxy ${proxy} answered with its own error page: HTTP ${via.status}${signed}`;
  return undefined;
}

/** The verdict for a failed direct phase. */
function phaseVerdict(code: string | undefined, tls: boolean): ReachVerdict {
  if (tls) return code === 'ETIMEDOUT' ? 'timeout' : 'tls';
  const kind = code ? kindOfCode(code) : undefined;
  return kind === 'refused' || kind === 'timeout' || kind === 'reset' ? kind : 'unreachable';
}

/** One line for a verdict reached on the direct path. */
function directMessage(f: ReachFacts, verdict: ReachVerdict): string {
  const where = `${f.host}:${f.port}`;
  switch (verdict) {
    case 'invalid-url':
      return `not an http(s) URL: ${f.url}`;
    case 'dns':
      return `${f.host} does not resolve (${f.dns.code ?? 'DNS failure'})`;
    // Stryker disable OptionalChaining: a refused, unreachable or tls verdict comes from that phase, so it is there
    case 'refused':
      return `${where} refused the connection: nothing listens on that port (${f.tcp?.address ?? f.host})`;
    case 'timeout':
      return f.tls && !f.tls.ok
        ? `${where} accepted TCP, but the TLS handshake got no answer within ${f.timeoutMs} ms (--timeout)`
        : `${where} did not answer the TCP connect within ${f.timeoutMs} ms (--timeout): a firewall dropping packets, or a wrong host/port`;
    case 'unreachable':
      return `${where} is unreachable (${f.tcp?.code ?? 'no route'})`;
    case 'reset':
      return `${where} reset the connection`;
    case 'tls':
      return f.tls?.message ?? `${where} reachable over TCP, but the TLS handshake failed (${f.tls?.code ?? 'unknown'})`;
    // Stryker restore OptionalChaining
    default:
      return f.secure ? `${where} reachable; TLS handshake succeeded` : `${where} reachable over TCP`;
  }
}

/** Pure: the verdict the phases and the proxy comparison give, and the line that says what it means. */
export function verdictOf(f: ReachFacts): { verdict: ReachVerdict; message: string } {
  let verdict: ReachVerdict = 'ok';
  if (f.invalidUrl) verdict = 'invalid-url';
  else if (!f.dns.ok) verdict = 'dns';
  else if (f.tcp && !f.tcp.ok) verdict = phaseVerdict(f.tcp.code, false);
  else if (f.tls && !f.tls.ok) verdict = phaseVerdict(f.tls.code, true);
  if (!f.viaProxy || !f.direct || !f.proxyLabel) return { verdict, message: directMessage(f, verdict) };
  const interference = proxyInterference(f.viaProxy, f.direct, f.proxyLabel);
  if (interference) return { verdict: 'proxy', message: interference };
  if (f.viaProxy.ok) {
    const note = verdict === 'ok' ? '' : ` (directly: ${directMessage(f, verdict)})`;
    return { verdict: 'ok', message: `reachable through proxy ${f.proxyLabel} (HTTP ${f.viaProxy.status})${note}` };
  }
  return { verdict, message: `${directMessage(f, verdict)}; through proxy ${f.proxyLabel}: ${f.viaProxy.failure}` };
}

/** The lines listing each phase's timing and the proxy decision. */
export function phaseLines(f: ReachFacts): string[] {
  const lines: string[] = [];
  lines.push(
    f.dns.ok
      ? `DNS: ${f.host} → ${f.dns.addresses.join(', ')} (${f.dns.ms} ms)`
      : `DNS: ${f.dns.message ?? `${f.host} did not resolve`} (${f.dns.ms} ms)`,
  );
  if (f.tcp)
    lines.push(
      `TCP connect to ${f.tcp.address ?? f.host}:${f.port}: ${f.tcp.ok ? 'connected' : `failed (${f.tcp.code ?? 'error'})`} (${f.tcp.ms} ms)`,
    );
  if (f.tls)
    lines.push(`TLS handshake: ${f.tls.ok ? `trusted${f.tls.protocol ? `, ${f.tls.protocol}` : ''}` : (f.tls.message ?? 'failed')} (${f.tls.ms} ms)`);
  const vars = Object.entries(f.proxy.variables).map(([k, v]) => `${k}=${v}`);
  lines.push(vars.length ? `Proxy variables: ${vars.join(' ')}` : 'Proxy variables: none set');
  if (f.proxy.proxy) lines.push(`Proxy in effect for ${f.host}: ${f.proxy.variable} (NO_PROXY does not cover ${f.host})`);
  else if (f.proxy.bypassedBy) lines.push(`NO_PROXY entry "${f.proxy.bypassedBy}" covers ${f.host}: connections go direct`);
  if (f.viaProxy) lines.push(`Through the proxy: ${f.viaProxy.ok ? `HTTP ${f.viaProxy.status}` : f.viaProxy.failure} (${f.viaProxy.ms} ms)`);
  if (f.direct && f.viaProxy) lines.push(`Directly: ${f.direct.ok ? `HTTP ${f.direct.status}` : f.direct.failure} (${f.direct.ms} ms)`);
  return lines;
}

/** Pure: the reach facts judged, worded like the rake task's transport-level lines. */
function judgeFacts(facts: Facts): Judgement<typeof messages> {
  const f = facts.reach;
  if (facts.gitlabsOwnHost) return { findings: [{ id: 'gitlabsOwnHost', data: { url: facts.gitlabsOwnHost } }] };
  if (!f) return { findings: [{ id: 'noUrl', data: { why: facts.noUrl ?? 'none given' } }] };
  // An unparsable URL has no host or port to name, and no phase ran.
  const name = f.invalidUrl ? 'AI Gateway' : `AI Gateway (${f.host}:${f.port})`;
  const { verdict, message } = verdictOf(f);
  const evidence = {
    verdict,
    addresses: f.dns.addresses,
    dnsMs: f.dns.ms,
    ...(f.tcp ? { tcpMs: f.tcp.ms } : {}),
    ...(f.tls ? { tlsMs: f.tls.ms, tlsCode: f.tls.code } : {}),
    proxy: f.proxy.variable ?? null,
    noProxyMatch: f.proxy.bypassedBy ?? null,
  };
  const details = f.invalidUrl ? [] : phaseLines(f);
  let finding: Finding;
  const tlsClass = classifyTlsFailure(f.tls?.code);
  if (verdict === 'ok')
    finding = { id: 'reachable', data: { name, how: f.viaProxy ? message : f.secure ? 'reachable; TLS certificate trusted' : 'reachable over TCP' } };
  else if (verdict === 'tls' && isCertificateProblem(tlsClass))
    // Stryker disable next-line OptionalChaining,StringLiteral: a certificate class comes from a TLS phase's code
    finding = { id: 'certificateProblem', data: { name, code: f.tls?.code ?? '', untrusted: tlsClass === 'untrusted' } };
  else finding = { id: FAILURE_ID[verdict], data: { name, message } };
  return { findings: [finding], details, evidence };
}

/** Pure: the judgement, its details opening with the URL exercised when GitLab uses another. */
export const judge = namingTarget(judgeFacts);

// Stryker disable all: gather does I/O (probes); the integration tier tests it, mutating it here only measures the unit tier's blind spot
/** Gathers: the gateway URL (given, or GitLab's setting), then the memoised reach probe of its host. */
export function gather(ctx: CheckContext): Promise<Facts> {
  return withGatewayTarget(ctx, gatherFacts(ctx));
}

async function gatherFacts(ctx: CheckContext): Promise<Facts> {
  const { url, detail, source } = await resolveGatewayUrl(ctx);
  if (!url) return { noUrl: detail ?? "none given (--gateway-url, AI_GATEWAY_URL, or GitLab's own setting)" };
  // "localhost" in GitLab's setting is GitLab's machine; probing it here would judge this one (unless GitLab is local too).
  if (source === 'gitlab' && isLoopbackHost(hostnameOf(url)) && !isLoopbackHost(hostnameOf(ctx.settings.gitlabUrl ?? '')))
    return { gitlabsOwnHost: redactUrl(url) };
  return { reach: await reach(ctx, url) };
}

// Stryker restore all
export default defineCheck({
  id: 'gateway-reachable',
  title: 'The AI gateway is reachable over TCP (and TLS)',
  category: 'network',
  tags: ['ci', 'oncall', 'pre-upgrade'],
  // Not on gateway-url: a gateway URL that is known (given) is probed whatever GitLab says.
  needs: ['gateway'],
  explain: {
    checks:
      'Resolves the gateway host (every address), connects over TCP, completes the TLS handshake for https (trusting the system ' +
      'roots plus --ca-file), each timed; reads HTTP_PROXY/HTTPS_PROXY/ALL_PROXY/NO_PROXY as curl does and, when a proxy applies, ' +
      'compares a GET through the proxy with a direct one.',
    failsWhen:
      'DNS does not resolve the host; the port refuses (nothing listens); the connect or the TLS handshake times out (a firewall ' +
      'dropping packets, or something that is not the gateway); there is no route; the TLS handshake fails; or a proxy in the way ' +
      'refuses the gateway, demands authentication, or answers with its own error page. A certificate problem (untrusted, expired, ' +
      'wrong host) is a warning (the tls checks judge the chain).',
    fix: 'Start the gateway and publish its port (5052), open the firewall from GitLab to it, fix DNS, or add the gateway host to NO_PROXY.',
  },
  messages,
  gather,
  judge,
});
