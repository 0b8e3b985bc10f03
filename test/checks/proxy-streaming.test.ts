// proxy-streaming: its judge over tables of timed streams (finding ids); its gather runs in proxy-streaming.integration.test.ts.
import { describe, expect, it } from 'vitest';
import check, { BUFFERED_AFTER_MS, BURST_GAP_MS, bursts, judge, messages, type Facts } from '../../checks/proxy-streaming.js';
import { expectRenderings, type RenderCase } from '../helpers/renderings.js';
import { renderJudgement } from '../../src/check.js';
import type { StreamExchange, StreamResponse } from '../../src/probes/stream.js';

const URL = 'http://aigw.example.com';

/** A 200 stream whose reads arrived at `times` (5 bytes each). */
function stream(times: number[], extra: Partial<StreamResponse> = {}): StreamExchange {
  const chunks = times.map((atMs) => ({ atMs, bytes: 5 }));
  return {
    ok: true,
    response: {
      status: 200,
      headers: {},
      headersAtMs: times[0] ?? 5,
      chunks,
      bytes: chunks.length * 5,
      end: 'complete',
      endedAtMs: (times.at(-1) ?? 5) + 1,
      text: 'x',
      ...extra,
    },
  };
}

const NGINX = { server: 'nginx/1.22.1' };

describe('bursts', () => {
  it('groups reads closer than the gap', () => {
    expect(
      bursts([
        { atMs: 0, bytes: 1 },
        { atMs: 20, bytes: 1 },
        { atMs: 300, bytes: 1 },
      ]).map((b) => b.length),
    ).toEqual([2, 1]);
    expect(bursts([])).toEqual([]);
  });
});

describe('proxy-streaming judge', () => {
  const cases: { name: string; exchange: StreamExchange; id: string; summary: RegExp; fix?: RegExp }[] = [
    { name: 'chunks 200 ms apart', exchange: stream([3, 203, 404, 605, 806], { headers: NGINX }), id: 'streams', summary: /5 bursts over 803 ms/ },
    {
      name: 'one burst at the end behind nginx',
      exchange: stream([819], { headers: NGINX, headersAtMs: 819 }),
      id: 'buffered',
      summary: /^responses are buffered by something in front of the gateway \(nginx\/1\.22\.1\): .* after 819 ms/,
      fix: /proxy_buffering off;.*proxy_http_version 1\.0.*listen ... ssl/s,
    },
    {
      name: 'one gzip burst at the end',
      exchange: stream([806, 806], { headers: { ...NGINX, 'content-encoding': 'gzip' } }),
      id: 'buffered',
      summary: /^responses are buffered/,
      fix: /gzip off;/,
    },
    { name: 'one early burst', exchange: stream([120]), id: 'inconclusive', summary: /only 120 ms/ },
    {
      name: 'one late burst from the gateway itself',
      exchange: stream([900], { headers: { server: 'uvicorn' } }),
      id: 'inconclusive',
      summary: /gateway itself answered/,
    },
    { name: 'an empty stream', exchange: stream([], { bytes: 0 }), id: 'inconclusive', summary: /empty/ },
    {
      name: 'a cut stream',
      exchange: stream([3], { end: 'cut', cut: { kind: 'reset', message: 'reset' } }),
      id: 'cut',
      summary: /cut after/,
      fix: /proxy_read_timeout 300s;/,
    },
    {
      name: 'a refused token',
      exchange: stream([3], { status: 401, text: '{"error":"Forbidden by auth provider"}' }),
      id: 'tokenRefused',
      summary: /token-verifies/,
    },
    { name: 'a 404 from the proxy', exchange: stream([3], { status: 404, headers: NGINX }), id: 'httpError', summary: /HTTP 404/ },
    {
      name: 'no answer',
      exchange: { ok: false, failure: { kind: 'reset', message: 'Connection reset' }, elapsedMs: 4 },
      id: 'requestFailed',
      summary: /failed: Connection reset/,
    },
  ];
  it.each(cases)('$name → $id', ({ exchange, id, summary, fix }) => {
    const j = judge({ url: URL, exchange });
    expect(j.findings.map((f) => f.id)).toEqual([id]);
    const out = renderJudgement(messages, j);
    expect(out.summary).toMatch(summary);
    if (fix) expect(out.remediation).toMatch(fix);
  });

  it('skips, saying why, when no stream could be asked for', () => {
    expect(judge({ unavailable: 'direct connections are disabled' }).findings).toEqual([
      { id: 'unavailable', data: { reason: 'direct connections are disabled' } },
    ]);
  });

  it.each([
    ['one read just under the threshold', [BUFFERED_AFTER_MS - 1], 'inconclusive'],
    ['one read at the threshold', [BUFFERED_AFTER_MS], 'buffered'],
    ['two reads one gap apart', [600, 600 + 100], 'streams'],
    ['two reads just under one gap apart', [600, 600 + 99], 'buffered'],
  ] as const)('edges: %s → %s', (_name, times, id) => {
    expect(judge({ url: URL, exchange: stream([...times], { headers: NGINX }) }).findings.map((f) => f.id)).toEqual([id]);
  });

  // A reader starved of CPU reads a paced stream in one go: the burst says nothing about a proxy then.
  it.each([
    ['no pause measured (an older recording)', undefined, 'buffered'],
    ['a pause just under one gap', BURST_GAP_MS - 1, 'buffered'],
    ['a pause of one gap', BURST_GAP_MS, 'inconclusive'],
    ['a pause longer than the whole stream', 1700, 'inconclusive'],
  ] as const)('a late single burst after %s → %s', (_name, blindMs, id) => {
    const exchange = stream([1720, 1721], { headers: NGINX });
    if (exchange.ok && blindMs !== undefined) exchange.response.chunks[0]!.blindMs = blindMs;
    const j = judge({ url: URL, exchange });
    expect(j.findings.map((f) => f.id)).toEqual([id]);
    if (id === 'inconclusive') expect(renderJudgement(messages, j).summary).toMatch(new RegExp(`could not run for ${blindMs} ms`));
  });

  it('puts the burst threshold where a 5 × 200 ms stream held to its end lands', () => {
    expect(BUFFERED_AFTER_MS).toBeLessThan(800);
  });
});

