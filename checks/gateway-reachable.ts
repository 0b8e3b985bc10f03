// gateway-reachable: TCP (and TLS) to the AI gateway, with DNS/connect/TLS timings and the proxy variables in effect.
import { defineCheck } from '../src/check.js';
import type { CheckOutcome } from '../src/model.js';
import { resolveGatewayUrl } from '../src/probes/gitlab-api.js';
import { reach, type ReachFacts, type ReachVerdict } from '../src/probes/reach.js';

/** The fix for each way the gateway can be unreachable. */
const FIXES: Record<Exclude<ReachVerdict, 'ok'>, string> = {
  'invalid-url': 'Fix the AI gateway URL (see gateway-url).',
  dns:
    'The gateway host name does not resolve. Check its spelling in the AI gateway URL and the DNS of this machine and of GitLab ' +
    '(GitLab must resolve it too; in Docker/Kubernetes use a name the GitLab container or pod can resolve).',
  refused:
    'Nothing listens on that port. Start the gateway (`docker ps`, `kubectl get pods`), check the port (5052 by default, ' +
    'published with -p 5052:5052), and make it listen on 0.0.0.0 rather than 127.0.0.1 inside its container.',
  timeout:
    'No answer to the connect: a firewall or security group is dropping the traffic, or the host/port is wrong. ' +
    'Allow TCP from GitLab to the gateway port (5052 by default).',
  unreachable: 'No route to the gateway host: check the network between this machine (and GitLab) and the gateway.',
  reset: 'The connection is reset: a firewall, load balancer or proxy in front of the gateway is refusing it; check its rules.',
  tls:
    'The TLS handshake failed: the URL says https but the port may serve plain http (use http://), or the TLS proxy in front ' +
    'of the gateway is misconfigured (see gateway-tls).',
  proxy:
    'A proxy from HTTP_PROXY/HTTPS_PROXY is in the way. Add the gateway host to NO_PROXY (in GitLab\'s environment, ' +
    "e.g. gitlab_rails['env'] in gitlab.rb, and here), or allow the gateway on the proxy.",
};

/** TLS errors about trust (as opposed to the handshake itself): the rake task warns on these rather than failing. */
const TRUST_CODE = /^(CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|ERR_TLS_CERT_ALTNAME_INVALID$)/;

/** The lines listing each phase's timing and the proxy decision. */
export function phaseLines(f: ReachFacts): string[] {
  const lines: string[] = [];
  lines.push(
    f.dns.ok
      ? `DNS: ${f.host} → ${f.dns.addresses.join(', ')} (${f.dns.ms} ms)`
      : `DNS: ${f.dns.message ?? `${f.host} did not resolve`} (${f.dns.ms} ms)`,
  );
  if (f.tcp) lines.push(`TCP connect to ${f.tcp.address ?? f.host}:${f.port}: ${f.tcp.ok ? 'connected' : `failed (${f.tcp.code ?? 'error'})`} (${f.tcp.ms} ms)`);
  if (f.tls) {
    lines.push(`TLS handshake: ${f.tls.ok ? `trusted${f.tls.protocol ? `, ${f.tls.protocol}` : ''}` : (f.tls.message ?? 'failed')} (${f.tls.ms} ms)`);
  }
  const vars = Object.entries(f.proxy.variables).map(([k, v]) => `${k}=${v}`);
  lines.push(vars.length ? `Proxy variables: ${vars.join(' ')}` : 'Proxy variables: none set');
  if (f.proxy.proxy) lines.push(`Proxy in effect for ${f.host}: ${f.proxy.variable} (NO_PROXY does not cover ${f.host})`);
  else if (f.proxy.bypassedBy) lines.push(`NO_PROXY entry "${f.proxy.bypassedBy}" covers ${f.host}: connections go direct`);
  if (f.viaProxy) lines.push(`Through the proxy: ${f.viaProxy.ok ? `HTTP ${f.viaProxy.status}` : f.viaProxy.failure} (${f.viaProxy.ms} ms)`);
  if (f.direct && f.viaProxy) lines.push(`Directly: ${f.direct.ok ? `HTTP ${f.direct.status}` : f.direct.failure} (${f.direct.ms} ms)`);
  return lines;
}

/** The outcome for reach facts, worded like the rake task's transport-level lines. */
export function judgeReach(f: ReachFacts): CheckOutcome {
  const name = `AI Gateway (${f.host}:${f.port})`;
  const evidence = {
    verdict: f.verdict,
    addresses: f.dns.addresses,
    dnsMs: f.dns.ms,
    ...(f.tcp ? { tcpMs: f.tcp.ms } : {}),
    ...(f.tls ? { tlsMs: f.tls.ms, tlsCode: f.tls.code } : {}),
    proxy: f.proxy.variable ?? null,
    noProxyMatch: f.proxy.bypassedBy ?? null,
  };
  const details = phaseLines(f);
  if (f.verdict === 'ok') {
    const how = f.secure ? 'reachable; TLS certificate trusted' : 'reachable over TCP';
    return { status: 'pass', summary: f.viaProxy ? `${name} ${f.message}` : `${name} ${how}`, details, evidence };
  }
  if (f.verdict === 'tls' && TRUST_CODE.test(f.tls?.code ?? '')) {
    return {
      status: 'warn',
      summary: `${name} reachable, but TLS certificate is NOT trusted (${f.tls?.code})`,
      details,
      remediation:
        'If the gateway uses a private CA, pass it with --ca-file and make sure GitLab trusts it too (/etc/gitlab/trusted-certs, ' +
        'then gitlab-ctl reconfigure). A TLS-inspecting proxy re-signs traffic: add the gateway host to NO_PROXY. The gateway-tls check shows the chain.',
      evidence,
    };
  }
  return { status: 'fail', summary: `${name} unreachable: ${f.message}`, details, remediation: FIXES[f.verdict], evidence };
}

export default defineCheck({
  id: 'gateway-reachable',
  title: 'The AI gateway is reachable over TCP (and TLS)',
  category: 'network',
  tags: ['ci', 'oncall', 'pre-upgrade'],
  dependsOn: ['gateway-url'],
  needs: ['gateway'],
  explain: {
    checks:
      'Resolves the gateway host (every address), connects over TCP, completes the TLS handshake for https (trusting the system ' +
      'roots plus --ca-file), each timed; reads HTTP_PROXY/HTTPS_PROXY/ALL_PROXY/NO_PROXY as curl does and, when a proxy applies, ' +
      'compares a GET through the proxy with a direct one.',
    failsWhen:
      'DNS does not resolve the host; the port refuses (nothing listens); the connect times out (a firewall dropping packets); ' +
      'there is no route; the TLS handshake fails; or a proxy in the way refuses the gateway, demands authentication, or answers ' +
      'with its own error page. An untrusted TLS certificate is a warning (the tls checks judge the chain).',
    fix: 'Start the gateway and publish its port (5052), open the firewall from GitLab to it, fix DNS, or add the gateway host to NO_PROXY.',
  },
  async run(ctx) {
    const { url } = await resolveGatewayUrl(ctx);
    if (!url) return { status: 'skip', summary: 'No AI gateway URL (see gateway-url)' };
    return judgeReach(await reach(ctx, url));
  },
});
