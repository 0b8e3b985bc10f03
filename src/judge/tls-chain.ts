// Judges a served chain against a trust list, as an OpenSSL client would, reporting every problem at once. Pure: PEMs in,
// findings out (parsing with node:crypto is no I/O); the time is an input.
import { inDays } from '../plural.js';
import type { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import {
  certLabel,
  certRef,
  commonName,
  hasWeakSignature,
  isSelfSigned,
  oneLineName,
  parseCertificates,
  rootStoreOf,
  sanEntries,
  type CertRef,
  type RootStore,
} from '../pki/certificate.js';
import { signatureAlgorithmOf } from '../pki/der.js';

/** What the judge needs: the chain as the server sent it, what the client trusts, and where and when it connects. */
export interface ChainInput {
  /** PEMs, leaf first, then what the server sent after it. */
  chain: readonly string[];
  /** The client's trust anchors as PEMs (a bundle, or system roots plus extras). */
  trust: readonly string[];
  /** Public roots (PEMs or a store): tells "a public CA the bundle leaves out" and "a private CA" apart. Defaults to none. */
  systemRoots?: readonly string[] | RootStore;
  /** The host name or IP literal the client connects to. */
  host: string;
  /** Milliseconds since the epoch: the moment judged. */
  now: number;
  /** A certificate whose notAfter is at most this many days away is a warning (0: only at the very instant it expires). */
  expiryWarnDays: number;
  /**
   * PEMs known from elsewhere but not trusted by this client (duo-doctor's own --ca-file when the gateway's bundle is
   * judged): a missing private root found among them is named, with its fingerprint, instead of "ask the CA's administrator".
   */
  known?: { where: string; certificates: readonly string[] };
}

/** The input with its PEMs parsed. */
interface JudgeInput {
  chain: readonly X509Certificate[];
  trust: readonly X509Certificate[];
  host: string;
  now: number;
  expiryWarnDays: number;
  known?: { where: string; certificates: readonly X509Certificate[] };
}

/**
 * Every verdict the judge can reach. Severity is part of the id: an expired certificate the path needs (`expired`) is a
 * failure, one the server sends but the path does not need (`expiredUnused`) a warning; likewise `intermediateNotSent`
 * (the trust store happens to hold it) against `missingIntermediate`.
 */
export type VerdictId =
  | 'trusted'
  | 'noCertificate'
  | 'selfSignedLeaf'
  | 'untrustedRoot'
  | 'missingIntermediate'
  | 'intermediateNotSent'
  | 'expired'
  | 'expiredUnused'
  | 'notYetValid'
  | 'notYetValidUnused'
  | 'expiring'
  | 'hostnameMismatch'
  | 'weakSignature'
  | 'weakKey';

/** One finding about the chain. */
export interface Verdict {
  id: VerdictId;
  /** What was found, naming the certificate (CN and fingerprint prefix). */
  message: string;
  /** The certificate concerned (for untrusted-root: the root to add, when known). */
  certificate?: CertRef;
  /** untrustedRoot / missingIntermediate: the issuer nothing sent or trusted matches (its CN, else its DN). */
  issuer?: string;
  /** trusted: the anchor is a public root. untrustedRoot: the missing root is a public one (the bundle leaves it out). */
  publicRoot?: boolean;
  /** hostnameMismatch: the host the certificate should cover. */
  host?: string;
  /** expired / expiring / notYetValid: the date concerned (ISO). */
  date?: string;
  /** expiring: whole days left. */
  daysLeft?: number;
  /** selfSignedLeaf: whether the trust store holds the leaf itself (an explicitly trusted self-signed certificate). */
  anchored?: boolean;
}

/** One certificate of the path the client builds, and who supplied it. */
export interface PathEntry {
  certificate: CertRef;
  from: 'server' | 'trust';
}

/** The judge's answer. */
export interface ChainJudgement {
  /** The path reaches a self-signed certificate the trust list holds (as OpenSSL would accept it). */
  trusted: boolean;
  /** Leaf first, up to the anchor when trusted, else as far as the path could be built. */
  path: PathEntry[];
  verdicts: Verdict[];
}

const DAY_MS = 86_400_000;
const MAX_DEPTH = 10;

function signs(issuer: X509Certificate, cert: X509Certificate): boolean {
  try {
    return cert.fingerprint256 !== issuer.fingerprint256 && cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

interface BuiltPath {
  certs: { cert: X509Certificate; from: 'server' | 'trust' }[];
  anchored: boolean;
}

/**
 * Builds the path OpenSSL would: from the leaf, take each issuer from the trust list first, then from what the server
 * sent; the path is anchored when it reaches a self-signed certificate the trust list holds (no partial chains).
 */
function buildPath(chain: readonly X509Certificate[], trust: readonly X509Certificate[]): BuiltPath {
  const trusted = new Set(trust.map((t) => t.fingerprint256));
  const sent = new Set(chain.map((c) => c.fingerprint256));
  const leaf = chain[0] as X509Certificate;
  const certs: BuiltPath['certs'] = [{ cert: leaf, from: 'server' }];
  let current = leaf;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    if (isSelfSigned(current)) return { certs, anchored: trusted.has(current.fingerprint256) };
    const used = new Set(certs.map((c) => c.cert.fingerprint256));
    const issuer = [...trust, ...chain].find((c) => !used.has(c.fingerprint256) && signs(c, current));
    if (!issuer) return { certs, anchored: false };
    certs.push({ cert: issuer, from: sent.has(issuer.fingerprint256) ? 'server' : 'trust' });
    current = issuer;
  }
  return { certs, anchored: false };
}

/** Trust verdicts: trusted (and intermediates the server left out), or why not. */
function trustVerdicts(input: JudgeInput, built: BuiltPath, publicRoots: RootStore): Verdict[] {
  const isPublic = (c: X509Certificate) => publicRoots.has(c.fingerprint256);
  const leaf = built.certs[0]?.cert as X509Certificate;
  if (isSelfSigned(leaf)) {
    const held = built.anchored ? ', and the trust store holds it as its own anchor' : ', and the trust store does not hold it';
    return [
      {
        id: 'selfSignedLeaf',
        certificate: certRef(leaf),
        anchored: built.anchored,
        message: `the server's certificate ${certLabel(certRef(leaf))} is self-signed${held}`,
      },
    ];
  }
  const top = built.certs.at(-1)?.cert as X509Certificate;
  if (built.anchored) {
    const anchor = certRef(top);
    const kind = isPublic(top) ? 'the public root' : 'the private root';
    const verdicts: Verdict[] = [
      {
        id: 'trusted',
        certificate: anchor,
        publicRoot: isPublic(top),
        message: `the chain leads to ${kind} ${certLabel(anchor)}, which the trust store holds`,
      },
    ];
    for (const entry of built.certs.slice(1, -1).filter((e) => e.from === 'trust')) {
      const ref = certRef(entry.cert);
      verdicts.push({
        id: 'intermediateNotSent',
        certificate: ref,
        issuer: ref.subject,
        message: `the server does not send the intermediate ${certLabel(ref)}: this trust store happens to hold it, but any client without it fails ("unable to get local issuer certificate")`,
      });
    }
    return verdicts;
  }
  const topRef = certRef(top);
  if (isSelfSigned(top)) {
    return [
      {
        id: 'untrustedRoot',
        certificate: topRef,
        publicRoot: isPublic(top),
        message: `the chain ends at the root ${certLabel(topRef)}, which the trust store does not hold`,
      },
    ];
  }
  const issuer = commonName(top.issuer) ?? oneLineName(top.issuer);
  // The only place the public roots are needed parsed: a chain that is already untrusted.
  const publicIssuer = publicRoots.certificates().find((r) => signs(r, top));
  if (publicIssuer) {
    const ref = certRef(publicIssuer);
    return [
      {
        id: 'untrustedRoot',
        certificate: ref,
        publicRoot: true,
        issuer,
        message: `${certLabel(topRef)} is issued by the public root ${certLabel(ref)}, which this trust store does not hold (a CA bundle replaces the system roots)`,
      },
    ];
  }
  const twin = input.trust.find((t) => t.subject === top.issuer);
  if (twin) {
    const ref = certRef(twin);
    return [
      {
        id: 'untrustedRoot',
        issuer,
        message: `${certLabel(topRef)} names "${issuer}" as its issuer; the trust store holds a CA of that name, ${certLabel(ref)}, but a different key signed this certificate (was the CA regenerated?)`,
      },
    ];
  }
  const knownRoot = input.known?.certificates.find((k) => isSelfSigned(k) && signs(k, top));
  if (knownRoot) {
    const ref = certRef(knownRoot);
    return [
      {
        id: 'untrustedRoot',
        certificate: ref,
        issuer,
        message: `${certLabel(topRef)} is issued by the private root ${certLabel(ref)}, which ${input.known!.where} holds but this trust store does not`,
      },
    ];
  }
  if (!top.ca && input.trust.some((t) => !isPublic(t))) {
    const sent = built.certs.length === 1 ? 'only its own certificate' : 'a chain ending at';
    return [
      {
        id: 'missingIntermediate',
        issuer,
        message: `the server sends ${sent} ${certLabel(topRef)} but not its issuer "${issuer}", which the trust store does not hold either: the server omits the intermediate CA (or "${issuer}" is a private CA the trust store lacks)`,
      },
    ];
  }
  return [
    {
      id: 'untrustedRoot',
      issuer,
      message: `${certLabel(topRef)} is issued by "${issuer}", which is neither sent by the server nor in the trust store: a private CA whose root the trust store lacks`,
    },
  ];
}

/** Validity verdicts for every certificate in the path, and for sent ones outside it (warnings only). */
function validityVerdicts(input: JudgeInput, built: BuiltPath): Verdict[] {
  const inPath = new Set(built.certs.map((c) => c.cert.fingerprint256));
  const all = [...built.certs.map((c) => c.cert), ...input.chain.filter((c) => !inPath.has(c.fingerprint256))];
  const now = input.now;
  const verdicts: Verdict[] = [];
  for (const cert of all) {
    const ref = certRef(cert);
    const needed = inPath.has(cert.fingerprint256);
    const unused = needed ? '' : ' (sent by the server but not needed for the path)';
    const notBefore = new Date(cert.validFrom);
    const notAfter = new Date(cert.validTo);
    if (notAfter.getTime() < now) {
      verdicts.push({
        id: needed ? 'expired' : 'expiredUnused',
        certificate: ref,
        date: notAfter.toISOString(),
        message: `${certLabel(ref)} expired on ${notAfter.toISOString()}${unused}`,
      });
    } else if (notBefore.getTime() > now) {
      verdicts.push({
        id: needed ? 'notYetValid' : 'notYetValidUnused',
        certificate: ref,
        date: notBefore.toISOString(),
        message: `${certLabel(ref)} is not valid before ${notBefore.toISOString()}${unused}`,
      });
    } else if (notAfter.getTime() - now <= input.expiryWarnDays * DAY_MS) {
      const daysLeft = Math.floor((notAfter.getTime() - now) / DAY_MS);
      verdicts.push({
        id: 'expiring',
        certificate: ref,
        date: notAfter.toISOString(),
        daysLeft,
        message: `${certLabel(ref)} expires ${inDays(daysLeft)}, on ${notAfter.toISOString()}`,
      });
    }
  }
  return verdicts;
}

/** Whether the leaf covers the host, as Python's ssl checks it: subjectAltName only, never the subject CN. */
function hostnameVerdicts(input: JudgeInput, leaf: X509Certificate): Verdict[] {
  const host = input.host.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  const covered = isIP(host) ? leaf.checkIP(host) : leaf.checkHost(host, { subject: 'never' });
  if (covered) return [];
  const ref = certRef(leaf);
  const san = sanEntries(leaf);
  const cnOnly = san.length === 0 && ref.name.toLowerCase() === host.toLowerCase() ? ' (its CN matches, but clients check subjectAltName only)' : '';
  const lists = san.length ? `its subjectAltName lists ${san.join(', ')}` : 'it has no subjectAltName';
  return [{ id: 'hostnameMismatch', certificate: ref, host, message: `${certLabel(ref)} does not cover ${host}: ${lists}${cnOnly}` }];
}

/** Weak signatures (below a self-signed anchor, whose own signature nobody checks) and RSA/DSA keys under 2048 bits. */
function strengthVerdicts(built: BuiltPath): Verdict[] {
  const verdicts: Verdict[] = [];
  for (const { cert } of built.certs) {
    const ref = certRef(cert);
    if (!isSelfSigned(cert) && hasWeakSignature(cert)) {
      verdicts.push({ id: 'weakSignature', certificate: ref, message: `${certLabel(ref)} is signed with ${signatureAlgorithmOf(cert.raw)}` });
    }
    const bits = cert.publicKey.asymmetricKeyDetails?.modulusLength;
    if (bits !== undefined && bits < 2048) {
      verdicts.push({
        id: 'weakKey',
        certificate: ref,
        message: `${certLabel(ref)} has a ${bits}-bit ${cert.publicKey.asymmetricKeyType?.toUpperCase()} key`,
      });
    }
  }
  return verdicts;
}

/** Judges a chain: trust, validity of every certificate, the host name, and signature/key strength — all together. */
export function judgeChain(input: ChainInput): ChainJudgement {
  const parsed: JudgeInput = {
    chain: parseCertificates(input.chain),
    trust: parseCertificates(input.trust),
    host: input.host,
    now: input.now,
    expiryWarnDays: input.expiryWarnDays,
    ...(input.known ? { known: { where: input.known.where, certificates: parseCertificates(input.known.certificates) } } : {}),
  };
  const leaf = parsed.chain[0];
  if (!leaf) return { trusted: false, path: [], verdicts: [{ id: 'noCertificate', message: 'the server sent no certificate' }] };
  const roots = input.systemRoots ?? [];
  const publicRoots = Array.isArray(roots) ? rootStoreOf(parseCertificates(roots as readonly string[])) : (roots as RootStore);
  const built = buildPath(parsed.chain, parsed.trust);
  const verdicts = [
    ...trustVerdicts(parsed, built, publicRoots),
    ...hostnameVerdicts(parsed, leaf),
    ...validityVerdicts(parsed, built),
    ...strengthVerdicts(built),
  ];
  return {
    trusted: built.anchored,
    path: built.certs.map((c) => ({ certificate: certRef(c.cert), from: c.from })),
    verdicts,
  };
}
