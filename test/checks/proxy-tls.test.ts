// proxy-tls: the judge over synthetic scans (live handshakes: proxy-tls.integration.test.ts).
import { describe, expect, it } from 'vitest';
import check, { judge, type Facts, type LeafFacts } from '../../checks/proxy-tls.js';
import { expectRenderings, type RenderCase } from '../helpers/renderings.js';
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

describe('proxy-tls renderings (every message, pinned in __renderings__/proxy-tls.txt)', () => {
  const at = (protocol: string, cipher: string): HandshakeResult => ({ outcome: 'accepted', protocol, cipher });
  const good = { 'TLSv1.2': at('TLSv1.2', 'ECDHE-RSA-AES128-GCM-SHA256'), 'TLSv1.3': at('TLSv1.3', 'TLS_AES_256_GCM_SHA384') };
  const long = 'x'.repeat(130);
  const cases: RenderCase<Facts>[] = [
    { name: 'no gateway URL', facts: { https: false } },
    { name: 'plain http', facts: { url: 'http://aigw.example.com:5052', https: false } },
    { name: 'not scanned', facts: { url: 'https://aigw.example.com', https: true } },
    { name: 'every protocol refused, TLS 1.2 said why', facts: facts(scan({})) },
    {
      name: 'every protocol unreachable, TLS 1.2 silent',
      facts: facts(scan(Object.fromEntries(PROTOCOLS.map((p) => [p, { outcome: 'unreachable' as const }])))),
    },
    { name: 'intermediate, RSA 2048 SHA-256', facts: facts(scan(good)) },
    { name: 'TLS 1.3 only, no leaf', facts: { url: 'https://aigw.example.com', https: true, scan: scan({ 'TLSv1.3': good['TLSv1.3'] }) } },
    {
      name: 'everything wrong: TLS 1.0 and 1.1 alone, broken and weak suites, RSA 1024 SHA-1',
      facts: facts(
        scan(
          { TLSv1: at('TLSv1', 'AES128-SHA'), 'TLSv1.1': at('TLSv1.1', 'AES128-SHA') },
          {
            tripleDes: at('TLSv1', 'DES-CBC3-SHA'),
            rc4: { outcome: 'accepted' },
            nullCipher: at('TLSv1', 'NULL-SHA'),
            anonymous: at('TLSv1', 'ADH-AES128-SHA'),
            export: at('TLSv1', 'EXP-RC4-MD5'),
            staticRsa: at('TLSv1', 'AES128-SHA'),
            cbc: at('TLSv1', 'ECDHE-RSA-AES128-SHA'),
          },
        ),
        { subject: 'CN=aigw.example.com', keyType: 'rsa', keyBits: 1024, signatureAlgorithm: 'sha1WithRSAEncryption' },
      ),
    },
    {
      name: 'static RSA and CBC without a cipher named',
      facts: facts(scan(good, { staticRsa: { outcome: 'accepted' }, cbc: { outcome: 'accepted' } })),
    },
    { name: 'a long refusal detail is cut', facts: facts(scan(good, { nullCipher: { outcome: 'refused', detail: long } })) },
    { name: 'nothing untestable', facts: facts(scan(good, { tripleDes: no, rc4: no, export: no })) },
    {
      name: 'old protocols untestable here',
      facts: facts(scan({ ...good, TLSv1: cannot, 'TLSv1.1': cannot }, { tripleDes: no, rc4: no, export: no })),
    },
    { name: 'EC P-256 with SHA-256', facts: facts(scan(good), leaf('ec', 256, 'ecdsa-with-SHA256')) },
    { name: 'EC 224, MD5', facts: facts(scan(good), leaf('ec', 224, 'md5WithRSAEncryption')) },
    {
      name: 'an Ed25519 key (no minimum), size unknown',
      facts: facts(scan(good), { subject: 'CN=aigw', keyType: 'ed25519', signatureAlgorithm: 'ED25519' }),
    },
    { name: 'RSA at the minimum', facts: facts(scan(good), leaf('rsa-pss', 2048, 'rsassaPss')) },
  ];
  it('renders every case as pinned, reaching every message', () => expectRenderings(check, cases));
});
