// Audits one CA bundle as the gateway's Python would load it: bad blocks, keys, leaves, expiry, duplicates — each with its fix.
import { X509Certificate } from 'node:crypto';
import { describeBlock, isCertificateLabel, isPrivateKeyLabel, type PemBlock } from '../probes/pem.js';
import type { BundleRead } from '../probes/trust.js';
import { certLabel, certRef } from './certificate.js';

/** One thing found in a bundle. `note` is worth saying but not a problem. */
export interface BundleFinding {
  severity: 'fail' | 'warn' | 'note';
  message: string;
  fix?: string;
}

/** Counts reporters and evidence show for one bundle. */
export interface BundleStats {
  blocks: number;
  certificates: number;
  badBlocks: { index: number; line: number; label: string; problem: string }[];
  privateKeys: number;
  leaves: number;
  expired: number;
  duplicates: number;
  /** The soonest notAfter among its certificates (ISO). */
  earliestNotAfter?: string;
}

/** Python's verdict on a file with one malformed block (section 5 of the diagnostics reference). */
export const PEM_LIB_CONSEQUENCE =
  "Python's ssl (the gateway) rejects the WHOLE file for one malformed block ([X509] PEM lib), so the gateway trusts none of its certificates";
/** Python's verdict on a file without any certificate (empty, DER, key only). */
export const NO_CERTIFICATE_CONSEQUENCE =
  "Python's ssl (the gateway) rejects it: [X509: NO_CERTIFICATE_OR_CRL_FOUND] no certificate or crl found";

const DAY_MS = 86_400_000;

const READ_FIXES: Record<string, string> = {
  ENOENT: "Mount the bundle into the gateway's container at that path (docker run -v /srv/certs/ca-bundle.pem:/certs/ca-bundle.pem:ro), or correct the variable.",
  EACCES: 'Make the bundle readable by the gateway\'s user (chmod 644 FILE; the gateway does not run as root).',
  EPERM: 'Make the bundle readable by the gateway\'s user (chmod 644 FILE; the gateway does not run as root).',
  EISDIR: 'Point the variable at a PEM file that holds the CA certificates, not at a directory.',
  EFTYPE: 'Point the variable at a regular PEM file that holds the CA certificates, not at a pipe or socket.',
  EFBIG: 'Point the variable at the PEM bundle of CA certificates: this file is far larger than any CA bundle.',
};

/** One certificate block parsed, with the block it came from. */
interface CertBlock {
  block: PemBlock;
  cert: X509Certificate;
}

function certificateBlocks(blocks: readonly PemBlock[]): CertBlock[] {
  return blocks.flatMap((block) => (block.ok && block.der && isCertificateLabel(block.label) ? [{ block, cert: new X509Certificate(block.der) }] : []));
}

/** Findings on the file's structure: unreadable, bad blocks, no certificate, private keys. */
function structureFindings(bundle: BundleRead, certs: readonly CertBlock[]): BundleFinding[] {
  if (bundle.readError) {
    return [{ severity: 'fail', message: `${bundle.file}: ${bundle.readError.message} — the gateway fails every TLS connection it verifies with it`, fix: READ_FIXES[bundle.readError.code] ?? `Fix access to ${bundle.file}.` }];
  }
  const findings: BundleFinding[] = [];
  const bad = bundle.blocks.filter((b) => !b.ok);
  for (const b of bad) {
    findings.push({
      severity: 'fail',
      message: `${bundle.file}: ${describeBlock(b)} does not parse: ${b.problem ?? '?'}. ${PEM_LIB_CONSEQUENCE}`,
      fix: `Remove or replace ${describeBlock(b)} in ${bundle.file} with the complete PEM certificate (check it with openssl x509 -noout -subject -in CERT.pem).`,
    });
  }
  const fileLevel = bundle.problems.filter((p) => !p.startsWith('block '));
  if (certs.length === 0) {
    const labels = [...new Set(bundle.blocks.map((b) => b.label))];
    const why = fileLevel.length ? fileLevel.join('; ') : `it holds no certificate${labels.length ? ` (only ${labels.join(', ')})` : ''}`;
    findings.push({
      severity: 'fail',
      message: `${bundle.file}: ${why}. ${NO_CERTIFICATE_CONSEQUENCE}`,
      fix: `Put the PEM-encoded root CA certificate(s) in ${bundle.file} (DER converts with openssl x509 -inform der -in CA.der -out CA.pem).`,
    });
  } else {
    for (const p of fileLevel) {
      findings.push({
        severity: 'warn',
        message: `${bundle.file}: ${p} (clients ignore it; a certificate may have lost its BEGIN line)`,
        fix: `Remove the stray line from ${bundle.file}, or restore the certificate it belonged to with its own BEGIN and END lines.`,
      });
    }
  }
  for (const key of bundle.blocks.filter((b) => isPrivateKeyLabel(b.label))) {
    findings.push({
      severity: 'fail',
      message: `${bundle.file}: ${describeBlock(key)} is a private key: a CA bundle is read by every client and often world-readable, so this leaks a secret`,
      fix: `Remove the key from ${bundle.file} and rotate it (issue a new certificate with a new key): it has been exposed.`,
    });
  }
  return findings;
}

