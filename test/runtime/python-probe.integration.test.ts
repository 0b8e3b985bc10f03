// The gateway's-view Python probe: its parser on crafted output, and real python3 runs against loopback servers.
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildChain } from '../../src/pki/generate.js';
import { localPython } from '../../src/runtime/local-host.js';
import { PYTHON_PROBE, RESULT_MARK, parseProbeOutput, type GatewayView } from '../../src/runtime/python-probe.js';
import { hasPython } from '../helpers/exec-prefixes.js';
import { freePort, startLoopback, type LoopbackServer } from '../helpers/loopback.js';

const pythonHere = hasPython('here');
if (!pythonHere) console.warn('python-probe: python3 is not on PATH; the tests that run the probe are skipped');

const BASE_RESULT = {
  python: '3.11.7',
  openssl: 'OpenSSL 3.0.19',
  client: 'requests 2.32.5',
  env: { AIGW_GITLAB_URL: 'https://gitlab.example.com', SSL_CERT_FILE: null },
  bundle: { source: 'default', file: null, loaded: true, certificates: 140 },
};

describe('parseProbeOutput', () => {
  it.each([
    ['no result line', 'Traceback ...\n', 'SyntaxError: invalid syntax', 1, /printed no result \(exit code 1: SyntaxError: invalid syntax\)/],
    ['a result that is not JSON', `${RESULT_MARK}{oops\n`, '', 0, /result is not JSON/],
    ['a crash before the facts', `${RESULT_MARK}${JSON.stringify({ crash: 'NameError: x' })}\n`, '', 0, /crashed: NameError: x/],
    ['an object without bundle and env', `${RESULT_MARK}{}\n`, '', 0, /without its bundle and env facts/],
  ])('says why there is no answer: %s', (_name, stdout, stderr, code, reason) => {
    const answer = parseProbeOutput(stdout, stderr, code);
    expect(answer.ok).toBe(false);
    if (!answer.ok) expect(answer.reason).toMatch(reason);
  });

  it('finds the result among other output, drops nulls and keeps messages verbatim', () => {
    const result = {
      ...BASE_RESULT,
      discovery: {
        url: 'https://gitlab.example.com/.well-known/openid-configuration',
        elapsedMs: 12,
        error: {
          kind: 'tls',
          type: 'SSLCertVerificationError',
          message: '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate in certificate chain (_ssl.c:1006)',
          verifyCode: 19,
          verifyMessage: 'self-signed certificate in certificate chain',
        },
      },
    };
    const stdout = `Defaulted container "aigw" out of: aigw, sidecar\n${RESULT_MARK}${JSON.stringify(result)}\n`;
    const answer = parseProbeOutput(stdout, '', 0);
    expect(answer).toEqual({
      ok: true,
      view: {
        python: '3.11.7',
        openssl: 'OpenSSL 3.0.19',
        client: 'requests 2.32.5',
        env: { AIGW_GITLAB_URL: 'https://gitlab.example.com' },
        bundle: { source: 'default', loaded: true, certificates: 140 },
        discovery: result.discovery,
      },
    });
  });

  it('maps an unknown error kind to other and keeps key counts and kids', () => {
    const result = {
      ...BASE_RESULT,
      discovery: { url: 'u', elapsedMs: 1, status: 200 },
      jwksUri: 'https://gitlab.example.com/oauth/discovery/keys',
      jwks: {
        url: 'https://gitlab.example.com/oauth/discovery/keys',
        elapsedMs: 2,
        status: 500,
        keys: 2,
        kids: ['a', 7, 'b'],
        error: { kind: 'weird', type: 'X', message: 'm' },
      },
    };
    const answer = parseProbeOutput(`${RESULT_MARK}${JSON.stringify(result)}`, '', 0);
    expect(answer.ok && answer.view.jwks).toEqual({
      url: result.jwks.url,
      elapsedMs: 2,
      status: 500,
      keys: 2,
      kids: ['a', 'b'],
      error: { kind: 'other', type: 'X', message: 'm' },
    });
  });
});

