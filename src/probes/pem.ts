// Splits PEM text into blocks the way OpenSSL reads them, naming every block that would not load (Node drops them silently).
import { X509Certificate } from 'node:crypto';
import { readTlvHeader } from '../pki/der.js';

/** One `-----BEGIN X-----` … `-----END X-----` block of a PEM file. */
export interface PemBlock {
  /** 1-based position among the file's blocks. */
  index: number;
  /** 1-based line of the BEGIN line. */
  line: number;
  /** The BEGIN label: 'CERTIFICATE', 'PRIVATE KEY', 'RSA PRIVATE KEY', ... */
  label: string;
  /** Whether the block decodes to well-formed DER (and, for a certificate, to a parseable X.509 certificate). */
  ok: boolean;
  /** Why the block does not load, when `ok` is false. */
  problem?: string;
  /** The decoded body, when `ok`. */
  der?: Buffer;
}

/** Labels OpenSSL loads as certificates from a CA file. */
const CERTIFICATE_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE']);

// OpenSSL's labels are short; a longer one is not a label (and would flood every message that names the block).
const BEGIN = /^-----BEGIN ([A-Z0-9 ]{1,64})-----$/;
const END = /^-----END ([A-Z0-9 ]{1,64})-----$/;
const BASE64_CHAR = /[A-Za-z0-9+/=]/;

/** Whether a label names a certificate. */
export function isCertificateLabel(label: string): boolean {
  return CERTIFICATE_LABELS.has(label);
}

/** Whether a label names a private key (PKCS#8, PKCS#1, SEC1, OpenSSH, encrypted). */
export function isPrivateKeyLabel(label: string): boolean {
  return label.endsWith('PRIVATE KEY');
}

/** "block 2 (line 31, CERTIFICATE)": how reports name a block. */
export function describeBlock(block: Pick<PemBlock, 'index' | 'line' | 'label'>): string {
  return `block ${block.index} (line ${block.line}, ${block.label})`;
}

/** PEM text for a DER body (64-column base64, as OpenSSL writes it). */
export function toPem(der: Buffer, label = 'CERTIFICATE'): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** Why a decoded body is not well-formed DER for its label, or undefined when it is. */
function derProblem(der: Buffer, label: string): string | undefined {
  if (der.length === 0) return 'empty body';
  // OpenSSH's own key format is not DER.
  if (label.startsWith('OPENSSH')) return undefined;
  if (der[0] !== 0x30) return 'the body is not DER (it does not start with an ASN.1 SEQUENCE)';
  const claimed = readTlvHeader(der, 0)?.end;
  if (claimed === undefined || claimed > der.length) {
    return `the body is truncated (its DER claims ${claimed ?? 'more'} bytes, the block holds ${der.length})`;
  }
  // OpenSSL's TRUSTED CERTIFICATE appends trust settings after the certificate.
  if (claimed < der.length && label !== 'TRUSTED CERTIFICATE') {
    return `${der.length - claimed} stray bytes after the DER structure`;
  }
  if (isCertificateLabel(label)) {
    try {
      new X509Certificate(der.subarray(0, claimed));
    } catch (error) {
      return `not a parseable X.509 certificate (${(error as Error).message})`;
    }
  }
  return undefined;
}

interface BodyLine {
  text: string;
  no: number;
}

/** Decodes a block's body lines (skipping RFC 1421 headers such as `Proc-Type:`), or says why it cannot. */
function decodeBody(lines: readonly BodyLine[], label: string): { der: Buffer } | { problem: string } {
  let data = lines.map((l) => ({ text: l.text.trim(), no: l.no })).filter((l) => l.text !== '');
  if (data.some((l) => l.text.includes(':'))) {
    const lastHeader = data.findLastIndex((l) => l.text.includes(':'));
    data = data.slice(lastHeader + 1);
  }
  for (const l of data) {
    const bad = [...l.text].find((c) => !BASE64_CHAR.test(c));
    if (bad !== undefined) {
      const hint = bad === '-' || bad === '_' ? " (base64url's alphabet; PEM uses '+' and '/')" : '';
      return { problem: `invalid base64 character ${JSON.stringify(bad)} at line ${l.no}${hint}` };
    }
  }
  const b64 = data.map((l) => l.text).join('');
  if (b64 === '') return { problem: 'empty body' };
  if (/=[^=]/.test(b64)) return { problem: 'base64 padding (=) in the middle of the body: two blocks were merged or lines lost' };
  if (b64.length % 4 !== 0) {
    return { problem: `base64 length ${b64.length} is not a multiple of 4: the body is truncated or lost characters` };
  }
  const der = Buffer.from(b64, 'base64');
  const problem = derProblem(der, label);
  return problem ? { problem } : { der };
}