/** Findings on the certificates: leaves, expiry (a fail only when nothing valid is left), duplicates. */
function certificateFindings(file: string, certs: readonly CertBlock[], now: Date, expiryWarnDays: number): BundleFinding[] {
  const findings: BundleFinding[] = [];
  const at = now.getTime();
  const invalid = certs.filter(({ cert }) => Date.parse(cert.validTo) < at || Date.parse(cert.validFrom) > at);
  const noneValid = certs.length > 0 && invalid.length === certs.length;
  const seen = new Map<string, PemBlock>();
  for (const { block, cert } of certs) {
    const where = `${file}: ${describeBlock(block)}, ${certLabel(certRef(cert))}`;
    const first = seen.get(cert.fingerprint256);
    if (first) findings.push({ severity: 'note', message: `${where} repeats block ${first.index}` });
    else seen.set(cert.fingerprint256, block);
    if (!cert.ca) {
      findings.push({
        severity: 'warn',
        message: `${where} is a server certificate, not a CA: trusting it pins that one certificate (and a self-signed GitLab certificate is not supported by the gateway)`,
        fix: 'Put the root CA that issued the server certificate in the bundle instead of the server certificate itself.',
      });
    }
    const notAfter = Date.parse(cert.validTo);
    const notBefore = Date.parse(cert.validFrom);
    const severity = noneValid ? 'fail' : 'warn';
    const alone = noneValid ? ' and the bundle holds no valid certificate' : '';
    if (notAfter < at) {
      findings.push({ severity, message: `${where} expired on ${new Date(notAfter).toISOString()}${alone}`, fix: 'Replace expired CA certificates with their renewed versions (and drop the old ones).' });
    } else if (notBefore > at) {
      findings.push({ severity, message: `${where} is not valid before ${new Date(notBefore).toISOString()}${alone}`, fix: 'Check the clock of this machine and of the CA that issued it.' });
    } else if (notAfter - at <= expiryWarnDays * DAY_MS) {
      findings.push({ severity: 'warn', message: `${where} expires on ${new Date(notAfter).toISOString()}`, fix: 'Add the renewed CA certificate to the bundle before the old one expires.' });
    }
  }
  return findings;
}

/** Audits one bundle as read by readBundle. */
export function auditBundle(bundle: BundleRead, now: Date, expiryWarnDays: number): { findings: BundleFinding[]; stats: BundleStats } {
  const certs = bundle.readError ? [] : certificateBlocks(bundle.blocks);
  const findings = [...structureFindings(bundle, certs), ...certificateFindings(bundle.file, certs, now, expiryWarnDays)];
  const notAfters = certs.map(({ cert }) => Date.parse(cert.validTo)).sort((a, b) => a - b);
  const stats: BundleStats = {
    blocks: bundle.blocks.length,
    certificates: certs.length,
    badBlocks: bundle.blocks.filter((b) => !b.ok).map((b) => ({ index: b.index, line: b.line, label: b.label, problem: b.problem ?? '' })),
    privateKeys: bundle.blocks.filter((b) => isPrivateKeyLabel(b.label)).length,
    leaves: certs.filter(({ cert }) => !cert.ca).length,
    expired: certs.filter(({ cert }) => Date.parse(cert.validTo) < now.getTime()).length,
    duplicates: certs.length - new Set(certs.map(({ cert }) => cert.fingerprint256)).size,
    ...(notAfters[0] !== undefined ? { earliestNotAfter: new Date(notAfters[0]).toISOString() } : {}),
  };
  return { findings, stats };
}

/** SHA-256 fingerprints of a bundle's certificates, to compare two bundles' contents. */
export function bundleFingerprints(bundle: BundleRead): Map<string, string> {
  return new Map(certificateBlocks(bundle.blocks).map(({ cert }) => [cert.fingerprint256, certLabel(certRef(cert))]));
}
