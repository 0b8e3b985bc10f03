// The HTTP client's error classification, over MockAgent (http.integration.test.ts: real exchanges with loopback servers).
import { MockAgent } from 'undici';
import { describe, expect, it } from 'vitest';
import { httpRequest, parseJson, type FailureKind } from '../../src/probes/http.js';

const ORIGIN = 'http://aigw.test:5052';

function mockWith(setup: (pool: ReturnType<MockAgent['get']>) => void): MockAgent {
  const agent = new MockAgent();
  agent.disableNetConnect();
  setup(agent.get(ORIGIN));
  return agent;
}

describe('httpRequest over MockAgent', () => {
  it('returns status, lower-cased headers and body', async () => {
    const dispatcher = mockWith((pool) =>
      pool
        .intercept({ path: '/monitoring/healthz', method: 'GET' })
        .reply(200, '{"status":"ok"}', { headers: { 'Content-Type': 'application/json', 'X-Multi': ['a', 'b'] } }),
    );
    const ex = await httpRequest({ url: `${ORIGIN}/monitoring/healthz`, dispatcher });
    expect(ex.ok).toBe(true);
    if (!ex.ok) return;
    expect(ex.response.status).toBe(200);
    expect(ex.response.headers['content-type']).toBe('application/json');
    expect(ex.response.headers['x-multi']).toBe('a, b');
    expect(parseJson(ex.response)).toEqual({ ok: true, value: { status: 'ok' } });
  });

  it('reports a redirect as an absolute URL without following it', async () => {
    const dispatcher = mockWith((pool) => pool.intercept({ path: '/' }).reply(302, '', { headers: { location: '/users/sign_in' } }));
    const ex = await httpRequest({ url: `${ORIGIN}/`, dispatcher });
    expect(ex.ok && ex.response).toMatchObject({ status: 302, redirectTo: `${ORIGIN}/users/sign_in` });
  });

  it.each<[string, FailureKind]>([
    ['ENOTFOUND', 'dns'],
    ['EAI_AGAIN', 'dns'],
    ['ECONNREFUSED', 'refused'],
    ['UND_ERR_CONNECT_TIMEOUT', 'timeout'],
    ['UND_ERR_HEADERS_TIMEOUT', 'timeout'],
    ['UND_ERR_BODY_TIMEOUT', 'timeout'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls'],
    ['CERT_HAS_EXPIRED', 'tls'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tls'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'tls'],
    ['ECONNRESET', 'reset'],
    ['UND_ERR_SOCKET', 'reset'],
    ['HPE_INVALID_CONSTANT', 'protocol'],
    ['EWHATEVER', 'other'],
  ])('classifies %s as %s', async (code, kind) => {
    const error = Object.assign(new Error(`simulated ${code}`), { code });
    const dispatcher = mockWith((pool) => pool.intercept({ path: '/' }).replyWithError(error));
    const ex = await httpRequest({ url: `${ORIGIN}/`, dispatcher, headers: { 'private-token': 'glpat-secret-value' } });
    expect(ex.ok).toBe(false);
    if (ex.ok) return;
    expect(ex.failure.kind).toBe(kind);
    expect(ex.failure.code).toBe(code);
    expect(ex.failure.message).toContain('aigw.test');
    expect(ex.failure.message).not.toContain('glpat-secret-value');
  });

  it('finds the code in an error cause', async () => {
    const error = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) });
    const dispatcher = mockWith((pool) => pool.intercept({ path: '/' }).replyWithError(error));
    const ex = await httpRequest({ url: `${ORIGIN}/`, dispatcher });
    expect(!ex.ok && ex.failure.kind).toBe('refused');
  });

  it('turns a caller abort into "aborted"', async () => {
    const dispatcher = mockWith((pool) => pool.intercept({ path: '/' }).reply(200, 'late').delay(2_000));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const ex = await httpRequest({ url: `${ORIGIN}/`, dispatcher, signal: controller.signal });
    expect(!ex.ok && ex.failure.kind).toBe('aborted');
  });

  it('rejects a non-http URL without a request, redacting its credentials', async () => {
    const ex = await httpRequest({ url: 'ftp://user:pw@aigw.test/' });
    expect(ex.ok).toBe(false);
    if (ex.ok) return;
    expect(ex.failure.message).toContain('Not an http(s) URL');
    expect(ex.failure.message).not.toContain('pw@');
  });
});
