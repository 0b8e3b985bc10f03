// The HTTP client in real exchanges with loopback servers: gzip, caps, timeouts, TLS, proxy (http.test.ts: error classification
// over MockAgent).
import { request as httpForward } from 'node:http';
import { connect as netConnect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildChain } from '../../src/pki/generate.js';
import { httpRequest, parseJson, type HttpResponse } from '../../src/probes/http.js';
import { freePort, startLoopback, startSilentServer, type LoopbackServer } from '../helpers/loopback.js';

describe('httpRequest against loopback servers', () => {
  let server: LoopbackServer;
  const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));

  beforeAll(async () => {
    server = await startLoopback((req, res) => {
      switch (req.url) {
        case '/json':
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
          return;
        case '/redirect':
          res.writeHead(302, { location: 'https://gitlab.example.com/users/sign_in' }).end();
          return;
        case '/gzip':
          res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'text/plain' }).end(gzipSync('hello, decoded'));
          return;
        case '/bomb':
          res.writeHead(200, { 'content-encoding': 'gzip' }).end(bomb);
          return;
        case '/big':
          res.writeHead(200).end(Buffer.alloc(2048, 'a'));
          return;
        case '/slow':
          return; // never answers: the client's timeout must fire
        case '/reset':
          res.writeHead(200, { 'content-length': '1000' });
          res.write('partial');
          setTimeout(() => req.socket.destroy(), 20);
          return;
        case '/html':
          res.writeHead(200, { 'content-type': 'text/html' }).end('<!DOCTYPE html><html><head><title>Sign in · GitLab</title></head></html>');
          return;
        default:
          res.writeHead(404).end();
      }
    });
  });
  afterAll(() => server.close());

  it('reads a JSON answer', async () => {
    const ex = await httpRequest({ url: `${server.url}/json` });
    expect(ex.ok && ex.response.status).toBe(200);
    expect(ex.ok && parseJson(ex.response)).toEqual({ ok: true, value: { status: 'ok' } });
  });

  it('reports a 302 and does not follow it to another origin', async () => {
    const ex = await httpRequest({ url: `${server.url}/redirect`, headers: { 'private-token': 'glpat-x' } });
    expect(ex.ok && ex.response).toMatchObject({ status: 302, redirectTo: 'https://gitlab.example.com/users/sign_in' });
  });

  it('decodes gzip', async () => {
    const ex = await httpRequest({ url: `${server.url}/gzip` });
    expect(ex.ok && ex.response.body).toBe('hello, decoded');
  });

  it('stops a gzip bomb at the decoded-size cap', async () => {
    const ex = await httpRequest({ url: `${server.url}/bomb`, maxBytes: 1024 * 1024 });
    expect(!ex.ok && ex.failure.kind).toBe('too-large');
  });

  it('enforces the size cap on a plain body', async () => {
    const ex = await httpRequest({ url: `${server.url}/big`, maxBytes: 1000 });
    expect(!ex.ok && ex.failure).toMatchObject({ kind: 'too-large' });
    expect((await httpRequest({ url: `${server.url}/big`, maxBytes: 4096 })).ok).toBe(true);
  });

  it('times out on a server that never sends headers, naming that stage and the timeout given', async () => {
    const ex = await httpRequest({ url: `${server.url}/slow`, timeoutMs: 300 });
    expect(ex.ok).toBe(false);
    if (ex.ok) return;
    expect(ex.failure.kind).toBe('timeout');
    expect(ex.failure.message).toContain('within 300 ms (waiting for the response headers)');
  });

  // A host that accepts TCP and then says nothing: TLS never completes. The answer comes at the timeout, naming the stage.
  it('times out in the TLS handshake on time, and says so', async () => {
    const silent = await startSilentServer();
    try {
      const started = performance.now();
      const ex = await httpRequest({ url: `https://127.0.0.1:${silent.port}/`, timeoutMs: 300 });
      expect(performance.now() - started).toBeLessThan(1000);
      expect(ex.ok || ex.failure).toMatchObject({ kind: 'timeout', message: expect.stringContaining('within 300 ms (TLS handshake)') });
    } finally {
      await silent.close();
    }
  });

  it('reports a connection reset mid-body', async () => {
    const ex = await httpRequest({ url: `${server.url}/reset` });
    expect(!ex.ok && ex.failure.kind).toBe('reset');
  });

  it('reports a refused connection', async () => {
    const port = await freePort();
    const ex = await httpRequest({ url: `http://127.0.0.1:${port}/` });
    expect(!ex.ok && ex.failure).toMatchObject({ kind: 'refused', code: 'ECONNREFUSED' });
  });

  it('says "HTML page" when JSON was expected', async () => {
    const ex = await httpRequest({ url: `${server.url}/html` });
    expect(ex.ok && parseJson(ex.response)).toEqual({ ok: false, reason: 'HTML page ("Sign in · GitLab") instead of JSON' });
  });
});

