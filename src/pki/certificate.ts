// Facts about one X.509 certificate, read with node:crypto (node-forge cannot parse EC keys), and how reports name it.
import { createHash, X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { signatureAlgorithmOf } from './der.js';

/** What a report says about one certificate. Dates are ISO 8601. */
export interface CertFacts {
  /** Distinguished name on one line: "CN=gitlab.example.com, O=Example". */
  subject: string;
  issuer: string;
  subjectCN?: string;
  /** subjectAltName entries: "DNS:gitlab.example.com", "IP:10.0.0.5". */
  san: string[];
  notBefore: string;
  notAfter: string;
  /** "AB:CD:…" as OpenSSL and browsers print it. */
  fingerprint256: string;
  serial: string;
  /** "sha256WithRSAEncryption", "ecdsa-with-SHA256", … */
  signatureAlgorithm: string;
  /** 'rsa', 'ec', 'ed25519', … */
  keyType: string;
  /** RSA/DSA modulus size, or the EC curve's size. */
  keyBits?: number;
  isCA: boolean;
  /** Subject and issuer names are equal (a root or a self-signed leaf). */
  selfIssued: boolean;
  pem: string;
}

/** How messages point at a certificate: its CN (or subject) and a fingerprint prefix. */
export interface CertRef {
  subject: string;
  name: string;
  fingerprint256: string;
}

const CURVE_BITS: Record<string, number> = { prime256v1: 256, secp256k1: 256, secp384r1: 384, secp521r1: 521 };

/** A distinguished name from X509Certificate (one attribute per line) on one line. */
export function oneLineName(name: string): string {
  return name.split('\n').join(', ');
}

/** The last CN of a distinguished name (one attribute per line, as X509Certificate gives it). */
export function commonName(name: string): string | undefined {
  return name
    .split('\n')
    .filter((l) => l.startsWith('CN='))
    .map((l) => l.slice(3))
    .pop();
}

/** The subjectAltName entries, with OpenSSL's "IP Address:" shortened to "IP:". */
export function sanEntries(cert: X509Certificate): string[] {
  if (!cert.subjectAltName) return [];
  return cert.subjectAltName.split(/,\s*/).map((e) => e.replace(/^IP Address:/, 'IP:'));
}

function keyBits(cert: X509Certificate): number | undefined {
  const details = cert.publicKey.asymmetricKeyDetails;
  if (details?.modulusLength) return details.modulusLength;
  if (details?.namedCurve) return CURVE_BITS[details.namedCurve];
  if (cert.publicKey.asymmetricKeyType === 'ed25519') return 256;
  return undefined;
}

/**
 * Whether the certificate signed itself (a root, or a self-signed leaf). Names and signature only: checkIssued would
 * also demand keyCertSign, which a self-signed leaf lacks.
 */
export function isSelfSigned(cert: X509Certificate): boolean {
  if (cert.subject !== cert.issuer) return false;
  try {
    return cert.verify(cert.publicKey);
  } catch {
    return false;
  }
}

/** Whether the signature uses a hash that OpenSSL at security level 2 rejects (SHA-1, MD5). */
export function hasWeakSignature(cert: X509Certificate): boolean {
  return /sha1|md5/i.test(signatureAlgorithmOf(cert.raw));
}

/** Everything a report shows about `cert`. */
export function describeCertificate(cert: X509Certificate): CertFacts {
  const cn = commonName(cert.subject);
  const bits = keyBits(cert);
  return {
    subject: oneLineName(cert.subject),
    issuer: oneLineName(cert.issuer),
    ...(cn !== undefined ? { subjectCN: cn } : {}),
    san: sanEntries(cert),
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: new Date(cert.validTo).toISOString(),
    fingerprint256: cert.fingerprint256,
    serial: cert.serialNumber,
    signatureAlgorithm: signatureAlgorithmOf(cert.raw),
    keyType: cert.publicKey.asymmetricKeyType ?? 'unknown',
    ...(bits !== undefined ? { keyBits: bits } : {}),
    isCA: cert.ca,
    selfIssued: cert.subject === cert.issuer,
    pem: cert.toString(),
  };
}

/** The reference messages use for `cert`. */
export function certRef(cert: X509Certificate): CertRef {
  return { subject: oneLineName(cert.subject), name: commonName(cert.subject) ?? oneLineName(cert.subject), fingerprint256: cert.fingerprint256 };
}

/** `"gitlab.example.com" (SHA-256 AB:CD:EF:01)`: the certificate's name and the start of its fingerprint. */
export function certLabel(ref: CertRef): string {
  return `"${ref.name}" (SHA-256 ${fingerprintPrefix(ref.fingerprint256)})`;
}

/** The first four bytes of a colon-separated fingerprint: enough to tell certificates apart in a message. */
export function fingerprintPrefix(fingerprint: string): string {
  return fingerprint.split(':').slice(0, 4).join(':');
}

/** Parses PEM certificates, skipping any that do not parse (callers report those through splitPem). */
export function parseCertificates(pems: readonly string[]): X509Certificate[] {
  const out: X509Certificate[] = [];
  for (const pem of pems) {
    const root = systemRoots().parsed(pem);
    if (root) {
      out.push(root);
      continue;
    }
    try {
      out.push(new X509Certificate(pem));
    } catch {
      // A PEM that does not parse was already named by splitPem; it simply adds no trust.
    }
  }
  return out;
}

/** A set of root certificates: membership by fingerprint needs no parsing; the parsed certificates only when asked for. */
export interface RootStore {
  /** Whether the store holds the certificate with this SHA-256 fingerprint ("AB:CD:…"). */
  has(fingerprint256: string): boolean;
  /** The roots, parsed. */
  certificates(): readonly X509Certificate[];
}

/** A store of already-parsed roots. */
export function rootStoreOf(certs: readonly X509Certificate[]): RootStore {
  const fingerprints = new Set(certs.map((c) => c.fingerprint256));
  return { has: (fp) => fingerprints.has(fp), certificates: () => certs };
}

/** The SHA-256 fingerprint of a PEM certificate as X509Certificate prints it, from its DER bytes (no parsing). */
export function pemFingerprint256(pem: string): string {
  const der = Buffer.from(pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, ''), 'base64');
  return createHash('sha256')
    .update(der)
    .digest('hex')
    .toUpperCase()
    .replace(/(..)(?!$)/g, '$1:');
}

