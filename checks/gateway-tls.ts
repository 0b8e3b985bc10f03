// gateway-tls: the chain an https AI gateway (its NGINX/Caddy front) serves, judged as GitLab would trust it.
import { defineCheck } from '../src/check.js';
import { resolveGatewayUrl } from '../src/probes/gitlab-api.js';
import { clientTrust } from '../src/probes/trust.js';
import { judgeTlsEndpoint } from '../src/tls/check-endpoint.js';

export default defineCheck({
  id: 'gateway-tls',
  title: "The AI gateway's certificate chain, as GitLab trusts it",
  category: 'tls',
  tags: ['ci', 'oncall', 'pre-upgrade', 'security'],
  needs: ['gateway'],
  explain: {
    checks:
      'For an https gateway URL (the install guide puts NGINX or Caddy in front of the gateway for TLS): one TLS handshake, and the chain ' +
      'sent judged against what GitLab trusts — the system roots plus --ca-file (GitLab\'s /etc/gitlab/trusted-certs). The same verdicts ' +
      'as gitlab-tls: self-signed leaf, untrusted private CA, missing intermediate, expiry of every certificate, host name, weak signature or key.',
    failsWhen:
      'The front serves a self-signed certificate, a chain whose root GitLab does not trust, a leaf without its intermediate (nginx ' +
      'ssl_certificate pointing at cert.pem instead of fullchain.pem), an expired or not-yet-valid certificate, or one that does not name ' +
      'the gateway host. Warns on expiry soon, SHA-1 and small RSA keys. Skips for an http:// gateway URL.',
    fix:
      'Serve fullchain.pem from the front; give GitLab the private root (copy it to /etc/gitlab/trusted-certs/, then sudo gitlab-ctl ' +
      'reconfigure) and pass it here with --ca-file; renew or reissue the certificate with the gateway host in its subjectAltName.',
  },
  async run(ctx) {
    const resolved = await resolveGatewayUrl(ctx);
    if (!resolved.url) return { status: 'skip', summary: resolved.detail ?? 'no AI gateway URL to judge' };
    return judgeTlsEndpoint(ctx, { url: resolved.url, serverName: 'The AI gateway', client: 'gitlab', trust: clientTrust });
  },
});
