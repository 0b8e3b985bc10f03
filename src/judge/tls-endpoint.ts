// The verdict on one TLS endpoint, shared by gitlab-tls and gateway-tls: the handshake, then every chain verdict with its fix,
// worded for the side that must trust the server. Pure: facts (PEM strings, times as numbers) in, findings out.
import { plural } from '../plural.js';
import { isIP } from 'node:net';
import type { FindingOf, Message } from '../check.js';
import type { Evidence, ReportedEvidence } from '../model.js';
import { formatEndpoint, type Endpoint } from '../net/endpoint.js';
import { certLabel, systemRootStore } from '../pki/certificate.js';
import type { TlsFacts } from '../probes/tls.js';
import type { TrustSource } from '../probes/trust.js';
import { judgeChain, type Verdict, type VerdictId } from './tls-chain.js';
import { rootCertificates } from 'node:tls';

/** Who trusts whom: `gateway` = the AI gateway connecting to GitLab; `gitlab` = GitLab connecting to the gateway. */
export type TrustingClient = 'gateway' | 'gitlab';

/** The roots one side trusts, as recorded facts. */
export interface TrustFacts {
  source: TrustSource;
  /** PEMs beyond the system roots: the bundle's certificates, or --ca-file's. */
  certificates: string[];
  /** Whether Node's bundled public roots (the list certifi ships too) are part of this trust. */
  systemRoots: boolean;
  /** Unreadable file, bad blocks: each names the file. */
  problems: string[];
}

/** Everything the endpoint judge reads: the URL, its handshake, the trust, what else is known, and when. */
export interface EndpointFacts {
  /** The URL, redacted. */
  url: string;
  /** The URL's endpoint, or why it has none. */
  endpoint: Endpoint | { problem: string };
  /** Absent for a URL without an https endpoint. */
  handshake?: TlsFacts;
  trust?: TrustFacts;
  /** PEMs known from elsewhere (--ca-file beside the gateway's own bundle): a missing root among them is named. */
  known?: { where: string; certificates: string[] };
  /** Milliseconds since the epoch. */
  now: number;
  expiryWarnDays: number;
}

/** What a chain finding's text and fix are filled from. */
export interface ChainData {
  server: string;
  verdict: Verdict;
  /** "REQUESTS_CA_BUNDLE (/etc/ssl/ca.pem)": where the trusting side's roots come from. */
  trust: string;
  /** The trust is a bundle that replaces the system roots. */
  bundleOnly: boolean;
}

const HELM_WORKAROUND =
  'With the Helm chart, custom CA certificates are not supported: use the workaround in ai-gateway-helm-chart issue 3 ' +
  '(https://gitlab.com/gitlab-org/charts/ai-gateway-helm-chart/-/issues/3#workaround).';
export const SELF_SIGNED_ISSUE = 'https://gitlab.com/gitlab-org/modelops/applied-ml/code-suggestions/ai-assist/-/issues/799';

/** "REQUESTS_CA_BUNDLE (/etc/ssl/ca.pem)", "the system roots", …: how reports name a trust source. */
export function describeTrust(trust: Pick<TrustFacts, 'source' | 'systemRoots'>): string {
  const { source } = trust;
  if (source.kind === 'system') return "the system roots (Node's Mozilla list, as certifi ships it)";
  const named = `${source.kind} (${source.file ?? '?'})`;
  return trust.systemRoots ? `the system roots plus ${named}` : named;
}

function rootToAdd(v: Verdict): string {
  return v.certificate
    ? `the root CA ${certLabel(v.certificate)}`
    : `the root CA behind "${v.issuer ?? '?'}" (the server does not send it: get it from that CA's administrator)`;
}

/** Where the trusting side keeps the roots it trusts, and how to add one there. */
function addRoot(client: TrustingClient, root: string): string {
  return client === 'gateway'
    ? `Add ${root} to the CA bundle named by both SSL_CERT_FILE and REQUESTS_CA_BUNDLE in the gateway's environment ` +
        '(e.g. -v /srv/certs/ca-bundle.pem:/certs/ca-bundle.pem:ro -e SSL_CERT_FILE=/certs/ca-bundle.pem ' +
        `-e REQUESTS_CA_BUNDLE=/certs/ca-bundle.pem). ${HELM_WORKAROUND}`
    : `Add ${root} to GitLab's trusted certificates (copy it to /etc/gitlab/trusted-certs/ and run sudo gitlab-ctl reconfigure), ` +
        'and give it to duo-doctor with --ca-file.';
}

const name = (d: ChainData) => (d.verdict.certificate ? certLabel(d.verdict.certificate) : 'the certificate');
const text = (d: ChainData) => `${d.server}: ${d.verdict.message}`;

