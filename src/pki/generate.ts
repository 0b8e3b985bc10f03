// X.509 certificates for the reference servers, the fixture script and tests: root/intermediate CAs, leaves, served chains.
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';
import { pooledRsaKey } from './keys.js';

/** What a certificate should say. Dates default to "valid now for a year" (ten years for a CA). */
export interface CertSpec {
  commonName: string;
  /** DNS names or IP literals (v4 or v6) for the subjectAltName extension. */
  altNames?: string[];
  notBefore?: Date;
  notAfter?: Date;
  /** RSA modulus size; default 2048. */
  keyBits?: number;
  /** Signature hash; default sha256 (sha1 to model a weak signature). */
  hash?: 'sha256' | 'sha1';
  isCA?: boolean;
  organization?: string;
}

/** A certificate and its private key, both PEM (key: PKCS#8), with the spec it was made from. */
export interface Issued {
  certPem: string;
  keyPem: string;
  spec: CertSpec;
}

/** What an https server in a scenario serves: the chain it presents and the CAs behind it. */
export interface ServerChain {
  root: Issued;
  intermediate?: Issued;
  leaf: Issued;
  /** Leaf (+ intermediate) PEMs, concatenated as a server presents them. */
  chainPem: string;
}

const DAY_MS = 86_400_000;
/** A random positive serial number (high bit clear, non-zero first byte), as hex. */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return bytes.toString('hex');
}

function subjectOf(spec: CertSpec): forge.pki.CertificateField[] {
  const attrs: forge.pki.CertificateField[] = [{ name: 'commonName', value: spec.commonName }];
  if (spec.organization) attrs.push({ name: 'organizationName', value: spec.organization });
  return attrs;
}

function altNameEntries(names: readonly string[]): { type: number; value?: string; ip?: string }[] {
  // GeneralName tags: 2 = dNSName, 7 = iPAddress.
  return names.map((n) => (isIP(n) ? { type: 7, ip: n } : { type: 2, value: n }));
}

function extensionsFor(spec: CertSpec, selfSigned: boolean, issuerCert?: forge.pki.Certificate): object[] {
  const ext: object[] = [{ name: 'subjectKeyIdentifier' }];
  if (issuerCert && !selfSigned) {
    ext.push({ name: 'authorityKeyIdentifier', keyIdentifier: issuerCert.generateSubjectKeyIdentifier().getBytes() });
  } else {
    ext.push({ name: 'authorityKeyIdentifier', keyIdentifier: true });
  }
  if (spec.isCA) {
    ext.push({ name: 'basicConstraints', cA: true, critical: true });
    ext.push({ name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true });
  } else {
    ext.push({ name: 'basicConstraints', cA: false, critical: true });
    ext.push({ name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true });
    ext.push({ name: 'extKeyUsage', serverAuth: true });
    if (spec.altNames?.length) ext.push({ name: 'subjectAltName', altNames: altNameEntries(spec.altNames) });
  }
  return ext;
}

/** Builds and signs one certificate; `issuer` undefined means self-signed. */
function makeCertificate(spec: CertSpec, issuer?: Issued): Issued {
  const key = pooledRsaKey(spec.keyBits ?? 2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(key.publicPem);
  cert.serialNumber = randomSerial();
  const now = Date.now();
  cert.validity.notBefore = spec.notBefore ?? new Date(now - 3_600_000);
  cert.validity.notAfter = spec.notAfter ?? new Date(now + (spec.isCA ? 3650 : 365) * DAY_MS);
  cert.setSubject(subjectOf(spec));
  const issuerCert = issuer ? forge.pki.certificateFromPem(issuer.certPem) : undefined;
  cert.setIssuer(issuerCert ? issuerCert.subject.attributes : subjectOf(spec));
  cert.setExtensions(extensionsFor(spec, !issuer, issuerCert));
  const signingKey = forge.pki.privateKeyFromPem(issuer ? issuer.keyPem : key.privatePem);
  const md = spec.hash === 'sha1' ? forge.md.sha1.create() : forge.md.sha256.create();
  cert.sign(signingKey as forge.pki.rsa.PrivateKey, md);
  return { certPem: forge.pki.certificateToPem(cert), keyPem: key.privatePem, spec };
}

/** A self-signed certificate authority (`isCA` is forced on). */
export function createRootCA(spec: CertSpec): Issued {
  return makeCertificate({ ...spec, isCA: true });
}

/** A certificate signed by `issuer`: an intermediate CA when `spec.isCA`, else a serverAuth leaf. */
export function issueCertificate(spec: CertSpec, issuer: Issued): Issued {
  return makeCertificate(spec, issuer);
}

/** A self-signed serverAuth leaf that is not a CA (the "self-signed GitLab" case). */
export function createSelfSignedLeaf(spec: CertSpec): Issued {
  return makeCertificate({ ...spec, isCA: false });
}

/**
 * A server's chain for `host`: a private root, optionally an intermediate, and a leaf whose SAN is `[host]` unless
 * `leaf.altNames` replaces it (a wrong-host certificate). `leaf` overrides any part of the leaf's spec (dates, hash).
 */
export function buildChain(opts: { host: string; withIntermediate?: boolean; leaf?: Partial<CertSpec> }): ServerChain {
  const root = createRootCA({ commonName: 'duo-doctor reference root CA', organization: 'duo-doctor' });
  const intermediate = opts.withIntermediate
    ? issueCertificate({ commonName: 'duo-doctor reference intermediate CA', organization: 'duo-doctor', isCA: true }, root)
    : undefined;
  const leafSpec: CertSpec = {
    commonName: opts.host,
    organization: 'duo-doctor',
    ...opts.leaf,
    altNames: opts.leaf?.altNames ?? [opts.host],
    isCA: false,
  };
  const leaf = issueCertificate(leafSpec, intermediate ?? root);
  const chainPem = intermediate ? leaf.certPem + intermediate.certPem : leaf.certPem;
  return intermediate ? { root, intermediate, leaf, chainPem } : { root, leaf, chainPem };
}
