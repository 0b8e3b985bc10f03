// proxy-timeouts: its judge over tables — header signatures without --deep, held streams with it (finding ids) — and its
// gather without --deep against a loopback gateway; the --deep holds run in proxy-timeouts.integration.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { judge, longestSilenceMs, messages, timeoutFor, type Facts } from '../../checks/proxy-timeouts.js';
import { renderJudgement } from '../../src/check.js';
import { defaultSettings } from '../../src/config/settings.js';
import { DIRECT_ACCESS_PATH } from '../../src/probes/direct-access.js';
import type { HttpExchange } from '../../src/probes/http.js';
import type { StreamExchange, StreamResponse } from '../../src/probes/stream.js';
import { startProxyFixture, type ProxyFixture } from '../helpers/proxy-fixtures.js';

const health = (headers: Record<string, string>): HttpExchange => ({
  ok: true,
  response: { status: 200, headers, body: '{"status":"ok"}', elapsedMs: 2 },
});
const held = (r: Partial<StreamResponse>): StreamExchange => ({
  ok: true,
  response: {
    status: 200,
    headers: { server: 'nginx/1.22.1' },
    headersAtMs: 3,
    chunks: [{ atMs: 3, bytes: 5 }],
    bytes: 5,
    end: 'complete',
    endedAtMs: 10,
    text: '',
    ...r,
  },
});
const deep = (hold: StreamExchange): Facts => ({ deepSeconds: 5, holdMs: 5000, hold });
const ids = (f: Facts) => judge(f).findings.map((x) => x.id);
const FIX = /proxy_read_timeout 300s;/;

describe('proxy-timeouts judge without --deep', () => {
  it.each([
    ['nginx', { server: 'nginx/1.22.1' }, 'proxyShown'],
    ['a Via header', { via: '1.1 squid' }, 'proxyShown'],
    ['uvicorn', { server: 'uvicorn' }, 'gatewayDirect'],
    ['nothing', {}, 'nothingShown'],
  ])('%s → %s', (_name, headers, id) => {
    expect(ids({ deepSeconds: 75, health: health(headers) })).toEqual([id]);
  });

  it('skips without an answer', () => {
    expect(ids({ deepSeconds: 75, health: { ok: false, failure: { kind: 'refused', message: 'refused' }, elapsedMs: 1 } })).toEqual(['noHealth']);
  });
});

describe('proxy-timeouts judge with --deep', () => {
  it.each<[string, StreamExchange, string]>([
    ['a 504 from nginx', held({ status: 504, headersAtMs: 2010, chunks: [], endedAtMs: 2012 }), 'proxyGaveUp'],
    ['a 502 from nginx', held({ status: 502, headersAtMs: 2010, chunks: [], endedAtMs: 2012 }), 'proxyGaveUp'],
    [
      'a stream cut 2 s after its last chunk',
      held({ end: 'cut', endedAtMs: 2010, cut: { kind: 'reset', message: 'Connection reset' } }),
      'streamCut',
    ],
    ['a stream still open at the hold', held({ end: 'held', endedAtMs: 5000 }), 'heldOpen'],
    ['a stream that ended first', held({ endedAtMs: 900 }), 'endedUncut'],
    ['a refused token', held({ status: 401 }), 'tokenRefused'],
    ['another status', held({ status: 404 }), 'noStream'],
    ['no headers by the end of the hold', { ok: false, failure: { kind: 'timeout', message: 't' }, elapsedMs: 5000 }, 'heldWithoutAnswer'],
    ['no headers, one ms short of the hold', { ok: false, failure: { kind: 'timeout', message: 't' }, elapsedMs: 4999 }, 'holdFailed'],
    ['a reset before any answer', { ok: false, failure: { kind: 'reset', message: 'reset' }, elapsedMs: 2000 }, 'holdFailed'],
  ])('%s → %s', (_name, exchange, id) => {
    expect(ids(deep(exchange))).toEqual([id]);
  });

  it('says what failed and the proxy fix', () => {
    const out = renderJudgement(messages, judge(deep(held({ end: 'cut', endedAtMs: 2010, cut: { kind: 'reset', message: 'Connection reset' } }))));
    expect(out.summary).toMatch(/cut \(nginx\/1\.22\.1\) after 2\.0 s, 2\.0 s after its last chunk/);
    expect(out.remediation).toMatch(FIX);
  });

  it('skips when no streamed completion could be asked for', () => {
    expect(ids({ deepSeconds: 5, holdMs: 5000, unavailable: 'no token' })).toEqual(['deepUnavailable']);
  });

  it('says which timeouts an early-ending stream did not exercise', () => {
    expect(judge(deep(held({ endedAtMs: 900 }))).details?.at(-1)).toMatch(/between 0\.9 s and 5\.0 s was not exercised/);
  });

  it('measures the longest silence between request, headers, reads and end', () => {
    const r: StreamResponse = {
      status: 200,
      headers: {},
      headersAtMs: 100,
      chunks: [
        { atMs: 100, bytes: 1 },
        { atMs: 1600, bytes: 1 },
      ],
      bytes: 2,
      end: 'complete',
      endedAtMs: 1700,
      text: '',
    };
    expect(longestSilenceMs(r)).toBe(1500);
  });
});

describe('timeoutFor', () => {
  it('is --timeout without --deep, and covers the hold with it', () => {
    expect(timeoutFor(defaultSettings({ timeoutMs: 10_000 }))).toBe(10_000);
    expect(timeoutFor(defaultSettings({ timeoutMs: 10_000, deep: true, deepSeconds: 75 }))).toBe(105_000);
  });
});

describe('proxy-timeouts gather without --deep', () => {
  let fx: ProxyFixture;
  beforeAll(async () => {
    fx = await startProxyFixture((req, res) => {
      res.writeHead(200, { server: 'nginx/1.22.1', 'content-type': 'application/json' });
      res.end('{"status":"ok"}');
    });
  });
  afterAll(() => fx.close());

  it('reads the health answer only and holds nothing open', async () => {
    fx.gitlab.requests.length = 0;
    const out = await check.run(fx.context());
    expect(out.findings?.map((f) => f.id)).toEqual(['proxyShown']);
    expect(fx.gitlab.requests.filter((r) => r.path === DIRECT_ACCESS_PATH)).toHaveLength(0);
  });
});