describe('httpRequest over TLS', () => {
  const chain = buildChain({ host: '127.0.0.1' });
  let server: LoopbackServer;
  beforeAll(async () => {
    server = await startLoopback((_req, res) => res.end('tls ok'), { cert: chain.chainPem, key: chain.leaf.keyPem });
  });
  afterAll(() => server.close());

  it('fails as tls when the private root is not trusted', async () => {
    const ex = await httpRequest({ url: server.url });
    expect(!ex.ok && ex.failure.kind).toBe('tls');
  });

  it('succeeds with the root passed as ca', async () => {
    const ex = await httpRequest({ url: server.url, ca: [chain.root.certPem] });
    expect(ex.ok && ex.response.body).toBe('tls ok');
  });
});

describe('httpRequest through a proxy', () => {
  let target: LoopbackServer;
  let proxy: LoopbackServer;
  let refusingProxy: LoopbackServer;

  beforeAll(async () => {
    target = await startLoopback((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('from target'));
    // A forward proxy: absolute-URI requests are relayed with a Via header; CONNECT is tunnelled.
    proxy = await startLoopback((req, res) => {
      const upstream = httpForward(req.url ?? '', { method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, { ...up.headers, via: '1.1 test-proxy' });
        up.pipe(res);
      });
      upstream.on('error', () => res.writeHead(502).end('proxy error'));
      req.pipe(upstream);
    });
    proxy.server.on('connect', (req, socket) => {
      const [host, port] = (req.url ?? '').split(':');
      const upstream = netConnect(Number(port), host, () => {
        socket.write('HTTP/1.1 200 Connection established\r\n\r\n');
        upstream.pipe(socket).pipe(upstream);
      });
      upstream.on('error', () => socket.destroy());
    });
    refusingProxy = await startLoopback((_req, res) => res.writeHead(403).end('denied'));
    refusingProxy.server.on('connect', (_req, socket) => socket.end('HTTP/1.1 403 Forbidden\r\n\r\n'));
  });
  afterAll(async () => {
    await Promise.all([target.close(), proxy.close(), refusingProxy.close()]);
  });

  const via = (r: HttpResponse) => r.headers.via;

  it('sends plain http through HTTP_PROXY', async () => {
    const ex = await httpRequest({ url: target.url, proxyEnv: { HTTP_PROXY: proxy.url } });
    expect(ex.ok && ex.response.body).toBe('from target');
    expect(ex.ok && via(ex.response)).toBe('1.1 test-proxy');
  });

  it('goes direct when NO_PROXY covers the host', async () => {
    const ex = await httpRequest({ url: target.url, proxyEnv: { HTTP_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' } });
    expect(ex.ok && via(ex.response)).toBeUndefined();
  });

  it('reports a tunnel the proxy refuses as a proxy failure', async () => {
    const chain = buildChain({ host: '127.0.0.1' });
    const tlsTarget = await startLoopback((_req, res) => res.end('x'), { cert: chain.chainPem, key: chain.leaf.keyPem });
    try {
      const ex = await httpRequest({ url: tlsTarget.url, ca: [chain.root.certPem], proxyEnv: { HTTPS_PROXY: refusingProxy.url } });
      expect(ex.ok).toBe(false);
      if (ex.ok) return;
      expect(ex.failure.kind).toBe('proxy');
      expect(ex.failure.message).toContain('HTTP 403');
    } finally {
      await tlsTarget.close();
    }
  });

  it('reports an unreachable proxy as a proxy failure', async () => {
    const port = await freePort();
    const ex = await httpRequest({ url: target.url, proxyEnv: { http_proxy: `http://user:secret@127.0.0.1:${port}` } });
    expect(ex.ok).toBe(false);
    if (ex.ok) return;
    expect(ex.failure.kind).toBe('proxy');
    expect(ex.failure.message).not.toContain('secret');
  });
});
