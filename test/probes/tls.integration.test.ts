// The TLS probe against real node:tls servers on 127.0.0.1: the chain as sent, failures as data, one handshake per host.
import { X509Certificate } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { defineCheck } from '../../src/check.js';
import { defaultSettings } from '../../src/config/settings.js';
import { classifyTlsError, tlsChain, type TlsFacts } from '../../src/probes/tls.js';
import { clientTrust, gatewayTrust } from '../../src/probes/trust.js';
import { runChecks } from '../../src/runner/run.js';
import { judgeChain } from '../../src/judge/tls-chain.js';
import { judgeEndpoint } from '../../src/judge/tls-endpoint.js';
import { endpointFacts, trustFacts } from '../../src/tls/endpoint-facts.js';
import gatewayTls from '../../checks/gateway-tls.js';
import gitlabTls from '../../checks/gitlab-tls.js';
import type { ServedFixture, TlsFixtures } from '../../scripts/fixtures.js';
import { makeContext } from '../helpers/context.js';
import { freePort } from '../helpers/loopback.js';
import { startTlsServer, useTlsFixtures, type CountingTlsServer } from '../tls/fixtures.js';

const fixtures = useTlsFixtures();
const opened: { close(): Promise<void> }[] = [];
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
});

async function serve(pick: (f: TlsFixtures) => ServedFixture, ciphers?: string): Promise<CountingTlsServer> {
  const served = pick(fixtures());
  const server = await startTlsServer({ cert: served.chainPem, key: served.leaf.keyPem, ...(ciphers ? { ciphers } : {}) });
  opened.push(server);
  return server;
}

function closable(server: Server): { close(): Promise<void> } {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => sockets.add(s));
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const cns = (facts: TlsFacts) => facts.chain.map((c) => c.subjectCN);

describe('tlsChain against real servers', () => {
  const cases: {
    name: string;
    pick: (f: TlsFixtures) => ServedFixture;
    ciphers?: string;
    sent: string[];
    verdicts: string[];
  }[] = [
    { name: 'valid chain', pick: (f) => f.served.valid, sent: ['gitlab.test', 'duo-doctor fixtures intermediate CA'], verdicts: ['trusted'] },
    {
      name: 'missing intermediate: only the leaf is reported, though the trust store could complete it',
      pick: (f) => f.served.missingIntermediate,
      sent: ['gitlab.test'],
      verdicts: ['missingIntermediate'],
    },
    { name: 'self-signed leaf', pick: (f) => f.served.selfSigned, sent: ['gitlab.test'], verdicts: ['selfSignedLeaf'] },
    {
      name: 'expired leaf',
      pick: (f) => f.served.expired,
      sent: ['gitlab.test', 'duo-doctor fixtures intermediate CA'],
      verdicts: ['trusted', 'expired'],
    },
    {
      name: 'wrong host',
      pick: (f) => f.served.wrongHost,
      sent: ['wrong.test', 'duo-doctor fixtures intermediate CA'],
      verdicts: ['trusted', 'hostnameMismatch'],
    },
    // OpenSSL refuses to load a SHA-1 certificate at the default security level ("ca md too weak"): the test server lowers it.
    {
      name: 'SHA-1 leaf',
      pick: (f) => f.served.sha1,
      ciphers: 'DEFAULT@SECLEVEL=0',
      sent: ['gitlab.test', 'duo-doctor fixtures intermediate CA'],
      verdicts: ['trusted', 'weakSignature'],
    },
    {
      name: '1024-bit leaf',
      pick: (f) => f.served.weakKey,
      ciphers: 'DEFAULT@SECLEVEL=0',
      sent: ['gitlab.test', 'duo-doctor fixtures intermediate CA'],
      verdicts: ['trusted', 'weakKey'],
    },
  ];

  it.each(cases)('$name', async ({ pick, ciphers, sent, verdicts }) => {
    const server = await serve(pick, ciphers);
    const facts = await tlsChain(makeContext(), { host: '127.0.0.1', port: server.port });
    expect(facts).toMatchObject({ ok: true, host: '127.0.0.1', port: server.port, protocol: 'TLSv1.3' });
    expect(facts.cipher).toBeTruthy();
    expect(cns(facts)).toEqual(sent);
    expect(facts.chain[0]?.pem).toBe(new X509Certificate(pick(fixtures()).leaf.certPem).toString());
    const judged = judgeChain({
      chain: facts.chain.map((c) => c.pem),
      trust: [fixtures().root.certPem],
      host: facts.host,
      now: Date.now(),
      expiryWarnDays: 30,
    });
    expect(judged.verdicts.map((v) => v.id)).toEqual(verdicts);
  });

  it('sends SNI for a host name (and not for an IP literal)', async () => {
    const server = await serve((f) => f.served.valid);
    const facts = await tlsChain(makeContext(), { host: 'localhost', port: server.port });
    expect(facts.ok).toBe(true);
    expect(facts.host).toBe('localhost');
  });
});

