// proxy-tls: the TLS the gateway's front accepts — protocol versions, cipher classes, forward secrecy — and its certificate's
// key and signature, judged against Mozilla's "intermediate" configuration and NIST SP 800-52r2 (src/data/tls-guidance.ts).
import { redactUrl } from '../src/redact.js';
import { defineCheck, type FindingOf, type Judgement, type Messages } from '../src/check.js';
import { GUIDANCE, MIN_KEY_BITS, WEAK_SIGNATURE } from '../src/data/tls-guidance.js';
import { gatewayBase } from '../src/probes/security.js';
import { tlsChain } from '../src/probes/tls.js';
import { scanTls, type CipherClass, type HandshakeResult, type TlsScan } from '../src/probes/tls-scan.js';

export interface LeafFacts {
  subject: string;
  keyType: string;
  keyBits?: number;
  signatureAlgorithm: string;
}

export interface Facts {
  url?: string;
  https: boolean;
  scan?: TlsScan;
  leaf?: LeafFacts;
}

/** Cipher classes no guidance accepts: broken or unauthenticated. */
const BROKEN: readonly CipherClass[] = ['tripleDes', 'rc4', 'nullCipher', 'anonymous', 'export'];
const CLASS_NAME: Record<CipherClass, string> = {
  staticRsa: 'static RSA key exchange (kRSA)',
  tripleDes: '3DES',
  rc4: 'RC4',
  nullCipher: 'NULL encryption',
  anonymous: 'anonymous (unauthenticated) key exchange',
  export: 'EXPORT-grade',
  cbc: 'CBC-mode',
};

const NGINX_FIX =
  'In the proxy (nginx): `ssl_protocols TLSv1.2 TLSv1.3;` and `ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:' +
  'ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:' +
  'DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384;` (Mozilla "intermediate"; https://ssl-config.mozilla.org generates the ' +
  "whole block), then `nginx -s reload`. The install guide's `HIGH:!aNULL:!MD5` still allows static RSA and CBC suites.";
const CERT_FIX =
  'Issue the proxy a new certificate: RSA 2048 bits or more (or ECDSA P-256/P-384), signed with SHA-256 or stronger ' +
  '(`openssl req -newkey rsa:2048 -sha256 …`, or from your CA), then reload the proxy.';

const accepted = (scan: TlsScan, c: CipherClass) => scan.ciphers[c].outcome === 'accepted';
const names = (cs: readonly CipherClass[], scan: TlsScan) =>
  cs.map((c) => `${CLASS_NAME[c]}${scan.ciphers[c].cipher ? ` (${scan.ciphers[c].cipher})` : ''}`).join(', ');

