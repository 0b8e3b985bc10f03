// Generates the malformed PEM / CA bundle corpus at test time (certificates made fresh, files written to a temp dir) with each verdict.
import { execFileSync } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import { createRootCA, issueCertificate, type Issued } from '../../src/pki/generate.js';
import { pooledRsaKey } from '../../src/pki/keys.js';
import type { Status } from '../../src/model.js';
import { toPem } from '../../src/probes/pem.js';

/** One corpus entry: what the file holds, and what ca-bundle must say about it. */
export interface PemCase {
  name: string;
  /** The file's bytes, or how to make a path that is not a plain file. */
  content: string | Buffer | { special: 'missing' | 'directory' | 'fifo' | 'symlink-loop' | 'dev-zero' };
  status: Extract<Status, 'pass' | 'warn' | 'fail'>;
  /** Matched against the summary. */
  says: RegExp;
  /** Matched against one of the detail lines, when the summary alone does not show everything. */
  detail?: RegExp;
}

const DAY_MS = 86_400_000;

/** The certificates the corpus is made of, generated once per test file. */
export interface Material {
  root: Issued;
  other: Issued;
  leaf: Issued;
  expired: Issued;
  notYet: Issued;
  /** An EC (P-256) CA from openssl, or undefined where openssl is missing. */
  ecRoot?: string;
  csr: string;
  pkcs7: string;
}

function ecRootPem(): string | undefined {
  try {
    const out = execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        '/dev/null',
        '-subj',
        '/CN=corpus EC root',
        '-days',
        '400',
        '-addext',
        'basicConstraints=critical,CA:TRUE',
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    return out.toString();
  } catch {
    return undefined;
  }
}

/** Makes the certificates, CSR and PKCS#7 the cases are built from. */
export function makeMaterial(): Material {
  const now = Date.now();
  const root = createRootCA({ commonName: 'corpus root CA' });
  const other = createRootCA({ commonName: 'corpus other CA' });
  const leaf = issueCertificate({ commonName: 'gitlab.corpus.test', altNames: ['gitlab.corpus.test'] }, root);
  const expired = createRootCA({ commonName: 'corpus expired CA', notBefore: new Date(now - 400 * DAY_MS), notAfter: new Date(now - DAY_MS) });
  const notYet = createRootCA({ commonName: 'corpus future CA', notBefore: new Date(now + 10 * DAY_MS), notAfter: new Date(now + 400 * DAY_MS) });

  const key = pooledRsaKey(2048);
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.publicKeyFromPem(key.publicPem);
  csr.setSubject([{ name: 'commonName', value: 'gitlab.corpus.test' }]);
  csr.sign(forge.pki.privateKeyFromPem(key.privatePem) as forge.pki.rsa.PrivateKey, forge.md.sha256.create());

  const p7 = forge.pkcs7.createSignedData();
  p7.addCertificate(forge.pki.certificateFromPem(root.certPem));
  return {
    root,
    other,
    leaf,
    expired,
    notYet,
    ecRoot: ecRootPem(),
    csr: forge.pki.certificationRequestToPem(csr),
    pkcs7: forge.pkcs7.messageToPem(p7),
  };
}

/** The base64 lines between BEGIN and END. */
function bodyLines(pem: string): string[] {
  return pem.trim().split(/\r?\n/).slice(1, -1);
}

