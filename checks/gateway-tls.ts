// gateway-tls: the chain an https AI gateway (its NGINX/Caddy front) serves, judged as GitLab would trust it.
import { defineCheck, type Judgement, type Messages } from '../src/check.js';
import { certLabel } from '../src/pki/certificate.js';
import { namingTarget, type TargetFacts } from '../src/judge/gateway-target.js';
import { resolveGatewayUrl, withGatewayTarget } from '../src/probes/gitlab-api.js';
import { clientTrust } from '../src/probes/trust.js';
import { describeTrust, endpointMessages, judgeEndpoint, type EndpointFacts } from '../src/judge/tls-endpoint.js';
import { endpointFacts, trustFacts } from '../src/tls/endpoint-facts.js';
import type { FindingOf } from '../src/check.js';

const SERVER = 'The AI gateway';

export const messages = {
  ...endpointMessages('gitlab'),
  selfSignedTrusted: {
    status: 'pass',
    text: (d: { endpoint: string; certificate: string; trust: string }) =>
      `${SERVER} at ${d.endpoint} presents the self-signed certificate ${d.certificate}, which ${d.trust} holds: GitLab trusts it as given, as gateway-reachable does`,
  },
  noGatewayUrl: { status: 'skip', text: (d: { detail: string }) => d.detail },
} satisfies Messages;

/** The endpoint facts, or why there is no gateway URL to judge. */
export type Facts = (EndpointFacts | { noUrl: string }) & TargetFacts;

function judgeFacts(facts: Facts): Judgement<typeof messages> {
  if ('noUrl' in facts) return { findings: [{ id: 'noGatewayUrl', data: { detail: facts.noUrl } }] };
  const j = judgeEndpoint(facts, SERVER, 'gitlab');
  // A self-signed certificate the user trusts explicitly (--ca-file, as GitLab's trusted-certs) is trusted: OpenSSL accepts a
  // self-signed leaf that is itself in the trust store.
  const findings = j.findings.map((f): FindingOf<typeof messages> => {
    if (f.id !== 'selfSignedLeaf' || !f.data.verdict.anchored || !facts.handshake || !facts.trust) return f;
    const certificate = f.data.verdict.certificate ? certLabel(f.data.verdict.certificate) : 'its certificate';
    return {
      id: 'selfSignedTrusted',
      data: { endpoint: `${facts.handshake.host}:${facts.handshake.port}`, certificate, trust: describeTrust(facts.trust) },
    };
  });
  return { findings, details: j.details, ...(j.evidence ? { evidence: j.evidence } : {}) };
}

/** Pure: the judgement, its details opening with the URL exercised when GitLab uses another. */
export const judge = namingTarget(judgeFacts);

export default defineCheck({
  id: 'gateway-tls',
  title: "The AI gateway's certificate chain, as GitLab trusts it",
  category: 'tls',
  tags: ['ci', 'oncall', 'pre-upgrade', 'security'],
  needs: ['gateway'],
  explain: {
    checks:
      'For an https gateway URL (the install guide puts NGINX or Caddy in front of the gateway for TLS): one TLS handshake, and the chain ' +
      "sent judged against what GitLab trusts — the system roots plus --ca-file (GitLab's /etc/gitlab/trusted-certs). The same verdicts " +
      'as gitlab-tls: self-signed leaf, untrusted private CA, missing intermediate, expiry of every certificate, host name, weak signature or key. ' +
      'A self-signed certificate given with --ca-file is trusted, as GitLab trusts one in its trusted-certs.',
    failsWhen:
      'The front serves a self-signed certificate nobody trusts, a chain whose root GitLab does not trust, a leaf without its intermediate (nginx ' +
      'ssl_certificate pointing at cert.pem instead of fullchain.pem), an expired or not-yet-valid certificate, or one that does not name ' +
      'the gateway host. Warns on expiry within --expiry-warn-days, SHA-1 and small RSA keys. Skips for an http:// gateway URL.',
    fix:
      'Serve fullchain.pem from the front; give GitLab the private root (copy it to /etc/gitlab/trusted-certs/, then sudo gitlab-ctl ' +
      'reconfigure) and pass it here with --ca-file; renew or reissue the certificate with the gateway host in its subjectAltName.',
  },
  messages,
  // Stryker disable all: gather does I/O (probes); the integration tier tests it, mutating it here only measures the unit tier's blind spot
  gather(ctx): Promise<Facts> {
    const facts = async (): Promise<Facts> => {
      const resolved = await resolveGatewayUrl(ctx);
      if (!resolved.url) return { noUrl: resolved.detail ?? 'no AI gateway URL to judge' };
      return endpointFacts(ctx, resolved.url, async () => trustFacts(await clientTrust(ctx), true));
    };
    return withGatewayTarget(ctx, facts());
  },
  // Stryker restore all
  judge,
});
