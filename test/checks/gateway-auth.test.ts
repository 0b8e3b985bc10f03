// gateway-auth: its judge over tables of answers (finding ids) — a bypass only on a server that is a gateway — and its
// gather against loopback servers: a bypassed gateway, a static web server, a TLS test server's status page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { gather, isGatewayHealth, judge, messages, needsConfirmation, type Facts } from '../../checks/gateway-auth.js';
import { renderJudgement } from '../../src/check.js';
import type { HttpExchange } from '../../src/probes/http.js';
import { makeContext } from '../helpers/context.js';
import { expectRenderings, type RenderCase } from '../helpers/renderings.js';
import { startLoopback, type LoopbackServer } from '../helpers/loopback.js';

const NO_AUTH = { error: 'No authorization header presented' };
const json = (status: number, body: unknown, headers: Record<string, string> = {}): HttpExchange => ({
  ok: true,
  response: { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), elapsedMs: 2 },
});
const html = (status: number, server?: string): HttpExchange => ({
  ok: true,
  response: { status, headers: { 'content-type': 'text/html', ...(server ? { server } : {}) }, body: '<html><body>page</body></html>', elapsedMs: 2 },
});
const refused: HttpExchange = { ok: false, elapsedMs: 1, failure: { kind: 'refused', message: 'refused' } };
const HEALTHY = json(200, { status: 'ok' });
const ids = (f: Facts) => judge(f).findings.map((x) => x.id);

describe('gateway-auth judge', () => {
  it.each<[string, Facts, string]>([
    ['no URL', { noUrl: 'none given' }, 'noUrl'],
    ['the gateway refuses', { root: json(401, NO_AUTH), health: HEALTHY }, 'requiresAuth'],
    ['the gateway refuses, health not asked', { root: json(401, NO_AUTH) }, 'requiresAuth'],
    ['no answer', { root: refused, health: refused }, 'noAnswer'],
    [
      'bypassed: FastAPI 404 on /, 422 on the protected route',
      { root: json(404, { detail: 'Not Found' }), health: HEALTHY, protectedRoute: json(422, { detail: [] }) },
      'authBypassed',
    ],
    [
      'bypassed: the protected route serves',
      { root: json(404, { detail: 'Not Found' }), health: HEALTHY, protectedRoute: json(200, { choices: [] }) },
      'authBypassed',
    ],
    [
      'the protected route refuses',
      { root: json(404, { detail: 'Not Found' }), health: HEALTHY, protectedRoute: json(401, NO_AUTH) },
      'notTheGateway',
    ],
    [
      'the protected route forbids',
      { root: json(404, { detail: 'Not Found' }), health: HEALTHY, protectedRoute: json(403, { detail: 'Forbidden' }) },
      'notTheGateway',
    ],
    ['the protected route errs', { root: json(404, { detail: 'Not Found' }), health: HEALTHY, protectedRoute: json(500, {}) }, 'notTheGateway'],
    ['the protected route answers HTML', { root: json(404, { detail: 'Not Found' }), health: HEALTHY, protectedRoute: html(200) }, 'notTheGateway'],
    // Issue 15: not a gateway at all, whatever / says.
    ['python3 -m http.server: 200 on /, 404 on health', { root: html(200, 'SimpleHTTP/0.6 Python/3.11'), health: html(404) }, 'notTheGateway'],
    ['openssl s_server -www: 200 HTML everywhere', { root: html(200), health: html(200), protectedRoute: html(200) }, 'notTheGateway'],
    [
      "a 422 from a server whose health is not the gateway's",
      { root: json(404, {}), health: html(200), protectedRoute: json(422, { detail: [] }) },
      'notTheGateway',
    ],
    ['nginx default page', { root: html(404, 'nginx/1.25.3'), health: html(404, 'nginx/1.25.3') }, 'notTheGateway'],
    [
      'a different 401',
      { root: json(401, { error: 'Invalid authorization header' }), health: HEALTHY, protectedRoute: json(401, NO_AUTH) },
      'notTheGateway',
    ],
  ])('%s', (_name, f, id) => {
    expect(ids(f)).toEqual([id]);
  });

  it('a bypass is a security finding with the fix', () => {
    const out = renderJudgement(
      messages,
      judge({ root: json(404, { detail: 'Not Found' }), health: HEALTHY, protectedRoute: json(422, { detail: [] }) }),
    );
    expect(out.summary).toMatch(/^SECURITY: .*HTTP 422 for an unauthenticated POST \/v2\/code\/completions.*AIGW_AUTH__BYPASS_EXTERNAL/);
    expect(out.evidence).toMatchObject({ securityFinding: true });
    expect(out.remediation).toContain('AIGW_AUTH__BYPASS_EXTERNAL');
  });
});