function block(label: string, lines: readonly string[]): string {
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

function der(pem: string): Buffer {
  return Buffer.from(new X509Certificate(pem).raw);
}

/** Random bytes with control characters in them, so they can never read as text. */
function binaryGarbage(size: number): Buffer {
  const bytes = randomBytes(size);
  bytes[0] = 0x00;
  bytes[1] = 0x07;
  return bytes;
}

/** A ~10 MB bundle: the same CA over and over (about 8,000 blocks). */
function tenMegabytes(pem: string): string {
  return pem.repeat(Math.ceil((10 * 1024 * 1024) / pem.length));
}

/** Every case. Statuses and messages are what ca-bundle says with both gateway variables (or --ca-file) naming the file. */
export function pemCases(m: Material): PemCase[] {
  const root = m.root.certPem;
  const lines = bodyLines(root);
  const half = Math.floor(lines.length / 2);
  const spki = pooledRsaKey(2048).publicPem;
  const cases: PemCase[] = [
    { name: 'a good CA (baseline)', content: root, status: 'pass', says: /1 CA certificate in .*: all load, none expired$/ },
    { name: 'empty file', content: '', status: 'fail', says: /the file is empty: it holds no PEM block\..*NO_CERTIFICATE_OR_CRL_FOUND/ },
    { name: 'whitespace only', content: '\n  \n\t\r\n', status: 'fail', says: /the file is empty/ },
    {
      name: 'body cut at a line, END kept',
      content: block('CERTIFICATE', lines.slice(0, half)),
      status: 'fail',
      says: /block 1 \(line 1, CERTIFICATE\) does not parse: the body is truncated \(its DER claims \d+ bytes, the block holds \d+\).*\[X509\] PEM lib/,
    },
    {
      name: 'file cut mid-line (no END)',
      content: root.slice(0, Math.floor(root.length / 2)),
      status: 'fail',
      says: /block 1 \(line 1, CERTIFICATE\) does not parse: no END line: the block is truncated/,
    },
    {
      name: "base64url alphabet ('-' and '_')",
      content: block(
        'CERTIFICATE',
        lines.map((l) => l.replace(/\+/g, '-').replace(/\//g, '_')),
      ),
      status: 'fail',
      says: /invalid base64 character "[-_]" at line \d+ \(base64url's alphabet; PEM uses '\+' and '\/'\)/,
    },
    {
      name: 'a character outside any base64 alphabet',
      content: block('CERTIFICATE', [...lines.slice(0, 3), `${lines[3]?.slice(0, 10)}*${lines[3]?.slice(11)}`, ...lines.slice(4)]),
      status: 'fail',
      says: /invalid base64 character "\*" at line 5/,
    },
    {
      name: 'a NUL byte inside a block',
      content: block('CERTIFICATE', [...lines.slice(0, 2), `AB\u0000CD`, ...lines.slice(2)]),
      status: 'fail',
      says: /invalid base64 character "\\u0000" at line 4/,
    },
    {
      name: 'nested BEGIN',
      content: `-----BEGIN CERTIFICATE-----\n${lines.slice(0, half).join('\n')}\n${root}`,
      status: 'fail',
      says: /block 1 \(line 1, CERTIFICATE\) does not parse: no END line before the next BEGIN at line \d+/,
    },
    {
      name: 'END label does not match BEGIN',
      content: root.replace('-----END CERTIFICATE-----', '-----END X509 CRL-----'),
      status: 'fail',
      says: /END line at line \d+ does not match BEGIN CERTIFICATE/,
    },
    {
      name: 'a 100 KB single line inside a block',
      content: block('CERTIFICATE', ['A'.repeat(100 * 1024)]),
      status: 'fail',
      says: /block 1 \(line 1, CERTIFICATE\) does not parse: the body is not DER/,
    },
    { name: 'a 100 KB line of text after a CA', content: `${root}${'x'.repeat(100 * 1024)}\n`, status: 'pass', says: /1 CA certificate / },
    {
      name: 'a 10 MB bundle (8,000 copies of one CA)',
      content: tenMegabytes(root),
      status: 'pass',
      says: /^\d{4} CA certificates in .*: all load, none expired$/,
      detail: /^✔ .*block 2 \(line \d+, CERTIFICATE\), "corpus root CA" .* repeats block 1/,
    },
    { name: 'binary garbage', content: binaryGarbage(4096), status: 'fail', says: /the file is binary, not PEM\..*NO_CERTIFICATE_OR_CRL_FOUND/ },
    {
      name: 'DER instead of PEM',
      content: der(root),
      status: 'fail',
      says: /the file is binary, not PEM \(it looks like DER: convert it with `openssl x509 -inform der/,
    },
    {
      name: 'UTF-16 encoded PEM',
      content: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(root, 'utf16le')]),
      status: 'fail',
      says: /the file is binary, not PEM/,
    },
    {
      name: 'a private key only',
      content: m.root.keyPem,
      status: 'fail',
      says: /it holds no certificate \(only PRIVATE KEY\)\..*NO_CERTIFICATE_OR_CRL_FOUND/,
      detail: /block 1 \(line 1, PRIVATE KEY\) is a private key/,
    },
    {
      name: 'a private key and a certificate',
      content: `${m.leaf.keyPem}${root}`,
      status: 'fail',
      says: /block 1 \(line 1, PRIVATE KEY\) is a private key: a CA bundle is read by every client and often world-readable, so this leaks a secret/,
    },
    { name: 'a CSR instead of a certificate', content: m.csr, status: 'fail', says: /it holds no certificate \(only CERTIFICATE REQUEST\)/ },
    { name: 'PKCS#7 instead of PEM certificates', content: m.pkcs7, status: 'fail', says: /it holds no certificate \(only PKCS7\)/ },
    {
      name: 'a public key under a CERTIFICATE label',
      content: block('CERTIFICATE', bodyLines(spki)),
      status: 'fail',
      says: /block 1 \(line 1, CERTIFICATE\) does not parse: not a parseable X\.509 certificate/,
    },
    {
      name: 'stray bytes after the DER',
      content: toPem(Buffer.concat([der(root), Buffer.from([1, 2, 3])])),
      status: 'fail',
      says: /block 1 \(line 1, CERTIFICATE\) does not parse: 3 stray bytes after the DER structure/,
    },
    {
      name: 'base64 padding in the middle (two bodies merged)',
      content: block('CERTIFICATE', [...lines.slice(0, half), 'QQ==', ...lines.slice(half)]),
      status: 'fail',
      says: /base64 padding \(=\) in the middle of the body/,
    },
    {
      name: 'only expired CAs',
      content: m.expired.certPem,
      status: 'fail',
      says: /"corpus expired CA" .* expired on \d{4}-\d\d-\d\dT.* and the bundle holds no valid certificate/,
    },
    {
      name: 'only not-yet-valid CAs',
      content: m.notYet.certPem,
      status: 'fail',
      says: /"corpus future CA" .* is not valid before .* and the bundle holds no valid certificate/,
    },
    {
      name: 'an expired CA among valid ones',
      content: `${root}${m.expired.certPem}`,
      status: 'warn',
      says: /block 2 \(line \d+, CERTIFICATE\), "corpus expired CA" .* expired on/,
    },
    {
      name: 'duplicate certificates',
      content: `${root}${m.other.certPem}${root}`,
      status: 'pass',
      says: /3 CA certificates/,
      detail: /^✔ .*block 3 \(line \d+, CERTIFICATE\), "corpus root CA" .* repeats block 1$/,
    },
    { name: 'UTF-8 BOM', content: `\uFEFF${root}`, status: 'pass', says: /1 CA certificate / },
    { name: 'CRLF line ends', content: `${root}${m.other.certPem}`.replace(/\n/g, '\r\n'), status: 'pass', says: /2 CA certificates/ },
    { name: 'old Mac CR-only line ends', content: root.replace(/\n/g, '\r'), status: 'pass', says: /1 CA certificate / },
    {
      name: 'text between blocks',
      content: `# Corporate root\n${root}\nsubject=CN = other\nissuer=CN = other\n${m.other.certPem}trailing words\n`,
      status: 'pass',
      says: /2 CA certificates/,
    },
    {
      name: 'missing END on the last block',
      content: `${root}-----BEGIN CERTIFICATE-----\n${bodyLines(m.other.certPem).join('\n')}\n`,
      status: 'fail',
      says: /block 2 \(line \d+, CERTIFICATE\) does not parse: no END line: the block is truncated/,
    },
    {
      name: 'END without BEGIN next to a good CA',
      content: `-----END CERTIFICATE-----\n${root}`,
      status: 'warn',
      says: /line 1: END line without a BEGIN \(clients ignore it; a certificate may have lost its BEGIN line\)/,
    },
    {
      name: 'malformed BEGIN line next to a good CA',
      content: `${root.replace('-----BEGIN CERTIFICATE-----', '-----BEGIN CERTIFICATE----')}${m.other.certPem}`,
      status: 'warn',
      says: /line 1: malformed BEGIN line "-----BEGIN CERTIFICATE----": OpenSSL skips it/,
    },
    {
      name: 'a 100 KB label',
      content: `-----BEGIN ${'A'.repeat(100 * 1024)}-----\n${lines.join('\n')}\n-----END ${'A'.repeat(100 * 1024)}-----\n`,
      status: 'fail',
      says: /line 1: malformed BEGIN line "-----BEGIN A{40,}…": OpenSSL skips it/,
    },
    {
      name: 'a server certificate instead of a CA',
      content: m.leaf.certPem,
      status: 'warn',
      says: /"gitlab\.corpus\.test" .* is a server certificate, not a CA/,
    },
    {
      name: 'TRUSTED CERTIFICATE (OpenSSL trust format)',
      content: block('TRUSTED CERTIFICATE', lines),
      status: 'pass',
      says: /1 CA certificate /,
    },
    {
      name: 'a directory',
      content: { special: 'directory' },
      status: 'fail',
      says: /it is a directory, not a file — the gateway fails every TLS connection it verifies with it/,
    },
    { name: 'a missing file', content: { special: 'missing' }, status: 'fail', says: /the file does not exist/ },
    { name: 'a FIFO with no writer (must not hang)', content: { special: 'fifo' }, status: 'fail', says: /it is a named pipe \(FIFO\), not a file/ },
    { name: '/dev/zero (must not read forever)', content: { special: 'dev-zero' }, status: 'fail', says: /it is larger than 33554432 bytes/ },
    { name: 'a symbolic link loop', content: { special: 'symlink-loop' }, status: 'fail', says: /too many levels of symbolic links/ },
  ];
  if (m.ecRoot) cases.push({ name: 'an EC (P-256) CA', content: m.ecRoot, status: 'pass', says: /1 CA certificate / });
  return cases;
}

/** Writes a case under `dir` (one sub-directory per case) and returns the path to configure. */
export function materialise(dir: string, index: number, c: PemCase): string {
  const base = join(dir, String(index));
  mkdirSync(base);
  const file = join(base, 'ca-bundle.pem');
  if (typeof c.content === 'string' || Buffer.isBuffer(c.content)) {
    writeFileSync(file, c.content);
    return file;
  }
  switch (c.content.special) {
    case 'missing':
      return file;
    case 'directory':
      mkdirSync(file);
      return file;
    case 'fifo':
      execFileSync('mkfifo', [file]);
      return file;
    case 'symlink-loop':
      symlinkSync(join(base, 'b.pem'), file);
      symlinkSync(file, join(base, 'b.pem'));
      return file;
    case 'dev-zero':
      return '/dev/zero';
  }
}
