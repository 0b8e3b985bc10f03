// The reachability probe against loopback servers: the phase timings and the proxy comparison it gathers (and the verdict
// gateway-reachable draws from them), memoisation.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpForward } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildChain } from '../../src/pki/generate.js';
import { verdictOf } from '../../checks/gateway-reachable.js';
import { reach } from '../../src/probes/reach.js';
import { makeContext } from '../helpers/context.js';
import { freePort, startLoopback, type LoopbackServer } from '../helpers/loopback.js';

// Names under .invalid never reach a resolver: the lookup fails here, as a real NXDOMAIN would.
vi.mock('node:dns/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:dns/promises')>();
  const lookup = (host: string, options: object) =>
    host.endsWith('.invalid')
      ? Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }))
      : real.lookup(host, options as never);
  return { ...real, lookup, default: { ...real, lookup } };
});

const gatewayAnswer = (res: import('node:http').ServerResponse) =>
  res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"No authorization header presented"}');

describe('reach', () => {
  const chain = buildChain({ host: '127.0.0.1' });
  const dir = mkdtempSync(join(tmpdir(), 'reach-test-'));
  const caFile = join(dir, 'root.pem');
  writeFileSync(caFile, chain.root.certPem);
  let plain: LoopbackServer;
  let secure: LoopbackServer;
  let silent: TcpServer;
  let silentPort = 0;
  const silentSockets: Socket[] = [];

  beforeAll(async () => {
    plain = await startLoopback((_req, res) => gatewayAnswer(res));
    secure = await startLoopback((_req, res) => gatewayAnswer(res), { cert: chain.chainPem, key: chain.leaf.keyPem });
    // Accepts and never speaks: a TLS handshake there hangs. Its sockets are ended at close.
    silent = createTcpServer((socket) => silentSockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentPort = (silent.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await Promise.all([
      plain.close(),
      secure.close(),
      new Promise<void>((resolve) => {
        for (const socket of silentSockets) socket.destroy();
        silent.close(() => resolve());
      }),
    ]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('reaches a plain http server, timing each phase', async () => {
    const facts = await reach(makeContext(), plain.url);
    expect(verdictOf(facts).verdict).toBe('ok');
    expect(facts.dns).toMatchObject({ ok: true, addresses: ['127.0.0.1'] });
    expect(facts.tcp).toMatchObject({ ok: true, address: '127.0.0.1' });
    expect(facts.tls).toBeUndefined();
    expect(verdictOf(facts).message).toContain('reachable over TCP');
  });

  it('tries every address of a name (localhost may resolve to ::1 first)', async () => {
    const facts = await reach(makeContext(), `http://localhost:${plain.port}/`);
    expect(verdictOf(facts).verdict).toBe('ok');
    expect(facts.tcp?.address).toBe('127.0.0.1');
  });

  it('completes the TLS handshake when the CA is trusted through --ca-file', async () => {
    const facts = await reach(makeContext({ caFile }), secure.url);
    expect(verdictOf(facts).verdict).toBe('ok');
    expect(facts.tls).toMatchObject({ ok: true });
    expect(facts.tls?.protocol).toMatch(/^TLSv1\.[23]$/);
  });

  it('reports an untrusted certificate as a TLS failure with its code', async () => {
    const facts = await reach(makeContext(), secure.url);
    expect(verdictOf(facts).verdict).toBe('tls');
    expect(facts.tcp?.ok).toBe(true);
    expect(facts.tls?.code).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/);
  });

  it('says "plain http" when an https URL meets a plain http port', async () => {
    const facts = await reach(makeContext(), `https://127.0.0.1:${plain.port}/`);
    expect(verdictOf(facts).verdict).toBe('tls');
    expect(facts.tls?.message).toContain('not with TLS');
  });

  it('reports a refused port', async () => {
    const facts = await reach(makeContext(), `http://127.0.0.1:${await freePort()}/`);
    expect(verdictOf(facts).verdict).toBe('refused');
    expect(facts.tcp).toMatchObject({ ok: false, code: 'ECONNREFUSED' });
  });

  it('reports a DNS failure without trying TCP', async () => {
    const facts = await reach(makeContext(), 'http://aigw.nowhere.invalid:5052');
    expect(verdictOf(facts).verdict).toBe('dns');
    expect(facts.dns.code).toBe('ENOTFOUND');
    expect(facts.tcp).toBeUndefined();
  });

  it('times out a handshake nobody answers, naming the stage and the timeout given', async () => {
    const facts = await reach(makeContext({ timeoutMs: 1000 }), `https://127.0.0.1:${silentPort}/`);
    expect(verdictOf(facts).verdict).toBe('timeout');
    expect(verdictOf(facts).message).toContain('the TLS handshake got no answer within 1000 ms (--timeout)');
    expect(facts.tls).toMatchObject({ ok: false, code: 'ETIMEDOUT' });
  });

  it('rejects a URL that is not http(s)', async () => {
    const facts = await reach(makeContext(), 'ftp://aigw:21');
    expect(verdictOf(facts).verdict).toBe('invalid-url');
  });

  it('probes each host:port once per run', async () => {
    const ctx = makeContext();
    const [a, b] = await Promise.all([reach(ctx, `${plain.url}/`), reach(ctx, `${plain.url}/monitoring/healthz`)]);
    expect(a).toBe(b);
    expect(ctx.memoKeys.filter((k) => k.startsWith('reach:'))).toEqual([`reach:127.0.0.1:${plain.port}`, `reach:127.0.0.1:${plain.port}`]);
  });

  describe('with a proxy', () => {
    let forwarding: LoopbackServer;
    let squid: LoopbackServer;
    let authProxy: LoopbackServer;
    beforeAll(async () => {
      forwarding = await startLoopback((req, res) => {
        const upstream = httpForward(req.url ?? '', { method: req.method, headers: req.headers }, (up) => {
          res.writeHead(up.statusCode ?? 502, { ...up.headers, via: '1.1 forwarding' });
          up.pipe(res);
        });
        upstream.on('error', () => res.writeHead(502).end());
        req.pipe(upstream);
      });
      squid = await startLoopback((_req, res) =>
        res.writeHead(503, { server: 'squid/5.7', 'x-squid-error': 'ERR_CONNECT_FAIL 111', 'content-type': 'text/html' }).end('<html>ERROR</html>'),
      );
      authProxy = await startLoopback((_req, res) => res.writeHead(407, { 'proxy-authenticate': 'Basic realm="corp"' }).end());
    });
    afterAll(async () => {
      await Promise.all([forwarding.close(), squid.close(), authProxy.close()]);
    });

    it('passes through a proxy that relays the gateway unchanged', async () => {
      const facts = await reach(makeContext({ env: { HTTP_PROXY: forwarding.url } }), plain.url);
      expect(verdictOf(facts).verdict).toBe('ok');
      expect(facts.proxy.variable).toBe('HTTP_PROXY');
      expect(facts.viaProxy).toMatchObject({ ok: true, status: 401, proxyHeaders: { via: '1.1 forwarding' } });
      expect(facts.direct).toMatchObject({ ok: true, status: 401 });
    });

    it('calls a proxy answering with its own error page interference', async () => {
      const facts = await reach(makeContext({ env: { http_proxy: squid.url } }), plain.url);
      expect(verdictOf(facts).verdict).toBe('proxy');
      expect(verdictOf(facts).message).toContain('HTTP 503');
      expect(verdictOf(facts).message).toContain('squid');
    });

    it('calls a proxy demanding authentication interference', async () => {
      const facts = await reach(makeContext({ env: { HTTP_PROXY: authProxy.url } }), plain.url);
      expect(verdictOf(facts).verdict).toBe('proxy');
      expect(verdictOf(facts).message).toContain('407');
    });

    it('goes direct, saying so, when NO_PROXY covers the host', async () => {
      const facts = await reach(makeContext({ env: { HTTP_PROXY: squid.url, NO_PROXY: '127.0.0.0/8' } }), plain.url);
      expect(verdictOf(facts).verdict).toBe('ok');
      expect(facts.proxy.bypassedBy).toBe('127.0.0.0/8');
      expect(facts.viaProxy).toBeUndefined();
    });
  });
});
