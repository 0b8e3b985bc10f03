// proxy-tls live: the real nginx configured weak (TLS 1.0–1.2, every cipher at SECLEVEL=0, a 1024-bit SHA-1 certificate
// made by openssl here) and strong (Mozilla "intermediate"), and the reference gateway serving https itself (healthy).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check from '../../checks/proxy-tls.js';
import { INTERMEDIATE_CIPHERS } from '../../src/data/tls-guidance.js';
import { startGateway, type RunningGateway } from '../../src/reference/gateway/server.js';
import { makeContext } from '../helpers/context.js';
import { startNginx, type RunningNginx } from '../helpers/nginx.js';
import { useTlsFixtures } from '../tls/fixtures.js';
const run = promisify(execFile);
const fixtures = useTlsFixtures();

describe('proxy-tls against the real nginx and the reference gateway', () => {
  let dir: string;
  let nginx: RunningNginx;
  let gateway: RunningGateway;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'duo-doctor-weak-tls-'));
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:1024',
      '-sha1',
      '-nodes',
      '-subj',
      '/CN=127.0.0.1',
      '-days',
      '2',
      '-keyout',
      path.join(dir, 'k.pem'),
      '-out',
      path.join(dir, 'c.pem'),
    ]);
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
    gateway = await startGateway({
      env: {},
      log: () => {},
      tls: { certPem: await readFile(chainFile, 'utf8'), keyPem: await readFile(keyFile, 'utf8') },
    });
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
