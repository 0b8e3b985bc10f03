// Turns a handshake and the judge's verdicts into a check outcome, with fixes worded for the side that must trust the server.
import { isIP } from 'node:net';
import { combineFindings, type Finding } from '../findings.js';
import type { CheckOutcome } from '../model.js';
import type { TlsFacts } from '../probes/tls.js';
import { describeTrustSource, type Trust } from '../probes/trust.js';
import { certLabel, parseCertificates, systemRootStore } from './certificate.js';
import { formatEndpoint } from './endpoint.js';
import { judgeChain, type Verdict } from './judge.js';

/** Who trusts whom: `gateway` = the AI gateway connecting to GitLab; `gitlab` = GitLab connecting to the gateway. */
export type TrustingClient = 'gateway' | 'gitlab';

/** What tlsOutcome needs besides the facts. */
export interface TlsJudgeOptions {
  client: TrustingClient;
  /** The server, as messages name it: "GitLab", "The AI gateway". */
  serverName: string;
  now: Date;
  expiryWarnDays: number;
  /** PEMs known from elsewhere (duo-doctor's --ca-file beside the gateway's bundle): see JudgeInput.known. */
  known?: { where: string; certificates: readonly string[] };
}

const HELM_WORKAROUND =
  'With the Helm chart, custom CA certificates are not supported: use the workaround in ai-gateway-helm-chart issue 3 ' +
  '(https://gitlab.com/gitlab-org/charts/ai-gateway-helm-chart/-/issues/3#workaround).';
const SELF_SIGNED_ISSUE = 'https://gitlab.com/gitlab-org/modelops/applied-ml/code-suggestions/ai-assist/-/issues/799';

/** Where the trusting side keeps the roots it trusts, and how to add one there. */
function addRoot(client: TrustingClient, root: string): string {
  return client === 'gateway'
    ? `Add ${root} to the CA bundle named by both SSL_CERT_FILE and REQUESTS_CA_BUNDLE in the gateway's environment ` +
        '(e.g. -v /srv/certs/ca-bundle.pem:/certs/ca-bundle.pem:ro -e SSL_CERT_FILE=/certs/ca-bundle.pem ' +
        `-e REQUESTS_CA_BUNDLE=/certs/ca-bundle.pem). ${HELM_WORKAROUND}`
    : `Add ${root} to GitLab's trusted certificates (copy it to /etc/gitlab/trusted-certs/ and run sudo gitlab-ctl reconfigure), ` +
        'and give it to duo-doctor with --ca-file.';
}

function rootToAdd(v: Verdict): string {
  return v.certificate
    ? `the root CA ${certLabel(v.certificate)}`
    : `the root CA behind "${v.issuer ?? '?'}" (the server does not send it: get it from that CA's administrator)`;
}

/** The exact fix for one verdict, worded for the side that must trust the server. */
function fixFor(v: Verdict, client: TrustingClient, trust: Trust): string | undefined {
  const name = v.certificate ? certLabel(v.certificate) : 'the certificate';
  switch (v.id) {
    case 'self-signed-leaf':
      return client === 'gateway'
        ? `The AI gateway does not support a self-signed GitLab certificate (ai-assist issue 799: ${SELF_SIGNED_ISSUE}). ` +
            "Issue GitLab's certificate from a private CA instead, and give that CA's root to the gateway in both SSL_CERT_FILE and REQUESTS_CA_BUNDLE."
        : "Replace the self-signed certificate on the gateway's TLS front with one issued by a CA GitLab trusts (a public CA, " +
            'or a private CA whose root is in /etc/gitlab/trusted-certs/, then sudo gitlab-ctl reconfigure).';
    case 'untrusted-root':
      if (v.publicRoot && trust.source.kind !== 'system') {
        return `${describeTrustSource(trust.source)} replaces the system roots and lacks ${rootToAdd(v)}: append the system roots to it ` +
          '(cat /etc/ssl/certs/ca-certificates.crt >> BUNDLE) so it holds public CAs as well as your private one.';
      }
      return addRoot(client, rootToAdd(v));
    case 'missing-intermediate': {
      const which = v.issuer ? ` "${v.issuer}"` : '';
      return `Serve the full chain: the server must send its certificate followed by the intermediate${which} ` +
        '(nginx: ssl_certificate must name fullchain.pem, not cert.pem; GitLab Omnibus: append the intermediate to ' +
        '/etc/gitlab/ssl/<host>.crt and run sudo gitlab-ctl hup nginx).';
    }
    case 'expired':
      return `Renew ${name} (a CA: replace it in the served chain and the trust store) and reload the server that presents it.`;
    case 'not-yet-valid':
      return `${name} is not valid before ${v.date ?? '?'}: check the clocks of the issuing machine and of this one, or reissue it with a start date in the past.`;
    case 'expiring':
      return `Renew ${name} before ${v.date ?? 'it expires'}.`;
    case 'hostname-mismatch': {
      const san = v.host && isIP(v.host) ? `IP:${v.host}` : `DNS:${v.host ?? '?'}`;
      return `Reissue the certificate with a subjectAltName that includes ${san} (or use a URL whose host the certificate covers).`;
    }
    case 'weak-signature':
      return `Reissue ${name} signed with SHA-256: OpenSSL at security level 2 (the default on Debian and Ubuntu, so likely in the gateway's image) rejects SHA-1 signatures ("ca md too weak").`;
    case 'weak-key':
      return `Reissue ${name} with an RSA key of 2048 bits or more: OpenSSL at security level 2 rejects smaller keys ("ee key too small").`;
    case 'no-certificate':
      return 'Configure the server with a certificate and its chain (nginx: ssl_certificate and ssl_certificate_key).';
    case 'trusted':
      return undefined;
  }
}

