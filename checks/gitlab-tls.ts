// gitlab-tls: the chain GitLab serves, judged as the AI gateway would trust it (its CA bundle variables, else system roots).
import { defineCheck } from '../src/check.js';
import { gatewayTrust } from '../src/probes/trust.js';
import { judgeTlsEndpoint } from '../src/tls/check-endpoint.js';

export default defineCheck({
  id: 'gitlab-tls',
  title: "GitLab's certificate chain, as the AI gateway trusts it",
  category: 'tls',
  tags: ['ci', 'oncall', 'pre-upgrade', 'security'],
  needs: ['gitlab'],
  explain: {
    checks:
      'One TLS handshake with the GitLab URL (no token needed); the chain GitLab sends is judged against the trust the gateway uses: ' +
      "the bundle named by REQUESTS_CA_BUNDLE, else SSL_CERT_FILE, else the system roots (--ca-file stands in only when the gateway's own " +
      'environment is not known; otherwise a root it holds is named as the one to add). Every verdict is reported ' +
      'together: self-signed leaf, private CA trusted or not, missing intermediate, expired / not yet valid / expiring within ' +
      '--expiry-warn-days (default 30) for every certificate, host name not in subjectAltName, SHA-1 signature or RSA key under 2048 bits.',
    failsWhen:
      'GitLab serves a self-signed certificate (the gateway does not support it: ai-assist issue 799), a chain whose root the bundle lacks ' +
      '(the gateway logs "[SSL: CERTIFICATE_VERIFY_FAILED] ... self-signed certificate in certificate chain"), a chain without its ' +
      'intermediate, an expired or not-yet-valid certificate, or a certificate that does not name the GitLab host. Warns on expiry soon, ' +
      'SHA-1 and small RSA keys. Skips for an http:// GitLab URL.',
    fix:
      'Use a certificate from a private CA and put its root in the bundle named by both SSL_CERT_FILE and REQUESTS_CA_BUNDLE (Helm chart: ' +
      'the workaround in ai-gateway-helm-chart issue 3); serve the full chain (nginx ssl_certificate = fullchain.pem); renew expired ' +
      'certificates; reissue with a subjectAltName that includes the host.',
  },
  run(ctx) {
    const url = ctx.settings.gitlabUrl as string; // needs: ['gitlab'] guarantees it
    return judgeTlsEndpoint(ctx, { url, serverName: 'GitLab', client: 'gateway', trust: gatewayTrust });
  },
});
