// proxy-streaming: its judge over tables of timed streams (finding ids); its gather runs in proxy-streaming.integration.test.ts.
import { describe, expect, it } from 'vitest';
import { BUFFERED_AFTER_MS, bursts, judge, messages } from '../../checks/proxy-streaming.js';
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

  it('puts the burst threshold where a 5 × 200 ms stream held to its end lands', () => {
    expect(BUFFERED_AFTER_MS).toBeLessThan(800);
  });
});
