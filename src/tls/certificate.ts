// Facts about one X.509 certificate, read with node:crypto (node-forge cannot parse EC keys), and how reports name it.
import { X509Certificate } from 'node:crypto';
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
    try {
      out.push(new X509Certificate(pem));
    } catch {
      // A PEM that does not parse was already named by splitPem; it simply adds no trust.
    }
  }
  return out;
}

let systemRoots: X509Certificate[] | undefined;

/** Node's bundled Mozilla roots (the list certifi ships too), parsed once. */
export function systemRootCertificates(): readonly X509Certificate[] {
  systemRoots ??= parseCertificates(rootCertificates);
  return systemRoots;
}