/**
 * Node's bundled Mozilla roots (the list certifi ships too). Parsing all ~145 as X509Certificate costs 25–55 ms of CPU,
 * and most runs only ask whether an anchor is one of them: that is answered from fingerprints of their DER bytes, and
 * each root is parsed on first use only (a trust list built on the system store reuses the parsed ones).
 */
class SystemRoots implements RootStore {
  private readonly index = new Map(rootCertificates.map((pem, i) => [pem, i]));
  private readonly parsedRoots: (X509Certificate | undefined)[] = [];
  private fingerprints?: Set<string>;

  has(fingerprint256: string): boolean {
    this.fingerprints ??= new Set(rootCertificates.map(pemFingerprint256));
    return this.fingerprints.has(fingerprint256);
  }

  certificates(): readonly X509Certificate[] {
    return rootCertificates.map((pem) => this.parsed(pem)).filter((c): c is X509Certificate => c !== undefined);
  }

  /** The parsed root for one of Node's root PEMs (undefined for any other PEM). */
  parsed(pem: string): X509Certificate | undefined {
    const i = this.index.get(pem);
    if (i === undefined) return undefined;
    return (this.parsedRoots[i] ??= new X509Certificate(pem));
  }
}

let system: SystemRoots | undefined;

function systemRoots(): SystemRoots {
  return (system ??= new SystemRoots());
}

/** Node's bundled roots as a store: fingerprints without parsing, the certificates parsed once on demand. */
export function systemRootStore(): RootStore {
  return systemRoots();
}