export const messages = {
  noGateway: { status: 'skip', text: () => 'No AI gateway URL (see gateway-url)' },
  notTls: { status: 'skip', text: (d: { url: string }) => `The gateway URL ${d.url} is plain http: no TLS to judge (see gateway-tls)` },
  noHandshake: { status: 'skip', text: (d: { detail: string }) => `No TLS handshake with the gateway's front: ${d.detail} (see gateway-reachable)` },
  oldProtocols: {
    status: 'fail',
    text: (d: { protocols: string[] }) =>
      `The gateway's TLS front accepts ${d.protocols.join(' and ')}, which ${GUIDANCE.nist} and ${GUIDANCE.mozilla} rule out`,
    fix: NGINX_FIX,
  },
  noModernProtocol: {
    status: 'fail',
    text: () => "The gateway's TLS front accepts neither TLS 1.2 nor TLS 1.3",
    fix: NGINX_FIX,
  },
  brokenCiphers: {
    status: 'fail',
    text: (d: { classes: string }) => `The gateway's TLS front accepts broken cipher suites: ${d.classes}`,
    fix: NGINX_FIX,
  },
  noForwardSecrecy: {
    status: 'warn',
    text: (d: { cipher: string }) =>
      `The gateway's TLS front accepts static RSA key exchange (${d.cipher}): traffic recorded today can be decrypted with the key later (no forward secrecy; outside ${GUIDANCE.mozilla})`,
    fix: NGINX_FIX,
  },
  cbcSuites: {
    status: 'warn',
    text: (d: { cipher: string }) => `The gateway's TLS front accepts CBC-mode suites (${d.cipher}), outside ${GUIDANCE.mozilla}`,
    fix: NGINX_FIX,
  },
  protocolsOk: {
    status: 'pass',
    text: (d: { protocols: string[] }) => `The gateway's TLS front accepts ${d.protocols.join(' and ')} only, with forward-secret AEAD suites`,
  },
  weakKey: {
    status: 'fail',
    text: (d: { leaf: LeafFacts; min: number }) =>
      `The front's certificate (${d.leaf.subject}) has a ${d.leaf.keyBits}-bit ${d.leaf.keyType.toUpperCase()} key, below ${d.min} bits`,
    fix: CERT_FIX,
  },
  weakSignature: {
    status: 'fail',
    text: (d: { leaf: LeafFacts }) =>
      `The front's certificate (${d.leaf.subject}) is signed with ${d.leaf.signatureAlgorithm}, which ${GUIDANCE.nistSignatures} disallows`,
    fix: CERT_FIX,
  },
  certificateOk: {
    status: 'pass',
    text: (d: { leaf: LeafFacts }) =>
      `The front's certificate has a ${d.leaf.keyBits ?? '?'}-bit ${d.leaf.keyType.toUpperCase()} key signed with ${d.leaf.signatureAlgorithm}`,
  },
} satisfies Messages;

type Finding = FindingOf<typeof messages>;

const line = (what: string, r: HandshakeResult) =>
  `${what}: ${r.outcome}${r.cipher ? ` (${r.protocol} ${r.cipher})` : r.detail ? ` (${r.detail.slice(0, 120)})` : ''}`;

function judgeLeaf(leaf: LeafFacts): Finding[] {
  const min = MIN_KEY_BITS[leaf.keyType];
  const findings: Finding[] = [];
  if (min !== undefined && leaf.keyBits !== undefined && leaf.keyBits < min) findings.push({ id: 'weakKey', data: { leaf, min } });
  if (WEAK_SIGNATURE.test(leaf.signatureAlgorithm)) findings.push({ id: 'weakSignature', data: { leaf } });
  return findings.length ? findings : [{ id: 'certificateOk', data: { leaf } }];
}

/** Pure: protocols, cipher classes, then the certificate. Untestable questions (this client cannot ask them) count as not accepted, and are listed. */
export function judge(f: Facts): Judgement<typeof messages> {
  if (!f.url) return { findings: [{ id: 'noGateway' }] };
  if (!f.https) return { findings: [{ id: 'notTls', data: { url: f.url } }] };
  const scan = f.scan;
  if (!scan) return { findings: [{ id: 'noHandshake', data: { detail: 'not scanned' } }] };
  const results = Object.values(scan.protocols);
  if (!results.some((r) => r.outcome === 'accepted')) {
    return { findings: [{ id: 'noHandshake', data: { detail: scan.protocols['TLSv1.2'].detail ?? 'no protocol version was accepted' } }] };
  }
  const findings: Finding[] = [];
  const old = (['TLSv1', 'TLSv1.1'] as const).filter((p) => scan.protocols[p].outcome === 'accepted');
  const modern = (['TLSv1.2', 'TLSv1.3'] as const).filter((p) => scan.protocols[p].outcome === 'accepted');
  if (old.length) findings.push({ id: 'oldProtocols', data: { protocols: [...old] } });
  if (!modern.length) findings.push({ id: 'noModernProtocol' });
  const broken = BROKEN.filter((c) => accepted(scan, c));
  if (broken.length) findings.push({ id: 'brokenCiphers', data: { classes: names(broken, scan) } });
  if (accepted(scan, 'staticRsa')) findings.push({ id: 'noForwardSecrecy', data: { cipher: scan.ciphers.staticRsa.cipher ?? 'kRSA' } });
  if (accepted(scan, 'cbc')) findings.push({ id: 'cbcSuites', data: { cipher: scan.ciphers.cbc.cipher ?? 'CBC' } });
  if (!findings.length) findings.push({ id: 'protocolsOk', data: { protocols: [...modern] } });
  if (f.leaf) findings.push(...judgeLeaf(f.leaf));
  const untestable = [
    ...Object.entries(scan.protocols)
      .filter(([, r]) => r.outcome === 'untestable')
      .map(([p]) => p),
    ...Object.entries(scan.ciphers)
      .filter(([, r]) => r.outcome === 'untestable')
      .map(([c]) => CLASS_NAME[c as CipherClass]),
  ];
  return {
    findings,
    details: [
      `${scan.host}:${scan.port}, one handshake per question:`,
      ...Object.entries(scan.protocols).map(([p, r]) => line(p, r)),
      ...Object.entries(scan.ciphers).map(([c, r]) => line(CLASS_NAME[c as CipherClass], r)),
      ...(untestable.length
        ? [`Not testable from here (this machine's OpenSSL will not offer them even at security level 0): ${untestable.join(', ')}`]
        : []),
    ],
    evidence: {
      protocols: Object.fromEntries(Object.entries(scan.protocols).map(([p, r]) => [p, r.outcome])),
      ciphers: Object.fromEntries(Object.entries(scan.ciphers).map(([c, r]) => [c, r.outcome])),
      ...(f.leaf ? { keyType: f.leaf.keyType, keyBits: f.leaf.keyBits ?? null, signatureAlgorithm: f.leaf.signatureAlgorithm } : {}),
    },
  };
}

