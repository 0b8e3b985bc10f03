// proxy-streaming: the judgement of timed streams (table), and run() against a fake GitLab and a loopback gateway.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { BUFFERED_AFTER_MS, bursts, judgeStream } from '../../checks/proxy-streaming.js';
import type { StreamExchange, StreamResponse } from '../../src/probes/stream.js';
import { ACCESS_TOKEN, ADMIN_TOKEN, DISABLED, ISSUED, startProxyFixture, type ProxyFixture } from '../helpers/proxy-fixtures.js';

const URL = 'http://aigw.example.com';

/** A 200 stream whose reads arrived at `times` (5 bytes each). */
function stream(times: number[], extra: Partial<StreamResponse> = {}): StreamExchange {
  const chunks = times.map((atMs) => ({ atMs, bytes: 5 }));
  return {
    ok: true,
    response: { status: 200, headers: {}, headersAtMs: times[0] ?? 5, chunks, bytes: chunks.length * 5, end: 'complete', endedAtMs: (times.at(-1) ?? 5) + 1, text: 'x', ...extra },
  };
}

const NGINX = { server: 'nginx/1.22.1' };

describe('bursts', () => {
  it('groups reads closer than the gap', () => {
    expect(bursts([{ atMs: 0, bytes: 1 }, { atMs: 20, bytes: 1 }, { atMs: 300, bytes: 1 }]).map((b) => b.length)).toEqual([2, 1]);
    expect(bursts([])).toEqual([]);
  });
});

describe('judgeStream', () => {
  const cases: { name: string; exchange: StreamExchange; status: string; summary: RegExp; fix?: RegExp }[] = [
    { name: 'chunks 200 ms apart', exchange: stream([3, 203, 404, 605, 806], { headers: NGINX }), status: 'pass', summary: /5 bursts over 803 ms/ },
    {
      name: 'one burst at the end behind nginx',
      exchange: stream([819], { headers: NGINX, headersAtMs: 819 }),
      status: 'fail',
      summary: /^responses are buffered by something in front of the gateway \(nginx\/1\.22\.1\): .* after 819 ms/,
      fix: /proxy_buffering off;.*proxy_http_version 1\.0.*listen ... ssl/s,
    },
    {
      name: 'one gzip burst at the end',
      exchange: stream([806, 806], { headers: { ...NGINX, 'content-encoding': 'gzip' } }),
      status: 'fail',
      summary: /^responses are buffered/,
      fix: /gzip off;/,
    },
    { name: 'one early burst', exchange: stream([120]), status: 'warn', summary: /only 120 ms/ },
    { name: 'one late burst from the gateway itself', exchange: stream([900], { headers: { server: 'uvicorn' } }), status: 'warn', summary: /gateway itself answered/ },
    { name: 'an empty stream', exchange: stream([], { bytes: 0 }), status: 'warn', summary: /empty/ },
    { name: 'a cut stream', exchange: stream([3], { end: 'cut', cut: { kind: 'reset', message: 'reset' } }), status: 'fail', summary: /cut after/, fix: /proxy_read_timeout 300s;/ },
    { name: 'a refused token', exchange: stream([3], { status: 401, text: '{"error":"Forbidden by auth provider"}' }), status: 'skip', summary: /token-verifies/ },
    { name: 'a 404 from the proxy', exchange: stream([3], { status: 404, headers: NGINX }), status: 'fail', summary: /HTTP 404/ },
    { name: 'no answer', exchange: { ok: false, failure: { kind: 'reset', message: 'Connection reset' }, elapsedMs: 4 }, status: 'fail', summary: /failed: Connection reset/ },
  ];
  it.each(cases)('$name → $status', ({ exchange, status, summary, fix }) => {
    const out = judgeStream(URL, exchange);
    expect(out.status).toBe(status);
    expect(out.summary).toMatch(summary);
    if (fix) expect(out.remediation).toMatch(fix);
  });

  it('puts the burst threshold where a 5 × 200 ms stream held to its end lands', () => {
    expect(BUFFERED_AFTER_MS).toBeLessThan(800);
  });
});

describe('proxy-streaming run()', () => {
  let fx: ProxyFixture;
  let received: { headers: Record<string, unknown>; body: string } | undefined;
  let buffered = false;

  beforeAll(async () => {
    fx = await startProxyFixture((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        received = { headers: req.headers, body: Buffer.concat(parts).toString() };
        void (async () => {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          const pieces = ['a', 'b', 'c', 'd', 'e'];
          for (const [i, piece] of pieces.entries()) {
            if (i > 0) await sleep(200);
            // The "buffering proxy" writes nothing until the end.
            if (!buffered) res.write(piece);
          }
          res.end(buffered ? pieces.join('') : undefined);
        })();
      });
    });
  });
  afterAll(() => fx.close());

  it('passes a stream that arrives chunk by chunk, sending the token and GitLab\'s headers but never printing the token', async () => {
    fx.directAccess(ISSUED);
    buffered = false;
    const out = await check.run(fx.context());
    expect(out.status).toBe('pass');
    expect(received?.headers).toMatchObject({ authorization: `Bearer ${ACCESS_TOKEN}`, 'x-gitlab-realm': 'self-managed', 'accept-encoding': expect.stringContaining('gzip') });
    expect(JSON.parse(received?.body ?? '{}')).toMatchObject({ stream: true, current_file: { file_name: 'test.rb' } });
    expect(JSON.stringify(out)).not.toContain(ACCESS_TOKEN);
    expect(JSON.stringify(out)).not.toContain(ADMIN_TOKEN);
  });

  it('fails a stream held back to its end', async () => {
    buffered = true;
    const out = await check.run(fx.context());
    expect(out.status).toBe('fail');
    expect(out.summary).toMatch(/^responses are buffered by something in front of the gateway/);
  });

  it('skips naming the setting when direct connections are disabled', async () => {
    fx.directAccess(DISABLED);
    const out = await check.run(fx.context());
    expect(out.status).toBe('skip');
    expect(out.summary).toMatch(/direct connections are disabled.*disabled_direct_code_suggestions/);
  });

  it('skips without a GitLab token', async () => {
    const out = await check.run(fx.context({ gitlabToken: undefined }));
    expect(out).toMatchObject({ status: 'skip', summary: expect.stringMatching(/GITLAB_TOKEN/) });
  });
});
