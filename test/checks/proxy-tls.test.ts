// proxy-tls: the judge over synthetic scans; live against the real nginx configured weak (TLS 1.0–1.2, every cipher at
// SECLEVEL=0, a 1024-bit SHA-1 certificate made by openssl here) and strong (Mozilla "intermediate"), and the reference
// gateway serving https itself (the healthy installation).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { judge, type Facts, type LeafFacts } from '../../checks/proxy-tls.js';
import { INTERMEDIATE_CIPHERS } from '../../src/data/tls-guidance.js';
import { startGateway, type RunningGateway } from '../../src/reference/gateway/server.js';
import { CIPHER_CLASSES, PROTOCOLS, type CipherClass, type HandshakeResult, type Protocol, type TlsScan } from '../../src/probes/tls-scan.js';
import { makeContext } from '../helpers/context.js';
import { startNginx, type RunningNginx } from '../helpers/nginx.js';
import { useTlsFixtures } from '../tls/fixtures.js';

const yes: HandshakeResult = { outcome: 'accepted', protocol: 'TLSv1.2', cipher: 'TLS_X' };
const no: HandshakeResult = { outcome: 'refused', detail: 'alert handshake failure' };
const cannot: HandshakeResult = { outcome: 'untestable', detail: 'no cipher match' };
const scan = (protocols: Partial<Record<Protocol, HandshakeResult>>, ciphers: Partial<Record<CipherClass, HandshakeResult>> = {}): TlsScan => ({
  host: '127.0.0.1',
  port: 443,
  protocols: { ...Object.fromEntries(PROTOCOLS.map((p) => [p, no])), ...protocols } as Record<Protocol, HandshakeResult>,
  ciphers: { ...Object.fromEntries(Object.keys(CIPHER_CLASSES).map((c) => [c, no])), tripleDes: cannot, rc4: cannot, export: cannot, ...ciphers } as Record<CipherClass, HandshakeResult>,
});
const leaf = (keyType: string, keyBits: number, signatureAlgorithm = 'sha256WithRSAEncryption'): LeafFacts => ({ subject: 'aigw', keyType, keyBits, signatureAlgorithm });
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

const run = promisify(execFile);
const fixtures = useTlsFixtures();

describe('proxy-tls against the real nginx and the reference gateway', () => {
  let dir: string;
  let nginx: RunningNginx;
  let gateway: RunningGateway;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'duo-doctor-weak-tls-'));
    await run('openssl', ['req', '-x509', '-newkey', 'rsa:1024', '-sha1', '-nodes', '-subj', '/CN=127.0.0.1', '-days', '2', '-keyout', path.join(dir, 'k.pem'), '-out', path.join(dir, 'c.pem')]);
    const { chainFile, keyFile } = fixtures().served.valid;
    const location = 'location / { return 200 "ok"; }';
    nginx = await startNginx({
      files: { 'weak.crt': await readFile(path.join(dir, 'c.pem'), 'utf8'), 'weak.key': await readFile(path.join(dir, 'k.pem'), 'utf8') },
      serverBlocks: `
server {
    listen 127.0.0.1:{{PORT}} ssl;
    ssl_certificate {{DIR}}/weak.crt;
    ssl_certificate_key {{DIR}}/weak.key;
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2;
    ssl_ciphers ALL:@SECLEVEL=0;
    ${location}
}
server {
    listen 127.0.0.1:{{PORT2}} ssl;
    ssl_certificate ${chainFile};
    ssl_certificate_key ${keyFile};
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers ${INTERMEDIATE_CIPHERS};
    ${location}
}`,
    });
    gateway = await startGateway({ env: {}, log: () => {}, tls: { certPem: await readFile(chainFile, 'utf8'), keyPem: await readFile(keyFile, 'utf8') } });
  });
  afterAll(async () => {
    await nginx?.stop();
    await gateway?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const judgeUrl = (url: string) => check.run(makeContext({ gatewayUrl: url, gatewayUrlSource: 'flag' }));

  it('fails the weak front on every count this client can test', async () => {
    const out = await judgeUrl(`https://127.0.0.1:${nginx.port}`);
    expect(out.findings?.map((f) => f.id)).toEqual(['oldProtocols', 'brokenCiphers', 'noForwardSecrecy', 'cbcSuites', 'weakKey', 'weakSignature']);
    expect(out.evidence).toMatchObject({
      protocols: { TLSv1: 'accepted', 'TLSv1.1': 'accepted', 'TLSv1.2': 'accepted', 'TLSv1.3': 'refused' },
      ciphers: { staticRsa: 'accepted', anonymous: 'accepted', cbc: 'accepted', nullCipher: 'refused' },
      keyBits: 1024,
      signatureAlgorithm: 'sha1WithRSAEncryption',
    });
  });

  it('passes the front configured as Mozilla "intermediate"', async () => {
    const out = await judgeUrl(`https://127.0.0.1:${nginx.ports['PORT2']}`);
    expect(out.findings).toEqual([
      { id: 'protocolsOk', status: 'pass' },
      { id: 'certificateOk', status: 'pass' },
    ]);
  });

  it('passes the reference gateway serving https itself (the healthy installation)', async () => {
    const out = await judgeUrl(gateway.url);
    expect(out.findings).toEqual([
      { id: 'protocolsOk', status: 'pass' },
      { id: 'certificateOk', status: 'pass' },
    ]);
  });
});
