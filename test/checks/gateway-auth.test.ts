// gateway-auth: 401 "No authorization header presented" passes; bypassed auth is a security failure; anything else warns.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { judgeAuth, NO_AUTH_MESSAGE } from '../../checks/gateway-auth.js';
import type { Status } from '../../src/model.js';
import type { HttpExchange } from '../../src/probes/http.js';
import { makeContext } from '../helpers/context.js';
import { startLoopback, type LoopbackServer } from '../helpers/loopback.js';

const json = (status: number, body: unknown, headers: Record<string, string> = {}): HttpExchange => ({
  ok: true,
  response: { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), elapsedMs: 2 },
});
const html = (status: number, server: string): HttpExchange => ({
  ok: true,
  response: { status, headers: { 'content-type': 'text/html', server }, body: '<html><body>404 Not Found</body></html>', elapsedMs: 2 },
});

const cases: { name: string; root: HttpExchange; confirm?: HttpExchange; status: Status; summary: RegExp }[] = [
  { name: 'the gateway refuses', root: json(401, { error: NO_AUTH_MESSAGE }), status: 'pass', summary: /requires authentication/ },
  { name: '200 without a token', root: json(200, { ok: true }), status: 'fail', summary: /^SECURITY: .*HTTP 200.*AIGW_AUTH__BYPASS_EXTERNAL/ },
  {
    name: 'bypassed: FastAPI 404 on /, 422 on a protected route',
    root: json(404, { detail: 'Not Found' }),
    confirm: json(422, { detail: [{ msg: 'field required' }] }),
    status: 'fail',
    summary: /HTTP 422 for an unauthenticated POST \/v2\/code\/completions/,
  },
  {
    name: 'FastAPI 404 on /, but the protected route refuses',
    root: json(404, { detail: 'Not Found' }),
    confirm: json(401, { error: NO_AUTH_MESSAGE }),
    status: 'warn',
    summary: /Something else answers/,
  },
  { name: 'nginx default page', root: html(404, 'nginx/1.25.3'), status: 'warn', summary: /HTTP 404, a text\/html body, Server: nginx\/1\.25\.3/ },
  { name: 'a different 401', root: json(401, { error: 'Invalid authorization header' }), status: 'warn', summary: /HTTP 401, "Invalid authorization header"/ },
  { name: 'no answer', root: { ok: false, elapsedMs: 1, failure: { kind: 'refused', message: 'refused' } }, status: 'fail', summary: /No answer/ },
];

describe('judgeAuth', () => {
  it.each(cases)('$name → $status', ({ root, confirm, status, summary }) => {
    const outcome = judgeAuth(root, confirm);
    expect(outcome.status).toBe(status);
    expect(outcome.summary).toMatch(summary);
    if (status === 'fail' && /SECURITY/.test(outcome.summary)) {
      expect(outcome.evidence).toMatchObject({ securityFinding: true });
      expect(outcome.remediation).toContain('AIGW_AUTH__BYPASS_EXTERNAL');
    }
  });
});

describe('gateway-auth run', () => {
  let server: LoopbackServer;
  const requests: string[] = [];
  beforeAll(async () => {
    // A gateway with AIGW_AUTH__BYPASS_EXTERNAL=true: no route at /, body validation on the completion route.
    server = await startLoopback((req, res) => {
      requests.push(`${req.method} ${req.url} ${req.headers.authorization ?? 'no-auth'}`);
      if (req.url === '/v2/code/completions') res.writeHead(422, { 'content-type': 'application/json' }).end('{"detail":[]}');
      else res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"Not Found"}');
    });
  });
  afterAll(() => server.close());

  it('confirms a bypass through the protected route, without credentials', async () => {
    const outcome = await check.run(makeContext({ gatewayUrl: server.url, gatewayUrlSource: 'flag' }));
    expect(outcome.status).toBe('fail');
    expect(requests).toEqual(['GET / no-auth', 'POST /v2/code/completions no-auth']);
  });
});
