// The little DER reading Node 20 lacks: element headers (for PEM checks) and a certificate's signature algorithm.

/** One DER element: its tag and where its content lies. */
export interface Tlv {
  tag: number;
  start: number;
  /** Where the content ends, as the length field claims (may lie beyond the buffer). */
  end: number;
}

/** The header of the DER element at `offset`, or undefined when the header itself is cut short. */
export function readTlvHeader(buf: Buffer, offset: number): Tlv | undefined {
  const tag = buf[offset];
  const first = buf[offset + 1];
  if (tag === undefined || first === undefined) return undefined;
  let start = offset + 2;
  let len = first;
  if (first >= 0x80) {
    const n = first & 0x7f;
    if (n === 0 || n > 4 || start + n > buf.length) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (buf[start + i] ?? 0);
    start += n;
  }
  return { tag, start, end: start + len };
}

/** The DER element at `offset`, when it lies entirely within the buffer. */
function readTlv(buf: Buffer, offset: number): Tlv | undefined {
  const tlv = readTlvHeader(buf, offset);
  return tlv && tlv.end <= buf.length ? tlv : undefined;
}

/** Dotted form of a DER OBJECT IDENTIFIER's content. */
function decodeOid(content: Buffer): string {
  const parts: number[] = [];
  let value = 0;
  for (const byte of content) {
    value = value * 128 + (byte & 0x7f);
    if (byte < 0x80) {
      parts.push(value);
      value = 0;
    }
  }
  const [head = 0, ...rest] = parts;
  const first = head < 80 ? Math.floor(head / 40) : 2;
  return [first, head - first * 40, ...rest].join('.');
}

const SIGNATURE_ALGORITHMS: Record<string, string> = {
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'rsassaPss',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.113549.1.1.14': 'sha224WithRSAEncryption',
  '1.2.840.10040.4.3': 'dsaWithSHA1',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.3.101.112': 'Ed25519',
  '1.3.101.113': 'Ed448',
};

/**
 * The signature algorithm of a DER certificate (`Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, ... }`),
 * by its usual name, or the dotted OID when unknown; 'unknown' when the DER cannot be read.
 */
export function signatureAlgorithmOf(der: Buffer): string {
  const cert = readTlv(der, 0);
  const tbs = cert && readTlv(der, cert.start);
  const algorithm = tbs && readTlv(der, tbs.end);
  const oid = algorithm && readTlv(der, algorithm.start);
  if (!oid || oid.tag !== 0x06) return 'unknown';
  const dotted = decodeOid(der.subarray(oid.start, oid.end));
  return SIGNATURE_ALGORITHMS[dotted] ?? dotted;
}