/** The message table of one endpoint check, its fixes worded for `client`. Ids are stable: reports and tests key on them. */
export function endpointMessages(client: TrustingClient) {
  const chain = (status: 'warn' | 'fail', fix: (d: ChainData) => string): Message<ChainData> => ({ status, text, fix });
  return {
    trusted: {
      status: 'pass',
      text: (d: { server: string; endpoint: string; anchor: string; expires: string }) =>
        `${d.server} at ${d.endpoint} presents a valid chain to ${d.anchor}; it expires ${d.expires}`,
    },
    plainHttp: {
      status: 'skip',
      text: (d: { server: string; url: string }) => `${d.server} is served over plain http (${d.url}): no certificate to judge`,
    },
    notProbed: {
      status: 'skip',
      text: (d: { server: string; url: string }) =>
        `${d.server} at ${d.url}: no TLS handshake or trust list was recorded, so there is no certificate to judge`,
    },
    badUrl: { status: 'skip', text: (d: { problem: string }) => d.problem },
    handshakeFailed: {
      status: 'fail',
      text: (d: { message: string }) => d.message,
      fix: (d: { kind?: string; endpoint: string; server: string }) => handshakeFix(d.kind, d.endpoint, d.server),
    },
    noCertificate: chain('fail', () => 'Configure the server with a certificate and its chain (nginx: ssl_certificate and ssl_certificate_key).'),
    selfSignedLeaf: chain('fail', () =>
      client === 'gateway'
        ? `The AI gateway does not support a self-signed GitLab certificate (ai-assist issue 799: ${SELF_SIGNED_ISSUE}). ` +
          "Issue GitLab's certificate from a private CA instead, and give that CA's root to the gateway in both SSL_CERT_FILE and REQUESTS_CA_BUNDLE."
        : "Replace the self-signed certificate on the gateway's TLS front with one issued by a CA GitLab trusts (a public CA, " +
          'or a private CA whose root is in /etc/gitlab/trusted-certs/, then sudo gitlab-ctl reconfigure) — or, to keep it, give GitLab ' +
          'that very certificate as trusted (/etc/gitlab/trusted-certs/) and duo-doctor too (--ca-file).',
    ),
    untrustedRoot: chain('fail', (d) =>
      d.verdict.publicRoot && d.bundleOnly
        ? `${d.trust} replaces the system roots and lacks ${rootToAdd(d.verdict)}: append the system roots to it ` +
          '(cat /etc/ssl/certs/ca-certificates.crt >> BUNDLE) so it holds public CAs as well as your private one.'
        : addRoot(client, rootToAdd(d.verdict)),
    ),
    missingIntermediate: chain('fail', (d) => serveFullChain(d.verdict)),
    intermediateNotSent: chain('warn', (d) => serveFullChain(d.verdict)),
    expired: chain(
      'fail',
      (d) => `Renew ${name(d)} (a CA: replace it in the served chain and the trust store) and reload the server that presents it.`,
    ),
    expiredUnused: chain('warn', (d) => `Remove the expired ${name(d)} from the chain the server sends (it is not needed for the path).`),
    notYetValid: chain(
      'fail',
      (d) =>
        `Check the clocks of the issuing machine and of this one (${name(d)} is not valid before ${d.verdict.date ?? '?'}), or reissue it with a start date in the past.`,
    ),
    notYetValidUnused: chain(
      'warn',
      (d) => `Remove ${name(d)} (not valid before ${d.verdict.date ?? '?'}) from the chain the server sends, or check the clocks.`,
    ),
    expiring: chain('warn', (d) => `Renew ${name(d)} before ${d.verdict.date ?? 'it expires'}.`),
    hostnameMismatch: chain('fail', (d) => {
      const host = d.verdict.host ?? '?';
      return `Reissue the certificate with a subjectAltName that includes ${isIP(host) ? `IP:${host}` : `DNS:${host}`} (or use a URL whose host the certificate covers).`;
    }),
    weakSignature: chain(
      'warn',
      (d) =>
        `Reissue ${name(d)} signed with SHA-256: OpenSSL at security level 2 (the default on Debian and Ubuntu, so likely in the gateway's image) rejects SHA-1 signatures ("ca md too weak").`,
    ),
    weakKey: chain(
      'warn',
      (d) => `Reissue ${name(d)} with an RSA key of 2048 bits or more: OpenSSL at security level 2 rejects smaller keys ("ee key too small").`,
    ),
  } satisfies Record<string, Message<never>>;
}

export type EndpointMessages = ReturnType<typeof endpointMessages>;
export type EndpointFinding = FindingOf<EndpointMessages>;

function serveFullChain(v: Verdict): string {
  const which = v.issuer ? ` "${v.issuer}"` : '';
  return (
    `Serve the full chain: the server must send its certificate followed by the intermediate${which} ` +
    '(nginx: ssl_certificate must name fullchain.pem, not cert.pem; GitLab Omnibus: append the intermediate to ' +
    '/etc/gitlab/ssl/<host>.crt and run sudo gitlab-ctl hup nginx).'
  );
}