export default defineCheck({
  id: 'proxy-tls',
  title: 'The TLS in front of the AI gateway meets current guidance',
  category: 'security',
  tags: ['pre-upgrade', 'security'],
  needs: ['gateway'],
  messages,
  explain: {
    checks:
      'When the gateway URL is https, TLS handshakes with its host and port, nothing sent after them: one per protocol version ' +
      '(TLS 1.0, 1.1, 1.2, 1.3, each offered alone), one per cipher class over TLS ≤ 1.2 (static RSA, 3DES, RC4, NULL, anonymous, ' +
      'EXPORT, CBC; offered at OpenSSL security level 0 so this client can ask), and the certificate of an ordinary handshake (key type and ' +
      `size, signature algorithm). Judged against ${GUIDANCE.mozilla} and ${GUIDANCE.nist}.`,
    failsWhen:
      'Fails on TLS 1.0/1.1 accepted, no TLS 1.2/1.3, a broken cipher accepted (3DES, RC4, NULL, anonymous, EXPORT), an RSA key under ' +
      '2048 bits (EC under 256), or a SHA-1/MD5 signature. Warns on static RSA key exchange (no forward secrecy) and CBC suites. ' +
      "Questions this machine's OpenSSL cannot ask are listed as untestable, never reported as refused.",
    fix: `${NGINX_FIX}\n${CERT_FIX}`,
  },
  // Stryker disable all: gather does I/O (probes); the integration tier tests it, mutating it here only measures the unit tier's blind spot
  async gather(ctx): Promise<Facts> {
    const url = await gatewayBase(ctx);
    if (!url) return { https: false };
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:') return { url: redactUrl(url), https: false };
    const host = parsed.hostname.replace(/^\[|\]$/g, '');
    const port = Number(parsed.port) || 443;
    const [scan, chain] = await Promise.all([scanTls(ctx, host, port), tlsChain(ctx, { host, port })]);
    const leaf = chain.chain[0];
    return {
      url: redactUrl(url),
      https: true,
      scan,
      ...(leaf
        ? {
            leaf: {
              subject: leaf.subjectCN ?? leaf.subject,
              keyType: leaf.keyType,
              ...(leaf.keyBits !== undefined ? { keyBits: leaf.keyBits } : {}),
              signatureAlgorithm: leaf.signatureAlgorithm,
            },
          }
        : {}),
    };
  },
  // Stryker restore all
  judge,
});
