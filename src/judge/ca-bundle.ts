// Audits CA bundles as the gateway's Python loads them: bad blocks, keys, server certificates, expiry, duplicates, and whether
// the two variables agree. Pure: recorded facts (PEM strings, times as numbers) in, findings out.
import { inDays, plural } from '../plural.js';
import { X509Certificate } from 'node:crypto';
import type { FindingOf, Message, Messages } from '../check.js';
import { certLabel, certRef } from '../pki/certificate.js';
import { describeBlock, isPrivateKeyLabel } from '../probes/pem.js';

/** Which setting names a bundle. */
export type BundleVariable = 'SSL_CERT_FILE' | 'REQUESTS_CA_BUNDLE' | '--ca-file';

/** One PEM block as recorded: where it is, and its PEM when it is a certificate that parsed. */
export interface BlockFacts {
  index: number;
  line: number;
  label: string;
  ok: boolean;
  problem?: string;
  /** A certificate block that decoded: its PEM. */
  pem?: string;
}

/** One bundle file as read where the gateway runs. */
export interface BundleFacts {
  /** The path as named (absolute). */
  file: string;
  /** The path with symbolic links resolved, when known (a distribution bundle is often reached through a link). */
  realPath?: string;
  variables: BundleVariable[];
  readError?: { code: string; message: string };
  blocks: BlockFacts[];
  /** File-level problems (stray lines, no block at all). */
  problems: string[];
}

/**
 * CA bundles a distribution (or certifi) ships and maintains: an expired root in one of them is not the user's mistake and
 * clients skip it, so it is said, never warned about. Debian/Ubuntu/Alpine, RHEL/Fedora (both paths), SUSE, Alpine/BSD/macOS.
 */
export const DISTRIBUTION_BUNDLES: readonly string[] = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem',
  '/etc/ssl/ca-bundle.pem',
  '/etc/ssl/cert.pem',
];
/** certifi's bundle inside a Python environment (requests' default). */
const CERTIFI = /\/(site|dist)-packages\/certifi\/cacert\.pem$/;

/** Whether a bundle is one the distribution (or certifi) maintains, by its path or the path its links resolve to. */
export function isDistributionBundle(bundle: Pick<BundleFacts, 'file' | 'realPath'>): boolean {
  return [bundle.file, bundle.realPath].some((p) => p !== undefined && (DISTRIBUTION_BUNDLES.includes(p) || CERTIFI.test(p)));
}

/** Python's verdict on a file with one malformed block. */
export const PEM_LIB_CONSEQUENCE =
  "Python's ssl (the gateway) rejects the WHOLE file for one malformed block ([X509] PEM lib), so the gateway trusts none of its certificates";
/** Python's verdict on a file without any certificate (empty, DER, key only). */
export const NO_CERTIFICATE_CONSEQUENCE = "Python's ssl (the gateway) rejects it: [X509: NO_CERTIFICATE_OR_CRL_FOUND] no certificate or crl found";

const READ_FIXES: Record<string, string> = {
  ENOENT:
    "Mount the bundle into the gateway's container at that path (docker run -v /srv/certs/ca-bundle.pem:/certs/ca-bundle.pem:ro), or correct the variable.",
  EACCES: "Make the bundle readable by the gateway's user (chmod 644 FILE; the gateway does not run as root).",
  EPERM: "Make the bundle readable by the gateway's user (chmod 644 FILE; the gateway does not run as root).",
  EISDIR: 'Point the variable at a PEM file that holds the CA certificates, not at a directory.',
  EFTYPE: 'Point the variable at a regular PEM file that holds the CA certificates, not at a pipe or socket.',
  EFBIG: 'Point the variable at the PEM bundle of CA certificates: this file is far larger than any CA bundle.',
};

/** The guide's advice when the two variables do not name the same bundle. */
export const SET_BOTH =
  "Set both SSL_CERT_FILE and REQUESTS_CA_BUNDLE to the same bundle in the gateway's environment (the install guide says set both: " +
  "the gateway's HTTP libraries read one or the other — Python's ssl/httpx read SSL_CERT_FILE, requests reads REQUESTS_CA_BUNDLE).";