describe('gateway-auth renderings', () => {
  const plain = (status: number, body: string, headers: Record<string, string> = {}): HttpExchange => ({
    ok: true,
    response: { status, headers, body, elapsedMs: 2 },
  });
  const NOT_FOUND = json(404, { detail: 'Not Found' }, { server: 'uvicorn' });
  const cases: RenderCase<Facts>[] = [
    { name: 'no URL, said why', facts: { noUrl: "GitLab's ai_gateway_url setting is blank" } },
    { name: 'no URL, no reason', facts: {} },
    { name: 'refuses without a token', facts: { root: json(401, NO_AUTH), health: HEALTHY } },
    { name: 'no answer', facts: { root: { ok: false, elapsedMs: 5, failure: { kind: 'timeout', message: 'timed out after 10000 ms' } } } },
    { name: 'bypassed: 422 on the protected route', facts: { root: NOT_FOUND, health: HEALTHY, protectedRoute: json(422, { detail: [] }) } },
    { name: 'bypassed: 499 on the protected route', facts: { root: NOT_FOUND, health: HEALTHY, protectedRoute: json(499, {}) } },
    {
      name: 'bypassed, checked through --gateway-url',
      facts: {
        root: NOT_FOUND,
        health: HEALTHY,
        protectedRoute: json(200, { choices: [] }),
        target: { url: 'http://aigw-2:5052', source: 'flag', gitlabSetting: { state: 'set', url: 'http://aigw:5052' } },
      },
    },
    { name: 'protected route refuses (401)', facts: { root: NOT_FOUND, health: HEALTHY, protectedRoute: json(401, NO_AUTH) } },
    { name: 'protected route errs (500)', facts: { root: NOT_FOUND, health: HEALTHY, protectedRoute: json(500, { detail: 'boom' }) } },
    {
      name: 'protected route 404 with a detail object',
      facts: { root: NOT_FOUND, health: HEALTHY, protectedRoute: json(404, { detail: { a: 1 } }) },
    },
    { name: 'protected route answers HTML', facts: { root: NOT_FOUND, health: HEALTHY, protectedRoute: html(200, 'nginx') } },
    { name: 'static web server', facts: { root: html(200, 'SimpleHTTP/0.6 Python/3.11'), health: html(404) } },
    { name: 'a different 401, health unreachable', facts: { root: json(401, { error: 'Invalid authorization header' }), health: refused } },
    { name: 'an error that is not a string', facts: { root: json(404, { error: 42 }), health: HEALTHY, protectedRoute: json(401, NO_AUTH) } },
    { name: 'an empty 403, health not asked', facts: { root: plain(403, ' ') } },
    { name: 'a text body without a content type', facts: { root: plain(200, 'hello'), health: plain(200, '{}') } },
    { name: 'JSON that is not an object', facts: { root: json(200, 'just a string'), health: json(200, ['x']) } },
  ];
  it('renders every case as pinned, reaching every message', () => expectRenderings(check, cases));
});

