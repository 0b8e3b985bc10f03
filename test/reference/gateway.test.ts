// The reference AI gateway: every documented auth answer, validation, streaming, and no WebSocket route (forged tokens: test/corpus/forged-tokens.test.ts).
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../../src/reference/gateway/server.js';
import { acceptKey } from '../../src/reference/websocket.js';
import { COMPLETION, expectRefused, gitlabHeaders, startIssuer, type TestIssuer } from './helpers.js';

let issuer: TestIssuer;
let gateway: RunningGateway;
const quiet = () => {};

beforeAll(async () => {
  issuer = await startIssuer();
  gateway = await startGateway({ env: { AIGW_GITLAB_URL: issuer.url }, log: quiet, streamIntervalMs: 100 });
});
afterAll(async () => {
  await gateway?.close();
  await issuer?.close();
});

const post = (headers: Record<string, string>, body = COMPLETION, path = '/v2/code/completions') =>
  fetch(gateway.url + path, { method: 'POST', headers, body });

describe('reference gateway: monitoring', () => {
  it('answers healthz without auth with {}, and no version anywhere, as the real gateway', async () => {
    const res = await fetch(`${gateway.url}/monitoring/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    expect([...res.headers.keys()].filter((h) => /version/i.test(h))).toEqual([]);
  });

  it('is ready when GitLab keys load', async () => {
    const res = await fetch(`${gateway.url}/monitoring/ready`);
    expect(res.status).toBe(200);
  });
});

describe('reference gateway: auth', () => {
  it.each([
    ['no Authorization header', {}, 'No authorization header presented'],
    ['a Basic scheme', { authorization: 'Basic dXNlcjpwYXNz' }, 'Invalid authorization header'],
    ['a bare token', { authorization: 'token-without-scheme' }, 'Invalid authorization header'],
    ['no authentication type', { authorization: 'Bearer x' }, 'Invalid authentication token type - only OIDC is supported'],
    [
      'a non-OIDC type',
      { authorization: 'Bearer x', 'x-gitlab-authentication-type': 'jwt' },
      'Invalid authentication token type - only OIDC is supported',
    ],
  ])('401 for %s', async (_name, headers, message) => {
    const res = await post(headers as Record<string, string>);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.text()).toBe(JSON.stringify({ error: message }));
  });

  it('accepts a valid token and answers the real completion shape', async () => {
    const res = await post(gitlabHeaders(await issuer.mint(), issuer.instanceId));
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ id: 'id', object: 'text_completion', model: { lang: 'ruby' } });
    expect(body['choices']).toEqual([{ text: '\n  puts "hello world"\nend\n', index: 0, finish_reason: 'length' }]);
    expect(typeof body['created']).toBe('number');
  });

  it('serves the /v2/completions alias', async () => {
    const res = await post(gitlabHeaders(await issuer.mint(), issuer.instanceId), COMPLETION, '/v2/completions');
    expect(res.status).toBe(200);
  });

  it('403 for a valid token without the complete_code scope', async () => {
    const res = await post(gitlabHeaders(await issuer.mint({ scopes: ['duo_chat'] }), issuer.instanceId));
    expect(res.status).toBe(403);
    expect(await res.text()).toBe('{"detail":"Unauthorized to access code completions"}');
  });

  it('404 and 405 for authenticated requests to unknown routes and methods', async () => {
    const headers = gitlabHeaders(await issuer.mint(), issuer.instanceId);
    expect((await post(headers, '{}', '/v9/nothing')).status).toBe(404);
    const get = await fetch(`${gateway.url}/v2/code/completions`, { headers });
    expect(get.status).toBe(405);
  });
});

describe('reference gateway: body validation', () => {
  it.each([
    [
      'file_name missing',
      { current_file: { content_above_cursor: 'x' } },
      [{ type: 'missing', loc: ['body', 'current_file', 'file_name'], msg: 'Field required', input: { content_above_cursor: 'x' } }],
    ],
    [
      'content_above_cursor missing',
      { current_file: { file_name: 'a.py' } },
      [{ type: 'missing', loc: ['body', 'current_file', 'content_above_cursor'], msg: 'Field required', input: { file_name: 'a.py' } }],
    ],
    ['current_file missing', {}, [{ type: 'missing', loc: ['body', 'current_file'], msg: 'Field required', input: {} }]],
    [
      'file_name not a string',
      { current_file: { file_name: 3, content_above_cursor: '' } },
      [{ type: 'string_type', loc: ['body', 'current_file', 'file_name'], msg: 'Input should be a valid string', input: 3 }],
    ],
  ])('422 when %s, naming the field', async (_name, body, detail) => {
    const res = await post(gitlabHeaders(await issuer.mint(), issuer.instanceId), JSON.stringify(body));
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({ detail });
  });

  it('422 for a body that is not JSON', async () => {
    const res = await post(gitlabHeaders(await issuer.mint(), issuer.instanceId), '{not json');
    expect(res.status).toBe(422);
    expect(((await res.json()) as { detail: { type: string }[] }).detail[0]?.type).toBe('json_invalid');
  });
});

describe('reference gateway: streaming', () => {
  it('streams a completion as text/event-stream chunks spaced in time', async () => {
    const started = Date.now();
    const res = await post(
      gitlabHeaders(await issuer.mint(), issuer.instanceId),
      JSON.stringify({ current_file: { file_name: 'a.py', content_above_cursor: 'def foo' }, stream: true }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const arrivals: number[] = [];
    let text = '';
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      arrivals.push(Date.now() - started);
      text += Buffer.from(chunk).toString();
    }
    expect(text).toBe('():\n    print("foo")\n');
    // Five chunks 100 ms apart: the last arrives ≥ 300 ms after the first, in at least three separate reads.
    expect(arrivals.length).toBeGreaterThanOrEqual(3);
    expect((arrivals.at(-1) as number) - (arrivals[0] as number)).toBeGreaterThanOrEqual(300);
  });

  it('streams many completions over one kept-alive connection without piling listeners on its socket', async () => {
    const gw = await startGateway({ env: { AIGW_GITLAB_URL: issuer.url }, log: quiet, streamIntervalMs: 1 });
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const body = JSON.stringify({ current_file: { file_name: 'a.py', content_above_cursor: 'def foo' }, stream: true });
      // Eleven: one past Node's default of ten listeners per event before it warns of a leak.
      for (let i = 0; i < 11; i++) {
        const res = await fetch(`${gw.url}/v2/code/completions`, {
          method: 'POST',
          headers: gitlabHeaders(await issuer.mint(), issuer.instanceId),
          body,
        });
        expect(await res.text()).toBe('():\n    print("foo")\n');
      }
      await new Promise((r) => setTimeout(r, 10));
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      await gw.close();
    }
  });
});

/** Sends a raw upgrade request and returns everything the server wrote until it closed. */
function rawUpgrade(headers: string[]): Promise<Buffer> {
  const { port } = new URL(gateway.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write(['GET /v1/agent/ws HTTP/1.1', `Host: 127.0.0.1:${port}`, ...headers, '', ''].join('\r\n'));
    });
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
  });
}

describe("reference gateway: no WebSocket route (the real gateway has none; GitLab's agent socket is /api/v4/ai/duo_workflows/ws)", () => {
  const wsHeaders = [
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version: 13',
    'Connection: close',
  ];

  it('computes the RFC 6455 example accept key', () => {
    expect(acceptKey('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  it('answers an authenticated upgrade to /v1/agent/ws as any unknown route: 404, never 101', async () => {
    const token = await issuer.mint();
    const auth = Object.entries(gitlabHeaders(token, issuer.instanceId)).map(([k, v]) => `${k}: ${v}`);
    const raw = (await rawUpgrade([...wsHeaders, ...auth])).toString();
    expect(raw).toMatch(/^HTTP\/1\.1 404 Not Found/);
    expect(raw).toContain('{"detail":"Not Found"}');
  });

  it('refuses an unauthenticated upgrade with the 401 JSON', async () => {
    const raw = (await rawUpgrade(wsHeaders)).toString();
    expect(raw).toMatch(/^HTTP\/1\.1 401 Unauthorized/);
    expect(raw).toContain('{"error":"No authorization header presented"}');
  });
});

describe('reference gateway: key set cache and bypass', () => {
  it('caches an empty key set: every request is a plain 500 (CriticalAuthError) and ready 503, even after GitLab recovers', async () => {
    const local = await startIssuer();
    local.mode.keys = 'empty';
    const gw = await startGateway({ env: { AIGW_GITLAB_URL: `${local.url}/gitlab` }, log: quiet });
    try {
      expect((await fetch(`${gw.url}/monitoring/ready`)).status).toBe(503);
      local.mode.keys = 'normal';
      const res = await fetch(`${gw.url}/v2/code/completions`, {
        method: 'POST',
        headers: gitlabHeaders(await local.mint(), local.instanceId),
        body: COMPLETION,
      });
      expect(res.status).toBe(500);
      expect(await res.text()).toBe('Internal Server Error');
      expect(local.fetches).toBe(1); // found through the path-dropping join, fetched once, cached
    } finally {
      await gw.close();
      await local.close();
    }
  });

  it('refetches once the cache period is over', async () => {
    const local = await startIssuer();
    local.mode.keys = 'empty';
    const gw = await startGateway({ env: { AIGW_GITLAB_URL: local.url }, log: quiet, jwksCacheSeconds: 0 });
    try {
      expect((await fetch(`${gw.url}/monitoring/ready`)).status).toBe(503);
      local.mode.keys = 'normal';
      expect((await fetch(`${gw.url}/monitoring/ready`)).status).toBe(200);
    } finally {
      await gw.close();
      await local.close();
    }
  });

  it('with AIGW_AUTH__BYPASS_EXTERNAL=true answers without a token and logs that auth is off', async () => {
    const lines: string[] = [];
    const gw = await startGateway({ env: { AIGW_AUTH__BYPASS_EXTERNAL: 'true' }, log: (l) => lines.push(l) });
    try {
      const res = await fetch(`${gw.url}/v2/code/completions`, { method: 'POST', body: COMPLETION });
      expect(res.status).toBe(200);
      expect(lines.join('\n')).toMatch(/Auth is disabled/);
    } finally {
      await gw.close();
    }
    expect(await expectRefused(`${gw.url}/monitoring/healthz`)).toBe('ECONNREFUSED');
  });
});

describe('reference gateway: the bypass switches over HTTP, read as pydantic reads them', () => {
  const run = async (env: Record<string, string>, requests: (url: string) => Promise<void>) => {
    const gw = await startGateway({ env: { AIGW_GITLAB_URL: issuer.url, ...env }, log: quiet, streamIntervalMs: 10 });
    try {
      await requests(gw.url);
    } finally {
      await gw.close();
    }
  };
  const complete = (url: string, headers: Record<string, string> = {}) =>
    fetch(`${url}/v2/code/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: COMPLETION });

  it.each(['true', 'On', '1', 'YES'])('AIGW_AUTH__BYPASS_EXTERNAL=%s: a request without a token completes', async (value) => {
    await run({ AIGW_AUTH__BYPASS_EXTERNAL: value }, async (url) => {
      expect((await complete(url)).status).toBe(200);
    });
  });

  it('AIGW_AUTH__BYPASS_EXTERNAL_WITH_HEADER: only "Bypass-Auth: true" skips authentication', async () => {
    await run({ AIGW_AUTH__BYPASS_EXTERNAL_WITH_HEADER: 'y' }, async (url) => {
      expect((await complete(url, { 'Bypass-Auth': 'true' })).status).toBe(200);
      const refused = await complete(url);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toEqual({ error: 'No authorization header presented' });
    });
  });

  it('AIGW_AUTH__BYPASS_JWT_SIGNATURE: a token signed by any key is accepted', async () => {
    const other = await startIssuer();
    try {
      const forged = await other.mint();
      await run({}, async (url) => {
        expect((await complete(url, gitlabHeaders(forged, other.instanceId))).status).toBe(401);
      });
      await run({ AIGW_AUTH__BYPASS_JWT_SIGNATURE: 't' }, async (url) => {
        expect((await complete(url, gitlabHeaders(forged, other.instanceId))).status).toBe(200);
      });
    } finally {
      await other.close();
    }
  });

  it.each(['', 'enabled', ' true'])('refuses to start on %j, as pydantic refuses it', async (value) => {
    await expect(startGateway({ env: { AIGW_GITLAB_URL: issuer.url, AIGW_AUTH__BYPASS_EXTERNAL: value }, log: quiet })).rejects.toThrow(
      /Input should be a valid boolean/,
    );
  });
});

describe('reference gateway: POST /v1/code/user_access_token', () => {
  it('without AIGW_SELF_SIGNED_JWT__SIGNING_KEY: 500 "Failed to generate JWT"', async () => {
    const res = await fetch(`${gateway.url}/v1/code/user_access_token`, {
      method: 'POST',
      headers: { ...gitlabHeaders(await issuer.mint(), issuer.instanceId), 'x-gitlab-global-user-id': 'user-1' },
    });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ detail: 'Failed to generate JWT' });
  });

  it('403 "Unauthorized to create user access token" for a token without complete_code', async () => {
    const res = await fetch(`${gateway.url}/v1/code/user_access_token`, {
      method: 'POST',
      headers: { ...gitlabHeaders(await issuer.mint({ scopes: ['duo_chat'] }), issuer.instanceId), 'x-gitlab-global-user-id': 'user-1' },
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ detail: 'Unauthorized to create user access token' });
  });

  it('400 naming the missing X-Gitlab-Global-User-Id header', async () => {
    const res = await fetch(`${gateway.url}/v1/code/user_access_token`, {
      method: 'POST',
      headers: gitlabHeaders(await issuer.mint(), issuer.instanceId),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ detail: 'Missing X-Gitlab-Global-User-Id header' });
  });
});