/** The fix when no handshake completed. */
function failureFix(facts: TlsFacts, serverName: string): string {
  const endpoint = formatEndpoint(facts);
  switch (facts.failure?.kind) {
    case 'refused':
      return `Check the URL's port and that ${serverName} listens on ${endpoint}.`;
    case 'dns':
      return 'Check the host name in the URL and DNS resolution from here.';
    case 'unreachable':
    case 'timeout':
      return `Check the network path (firewall, proxy, security groups) from here to ${endpoint}.`;
    case 'not-tls':
      return `${endpoint} speaks plain HTTP: use http:// in the URL, or enable TLS on the server (nginx: listen 443 ssl).`;
    default:
      return 'Check the server\'s TLS configuration: TLSv1.2/TLSv1.3 and common ciphers (the install guide\'s nginx uses ' +
        'ssl_protocols TLSv1.2 TLSv1.3; ssl_ciphers HIGH:!aNULL:!MD5).';
  }
}

/** Evidence for reporters: the chain as sent (these field names are read by the Prometheus reporter) and the trust used. */
function evidenceOf(facts: TlsFacts, trust: Trust, verdicts?: readonly Verdict[]) {
  return {
    endpoint: formatEndpoint(facts),
    ...(facts.protocol ? { protocol: facts.protocol } : {}),
    ...(facts.cipher ? { cipher: facts.cipher } : {}),
    handshakeMs: facts.handshakeMs,
    trust: { source: trust.source.kind, ...(trust.source.file ? { file: trust.source.file } : {}), certificates: trust.ca.length },
    chain: facts.chain.map((c) => ({ subject: c.subject, issuer: c.issuer, san: c.san, notAfter: c.notAfter, fingerprint256: c.fingerprint256 })),
    ...(verdicts ? { verdicts: verdicts.map((v) => v.id) } : {}),
  };
}

/** How the trust source reads in details: the client side adds the system roots to --ca-file. */
function trustLine(trust: Trust, client: TrustingClient): string {
  const source = client === 'gitlab' && trust.source.kind === '--ca-file'
    ? `the system roots plus ${describeTrustSource(trust.source)}`
    : describeTrustSource(trust.source);
  const who = client === 'gateway' ? 'the gateway' : 'GitLab';
  const stand = client === 'gateway' && trust.source.kind === '--ca-file'
    ? '; SSL_CERT_FILE and REQUESTS_CA_BUNDLE are not set in the environment read, so --ca-file stands for the gateway\'s bundle: give the gateway that file in both'
    : '';
  return `trust: as ${who} would, ${source} (${trust.ca.length} certificates)${stand}`;
}

/** The check outcome for one endpoint: the handshake failure, or every verdict on its chain with the fixes. */
export function tlsOutcome(facts: TlsFacts, trust: Trust, options: TlsJudgeOptions): CheckOutcome {
  const trustDetails = [trustLine(trust, options.client), ...trust.problems.map((p) => `trust problem: ${p}`)];
  if (!facts.ok) {
    return {
      status: 'fail',
      summary: facts.failure?.message ?? `no TLS handshake with ${formatEndpoint(facts)}`,
      details: trustDetails,
      remediation: failureFix(facts, options.serverName),
      evidence: evidenceOf(facts, trust),
    };
  }
  const judgement = judgeChain({
    chain: parseCertificates(facts.chain.map((c) => c.pem)),
    trust: parseCertificates(trust.ca),
    systemRoots: systemRootStore(),
    host: facts.host,
    now: options.now,
    expiryWarnDays: options.expiryWarnDays,
    ...(options.known ? { known: { where: options.known.where, certificates: parseCertificates(options.known.certificates) } } : {}),
  });
  const { verdicts } = judgement;
  const trusted = verdicts.find((v) => v.id === 'trusted');
  const anchor = trusted?.certificate ? certLabel(trusted.certificate) : 'a trusted root';
  const findings: Finding[] = verdicts.flatMap((v) => {
    if (v.severity === 'pass') return [];
    const fix = fixFor(v, options.client, trust);
    return [{ status: v.severity, summary: `${options.serverName}: ${v.message}`, ...(fix ? { fix } : {}) }];
  });
  const sent = facts.chain.map((c) => c.subjectCN ?? c.subject).join(' → ');
  return combineFindings(
    findings,
    `${options.serverName} at ${formatEndpoint(facts)} presents a valid chain to ${anchor}; it expires ${facts.chain[0]?.notAfter ?? '?'}`,
    [
      ...verdicts.filter((v) => v.severity === 'pass').map((v) => `ok: ${v.message}`),
      `handshake: ${facts.protocol ?? '?'} ${facts.cipher ?? ''} in ${facts.handshakeMs} ms; the server sent ${facts.chain.length} certificate(s): ${sent}`,
      ...trustDetails,
    ],
    evidenceOf(facts, trust, verdicts),
  );
}
