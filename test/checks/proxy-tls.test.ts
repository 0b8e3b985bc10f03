// proxy-tls: the judge over synthetic scans (live handshakes: proxy-tls.integration.test.ts).
import { describe, expect, it } from 'vitest';
import { judge, type Facts, type LeafFacts } from '../../checks/proxy-tls.js';
import { CIPHER_CLASSES, PROTOCOLS, type CipherClass, type HandshakeResult, type Protocol, type TlsScan } from '../../src/probes/tls-scan.js';

const yes: HandshakeResult = { outcome: 'accepted', protocol: 'TLSv1.2', cipher: 'TLS_X' };
const no: HandshakeResult = { outcome: 'refused', detail: 'alert handshake failure' };
const cannot: HandshakeResult = { outcome: 'untestable', detail: 'no cipher match' };
const scan = (protocols: Partial<Record<Protocol, HandshakeResult>>, ciphers: Partial<Record<CipherClass, HandshakeResult>> = {}): TlsScan => ({
  host: '127.0.0.1',
  port: 443,
  protocols: { ...Object.fromEntries(PROTOCOLS.map((p) => [p, no])), ...protocols } as Record<Protocol, HandshakeResult>,
  ciphers: {
    ...Object.fromEntries(Object.keys(CIPHER_CLASSES).map((c) => [c, no])),
    tripleDes: cannot,
    rc4: cannot,
    export: cannot,
    ...ciphers,
  } as Record<CipherClass, HandshakeResult>,
});
const leaf = (keyType: string, keyBits: number, signatureAlgorithm = 'sha256WithRSAEncryption'): LeafFacts => ({
  subject: 'aigw',
  keyType,
  keyBits,
  signatureAlgorithm,
});
const facts = (s: TlsScan, l: LeafFacts = leaf('rsa', 2048)): Facts => ({ url: 'https://aigw:443', https: true, scan: s, leaf: l });
const modern = { 'TLSv1.2': yes, 'TLSv1.3': yes };
const ids = (f: Facts) => judge(f).findings.map((x) => x.id);

describe('proxy-tls judge', () => {
  it.each<[string, Facts, string[]]>([
    ['no gateway URL', { https: false }, ['noGateway']],
    ['plain http', { url: 'http://aigw:5052', https: false }, ['notTls']],
    ['nothing handshakes', facts(scan({})), ['noHandshake']],
    ['intermediate: 1.2 + 1.3, AEAD only, RSA 2048 SHA-256', facts(scan(modern)), ['protocolsOk', 'certificateOk']],
    ['TLS 1.3 only', facts(scan({ 'TLSv1.3': yes })), ['protocolsOk', 'certificateOk']],
    ['TLS 1.0 accepted', facts(scan({ ...modern, TLSv1: yes })), ['oldProtocols', 'certificateOk']],
    ['TLS 1.1 alone', facts(scan({ 'TLSv1.1': yes })), ['oldProtocols', 'noModernProtocol', 'certificateOk']],
    ['anonymous suites accepted', facts(scan(modern, { anonymous: yes })), ['brokenCiphers', 'certificateOk']],
    ['3DES accepted', facts(scan(modern, { tripleDes: yes })), ['brokenCiphers', 'certificateOk']],
    ['static RSA accepted', facts(scan(modern, { staticRsa: yes })), ['noForwardSecrecy', 'certificateOk']],
    ['CBC accepted', facts(scan(modern, { cbc: yes })), ['cbcSuites', 'certificateOk']],
    ['RSA 2047 bits', facts(scan(modern), leaf('rsa', 2047)), ['protocolsOk', 'weakKey']],
    ['RSA 1024 bits with SHA-1', facts(scan(modern), leaf('rsa', 1024, 'sha1WithRSAEncryption')), ['protocolsOk', 'weakKey', 'weakSignature']],
    ['EC P-256', facts(scan(modern), leaf('ec', 256, 'ecdsa-with-SHA256')), ['protocolsOk', 'certificateOk']],
    ['EC 224', facts(scan(modern), leaf('ec', 224, 'ecdsa-with-SHA256')), ['protocolsOk', 'weakKey']],
  ])('%s', (_name, f, expected) => {
    expect(ids(f)).toEqual(expected);
  });

  it('lists what this client cannot ask as untestable, not refused', () => {
    expect(judge(facts(scan(modern))).details).toContainEqual(expect.stringMatching(/^Not testable from here .*3DES, RC4, EXPORT-grade/));
  });
});