describe('proxy-streaming renderings (every message, pinned in __renderings__/proxy-streaming.txt)', () => {
  const at = (exchange: StreamExchange): Facts => ({ url: `${URL}/v2/code/completions`, exchange });
  const cases: RenderCase<Facts>[] = [
    { name: 'nothing asked, said why', facts: { unavailable: 'no direct-access token: GitLab has direct connections disabled' } },
    { name: 'nothing asked, silent', facts: {} },
    { name: 'no answer', facts: at({ ok: false, failure: { kind: 'reset', message: 'Connection reset by peer' }, elapsedMs: 41 }) },
    { name: 'no answer, URL unknown', facts: { exchange: { ok: false, failure: { kind: 'refused', message: 'ECONNREFUSED' }, elapsedMs: 1 } } },
    { name: 'streams behind nginx with Via', facts: at(stream([3, 203, 404, 605, 806], { headers: { ...NGINX, via: '1.1 lb' } })) },
    { name: 'streams with a first burst of two reads', facts: at(stream([10, 30, 250], { headersAtMs: 2 })) },
    {
      name: 'buffered behind nginx',
      facts: at(stream([819, 820], { headers: NGINX, headersAtMs: 819, text: 'data: {"choices":[]}' })),
    },
    { name: 'buffered and gzipped, nothing names the proxy', facts: at(stream([806], { headers: { 'content-encoding': 'gzip' } })) },
    { name: 'buffered, brotli', facts: at(stream([700], { headers: { 'content-encoding': 'br' } })) },
    { name: 'one early burst', facts: at(stream([120])) },
    {
      name: 'one late burst read by a process that could not run',
      facts: at(
        stream([1720, 1721], {
          headers: NGINX,
          chunks: [
            { atMs: 1720, bytes: 5, blindMs: 1694 },
            { atMs: 1721, bytes: 5, blindMs: 0 },
          ],
        }),
      ),
    },
    { name: 'from the gateway itself', facts: at(stream([900], { headers: { server: 'uvicorn' } })) },
    { name: 'an empty stream', facts: at(stream([], { bytes: 0, headersAtMs: 12 })) },
    { name: 'cut with a reason', facts: at(stream([3, 250], { end: 'cut', endedAtMs: 60_001, cut: { kind: 'reset', message: 'socket hang up' } })) },
    { name: 'cut without a reason', facts: at(stream([3], { end: 'cut', endedAtMs: 4 })) },
    { name: 'token refused with a body', facts: at(stream([3], { status: 401, text: '{"error":\n  "Forbidden by auth provider"}' })) },
    { name: 'token refused, empty body', facts: at(stream([3], { status: 403, text: '  ' })) },
    { name: 'a 404 from the proxy', facts: at(stream([3], { status: 404, headers: NGINX, text: '<html>404 Not Found</html>' })) },
    { name: 'a 502 without a body', facts: at(stream([], { status: 502, bytes: 0, text: '' })) },
  ];
  it('renders every case as pinned, reaching every message', () => expectRenderings(check, cases));
});