/** Where a finding is: "SSL_CERT_FILE, REQUESTS_CA_BUNDLE: /etc/ssl/ca.pem". */
type At = { at: string; file: string };
type Cert = At & { block: string; cert: string };

export const bundleMessages = {
  allLoad: {
    status: 'pass',
    text: (d: { bundles: string[] }) => `${d.bundles.join('; ')}: all load, none expired`,
  },
  unreadable: {
    status: 'fail',
    text: (d: At & { why: string; code: string }) => `${d.at}: ${d.why} — the gateway fails every TLS connection it verifies with it`,
    fix: (d: At & { code: string }) => READ_FIXES[d.code] ?? `Fix access to ${d.file}.`,
  },
  badBlock: {
    status: 'fail',
    text: (d: At & { block: string; problem: string }) => `${d.at}: ${d.block} does not parse: ${d.problem}. ${PEM_LIB_CONSEQUENCE}`,
    fix: (d: At & { block: string }) =>
      `Remove or replace ${d.block} in ${d.file} with the complete PEM certificate (check it with openssl x509 -noout -subject -in CERT.pem).`,
  },
  noCertificate: {
    status: 'fail',
    text: (d: At & { why: string }) => `${d.at}: ${d.why}. ${NO_CERTIFICATE_CONSEQUENCE}`,
    fix: (d: At) => `Put the PEM-encoded root CA certificate(s) in ${d.file} (DER converts with openssl x509 -inform der -in CA.der -out CA.pem).`,
  },
  strayLine: {
    status: 'warn',
    text: (d: At & { problem: string }) => `${d.at}: ${d.problem} (clients ignore it; a certificate may have lost its BEGIN line)`,
    fix: (d: At) => `Remove the stray line from ${d.file}, or restore the certificate it belonged to with its own BEGIN and END lines.`,
  },
  privateKey: {
    status: 'fail',
    text: (d: At & { block: string }) =>
      `${d.at}: ${d.block} is a private key: a CA bundle is read by every client and often world-readable, so this leaks a secret`,
    fix: (d: At) => `Remove the key from ${d.file} and rotate it (issue a new certificate with a new key): it has been exposed.`,
  },
  serverCertificate: {
    status: 'warn',
    text: (d: Cert) =>
      `${d.at}: ${d.block}, ${d.cert} is a server certificate, not a CA: trusting it pins that one certificate (and a self-signed GitLab certificate is not supported by the gateway)`,
    fix: 'Put the root CA that issued the server certificate in the bundle instead of the server certificate itself.',
  },
  duplicate: { status: 'pass', text: (d: Cert & { first: number }) => `${d.at}: ${d.block}, ${d.cert} repeats block ${d.first}` },
  expired: {
    status: 'warn',
    text: (d: Cert & { date: string }) => `${d.at}: ${d.block}, ${d.cert} expired on ${d.date}`,
    fix: 'Replace expired CA certificates with their renewed versions (and drop the old ones).',
  },
  notYetValid: {
    status: 'warn',
    text: (d: Cert & { date: string }) => `${d.at}: ${d.block}, ${d.cert} is not valid before ${d.date}`,
    fix: 'Check the clock of this machine and of the CA that issued it.',
  },
  noValidCertificate: {
    status: 'fail',
    text: (d: Cert & { date: string; state: string }) =>
      `${d.at}: ${d.block}, ${d.cert} ${d.state} ${d.date} and the bundle holds no valid certificate`,
    fix: 'Replace the expired CA certificates with their renewed versions (and check the clock if they are not valid yet).',
  },
  expiring: {
    status: 'warn',
    text: (d: Cert & { date: string; days: number }) => `${d.at}: ${d.block}, ${d.cert} expires ${inDays(d.days)}, on ${d.date}`,
    fix: 'Add the renewed CA certificate to the bundle before the old one expires.',
  },
  distributionExpired: {
    status: 'pass',
    text: (d: At & { count: number; names: string }) =>
      `${d.at} is the distribution's own CA bundle; it still lists ${plural(d.count, 'expired or not-yet-valid root')} (${d.names}), which clients skip — not a problem to fix here`,
  },
  variablesUnset: {
    status: 'pass',
    text: () => "SSL_CERT_FILE and REQUESTS_CA_BUNDLE are not set in the gateway's environment: it uses its system roots",
  },
  onlyOneVariable: {
    status: 'warn',
    text: (d: { set: string; unset: string }) =>
      `only ${d.set} is set: ${d.unset} is not, so the gateway's HTTP library that reads ${d.unset} still trusts only its own default roots`,
    fix: SET_BOTH,
  },
  sameFile: { status: 'pass', text: (d: { file: string }) => `SSL_CERT_FILE and REQUESTS_CA_BUNDLE both name ${d.file}` },
  sameCertificates: {
    status: 'pass',
    text: (d: { a: string; b: string }) => `SSL_CERT_FILE (${d.a}) and REQUESTS_CA_BUNDLE (${d.b}) are different files with the same certificates`,
  },
  variablesDiffer: {
    status: 'warn',
    text: (d: { a: string; b: string; diff: string }) =>
      `SSL_CERT_FILE (${d.a}) and REQUESTS_CA_BUNDLE (${d.b}) hold different certificates (${d.diff}): the gateway trusts different CAs depending on which library makes the call`,
    fix: SET_BOTH,
  },
} satisfies Messages;

