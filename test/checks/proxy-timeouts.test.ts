// proxy-timeouts: header signatures without --deep, held streams with it (tables), and run() against a loopback gateway.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { judgeHold, judgeSignature, longestSilenceMs, timeoutFor } from '../../checks/proxy-timeouts.js';
import { defaultSettings } from '../../src/config/settings.js';
import type { HttpExchange } from '../../src/probes/http.js';
import type { StreamExchange, StreamResponse } from '../../src/probes/stream.js';
import { DIRECT_ACCESS_PATH } from '../../src/probes/direct-access.js';
import { ACCESS_TOKEN, startProxyFixture, type ProxyFixture } from '../helpers/proxy-fixtures.js';

const health = (headers: Record<string, string>): HttpExchange => ({ ok: true, response: { status: 200, headers, body: '{"status":"ok"}', elapsedMs: 2 } });
const held = (r: Partial<StreamResponse>): StreamExchange => ({
  ok: true,
  response: { status: 200, headers: { server: 'nginx/1.22.1' }, headersAtMs: 3, chunks: [{ atMs: 3, bytes: 5 }], bytes: 5, end: 'complete', endedAtMs: 10, text: '', ...r },
});
const FIX = /proxy_read_timeout 300s;/;

describe('judgeSignature (no --deep)', () => {
  it.each<{ name: string; headers: Record<string, string>; summary: RegExp }>([
    { name: 'nginx', headers: { server: 'nginx/1.22.1' }, summary: /a proxy answers in front of the gateway: nginx\/1\.22\.1/ },
    { name: 'a Via header', headers: { via: '1.1 squid' }, summary: /1\.1 squid/ },
    { name: 'uvicorn', headers: { server: 'uvicorn' }, summary: /the gateway answers itself \(Server: uvicorn\)/ },
    { name: 'nothing', headers: {}, summary: /no Server or Via header/ },
  ])('passes with what $name reveals', ({ headers, summary }) => {
    const out = judgeSignature(health(headers), 75);
    expect(out.status).toBe('pass');
    expect(out.summary).toMatch(summary);
  });

  it('skips without an answer', () => {
    expect(judgeSignature({ ok: false, failure: { kind: 'refused', message: 'refused' }, elapsedMs: 1 }, 75).status).toBe('skip');
  });
});

describe('judgeHold (--deep)', () => {
  const cases: { name: string; exchange: StreamExchange; status: string; summary: RegExp; fix?: RegExp }[] = [
    { name: 'a 504 from nginx', exchange: held({ status: 504, headersAtMs: 2010, chunks: [], end: 'complete', endedAtMs: 2012 }), status: 'fail', summary: /gave up after 2\.0 s with HTTP 504/, fix: FIX },
    {
      name: 'a stream cut 2 s after its last chunk',
      exchange: held({ end: 'cut', endedAtMs: 2010, cut: { kind: 'reset', message: 'Connection reset' } }),
      status: 'fail',
      summary: /cut \(nginx\/1\.22\.1\) after 2\.0 s, 2\.0 s after its last chunk/,
      fix: FIX,
    },
    { name: 'a stream still open at the hold', exchange: held({ end: 'held', endedAtMs: 5000 }), status: 'pass', summary: /stayed open 5\.0 s/ },
    { name: 'a stream that ended first', exchange: held({ endedAtMs: 900 }), status: 'pass', summary: /ended after 0\.9 s, uncut/ },
    { name: 'a refused token', exchange: held({ status: 401 }), status: 'skip', summary: /token-verifies/ },
    { name: 'another status', exchange: held({ status: 404 }), status: 'skip', summary: /HTTP 404/ },
    { name: 'no headers within the hold', exchange: { ok: false, failure: { kind: 'timeout', message: 't' }, elapsedMs: 5000 }, status: 'pass', summary: /stayed open 5\.0 s/ },
    { name: 'a reset before any answer', exchange: { ok: false, failure: { kind: 'reset', message: 'reset' }, elapsedMs: 2000 }, status: 'fail', summary: /failed after 2\.0 s/, fix: FIX },
  ];
  it.each(cases)('$name → $status', ({ exchange, status, summary, fix }) => {
    const out = judgeHold(exchange, 5000);
    expect(out.status).toBe(status);
    expect(out.summary).toMatch(summary);
    if (fix) expect(out.remediation).toMatch(fix);
  });

  it('says which timeouts an early-ending stream did not exercise', () => {
    expect(judgeHold(held({ endedAtMs: 900 }), 5000).details?.at(-1)).toMatch(/between 0\.9 s and 5\.0 s was not exercised/);
  });

  it('measures the longest silence between request, headers, reads and end', () => {
    const r: StreamResponse = { status: 200, headers: {}, headersAtMs: 100, chunks: [{ atMs: 100, bytes: 1 }, { atMs: 1600, bytes: 1 }], bytes: 2, end: 'complete', endedAtMs: 1700, text: '' };
    expect(longestSilenceMs(r)).toBe(1500);
  });
});

describe('timeoutFor', () => {
  it('is --timeout without --deep, and covers the hold with it', () => {
    expect(timeoutFor(defaultSettings({ timeoutMs: 10_000 }))).toBe(10_000);
    expect(timeoutFor(defaultSettings({ timeoutMs: 10_000, deep: true, deepSeconds: 75 }))).toBe(105_000);
  });
});

describe('proxy-timeouts run()', () => {
  let fx: ProxyFixture;
  let mode: 'cut' | 'open' = 'open';

  beforeAll(async () => {
    fx = await startProxyFixture((req, res) => {
      if (req.url === '/monitoring/healthz') {
        res.writeHead(200, { server: 'nginx/1.22.1', 'content-type': 'application/json' });
        return res.end('{"status":"ok"}');
      }
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('first');
        if (mode === 'cut') void sleep(300).then(() => res.socket?.destroy());
      });
    });
  });
  afterAll(() => fx.close());

  it('without --deep reads the health answer only and holds nothing open', async () => {
    fx.gitlab.requests.length = 0;
    const out = await check.run(fx.context());
    expect(out).toMatchObject({ status: 'pass', summary: expect.stringMatching(/nginx\/1\.22\.1/) });
    expect(fx.gitlab.requests.filter((r) => r.path === DIRECT_ACCESS_PATH)).toHaveLength(0);
  });

  it('with --deep passes a stream that stays open for the hold', async () => {
    mode = 'open';
    const out = await check.run(fx.context({ deep: true, deepSeconds: 1 }));
    expect(out).toMatchObject({ status: 'pass', evidence: { end: 'held' } });
    expect(JSON.stringify(out)).not.toContain(ACCESS_TOKEN);
  });

  it('with --deep fails a stream cut before the hold', async () => {
    mode = 'cut';
    const out = await check.run(fx.context({ deep: true, deepSeconds: 2 }));
    expect(out.status).toBe('fail');
    expect(out.remediation).toMatch(FIX);
  });
});
