// gateway-health: GitLab's health request judged in the rake task's words, the possible causes narrowed, which URL was
// exercised, and runs against the reference gateway (which answers {} as the real one: "Health status: Unknown").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { judge, possibleCauses, type Facts } from '../../checks/gateway-health.js';
import type { GatewayTarget } from '../../src/probes/gitlab-api.js';
import type { FailureKind, HttpExchange } from '../../src/probes/http.js';
import { startGateway, type RunningGateway } from '../../src/reference/gateway/server.js';
import { makeContext } from '../helpers/context.js';
import { renderFacts } from '../helpers/render-facts.js';
import { expectRenderings, type RenderCase } from '../helpers/renderings.js';
import { startLoopback, type LoopbackServer } from '../helpers/loopback.js';

const answer = (status: number, body = '', headers: Record<string, string> = {}): HttpExchange => ({
  ok: true,
  response: { status, headers, body, elapsedMs: 7 },
});
const failure = (kind: FailureKind, message = `${kind} happened`): HttpExchange => ({ ok: false, elapsedMs: 3, failure: { kind, message } });
const AIGW = 'http://aigw.example.com:5052';
const TARGET: GatewayTarget = { url: AIGW, source: 'gitlab-setting', gitlabSetting: { state: 'set', url: AIGW } };
const facts = (exchange: HttpExchange, more: Partial<Facts> = {}): Facts => ({
  target: TARGET,
  url: `${AIGW}/monitoring/healthz`,
  exchange,
  secure: false,
  tcpReachable: true,
  ...more,
});

describe('gateway-health judge', () => {
  it.each<[string, Facts, string]>([
    ['200 with a status', facts(answer(200, '{"status":"ok"}')), 'accessible'],
    ["200 with the real gateway's {}", facts(answer(200, '{}')), 'accessible'],
    ['200 that is not JSON', facts(answer(200, 'OK')), 'accessible'],
    ['199', facts(answer(199)), 'httpStatus'],
    ['201', facts(answer(201)), 'httpStatus'],
    ['404', facts(answer(404, '{"detail":"Not Found"}')), 'httpStatus'],
    ['refused', facts(failure('refused'), { tcpReachable: false }), 'connectionError'],
    ['no URL', { target: { source: 'none', gitlabSetting: { state: 'blank' } } }, 'noUrl'],
  ])('%s → %s', (_name, f, id) => {
    expect(judge(f).findings.map((x) => x.id)).toEqual([id]);
  });

  it.each<[string, string, string]>([
    ['{"status":"ok"}', '18.6.0-ee', 'Health status: ok'],
    ['{}', '18.6.0-ee', 'Health status: Unknown'],
    ['OK', '18.6.0-ee', 'Health response: OK'],
  ])('%s → "%s"', (body, version, line) => {
    expect(judge({ ...facts(answer(200, body)), gitlabVersion: version }).details).toContain(line);
  });

  it('words a non-200 as the rake task of the version does, with its causes', () => {
    const setting = renderFacts(check, { ...facts(answer(404)), gitlabVersion: '18.6.0-ee' });
    expect(setting.summary).toBe('AI Gateway returned HTTP 404');
    expect(setting.details).toContain('Cannot access AI Gateway. Possible causes:');
    expect(setting.details.join('\n')).toContain("  - 'Ai::Setting.instance.ai_gateway_url' has an incorrect value (something answers");
    const newer = renderFacts(check, { ...facts(answer(404)), gitlabVersion: '18.10.0-ee' });
    expect(newer.details.join('\n')).toContain("  - the 'ai_gateway_url' application setting has an incorrect value");
  });

  it('says which URL it exercised, and the one GitLab uses when they differ', () => {
    const flagged: GatewayTarget = { url: 'http://other:5052', source: 'flag', gitlabSetting: { state: 'set', url: AIGW } };
    const out = judge({ ...facts(answer(200, '{}')), target: flagged, url: 'http://other:5052/monitoring/healthz' });
    expect(out.details).toEqual(
      expect.arrayContaining([
        'Requested http://other:5052/monitoring/healthz (from --gateway-url)',
        expect.stringMatching(/^Exercised http:\/\/other:5052 \(from --gateway-url\), not http:\/\/aigw/) as unknown as string,
      ]),
    );
  });

  it('fails a connection error as "Connection error: <kind> - <message>"', () => {
    const out = renderFacts(check, facts(failure('refused', 'Connection to aigw:5052 refused'), { tcpReachable: false }));
    expect(out.summary).toBe('Connection error: refused - Connection to aigw:5052 refused');
  });
});