describe.skipIf(!pythonHere)('PYTHON_PROBE run by python3', () => {
  let dir: string;
  let http: LoopbackServer;
  let https: LoopbackServer;
  let rootPem: string;
  const requests: string[] = [];
  /** Responses by path; the default is GitLab's discovery + one-key JWKS. */
  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {};

  const gitlab = (base: () => string) => (req: IncomingMessage, res: ServerResponse) => {
    requests.push(req.url ?? '');
    const route = routes[req.url ?? ''];
    if (route) return route(req, res);
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration')
      return res.end(JSON.stringify({ issuer: base(), jwks_uri: `${base()}/oauth/discovery/keys` }));
    if (req.url === '/oauth/discovery/keys')
      return res.end(
        JSON.stringify({
          keys: [
            { kty: 'RSA', kid: 'k1' },
            { kty: 'RSA', kid: 'k2' },
          ],
        }),
      );
    res.statusCode = 404;
    res.end('{"message":"404 Not Found"}');
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'duo-doctor-pyprobe-'));
    const chain = buildChain({ host: '127.0.0.1', leaf: { altNames: ['127.0.0.1', 'localhost'] } });
    rootPem = chain.root.certPem;
    http = await startLoopback(gitlab(() => http.url));
    https = await startLoopback(
      gitlab(() => https.url),
      { cert: chain.chainPem, key: chain.leaf.keyPem },
    );
    await writeFile(path.join(dir, 'good.pem'), rootPem);
    await writeFile(path.join(dir, 'bad-then-good.pem'), `-----BEGIN CERTIFICATE-----\nMIIB!!notbase64\n-----END CERTIFICATE-----\n${rootPem}`);
    await writeFile(path.join(dir, 'empty.pem'), '');
    await writeFile(path.join(dir, 'key-only.pem'), chain.leaf.keyPem);
  });
  afterAll(async () => {
    await Promise.all([http?.close(), https?.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  async function probe(env: Record<string, string>, args = ['5', '8']): Promise<GatewayView> {
    const run = await localPython(env, PYTHON_PROBE, args, 20_000);
    expect(run.available).toBe(true);
    const answer = parseProbeOutput(run.stdout, run.stderr, run.code);
    if (!answer.ok) throw new Error(answer.reason);
    return answer.view;
  }

  it('fetches discovery then jwks_uri over https with the bundle, joining the path away like the gateway', async () => {
    const view = await probe({ AIGW_GITLAB_URL: `${https.url}/gitlab/`, REQUESTS_CA_BUNDLE: path.join(dir, 'good.pem') });
    expect(view.client).toMatch(/^requests \d/);
    expect(view.bundle).toMatchObject({ source: 'REQUESTS_CA_BUNDLE', loaded: true, certificates: 1 });
    expect(view.discovery).toMatchObject({ url: `${https.url}/.well-known/openid-configuration`, status: 200 });
    expect(view.jwksUri).toBe(`${https.url}/oauth/discovery/keys`);
    expect(view.jwks).toMatchObject({ status: 200, keys: 2, kids: ['k1', 'k2'] });
  });

  it('takes CURL_CA_BUNDLE when REQUESTS_CA_BUNDLE is unset, as requests does', async () => {
    const view = await probe({ AIGW_GITLAB_URL: https.url, CURL_CA_BUNDLE: path.join(dir, 'good.pem'), SSL_CERT_FILE: path.join(dir, 'empty.pem') });
    expect(view.bundle).toMatchObject({ source: 'CURL_CA_BUNDLE', loaded: true });
    expect(view.jwks?.keys).toBe(2);
  });

  it('never reads SSL_CERT_FILE: with only that set, certifi is trusted and a private CA fails', async () => {
    const view = await probe({ AIGW_GITLAB_URL: https.url, SSL_CERT_FILE: path.join(dir, 'good.pem') });
    expect(view.bundle).toMatchObject({ source: 'certifi', loaded: true });
    expect(view.discovery?.error?.kind).toBe('tls');
    expect(view.discovery?.error?.message).toContain('CERTIFICATE_VERIFY_FAILED');
  });

  it("without requests (python3 -S), reproduces requests' rules with urllib and says so", async () => {
    const run = (env: Record<string, string>) =>
      new Promise<GatewayView>((resolve, reject) =>
        execFile('python3', ['-S', '-c', PYTHON_PROBE, '5', '8'], { env: { PATH: process.env.PATH ?? '', ...env } }, (error, stdout, stderr) => {
          const answer = parseProbeOutput(stdout, stderr, error ? 1 : 0);
          return answer.ok ? resolve(answer.view) : reject(new Error(answer.reason));
        }),
      );
    const requestsBundle = await run({ AIGW_GITLAB_URL: https.url, REQUESTS_CA_BUNDLE: path.join(dir, 'good.pem') });
    expect(requestsBundle.client).toMatch(/^urllib \(requests is not installed: its CA rules reproduced\)/);
    expect(requestsBundle.jwks?.keys).toBe(2);
    const sslOnly = await run({ AIGW_GITLAB_URL: https.url, SSL_CERT_FILE: path.join(dir, 'good.pem') });
    expect(sslOnly.bundle.source).toMatch(/^(certifi|default)$/);
    expect(sslOnly.discovery?.error?.kind).toBe('tls');
  });

  it('prefers REQUESTS_CA_BUNDLE over SSL_CERT_FILE', async () => {
    const view = await probe({
      AIGW_GITLAB_URL: https.url,
      REQUESTS_CA_BUNDLE: path.join(dir, 'good.pem'),
      SSL_CERT_FILE: path.join(dir, 'empty.pem'),
    });
    expect(view.bundle).toMatchObject({ source: 'REQUESTS_CA_BUNDLE', loaded: true });
    expect(view.jwks?.keys).toBe(2);
  });

  it.each([
    ['one malformed block before a good root', 'bad-then-good.pem', 'SSLError', /^\[X509\] PEM lib \(_ssl\.c:\d+\)$/],
    ['an empty file', 'empty.pem', 'SSLError', /^\[X509: NO_CERTIFICATE_OR_CRL_FOUND\] no certificate or crl found/],
    ['a private key only', 'key-only.pem', 'SSLError', /NO_CERTIFICATE_OR_CRL_FOUND/],
    ['a missing file', 'missing.pem', 'FileNotFoundError', /^\[Errno 2\] No such file or directory$/],
  ])('rejects the bundle for %s, verbatim, and fetches nothing over https', async (_name, file, type, message) => {
    const view = await probe({ AIGW_GITLAB_URL: https.url, REQUESTS_CA_BUNDLE: path.join(dir, file) });
    expect(view.bundle.loaded).toBe(false);
    expect(view.bundle.error).toMatchObject({ kind: 'bundle', type });
    expect(view.bundle.error?.message).toMatch(message);
    expect(view.discovery?.error?.kind).toBe('bundle');
    expect(view.jwks).toBeUndefined();
  });

  it('reports CERTIFICATE_VERIFY_FAILED verbatim for a private CA without a bundle', async () => {
    const view = await probe({ AIGW_GITLAB_URL: https.url });
    expect(view.bundle).toMatchObject({ source: 'certifi', loaded: true });
    // requests wraps the ssl error: its SSLError carries OpenSSL's message verbatim.
    expect(view.discovery?.error).toMatchObject({ kind: 'tls', type: 'SSLError' });
    expect(view.discovery?.error?.message).toMatch(
      /\[SSL: CERTIFICATE_VERIFY_FAILED\] certificate verify failed: unable to get local issuer certificate \(_ssl\.c:\d+\)/,
    );
  });

  it('stops before any request when AIGW_GITLAB_URL is unset', async () => {
    const view = await probe({});
    expect(view.env).toEqual({});
    expect(view.discovery).toBeUndefined();
  });

  it('reports a refused connection', async () => {
    const view = await probe({ AIGW_GITLAB_URL: `http://127.0.0.1:${await freePort()}` });
    expect(view.discovery?.error).toMatchObject({ kind: 'refused', type: 'ConnectionError' });
    expect(view.discovery?.error?.message).toContain('[Errno 111] Connection refused');
  });

  it('times out within the per-request budget it is given', async () => {
    routes['/.well-known/openid-configuration'] = () => {}; // never answers
    try {
      const view = await probe({ AIGW_GITLAB_URL: http.url }, ['0.5', '2']);
      expect(view.discovery?.error?.kind).toBe('timeout');
      expect(view.discovery?.elapsedMs).toBeLessThan(5_000);
    } finally {
      delete routes['/.well-known/openid-configuration'];
    }
  });

  it.each([
    [
      'a 404 at discovery',
      '/.well-known/openid-configuration',
      404,
      'text/plain',
      'nope',
      'discovery',
      { kind: 'http', message: 'HTTP Error 404: Not Found' },
    ],
    [
      'an HTML page at discovery',
      '/.well-known/openid-configuration',
      200,
      'text/html',
      '<!DOCTYPE html><title>Sign in</title>',
      'discovery',
      { kind: 'json', bodyStart: '<!DOCTYPE html><title>Sign in</title>' },
    ],
    [
      'a key set without keys',
      '/oauth/discovery/keys',
      200,
      'application/json',
      '{"foo":1}',
      'jwks',
      { kind: 'jwks', message: 'the document has no "keys" list' },
    ],
  ])('reports %s', async (_name, route, status, type, body, step, error) => {
    routes[route] = (_req, res) => {
      res.statusCode = status;
      res.setHeader('content-type', type);
      res.end(body);
    };
    try {
      const view = await probe({ AIGW_GITLAB_URL: http.url });
      expect(view[step as 'discovery' | 'jwks']?.error).toMatchObject(error);
    } finally {
      delete routes[route];
    }
  });

  it('names a discovery document without jwks_uri', async () => {
    routes['/.well-known/openid-configuration'] = (_req, res) => res.end('{"issuer":"x"}');
    try {
      const view = await probe({ AIGW_GITLAB_URL: http.url });
      expect(view.jwksUriProblem).toBe('the discovery document has no jwks_uri');
      expect(view.jwks).toBeUndefined();
    } finally {
      delete routes['/.well-known/openid-configuration'];
    }
  });

  it('goes through the proxy of its environment and says so', async () => {
    const seen: string[] = [];
    const proxy = await startLoopback((req, res) => {
      seen.push(req.url ?? '');
      res.setHeader('content-type', 'application/json');
      res.end(req.url?.endsWith('/keys') ? '{"keys":[]}' : '{"jwks_uri":"http://gitlab.internal/oauth/discovery/keys"}');
    });
    try {
      const view = await probe({ AIGW_GITLAB_URL: 'http://gitlab.internal', http_proxy: `http://user:pw@127.0.0.1:${proxy.port}` });
      expect(view.proxy).toBe(`http://user:pw@127.0.0.1:${proxy.port}`);
      expect(seen).toEqual(['http://gitlab.internal/.well-known/openid-configuration', 'http://gitlab.internal/oauth/discovery/keys']);
      expect(view.jwks?.keys).toBe(0);
    } finally {
      await proxy.close();
    }
  });

  it('is reported unavailable when python3 is not on PATH', async () => {
    const empty = await mkdtemp(path.join(dir, 'bin-'));
    await chmod(empty, 0o755);
    const run = await localPython({ PATH: empty }, PYTHON_PROBE, [], 5_000);
    expect(run).toMatchObject({ available: false, stderr: `python3 not found in PATH=${empty}` });
  });
});