/** The fix when no handshake completed, by how it failed. */
function handshakeFix(kind: string | undefined, endpoint: string, server: string): string {
  switch (kind) {
    case 'refused':
      return `Check the URL's port and that ${server} listens on ${endpoint}.`;
    case 'dns':
      return 'Check the host name in the URL and DNS resolution from here.';
    case 'unreachable':
    case 'timeout':
      return `Check the network path (firewall, proxy, security groups) from here to ${endpoint}.`;
    case 'not-tls':
      return `${endpoint} speaks plain HTTP: use http:// in the URL, or enable TLS on the server (nginx: listen 443 ssl).`;
    default:
      return (
        "Check the server's TLS configuration: TLSv1.2/TLSv1.3 and common ciphers (the install guide's nginx uses " +
        'ssl_protocols TLSv1.2 TLSv1.3; ssl_ciphers HIGH:!aNULL:!MD5).'
      );
  }
}

/** The chain verdict ids that are findings of their own (everything but `trusted`, which leads a pass). */
type ChainFindingId = Exclude<VerdictId, 'trusted'>;

/** What the endpoint judge returns: findings, the lines every reader should see, evidence, and the chain verdicts themselves. */
export interface EndpointJudgement {
  findings: EndpointFinding[];
  details: string[];
  evidence?: Evidence;
  /** The chain's verdicts (empty without a handshake): checks adjust findings from them. */
  verdicts: Verdict[];
}

/** The evidence: the chain as sent (a reported field: the Prometheus reporter exposes its expiries) and the trust used. */
function evidenceOf(h: TlsFacts, trust: TrustFacts | undefined): Evidence & Required<Pick<ReportedEvidence, 'chain'>> {
  return {
    endpoint: formatEndpoint(h),
    ...(h.protocol ? { protocol: h.protocol } : {}),
    ...(h.cipher ? { cipher: h.cipher } : {}),
    handshakeMs: h.handshakeMs,
    ...(trust
      ? {
          trust: {
            source: trust.source.kind,
            ...(trust.source.file ? { file: trust.source.file } : {}),
            certificates: trust.certificates.length + (trust.systemRoots ? rootCertificates.length : 0),
          },
        }
      : {}),
    chain: h.chain.map((c) => ({ subject: c.subject, issuer: c.issuer, san: c.san, notAfter: c.notAfter, fingerprint256: c.fingerprint256 })),
  };
}

/** Judges one endpoint for `client`: the URL, the handshake, then every chain verdict together. */
export function judgeEndpoint(facts: EndpointFacts, server: string, client: TrustingClient): EndpointJudgement {
  const { endpoint, handshake: h, trust } = facts;
  if ('problem' in endpoint) return { findings: [{ id: 'badUrl', data: { problem: endpoint.problem } }], details: [], verdicts: [] };
  if (endpoint.scheme === 'http') return { findings: [{ id: 'plainHttp', data: { server, url: facts.url } }], details: [], verdicts: [] };
  // Gather records both for an https endpoint; a recording made without them is not plain http.
  if (!h || !trust) return { findings: [{ id: 'notProbed', data: { server, url: facts.url } }], details: [], verdicts: [] };
  const who = client === 'gateway' ? 'the gateway' : 'GitLab';
  const trustLines = [
    `trust: as ${who} would, ${describeTrust(trust)} (${plural(trust.certificates.length + (trust.systemRoots ? rootCertificates.length : 0), 'certificate')})`,
    ...trust.problems.map((p) => `trust problem: ${p}`),
  ];
  const evidence = evidenceOf(h, trust);
  if (!h.ok) {
    const data = {
      message: h.failure?.message ?? `no TLS handshake with ${formatEndpoint(h)}`,
      endpoint: formatEndpoint(h),
      server,
      ...(h.failure ? { kind: h.failure.kind } : {}),
    };
    return { findings: [{ id: 'handshakeFailed', data }], details: trustLines, evidence, verdicts: [] };
  }
  const { verdicts } = judgeChain({
    chain: h.chain.map((c) => c.pem),
    trust: trust.systemRoots ? [...rootCertificates, ...trust.certificates] : trust.certificates,
    systemRoots: systemRootStore(),
    host: h.host,
    now: facts.now,
    expiryWarnDays: facts.expiryWarnDays,
    ...(facts.known ? { known: facts.known } : {}),
  });
  const context = { server, trust: describeTrust(trust), bundleOnly: !trust.systemRoots && trust.source.kind !== 'system' };
  const trusted = verdicts.find((v) => v.id === 'trusted');
  const findings: EndpointFinding[] = verdicts.map((verdict): EndpointFinding =>
    verdict.id === 'trusted'
      ? {
          id: 'trusted',
          data: {
            server,
            endpoint: formatEndpoint(h),
            anchor: trusted?.certificate ? certLabel(trusted.certificate) : 'a trusted root',
            expires: h.chain[0]?.notAfter ?? '?',
          },
        }
      : { id: verdict.id as ChainFindingId, data: { ...context, verdict } },
  );
  const sent = h.chain.map((c) => c.subjectCN ?? c.subject).join(' → ');
  return {
    findings,
    details: [
      ...(trusted ? [`ok: ${trusted.message}`] : []),
      `handshake: ${[h.protocol ?? '?', h.cipher].filter(Boolean).join(' ')} in ${h.handshakeMs} ms; the server sent ${plural(h.chain.length, 'certificate')}: ${sent}`,
      ...trustLines,
    ],
    evidence,
    verdicts,
  };
}