export type BundleFinding = FindingOf<typeof bundleMessages>;

const DAY_MS = 86_400_000;

interface ParsedCert {
  block: BlockFacts;
  cert: X509Certificate;
}

function parsedCertificates(bundle: BundleFacts): ParsedCert[] {
  return bundle.blocks.flatMap((block) => {
    if (!block.pem) return [];
    try {
      return [{ block, cert: new X509Certificate(block.pem) }];
    } catch {
      return [];
    }
  });
}

/** Counts reporters and evidence show for one bundle. */
export interface BundleStats {
  file: string;
  variables: BundleVariable[];
  readError?: string;
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

/** The findings for one bundle at `now`, and its counts. */
export function auditBundle(bundle: BundleFacts, now: number, expiryWarnDays: number): { findings: BundleFinding[]; stats: BundleStats } {
  const at = `${bundle.variables.join(', ')}: ${bundle.file}`;
  const where = { at, file: bundle.file };
  const certs = bundle.readError ? [] : parsedCertificates(bundle);
  const findings: BundleFinding[] = [];
  if (bundle.readError) {
    findings.push({ id: 'unreadable', data: { ...where, why: bundle.readError.message, code: bundle.readError.code } });
  } else {
    for (const b of bundle.blocks.filter((x) => !x.ok))
      findings.push({ id: 'badBlock', data: { ...where, block: describeBlock(b), problem: b.problem ?? '?' } });
    const fileLevel = bundle.problems.filter((p) => !p.startsWith('block '));
    if (certs.length === 0) {
      const labels = [...new Set(bundle.blocks.map((b) => b.label))];
      const why = fileLevel.length ? fileLevel.join('; ') : `it holds no certificate${labels.length ? ` (only ${labels.join(', ')})` : ''}`;
      findings.push({ id: 'noCertificate', data: { ...where, why } });
    } else {
      for (const problem of fileLevel) findings.push({ id: 'strayLine', data: { ...where, problem } });
    }
    for (const key of bundle.blocks.filter((b) => isPrivateKeyLabel(b.label)))
      findings.push({ id: 'privateKey', data: { ...where, block: describeBlock(key) } });
  }
  findings.push(...certificateFindings(bundle, where, certs, now, expiryWarnDays));
  const notAfters = certs.map(({ cert }) => Date.parse(cert.validTo)).sort((a, b) => a - b);
  const stats: BundleStats = {
    file: bundle.file,
    variables: bundle.variables,
    ...(bundle.readError ? { readError: bundle.readError.code } : {}),
    blocks: bundle.blocks.length,
    certificates: certs.length,
    badBlocks: bundle.blocks.filter((b) => !b.ok).map((b) => ({ index: b.index, line: b.line, label: b.label, problem: b.problem ?? '' })),
    privateKeys: bundle.blocks.filter((b) => isPrivateKeyLabel(b.label)).length,
    leaves: certs.filter(({ cert }) => !cert.ca).length,
    expired: certs.filter(({ cert }) => Date.parse(cert.validTo) < now).length,
    duplicates: certs.length - new Set(certs.map(({ cert }) => cert.fingerprint256)).size,
    ...(notAfters[0] !== undefined ? { earliestNotAfter: new Date(notAfters[0]).toISOString() } : {}),
  };
  return { findings, stats };
}

/** Leaves, expiry (a failure only when nothing valid is left; only said for a distribution's bundle), duplicates. */
function certificateFindings(bundle: BundleFacts, where: At, certs: readonly ParsedCert[], now: number, expiryWarnDays: number): BundleFinding[] {
  const findings: BundleFinding[] = [];
  const invalid = certs.filter(({ cert }) => Date.parse(cert.validTo) < now || Date.parse(cert.validFrom) > now);
  const noneValid = certs.length > 0 && invalid.length === certs.length;
  const distribution = isDistributionBundle(bundle) && !noneValid;
  const seen = new Map<string, BlockFacts>();
  for (const { block, cert } of certs) {
    const c: Cert = { ...where, block: describeBlock(block), cert: certLabel(certRef(cert)) };
    const first = seen.get(cert.fingerprint256);
    if (first) findings.push({ id: 'duplicate', data: { ...c, first: first.index } });
    else seen.set(cert.fingerprint256, block);
    if (!cert.ca) findings.push({ id: 'serverCertificate', data: c });
    const notAfter = Date.parse(cert.validTo);
    const notBefore = Date.parse(cert.validFrom);
    const iso = (t: number) => new Date(t).toISOString();
    if (notAfter < now || notBefore > now) {
      const [state, date] = notAfter < now ? ['expired on', iso(notAfter)] : ['is not valid before', iso(notBefore)];
      if (noneValid) findings.push({ id: 'noValidCertificate', data: { ...c, state, date } });
      else if (!distribution) findings.push(notAfter < now ? { id: 'expired', data: { ...c, date } } : { id: 'notYetValid', data: { ...c, date } });
    } else if (!distribution && notAfter - now <= expiryWarnDays * DAY_MS) {
      findings.push({ id: 'expiring', data: { ...c, date: iso(notAfter), days: Math.floor((notAfter - now) / DAY_MS) } });
    }
  }
  if (distribution && invalid.length) {
    const names =
      invalid
        .slice(0, 3)
        .map(({ cert }) => certLabel(certRef(cert)))
        .join(', ') + (invalid.length > 3 ? ', …' : '');
    findings.push({ id: 'distributionExpired', data: { ...where, count: invalid.length, names } });
  }
  return findings;
}

/** SHA-256 fingerprints of a bundle's certificates with their labels, to compare two bundles' contents. */
export function bundleFingerprints(bundle: BundleFacts): Map<string, string> {
  return new Map(parsedCertificates(bundle).map(({ cert }) => [cert.fingerprint256, certLabel(certRef(cert))]));
}

/** The problems (warn and fail findings) of one bundle as text with their fixes, and its counts: for checks that only cite them. */
export function bundleProblems(
  bundle: BundleFacts,
  now: number,
  expiryWarnDays: number,
): { problems: { text: string; fix?: string }[]; stats: BundleStats } {
  const { findings, stats } = auditBundle(bundle, now, expiryWarnDays);
  const problems = findings.flatMap((f) => {
    const message = bundleMessages[f.id] as Message<unknown>;
    if (message.status === 'pass') return [];
    const fix = typeof message.fix === 'function' ? message.fix(f.data) : message.fix;
    return [{ text: message.text(f.data), ...(fix ? { fix } : {}) }];
  });
  return { problems, stats };
}
