// gateway-health: GitLab's health request judged, the possible causes narrowed, and a run against a loopback gateway.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { judgeHealth, possibleCauses } from '../../checks/gateway-health.js';
import type { FailureKind, HttpExchange } from '../../src/probes/http.js';
import { makeContext } from '../helpers/context.js';
import { startLoopback, type LoopbackServer } from '../helpers/loopback.js';

const answer = (status: number, body = '', headers: Record<string, string> = {}): HttpExchange => ({
  ok: true,
  response: { status, headers, body, elapsedMs: 7 },
});
const failure = (kind: FailureKind, message = `${kind} happened`): HttpExchange => ({ ok: false, elapsedMs: 3, failure: { kind, message } });

describe('judgeHealth', () => {
  it('passes a 200 with the rake task lines', () => {
    const outcome = judgeHealth(answer(200, '{"status":"ok"}', { 'content-type': 'application/json' }), { secure: false, tcpReachable: true });
    expect(outcome).toMatchObject({
      status: 'pass',
      summary: 'AI Gateway server is accessible',
      details: ['Response time: 7ms', 'Health status: ok'],
      evidence: { httpStatus: 200, responseMs: 7, healthStatus: 'ok' },
    });
  });

  it('says "Unknown" when the body has no status', () => {
    expect(judgeHealth(answer(200, 'OK'), { secure: false, tcpReachable: true }).details).toContain('Health status: Unknown');
  });

  it('shows the version header when the gateway sends one', () => {
    const outcome = judgeHealth(answer(200, '{"status":"ok"}', { 'x-gitlab-ai-gateway-version': 'self-hosted-v18.6.0-ee' }), { secure: false, tcpReachable: true });
    expect(outcome.details).toContain('Gateway version: self-hosted-v18.6.0-ee');
  });

  it('fails a non-200 with GitLab\'s wording and the causes', () => {
    const outcome = judgeHealth(answer(404, '{"detail":"Not Found"}'), { secure: false, tcpReachable: true });
    expect(outcome.status).toBe('fail');
    expect(outcome.summary).toBe('AI Gateway returned HTTP 404');
    expect(outcome.details).toContain('Cannot access AI Gateway. Possible causes:');
    expect(outcome.details?.join('\n')).toContain('Incorrect ai_gateway_url setting (something answers, but has no /monitoring/healthz');
  });

  it('fails a connection error as "Connection error: <kind> - <message>"', () => {
    const outcome = judgeHealth(failure('refused', 'Connection to aigw:5052 refused'), { secure: false, tcpReachable: false });
    expect(outcome.summary).toBe('Connection error: refused - Connection to aigw:5052 refused');
  });
});

describe('possibleCauses', () => {
  it.each<[string, HttpExchange, boolean, boolean, string[]]>([
    ['refused, TCP never worked', failure('refused'), false, false, ['notRunning', 'wrongUrl', 'network', 'firewall']],
    ['timeout on https, nothing reachable', failure('timeout'), true, false, ['notRunning', 'wrongUrl', 'network', 'firewall', 'tls']],
    ['TLS failure, TCP fine', failure('tls'), true, true, ['wrongUrl', 'tls']],
    ['TLS cannot be the cause over http', failure('reset'), false, true, ['notRunning', 'wrongUrl']],
    ['404 from something', answer(404), false, true, ['wrongUrl']],
    ['503 from a proxy in front', answer(503, '', { via: '1.1 squid' }), false, true, ['notRunning', 'wrongUrl', 'proxy']],
    ['the proxy itself fails', failure('proxy'), false, false, ['wrongUrl', 'network', 'firewall', 'proxy']],
  ])('%s', (_name, exchange, secure, tcpReachable, expected) => {
    expect(possibleCauses({ exchange, secure, tcpReachable }).map((c) => c.cause)).toEqual(expected);
  });
});

describe('gateway-health run', () => {
  let server: LoopbackServer;
  const seen: { path?: string; accept?: string; authorization?: string }[] = [];
  beforeAll(async () => {
    server = await startLoopback((req, res) => {
      seen.push({ path: req.url, accept: req.headers.accept, authorization: req.headers.authorization });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    });
  });
  afterAll(() => server.close());

  it("makes GitLab's exact request and passes", async () => {
    const ctx = makeContext({ gatewayUrl: `${server.url}/`, gatewayUrlSource: 'flag' }, [
      { id: 'gateway-reachable', category: 'network', status: 'pass', title: '', summary: '', details: [], durationMs: 1 },
    ]);
    const outcome = await check.run(ctx);
    expect(outcome.status).toBe('pass');
    expect(seen).toEqual([{ path: '/monitoring/healthz', accept: 'application/json', authorization: undefined }]);
  });
});