describe('gateway-health renderings', () => {
  const HTTPS = 'https://aigw.example.com';
  const FLAG: GatewayTarget = { url: HTTPS, source: 'flag', gitlabSetting: { state: 'set', url: AIGW } };
  const failed = (kind: FailureKind, message: string, code?: string): HttpExchange => ({
    ok: false,
    elapsedMs: 3,
    failure: { kind, message, ...(code ? { code } : {}) },
  });
  const cases: RenderCase<Facts>[] = [
    { name: 'no URL', facts: { target: { source: 'none', gitlabSetting: { state: 'blank' } } } },
    { name: '200 {} (the real gateway), 18.10', facts: facts(answer(200, '{}'), { gitlabVersion: '18.10.0' }) },
    { name: '200 with a status, 17.5', facts: facts(answer(200, '{"status":"ok"}'), { gitlabVersion: '17.5.0' }) },
    { name: '200 with a non-string status', facts: facts(answer(200, '{"status":1}')) },
    { name: '200 JSON null', facts: facts(answer(200, 'null')) },
    { name: '200 not JSON, long', facts: facts(answer(200, `<html>\n  <body>${'ok '.repeat(60)}</body></html>`)) },
    {
      name: '200 from --gateway-url, GitLab uses another',
      facts: facts(answer(200, '{}'), { target: FLAG, url: `${HTTPS}/monitoring/healthz`, secure: true }),
    },
    { name: '404 from something', facts: facts(answer(404, '{"detail":"Not Found"}', { server: 'uvicorn' })) },
    { name: '401, empty body', facts: facts(answer(401, '  \n')) },
    {
      name: '301 redirect',
      facts: facts({
        ok: true,
        response: {
          status: 301,
          headers: { server: 'nginx' },
          body: '',
          elapsedMs: 2,
          redirectTo: 'https://u:p@aigw.example.com/monitoring/healthz',
        },
      }),
    },
    { name: '502 from nginx in front', facts: facts(answer(502, `<html>${'x'.repeat(250)}</html>`, { server: 'nginx/1.25' })) },
    { name: '503 through squid', facts: facts(answer(503, '', { via: '1.1 squid (squid/5.7)', server: 'squid/5.7' })) },
    { name: '404, a body of exactly 200 characters', facts: facts(answer(404, 'x'.repeat(200))) },
    { name: '500, a body over several lines', facts: facts(answer(500, 'Internal\n   Server\tError\n')) },
    { name: '200, a JSON number', facts: facts(answer(200, '42')) },
    { name: '200, a JSON array', facts: facts(answer(200, '["ok"]')) },
    { name: 'a URL but no exchange (an older recording)', facts: { target: TARGET, url: `${AIGW}/monitoring/healthz` } },
    { name: '504, version 17.5', facts: facts(answer(504), { gitlabVersion: '17.5.0' }) },
    { name: '403 from a proxy server without Via', facts: facts(answer(403, '', { server: 'Proxy' })) },
    {
      name: 'refused, TCP never worked',
      facts: facts(failed('refused', 'connect ECONNREFUSED 10.0.0.5:5052', 'ECONNREFUSED'), { tcpReachable: false }),
    },
    {
      name: 'timeout on https, nothing reachable',
      facts: facts(failed('timeout', 'timed out after 10000 ms'), { secure: true, tcpReachable: false, url: `${HTTPS}/monitoring/healthz` }),
    },
    {
      name: 'TLS failure, TCP fine',
      facts: facts(failed('tls', 'self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN'), {
        secure: true,
        url: `${HTTPS}/monitoring/healthz`,
      }),
    },
    { name: 'the proxy fails', facts: facts(failed('proxy', 'proxy http://proxy:3128 refused the tunnel: HTTP 403'), { tcpReachable: false }) },
    { name: 'protocol error', facts: facts(failed('protocol', 'Parse Error: Expected HTTP/')) },
    {
      name: 'DNS failure, facts of an older recording',
      facts: { target: TARGET, url: `${AIGW}/monitoring/healthz`, exchange: failed('dns', 'getaddrinfo ENOTFOUND aigw.example.com', 'ENOTFOUND') },
    },
  ];
  it('renders every case as pinned, reaching every message', () => expectRenderings(check, cases));
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
    ['502 upstream down', answer(502), false, true, ['notRunning', 'wrongUrl']],
    ['504 upstream down', answer(504), false, true, ['notRunning', 'wrongUrl']],
    ['500 is not a proxy saying the upstream is down', answer(500), false, true, ['wrongUrl']],
    ['401 from something', answer(401), true, true, ['wrongUrl']],
    ['protocol error', failure('protocol'), false, true, ['notRunning', 'wrongUrl']],
    ['dns failure, TCP never worked, https', failure('dns'), true, false, ['wrongUrl', 'network', 'firewall', 'tls']],
    ['TLS failure over http', failure('tls'), false, true, ['wrongUrl']],
    ['a proxy by Server, 400', answer(400, '', { server: 'Squid' }), false, true, ['wrongUrl', 'proxy']],
    ['a proxy by Via, 399', answer(399, '', { via: '1.1 p' }), false, true, ['wrongUrl']],
    ['no proxy signature, 403', answer(403, '', { server: 'nginx' }), false, true, ['wrongUrl']],
    ['an answer although TCP was not seen to work', answer(404), false, false, ['wrongUrl']],
    ['an https answer', answer(404), true, true, ['wrongUrl']],
  ])('%s', (_name, exchange, secure, tcpReachable, expected) => {
    expect(possibleCauses({ exchange, secure, tcpReachable }).map((c) => c.cause)).toEqual(expected);
  });

  it.each<[string, HttpExchange, Record<string, string | undefined>]>([
    ['503 via a proxy', answer(503, '', { via: '1.1 squid' }), { notRunning: 'HTTP 503', wrongUrl: undefined, proxy: 'Via: 1.1 squid' }],
    ['404', answer(404), { wrongUrl: 'another service' }],
    ['a proxy by Server only', answer(502, '', { server: 'squid' }), { notRunning: 'HTTP 502', proxy: undefined }],
    ['refused', failure('refused'), { notRunning: undefined, wrongUrl: undefined }],
  ])('why: %s', (_name, exchange, whys) => {
    const said = Object.fromEntries(possibleCauses({ exchange, secure: false, tcpReachable: true }).map((c) => [c.cause, c.why]));
    for (const [cause, why] of Object.entries(whys)) {
      expect(Object.keys(said)).toContain(cause);
      if (why) expect(said[cause]).toContain(why);
      else expect(said[cause]).toBeUndefined();
    }
  });
});

