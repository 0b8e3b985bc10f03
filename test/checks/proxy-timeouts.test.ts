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

describe("proxy-timeouts against GitLab's own AI gateway timeout (aiGatewayTimeoutSeconds)", () => {
  const SET = { seconds: 60, source: 'setting' } as const;
  const within = (hold: StreamExchange, gitlabTimeout: Facts['gitlabTimeout'] = SET): Facts => ({
    deepSeconds: 75,
    holdMs: 75_000,
    hold,
    gitlabTimeout,
  });
  const timedOut = (elapsedMs: number): StreamExchange => ({ ok: false, failure: { kind: 'timeout', message: 't' }, elapsedMs });
  it.each<[string, Facts, string[]]>([
    ['ended one ms short of 60 s', within(held({ endedAtMs: 59_999 })), ['endedUncut']],
    ['ended at 60 s', within(held({ endedAtMs: 60_000 })), ['endedUncut', 'gitlabGivesUp']],
    ['ended at 61 s', within(held({ endedAtMs: 61_000 })), ['endedUncut', 'gitlabGivesUp']],
    ['ended at 61 s, GitLab waits 300 s', within(held({ endedAtMs: 61_000 }), { seconds: 300, source: 'setting' }), ['endedUncut']],
    ['still streaming at the 75 s hold', within(held({ end: 'held', endedAtMs: 75_000 })), ['heldOpen', 'gitlabGivesUp']],
    ['no answer by the 75 s hold', within(timedOut(75_000)), ['heldWithoutAnswer', 'gitlabGivesUp']],
    ['no answer, a timeout before 60 s', within(timedOut(30_000)), ['holdFailed']],
    ['a reset at 70 s', within({ ok: false, failure: { kind: 'reset', message: 'reset' }, elapsedMs: 70_000 }), ['holdFailed']],
    ['cut by the proxy at 30 s', within(held({ end: 'cut', endedAtMs: 30_000 })), ['streamCut', 'proxyBeforeGitlab']],
    ['cut by the proxy at 60 s', within(held({ end: 'cut', endedAtMs: 60_000 })), ['streamCut']],
    ['a 504 after 59.999 s', within(held({ status: 504, headersAtMs: 59_999, endedAtMs: 60_001 })), ['proxyGaveUp', 'proxyBeforeGitlab']],
    ['a 504 after 60 s', within(held({ status: 504, headersAtMs: 60_000, endedAtMs: 60_001 })), ['proxyGaveUp']],
    ['a 401 after 70 s is no measure', within(held({ status: 401, endedAtMs: 70_000 })), ['tokenRefused']],
    ['GitLab not asked', { deepSeconds: 75, holdMs: 75_000, hold: held({ endedAtMs: 70_000 }) }, ['endedUncut']],
  ])('%s → %j', (_name, f, expected) => {
    expect(ids(f)).toEqual(expected);
  });

  it("names both times, GitLab's setting and the fixes", () => {
    const slow = renderJudgement(messages, judge(within(held({ endedAtMs: 61_000 }))));
    expect(slow.status).toBe('fail');
    expect([slow.summary, ...(slow.details ?? [])].join('\n')).toContain(
      'a streamed completion took 61.0 s, and GitLab gives up on its requests to the gateway after 60 s (aiGatewayTimeoutSeconds): long Duo Chat answers end in error A1000 ("I\'m sorry, I couldn\'t respond in time")',
    );
    expect(slow.remediation).toMatch(/"AI Gateway request timeout" \(60 to 600 s, GitLab 18\.7 and later.*duoSettingsUpdate/);
    const still = renderJudgement(messages, judge(within(held({ end: 'held', endedAtMs: 75_000 }))));
    expect([still.summary, ...(still.details ?? [])].join('\n')).toContain(
      'a streamed completion was still running 75.0 s when duo-doctor stopped holding it, and GitLab gives up on its requests to the gateway after 60 s (aiGatewayTimeoutSeconds): long Duo Chat answers end in error A1000 ("I\'m sorry, I couldn\'t respond in time")',
    );
    const cut = renderJudgement(messages, judge(within(held({ end: 'cut', endedAtMs: 30_000 }))));
    expect([cut.summary, ...(cut.details ?? [])].join('\n')).toContain(
      "the proxy in front of the gateway gave up after 30.0 s, before GitLab's own 60 s (aiGatewayTimeoutSeconds): raising GitLab's timeout alone cannot help",
    );
    expect(cut.remediation).toMatch(/at least GitLab's AI gateway request timeout, 60 s\./);
    expect(judge(within(held({ endedAtMs: 61_000 }))).evidence).toMatchObject({ gitlabTimeoutSeconds: 60 });
    expect(judge(within(held({ endedAtMs: 1_000 }))).details).toContain(
      'GitLab gives up on its requests to the gateway after 60 s (its aiGatewayTimeoutSeconds setting).',
    );
    expect(judge(within(held({ endedAtMs: 1_000 }), { seconds: 60, source: 'default' })).details).toContain(
      'GitLab gives up on its requests to the gateway after 60 s (the default: unset, or a GitLab before 18.7).',
    );
  });

  it("without --deep only names GitLab's timeout", () => {
    const out = judge({ deepSeconds: 75, health: health({ server: 'nginx/1.22.1' }), gitlabTimeout: { seconds: 120, source: 'setting' } });
    expect(out.findings.map((f) => f.id)).toEqual(['proxyShown']);
    expect(out.details?.at(-1)).toBe('GitLab gives up on its requests to the gateway after 120 s (its aiGatewayTimeoutSeconds setting).');
    expect(judge({ deepSeconds: 75, health: health({ server: 'uvicorn' }), gitlabTimeout: SET }).details?.at(-1)).toMatch(/after 60 s/);
    expect(judge({ deepSeconds: 75, health: health({}) }).details?.some((d) => d.includes('GitLab gives up'))).toBe(false);
  });
});

describe('proxy-timeouts judgements in full (data, details, evidence)', () => {
  const hold = (r: Partial<StreamResponse>): Facts => deep(held(r));
  it.each<[string, Facts, unknown]>([
    [
      'nginx shown',
      { deepSeconds: 75, health: health({ server: 'nginx/1.22.1' }) },
      {
        findings: [{ id: 'proxyShown', data: { proxy: 'nginx/1.22.1' } }],
        details: ['Server: nginx/1.22.1', 'A read timeout was not tested: --deep holds a streamed request open for 75 s (--deep-seconds).'],
        evidence: { deep: false, proxy: 'nginx/1.22.1', direct: false },
      },
    ],
    [
      'uvicorn',
      { deepSeconds: 75, health: health({ server: 'uvicorn' }) },
      {
        findings: [{ id: 'gatewayDirect', data: { clues: 'Server: uvicorn' } }],
        details: ['Server: uvicorn'],
        evidence: { deep: false, direct: true },
      },
    ],
    ['no health', { deepSeconds: 75 }, { findings: [{ id: 'noHealth', data: { message: 'not asked' } }] }],
    [
      'no health, GitLab asked',
      { deepSeconds: 75, gitlabTimeout: { seconds: 60, source: 'setting' } },
      {
        findings: [{ id: 'noHealth', data: { message: 'not asked' } }],
        details: ['GitLab gives up on its requests to the gateway after 60 s (its aiGatewayTimeoutSeconds setting).'],
      },
    ],
    [
      'deep unavailable',
      { deepSeconds: 5, holdMs: 5000, unavailable: 'no token' },
      { findings: [{ id: 'deepUnavailable', data: { reason: 'no token' } }] },
    ],
    [
      'deep unavailable, no reason',
      { deepSeconds: 5, holdMs: 5000 },
      { findings: [{ id: 'deepUnavailable', data: { reason: 'no streamed completion was asked for' } }] },
    ],
    [
      'held without answer',
      deep({ ok: false, failure: { kind: 'timeout', message: 't' }, elapsedMs: 5000 }),
      { findings: [{ id: 'heldWithoutAnswer', data: { held: '5.0 s' } }], evidence: { deep: true, heldMs: 5000 } },
    ],
    [
      'a reset after the hold',
      deep({ ok: false, failure: { kind: 'reset', message: 'reset' }, elapsedMs: 6000 }),
      { findings: [{ id: 'holdFailed', data: { after: '6.0 s', message: 'reset' } }], evidence: { deep: true, failure: 'reset', elapsedMs: 6000 } },
    ],
    [
      'a reset, GitLab asked',
      { ...deep({ ok: false, failure: { kind: 'reset', message: 'reset' }, elapsedMs: 100 }), gitlabTimeout: { seconds: 60, source: 'setting' } },
      {
        findings: [{ id: 'holdFailed', data: { after: '0.1 s', message: 'reset' } }],
        details: ['GitLab gives up on its requests to the gateway after 60 s (its aiGatewayTimeoutSeconds setting).'],
        evidence: { deep: true, failure: 'reset', elapsedMs: 100, gitlabTimeoutSeconds: 60 },
      },
    ],
    [
      'a 504',
      hold({ status: 504, headersAtMs: 2010, chunks: [], endedAtMs: 2012 }),
      {
        findings: [{ id: 'proxyGaveUp', data: { by: ' (nginx/1.22.1)', after: '2.0 s', status: 504 } }],
        details: ['HTTP 504; headers after 2010 ms; 0 reads; ended (complete) after 2012 ms', 'Server: nginx/1.22.1'],
        evidence: { deep: true, httpStatus: 504, end: 'complete', heldMs: 2012, longestSilenceMs: 2010, proxy: 'nginx/1.22.1' },
      },
    ],
    [
      'a 403',
      hold({ status: 403, headers: {}, chunks: [] }),
      {
        findings: [{ id: 'tokenRefused', data: { status: 403 } }],
        details: ['HTTP 403; headers after 3 ms; 0 reads; ended (complete) after 10 ms'],
        evidence: { deep: true, httpStatus: 403, end: 'complete', heldMs: 10, longestSilenceMs: 7 },
      },
    ],
    ['a 500', hold({ status: 500, headers: {}, chunks: [] }), expect.objectContaining({ findings: [{ id: 'noStream', data: { status: 500 } }] })],
    [
      'a cut after two reads',
      hold({
        chunks: [
          { atMs: 3, bytes: 5 },
          { atMs: 1200, bytes: 5 },
        ],
        end: 'cut',
        endedAtMs: 3200,
        cut: { kind: 'reset', message: 'Connection reset' },
      }),
      {
        findings: [{ id: 'streamCut', data: { by: ' (nginx/1.22.1)', after: '3.2 s', sinceLast: '2.0 s' } }],
        details: ['HTTP 200; headers after 3 ms; 2 reads; ended (cut) after 3200 ms', 'Server: nginx/1.22.1', 'Connection reset'],
        evidence: { deep: true, httpStatus: 200, end: 'cut', heldMs: 3200, longestSilenceMs: 2000, proxy: 'nginx/1.22.1' },
      },
    ],
    [
      'a cut before any read',
      hold({ headers: {}, headersAtMs: 500, chunks: [], end: 'cut', endedAtMs: 2500 }),
      {
        findings: [{ id: 'streamCut', data: { by: '', after: '2.5 s', sinceLast: '2.0 s' } }],
        details: ['HTTP 200; headers after 500 ms; 0 reads; ended (cut) after 2500 ms'],
        evidence: { deep: true, httpStatus: 200, end: 'cut', heldMs: 2500, longestSilenceMs: 2000 },
      },
    ],
    [
      'held open',
      hold({ headers: {}, end: 'held', endedAtMs: 5000 }),
      expect.objectContaining({ findings: [{ id: 'heldOpen', data: { after: '5.0 s', silence: '5.0 s' } }] }),
    ],
    [
      'ended',
      hold({ headers: {}, endedAtMs: 900 }),
      expect.objectContaining({ findings: [{ id: 'endedUncut', data: { after: '0.9 s', silence: '0.9 s' } }] }),
    ],
  ])('%s', (_name, f, expected) => {
    expect(judge(f)).toEqual(expected);
  });

  it.each<[keyof typeof messages, unknown, RegExp]>([
    ['noHealth', { message: 'refused' }, /^no answer from the gateway to read headers from: refused$/],
    ['proxyShown', { proxy: 'nginx' }, /^a proxy answers in front of the gateway: nginx$/],
    ['gatewayDirect', { clues: 'Server: uvicorn' }, /^the gateway answers itself \(Server: uvicorn\): no proxy timeout in between$/],
    ['nothingShown', undefined, /^no Server or Via header reveals a proxy in front of the gateway$/],
    ['deepUnavailable', { reason: 'no token' }, /^--deep needs a streamed completion: no token$/],
    ['heldWithoutAnswer', { held: '5.0 s' }, /^the request stayed open 5\.0 s without being cut \(no answer yet\)$/],
    ['holdFailed', { after: '1.0 s', message: 'reset' }, /^the held request failed after 1\.0 s: reset$/],
    [
      'proxyGaveUp',
      { by: ' (nginx)', after: '60.0 s', status: 504 },
      /^the proxy in front of the gateway \(nginx\) gave up after 60\.0 s with HTTP 504: /,
    ],
    ['tokenRefused', { status: 401 }, /^the gateway refused the direct-access token \(HTTP 401\): see token-verifies$/],
    ['noStream', { status: 500 }, /^no stream to hold: the gateway answered HTTP 500 \(see proxy-streaming\)$/],
    ['heldOpen', { after: '5.0 s', silence: '1.0 s' }, /^a streamed request stayed open 5\.0 s without being cut \(longest silence 1\.0 s\)$/],
    ['endedUncut', { after: '0.9 s', silence: '0.5 s' }, /^the gateway's stream ended after 0\.9 s, uncut; its longest silence was 0\.5 s$/],
  ])('words %s', (id, data, text) => {
    expect((messages[id].text as (d: unknown) => string)(data)).toMatch(text);
  });

  it('says a request GitLab would wait for no longer was still running, and that an at-once refusal measures nothing', () => {
    const t = { seconds: 60, source: 'setting' } as const;
    const timedOut: Facts = {
      deepSeconds: 75,
      holdMs: 75_000,
      hold: { ok: false, failure: { kind: 'timeout', message: 't' }, elapsedMs: 75_000 },
      gitlabTimeout: t,
    };
    expect(judge(timedOut).findings[1]).toEqual({ id: 'gitlabGivesUp', data: { took: '75.0 s', gitlab: '60 s', still: true } });
    expect(judge({ deepSeconds: 75, holdMs: 75_000, hold: held({ endedAtMs: 61_000 }), gitlabTimeout: t }).findings[1]).toEqual({
      id: 'gitlabGivesUp',
      data: { took: '61.0 s', gitlab: '60 s', still: false },
    });
    expect(
      judge({ deepSeconds: 75, holdMs: 75_000, hold: held({ status: 401, endedAtMs: 100 }), gitlabTimeout: t }).findings.map((f) => f.id),
    ).toEqual(['tokenRefused']);
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