/** Whether text (decoded as UTF-8) is binary data rather than PEM, e.g. a DER certificate. */
function looksBinary(text: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what marks binary data
  return /[\x00-\x08\x0e-\x1f]/.test(text) || text.includes('\uFFFD');
}

/**
 * Splits PEM text into blocks, checking each one as OpenSSL would when loading a CA file: BEGIN/END pairing and labels,
 * base64 alphabet and length, DER structure, and X.509 parsing for certificates. `problems` lists every bad block
 * (with its index and line) and file-level trouble (empty, binary/DER, no block at all). Text between blocks and a
 * UTF-8 BOM or CRLF line ends are accepted, as OpenSSL accepts them. Never throws.
 */
export function splitPem(text: string): { blocks: PemBlock[]; problems: string[] } {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const blocks: PemBlock[] = [];
  const problems: string[] = [];
  if (body.trim() === '') return { blocks, problems: ['the file is empty: it holds no PEM block'] };
  if (!body.includes('-----BEGIN ') && looksBinary(body)) {
    const der = body.startsWith('0') ? ' (it looks like DER: convert it with `openssl x509 -inform der -in FILE -out FILE.pem`)' : '';
    return { blocks, problems: [`the file is binary, not PEM${der}`] };
  }

  let open: { index: number; line: number; label: string; body: BodyLine[] } | undefined;
  // After a malformed BEGIN line, OpenSSL reads everything up to the next BEGIN as text: its END line is no news.
  let skipping = false;
  const fail = (b: { index: number; line: number; label: string }, problem: string) => {
    blocks.push({ index: b.index, line: b.line, label: b.label, ok: false, problem });
    problems.push(`${describeBlock(b)}: ${problem}`);
  };
  const lines = body.split(/\r\n|\n|\r/);
  lines.forEach((raw, i) => {
    const line = raw.trimEnd();
    const no = i + 1;
    if (line.startsWith('-----BEGIN ')) {
      if (open) fail(open, `no END line before the next BEGIN at line ${no}`);
      const m = BEGIN.exec(line);
      open = undefined;
      skipping = !m?.[1];
      if (!m?.[1]) {
        const shown = line.length > 80 ? `${line.slice(0, 80)}…` : line;
        problems.push(`line ${no}: malformed BEGIN line ${JSON.stringify(shown)}: OpenSSL skips it, and the block after it is lost`);
        return;
      }
      open = { index: blocks.length + 1, line: no, label: m[1], body: [] };
    } else if (line.startsWith('-----END ')) {
      if (!open) {
        if (!skipping) problems.push(`line ${no}: END line without a BEGIN`);
        skipping = false;
        return;
      }
      const current = open;
      open = undefined;
      const label = END.exec(line)?.[1];
      if (label !== current.label) {
        fail(current, `END line at line ${no} does not match BEGIN ${current.label}`);
        return;
      }
      const decoded = decodeBody(current.body, current.label);
      if ('problem' in decoded) fail(current, decoded.problem);
      else blocks.push({ index: current.index, line: current.line, label: current.label, ok: true, der: decoded.der });
    } else if (open) {
      open.body.push({ text: line, no });
    }
  });
  if (open) fail(open, 'no END line: the block is truncated');
  if (blocks.length === 0 && problems.length === 0) problems.push('no PEM block found (no -----BEGIN line)');
  return { blocks, problems };
}