describe('gateway-health gather', () => {
  let server: LoopbackServer;
  let gateway: RunningGateway;
  const seen: { path?: string; accept?: string; authorization?: string }[] = [];
  beforeAll(async () => {
    server = await startLoopback((req, res) => {
      seen.push({ path: req.url, accept: req.headers.accept, authorization: req.headers.authorization });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    });
    gateway = await startGateway({ log: () => {} });
  });
  afterAll(() => Promise.all([server.close(), gateway.close()]));

  it("makes GitLab's exact request, joined as GitLab joins it", async () => {
    const outcome = await check.run(makeContext({ gatewayUrl: `${server.url}/`, gatewayUrlSource: 'flag' }));
    expect(outcome.status).toBe('pass');
    // "#{ai_gateway_url}/monitoring/healthz" keeps a trailing slash of the setting.
    expect(seen).toEqual([{ path: '//monitoring/healthz', accept: 'application/json', authorization: undefined }]);
  });

  it('reports "Health status: Unknown" against the reference gateway, as against the real one', async () => {
    const ctx = makeContext({ gatewayUrl: gateway.url, gatewayUrlSource: 'flag' });
    const f = await check.gather(ctx);
    expect(JSON.parse(JSON.stringify(f))).toEqual(f);
    const outcome = await check.run(ctx);
    expect(outcome).toMatchObject({ status: 'pass', findings: [{ id: 'accessible', status: 'pass' }] });
    expect(outcome.details).toContain('Health status: Unknown');
  });
});