describe('gateway-auth: is the port a gateway, and must the protected route be asked', () => {
  it.each<[string, HttpExchange | undefined, boolean]>([
    ['200 JSON', HEALTHY, true],
    ['200 JSON, content type in capitals with charset', json(200, {}, { 'content-type': 'Application/JSON; charset=utf-8' }), true],
    ['200 HTML', html(200), false],
    ['201 JSON', json(201, {}), false],
    [
      '200 with a JSON type but not JSON',
      { ok: true, response: { status: 200, headers: { 'content-type': 'application/json' }, body: '<html>', elapsedMs: 1 } },
      false,
    ],
    ['200 without a content type', { ok: true, response: { status: 200, headers: {}, body: '{}', elapsedMs: 1 } }, false],
    ['no answer', refused, false],
    ['not asked', undefined, false],
  ])('isGatewayHealth: %s', (_name, ex, expected) => {
    expect(isGatewayHealth(ex)).toBe(expected);
  });

  it.each<[string, Pick<Facts, 'root' | 'health'>, boolean]>([
    ['/ answers 404, health is the gateway', { root: json(404, {}), health: HEALTHY }, true],
    ['/ refuses without a token', { root: json(401, NO_AUTH), health: HEALTHY }, false],
    ['/ answers another 401', { root: json(401, { error: 'other' }), health: HEALTHY }, true],
    ['/ unanswered', { root: refused, health: HEALTHY }, false],
    ['/ not asked', { health: HEALTHY }, false],
    ['health not the gateway', { root: json(404, {}), health: html(200) }, false],
  ])('needsConfirmation: %s', (_name, f, expected) => {
    expect(needsConfirmation(f)).toBe(expected);
  });

  it.each<[string, HttpExchange, string]>([
    ['422', json(422, { detail: [] }), 'authBypassed'],
    ['200', json(200, {}), 'authBypassed'],
    ['499', json(499, {}), 'authBypassed'],
    ['500', json(500, {}), 'notTheGateway'],
    ['401', json(401, {}), 'notTheGateway'],
    ['403', json(403, {}), 'notTheGateway'],
    ['404', json(404, {}), 'notTheGateway'],
    ['405', json(405, {}), 'authBypassed'],
    ['400', json(400, {}), 'authBypassed'],
    ['no answer', refused, 'notTheGateway'],
  ])('the protected route answering %s', (_name, protectedRoute, id) => {
    expect(ids({ root: json(404, {}), health: HEALTHY, protectedRoute })).toEqual([id]);
  });
});

describe('gateway-auth gather', () => {
  const requests: string[] = [];
  let bypassed: LoopbackServer;
  let staticServer: LoopbackServer;
  beforeAll(async () => {
    // A gateway with AIGW_AUTH__BYPASS_EXTERNAL=true: health answers, no route at /, body validation on the completion route.
    bypassed = await startLoopback((req, res) => {
      requests.push(`${req.method} ${req.url} ${req.headers.authorization ?? 'no-auth'}`);
      if (req.url === '/monitoring/healthz') res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      else if (req.url === '/v2/code/completions') res.writeHead(422, { 'content-type': 'application/json' }).end('{"detail":[]}');
      else res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"Not Found"}');
    });
    // What `python3 -m http.server` answers: a directory listing on /, 404 elsewhere.
    staticServer = await startLoopback((req, res) => {
      if (req.url === '/')
        res.writeHead(200, { 'content-type': 'text/html', server: 'SimpleHTTP/0.6 Python/3.11' }).end('<html>Directory listing</html>');
      else res.writeHead(404, { 'content-type': 'text/html' }).end('<html>Not found</html>');
    });
  });
  afterAll(() => Promise.all([bypassed.close(), staticServer.close()]));

  it('confirms a bypass through the protected route, without credentials', async () => {
    const f = await gather(makeContext({ gatewayUrl: bypassed.url, gatewayUrlSource: 'flag' }));
    expect(ids(f)).toEqual(['authBypassed']);
    expect(requests.sort()).toEqual(['GET / no-auth', 'GET /monitoring/healthz no-auth', 'POST /v2/code/completions no-auth']);
  });

  it('does not call a static web server a bypassed gateway, nor post to it', async () => {
    const f = await gather(makeContext({ gatewayUrl: staticServer.url, gatewayUrlSource: 'flag' }));
    expect(f.protectedRoute).toBeUndefined();
    expect(ids(f)).toEqual(['notTheGateway']);
  });
});
