// proxy-upgrade: the judgement of upgrade answers (table), and run() against a fake GitLab and a loopback gateway.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { GATEWAY_WS_PATH, judgeUpgrade } from '../../checks/proxy-upgrade.js';
import type { WebSocketAnswer, WebSocketExchange } from '../../src/probes/websocket.js';
import { AGENT_WS_ROUTE } from '../../src/reference/gateway/server.js';
import { acceptKey } from '../../src/reference/gateway/websocket.js';
import { freePort } from '../helpers/loopback.js';
import { ACCESS_TOKEN, DISABLED, ISSUED, startProxyFixture, type ProxyFixture } from '../helpers/proxy-fixtures.js';

const URL = `http://aigw.example.com${GATEWAY_WS_PATH}`;
const answer = (a: Partial<WebSocketAnswer>): WebSocketExchange => ({
  ok: true,
  answer: { status: 101, reason: 'Switching Protocols', httpVersion: '1.1', headers: {}, body: '', elapsedMs: 3, ...a },
});
const NGINX = { server: 'nginx/1.22.1' };
const FIX = /proxy_http_version 1\.1;.*proxy_set_header Upgrade \$http_upgrade;.*proxy_set_header Connection "upgrade";/s;

describe('judgeUpgrade', () => {
  const cases: { name: string; exchange: WebSocketExchange; status: string; summary: RegExp; fix?: RegExp }[] = [
    { name: '101 with the right accept through nginx', exchange: answer({ acceptValid: true, headers: NGINX }), status: 'pass', summary: /through nginx\/1\.22\.1 was accepted/ },
    { name: '101 with a wrong accept', exchange: answer({ acceptValid: false }), status: 'fail', summary: /wrong Sec-WebSocket-Accept/, fix: FIX },
    { name: '404 from behind nginx (Upgrade dropped)', exchange: answer({ status: 404, reason: 'Not Found', headers: NGINX, body: '{"detail":"Not Found"}' }), status: 'fail', summary: /HTTP 404, not 101: nginx\/1\.22\.1 answered/, fix: FIX },
    { name: '426 from a proxy named by Via', exchange: answer({ status: 426, headers: { via: '1.1 haproxy' } }), status: 'fail', summary: /HTTP 426.*1\.1 haproxy/, fix: FIX },
    { name: '400', exchange: answer({ status: 400, headers: NGINX }), status: 'fail', summary: /HTTP 400/, fix: FIX },
    { name: '200 (a plain answer)', exchange: answer({ status: 200 }), status: 'fail', summary: /HTTP 200, not 101: whatever is in front/, fix: FIX },
    { name: '404 straight from the gateway', exchange: answer({ status: 404, headers: { server: 'uvicorn' } }), status: 'warn', summary: /no WebSocket route/ },
    { name: '401 (the token)', exchange: answer({ status: 401 }), status: 'skip', summary: /token-verifies/ },
    { name: 'no answer', exchange: { ok: false, failure: { kind: 'reset', message: 'closed' }, elapsedMs: 2 }, status: 'fail', summary: /got no answer: closed/, fix: FIX },
  ];
  it.each(cases)('$name → $status', ({ exchange, status, summary, fix }) => {
    const out = judgeUpgrade(URL, exchange);
    expect(out.status).toBe(status);
    expect(out.summary).toMatch(summary);
    if (fix) expect(out.remediation).toMatch(fix);
  });

  it('targets the route the reference gateway serves', () => {
    expect(GATEWAY_WS_PATH).toBe(AGENT_WS_ROUTE);
  });
});

describe('proxy-upgrade run()', () => {
  let fx: ProxyFixture;
  let seen: IncomingMessage['headers'] = {};
  let accept = true;

  beforeAll(async () => {
    fx = await startProxyFixture(
      (_req, res) => res.end('plain'),
      (req: IncomingMessage, socket: Duplex) => {
        seen = req.headers;
        if (!accept) return socket.end('HTTP/1.1 400 Bad Request\r\nServer: nginx/1.22.1\r\nContent-Length: 0\r\n\r\n');
        socket.end(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(String(req.headers['sec-websocket-key']))}\r\n\r\n`);
      },
    );
  });
  afterAll(() => fx.close());

  it('passes a 101, sending the token and GitLab\'s headers but never printing the token', async () => {
    fx.directAccess(ISSUED);
    accept = true;
    const out = await check.run(fx.context());
    expect(out.status).toBe('pass');
    expect(seen).toMatchObject({ authorization: `Bearer ${ACCESS_TOKEN}`, 'x-gitlab-instance-id': 'abc', upgrade: 'websocket' });
    expect(JSON.stringify(out)).not.toContain(ACCESS_TOKEN);
  });

  it('fails a refused upgrade and notes an HTTP proxy variable it did not use', async () => {
    accept = false;
    // The proxy is a closed loopback port, and GitLab is exempt: nothing may leave loopback.
    const env = { HTTP_PROXY: `http://127.0.0.1:${await freePort()}`, NO_PROXY: `127.0.0.1:${fx.gitlab.port}` };
    const out = await check.run(fx.context({ env }));
    expect(out.status).toBe('fail');
    expect(out.details?.at(-1)).toMatch(/HTTP_PROXY.*not used/);
  });

  it('skips when direct connections are disabled', async () => {
    fx.directAccess(DISABLED);
    expect(await check.run(fx.context())).toMatchObject({ status: 'skip', summary: expect.stringMatching(/disabled_direct_code_suggestions/) });
  });
});