describe('tlsChain failures are data', () => {
  it('refused', async () => {
    const port = await freePort();
    const facts = await tlsChain(makeContext(), { host: '127.0.0.1', port });
    expect(facts).toMatchObject({ ok: false, chain: [], failure: { kind: 'refused', code: 'ECONNREFUSED' } });
  });

  it('plain http on the port', async () => {
    const server = createHttpServer((_, res) => res.end('hello'));
    opened.push(closable(server));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const facts = await tlsChain(makeContext(), { host: '127.0.0.1', port: (server.address() as AddressInfo).port });
    expect(facts.failure?.kind).toBe('not-tls');
    expect(facts.failure?.message).toMatch(/answers, but not with TLS/);
  });

  it('a server that accepts and never answers times out', async () => {
    const server = createNetServer(() => undefined);
    opened.push(closable(server));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const facts = await tlsChain(makeContext({ timeoutMs: 600 }), { host: '127.0.0.1', port: (server.address() as AddressInfo).port });
    expect(facts.failure).toMatchObject({ kind: 'timeout', message: expect.stringMatching(/within 500 ms/) });
  });

  it.each([
    ['ENOTFOUND', 'getaddrinfo ENOTFOUND gitlab.invalid', 'dns'],
    ['EAI_AGAIN', 'getaddrinfo EAI_AGAIN', 'dns'],
    ['ECONNRESET', 'socket hang up', 'reset'],
    ['EHOSTUNREACH', 'connect EHOSTUNREACH', 'unreachable'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'ssl3_get_record:wrong version number', 'not-tls'],
    ['ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'tlsv1 alert protocol version', 'tls'],
    ['EWHATEVER', 'something odd', 'other'],
  ])('classifies %s', (code, message, kind) => {
    expect(classifyTlsError(Object.assign(new Error(message), { code }), 'gitlab.test:443').kind).toBe(kind);
  });
});

describe('one handshake per host per run', () => {
  it('gitlab-tls, gateway-tls and two more checks on the same hosts share one handshake each', async () => {
    const a = await serve((f) => f.served.valid);
    const b = await serve((f) => f.served.missingIntermediate);
    const urlA = `https://127.0.0.1:${a.port}`;
    const urlB = `https://127.0.0.1:${b.port}`;
    const extra = (id: string, url: string) =>
      defineCheck({
        id,
        title: id,
        category: 'tls',
        tags: [],
        explain: { checks: '', failsWhen: '', fix: '' },
        messages: gatewayTls.messages,
        gather: (ctx) => endpointFacts(ctx, url, async () => trustFacts(await clientTrust(ctx), true)),
        judge: (facts) => judgeEndpoint(facts, id, 'gitlab'),
      });
    const settings = defaultSettings({ gitlabUrl: urlA, gatewayUrl: urlB, gatewayUrlSource: 'flag', caFile: fixtures().bundles.good });
    const run = await runChecks([gitlabTls, gatewayTls, extra('again-a', urlA), extra('again-b', `${urlB}/other/path`)], settings);
    expect(run.results.map((r) => [r.id, r.status])).toEqual([
      ['gitlab-tls', 'pass'],
      ['gateway-tls', 'fail'],
      ['again-a', 'pass'],
      ['again-b', 'fail'],
    ]);
    expect([a.connections(), b.connections()]).toEqual([1, 1]);
  });

  it('memoises under tls:<host>:<port>', async () => {
    const server = await serve((f) => f.served.valid);
    const ctx = makeContext({ env: { SSL_CERT_FILE: fixtures().bundles.good } });
    const target = { host: '127.0.0.1', port: server.port };
    const [x, y] = await Promise.all([tlsChain(ctx, target), tlsChain(ctx, target), gatewayTrust(ctx)]);
    expect(x).toBe(y);
    expect(ctx.memoKeys.filter((k) => k.startsWith('tls:'))).toEqual([`tls:127.0.0.1:${server.port}`, `tls:127.0.0.1:${server.port}`]);
    expect(server.connections()).toBe(1);
  });
});
