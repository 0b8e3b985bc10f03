// proxy-upgrade: the rake task's classification of the agent WebSocket's answer (table over judge); the runs against the
// reference GitLab are in the .integration test.
import { describe, expect, it } from 'vitest';
import check, { answerFacts, judge, type Facts, type UpgradeAnswer } from '../../checks/proxy-upgrade.js';
import { renderFacts } from '../helpers/render-facts.js';

const URL = 'https://gitlab.example.com/api/v4/ai/duo_workflows/ws';
const answer = (a: Partial<Extract<UpgradeAnswer, { ok: true }>>): UpgradeAnswer => ({
  ok: true,
  status: 101,
  reason: 'Switching Protocols',
  acceptValid: true,
  bodyExcerpt: '',
  elapsedMs: 3,
  ...a,
});
const facts = (a: UpgradeAnswer, more: Partial<Facts> = {}): Facts => ({ url: URL, answer: a, grpcPassed: false, ...more });
const ids = (f: Facts) => judge(f).findings.map((x) => x.id);

describe('proxy-upgrade judge', () => {
  it.each([
    ['101 with the right accept', facts(answer({})), ['upgraded']],
    ['101 through nginx', facts(answer({ proxy: 'nginx/1.22.1' })), ['upgraded']],
    ['101 with a wrong accept', facts(answer({ acceptValid: false })), ['badAccept']],
    ['401 (rejected)', facts(answer({ status: 401, reason: 'Unauthorized' })), ['rejected']],
    ['403 (rejected: origin or seat)', facts(answer({ status: 403, reason: 'Forbidden' })), ['rejected']],
    ['400 (Workhorse: no Upgrade header)', facts(answer({ status: 400, reason: 'Bad Request' })), ['notUpgraded']],
    ['402 (one below the rejected pair is not rejected)', facts(answer({ status: 402 })), ['notUpgraded']],
    ['404', facts(answer({ status: 404 })), ['notUpgraded']],
    ['200 (a plain answer)', facts(answer({ status: 200 })), ['notUpgraded']],
    ['no answer', facts({ ok: false, kind: 'refused', message: 'connect ECONNREFUSED', elapsedMs: 1 }), ['unreachable']],
    [
      'an untrusted certificate (no unverified retry with the token)',
      facts({ ok: false, kind: 'tls', message: 'unable to verify the first certificate', elapsedMs: 1 }),
      ['untrusted'],
    ],
  ] as const)('%s → %j', (_name, f, expected) => {
    expect(ids(f)).toEqual(expected);
  });

  describe("Duo Chat's /-/cable", () => {
    const cable = (a: Partial<Extract<UpgradeAnswer, { ok: true }>>): UpgradeAnswer => answer({ protocol: 'actioncable-v1-json', ...a });
    it.each<[string, Facts, string[]]>([
      ['both upgraded', facts(answer({}), { cable: cable({}) }), ['upgraded', 'cableUpgraded']],
      ['not asked (an older recording)', facts(answer({})), ['upgraded']],
      [
        'dropped: Workhorse 400',
        facts(answer({}), { cable: cable({ status: 400, reason: 'Bad Request', bodyExcerpt: 'websocket upgrade required' }) }),
        ['upgraded', 'cableNotUpgraded'],
      ],
      [
        "ActionCable's origin check",
        facts(answer({}), { cable: cable({ status: 404, reason: 'Not Found', bodyExcerpt: 'Page not found' }) }),
        ['upgraded', 'cableOriginRefused'],
      ],
      [
        'another 404',
        facts(answer({}), { cable: cable({ status: 404, reason: 'Not Found', bodyExcerpt: '404 page not found' }) }),
        ['upgraded', 'cableNotUpgraded'],
      ],
      [
        '"Page not found" with 400',
        facts(answer({}), { cable: cable({ status: 400, bodyExcerpt: 'Page not found' }) }),
        ['upgraded', 'cableNotUpgraded'],
      ],
      ['101 without a subprotocol', facts(answer({}), { cable: answer({}) }), ['upgraded', 'cableRewritten']],
      [
        '101 with the fallback subprotocol',
        facts(answer({}), { cable: cable({ protocol: 'actioncable-unsupported' }) }),
        ['upgraded', 'cableRewritten'],
      ],
      ['101 with a wrong accept', facts(answer({}), { cable: cable({ acceptValid: false }) }), ['upgraded', 'cableRewritten']],
      [
        'unreachable while the agent socket answered',
        facts(answer({}), { cable: { ok: false, kind: 'reset', message: 'closed', elapsedMs: 1 } }),
        ['upgraded', 'cableUnreachable'],
      ],
      [
        'unreachable like the agent socket: said once',
        facts(
          { ok: false, kind: 'refused', message: 'ECONNREFUSED', elapsedMs: 1 },
          { cable: { ok: false, kind: 'refused', message: 'ECONNREFUSED', elapsedMs: 1 } },
        ),
        ['unreachable'],
      ],
      [
        'untrusted, cable refused',
        facts({ ok: false, kind: 'tls', message: 'x', elapsedMs: 1 }, { cable: cable({ status: 400 }) }),
        ['untrusted', 'cableNotUpgraded'],
      ],
      ['agent rejected, cable upgraded', facts(answer({ status: 401 }), { cable: cable({}) }), ['rejected', 'cableUpgraded']],
      ['agent dropped, cable dropped', facts(answer({ status: 400 }), { cable: cable({ status: 400 }) }), ['notUpgraded', 'cableNotUpgraded']],
      [
        'agent unreachable, cable answered',
        facts({ ok: false, kind: 'refused', message: 'x', elapsedMs: 1 }, { cable: cable({}) }),
        ['unreachable', 'cableUpgraded'],
      ],
    ])('%s → %j', (_name, f, expected) => {
      expect(ids(f)).toEqual(expected);
    });

    it('says what /-/cable answered and how to fix each refusal', () => {
      const dropped = facts(answer({}), { cable: cable({ status: 400, reason: 'Bad Request' }) });
      expect(judge(dropped).details).toContain('/-/cable: HTTP 400 Bad Request');
      expect(judge(facts({ ok: false, kind: 'tls', message: 'x', elapsedMs: 1 }, { cable: cable({ status: 400, reason: '' }) })).details).toEqual([
        '/-/cable: HTTP 400',
      ]);
      expect(judge(facts({ ok: false, kind: 'refused', message: 'x', elapsedMs: 1 }, { cable: cable({}) })).details).toEqual([
        '/-/cable: HTTP 101 Switching Protocols',
      ]);
      const render = (id: keyof typeof check.messages, data?: unknown) => {
        const m = check.messages[id] as { text: (d: unknown) => string; fix?: string };
        return `${m.text(data)} | ${m.fix ?? ''}`;
      };
      expect(render('cableUpgraded', { protocol: 'actioncable-v1-json' })).toBe(
        "Duo Chat's WebSocket (/-/cable) upgraded too (HTTP 101, actioncable-v1-json) | ",
      );
      expect(render('cableNotUpgraded', { status: 400 })).toMatch(
        /^Duo Chat's WebSocket \(\/-\/cable\) did not upgrade \(HTTP 400 instead of 101\).* \| .*\/-\/cable too\.\nNGINX example for \/-\/cable:\n {2}proxy_http_version 1\.1;/,
      );
      expect(render('cableOriginRefused')).toMatch(
        /404 "Page not found".* \| .*proxy_set_header Host \$http_host;.*X-Forwarded-Proto \$scheme.*action_cable_allowed_origins/,
      );
      expect(render('cableRewritten')).toMatch(
        /without ActionCable's handshake.* \| .*Sec-WebSocket-\* headers through unchanged for \/-\/cable\.\nNGINX example for \/-\/cable:/,
      );
      expect(render('cableUnreachable', { message: 'closed' })).toMatch(
        /^Could not open Duo Chat's WebSocket \(\/-\/cable\): closed \| Check the route to \/-\/cable .*\nNGINX example for \/-\/cable:/,
      );
    });
  });

  it('names gitlab-org/gitlab#604755 only when gRPC to the service works', () => {
    const dropped = answer({ status: 400 });
    expect(check.messages.notUpgraded.text({ status: 400, grpcPassed: true })).toMatch(/604755/);
    expect(check.messages.notUpgraded.text({ status: 400, grpcPassed: false })).not.toMatch(/604755/);
    expect(judge(facts(dropped, { grpcPassed: true })).findings[0]).toMatchObject({ data: { grpcPassed: true } });
  });

  it("carries the rake task's NGINX example as the fix", () => {
    expect(check.messages.notUpgraded.fix).toMatch(
      /proxy_http_version 1\.1;\n {2}proxy_set_header Upgrade \$http_upgrade;\n {2}proxy_set_header Connection "upgrade";/,
    );
  });

  it.each<[string, Facts, string, RegExp, RegExp | undefined]>([
    ['upgraded', facts(answer({})), 'pass', /^WebSocket upgrade completed \(HTTP 101\)$/, undefined],
    [
      'upgraded through nginx',
      facts(answer({ proxy: 'nginx/1.22.1' })),
      'pass',
      /^WebSocket upgrade completed \(HTTP 101\) through nginx\/1\.22\.1$/,
      undefined,
    ],
    ['rejected', facts(answer({ status: 401 })), 'fail', /^WebSocket endpoint rejected the connection \(HTTP 401\)$/, /not authorized/],
    [
      'bad accept',
      facts(answer({ acceptValid: false })),
      'fail',
      /^GitLab's agent WebSocket answered 101 with a wrong Sec-WebSocket-Accept/,
      /Sec-WebSocket-\* headers/,
    ],
    [
      'not upgraded',
      facts(answer({ status: 400 })),
      'fail',
      /^WebSocket upgrade did not complete \(HTTP 400 instead of 101\)$/,
      /Upgrade' and 'Connection'/,
    ],
    [
      'unreachable',
      facts({ ok: false, kind: 'refused', message: 'ECONNREFUSED', elapsedMs: 1 }),
      'fail',
      /^Could not reach the WebSocket endpoint: ECONNREFUSED$/,
      /^Verify this instance can reach its own external URL \(https:\/\/gitlab\.example\.com\)\.$/,
    ],
    [
      'untrusted',
      facts({ ok: false, kind: 'tls', message: 'self-signed', elapsedMs: 1 }),
      'fail',
      /^Could not reach the WebSocket endpoint: GitLab's certificate is not trusted \(self-signed\)$/,
      /--ca-file/,
    ],
  ])('renders %s', (_name, f, status, summary, remediation) => {
    const out = renderFacts(check, f);
    expect(out.status).toBe(status);
    expect(out.summary).toMatch(summary);
    if (remediation) expect(out.remediation).toMatch(remediation);
  });

  it("carries the findings' data, the answer in the details and the evidence", () => {
    const refused = { ok: false as const, kind: 'refused', message: 'ECONNREFUSED', elapsedMs: 1 };
    expect(judge(facts(refused, { cable: { ...refused, kind: 'reset', message: 'x' } }))).toEqual({
      findings: [{ id: 'unreachable', data: { message: 'ECONNREFUSED', gitlabUrl: 'https://gitlab.example.com' } }],
      details: [],
      evidence: { failure: 'refused' },
    });
    expect(judge(facts({ ...refused, kind: 'tls' }))).toEqual({
      findings: [{ id: 'untrusted', data: { message: 'ECONNREFUSED' } }],
      details: [],
      evidence: { failure: 'tls' },
    });
    const full = facts(answer({ status: 403, reason: 'Forbidden', server: 'nginx', proxy: 'nginx', bodyExcerpt: 'Forbidden', elapsedMs: 9 }), {
      cable: answer({ status: 400, reason: 'Bad Request' }),
    });
    expect(judge(full)).toEqual({
      findings: [
        { id: 'rejected', data: { status: 403 } },
        { id: 'cableNotUpgraded', data: { status: 400 } },
      ],
      details: ['Answer: HTTP 403 Forbidden', 'Server: nginx', 'Body: Forbidden', '/-/cable: HTTP 400 Bad Request'],
      evidence: { httpStatus: 403, responseMs: 9, proxy: 'nginx' },
    });
    expect(judge(facts(answer({ reason: '' }))).details).toEqual(['Answer: HTTP 101']);
    expect(judge(facts(answer({ proxy: 'haproxy' }), { cable: answer({ protocol: 'actioncable-v1-json' }) })).findings).toEqual([
      { id: 'upgraded', data: { through: 'haproxy' } },
      { id: 'cableUpgraded', data: { protocol: 'actioncable-v1-json' } },
    ]);
    expect(judge(facts(answer({}))).findings).toEqual([{ id: 'upgraded', data: {} }]);
    expect(judge(facts(answer({}), { cable: refused })).findings[1]).toEqual({ id: 'cableUnreachable', data: { message: 'ECONNREFUSED' } });
    expect(check.messages.notUpgraded.text({ status: 400, grpcPassed: true })).toMatch(
      /HTTP 400 instead of 101\) — while the Duo Workflow Service answers gRPC/,
    );
  });

  it.each<[string, Parameters<typeof answerFacts>[0], UpgradeAnswer]>([
    [
      'a failure',
      { ok: false, elapsedMs: 4, failure: { kind: 'refused', message: 'ECONNREFUSED' } },
      { ok: false, kind: 'refused', message: 'ECONNREFUSED', elapsedMs: 4 },
    ],
    [
      'a 101 with its subprotocol, through nginx',
      {
        ok: true,
        answer: {
          status: 101,
          reason: 'Switching Protocols',
          httpVersion: '1.1',
          headers: { 'sec-websocket-protocol': 'actioncable-v1-json', server: 'nginx/1.25.3' },
          acceptValid: true,
          body: '',
          elapsedMs: 7,
        },
      },
      {
        ok: true,
        status: 101,
        reason: 'Switching Protocols',
        acceptValid: true,
        protocol: 'actioncable-v1-json',
        server: 'nginx/1.25.3',
        proxy: 'nginx/1.25.3',
        bodyExcerpt: '',
        elapsedMs: 7,
      },
    ],
    [
      'a refusal: its body flattened, no subprotocol read off a non-101',
      {
        ok: true,
        answer: {
          status: 400,
          reason: 'Bad Request',
          httpVersion: '1.1',
          headers: { 'sec-websocket-protocol': 'actioncable-v1-json' },
          body: `  websocket\n  upgrade   required\n${'x'.repeat(300)}`,
          elapsedMs: 2,
        },
      },
      { ok: true, status: 400, reason: 'Bad Request', bodyExcerpt: `websocket upgrade required ${'x'.repeat(173)}`, elapsedMs: 2 },
    ],
    [
      'a 101 without a subprotocol',
      {
        ok: true,
        answer: { status: 101, reason: 'Switching Protocols', httpVersion: '1.1', headers: {}, acceptValid: false, body: '', elapsedMs: 1 },
      },
      { ok: true, status: 101, reason: 'Switching Protocols', acceptValid: false, bodyExcerpt: '', elapsedMs: 1 },
    ],
  ])('answerFacts: %s', (_name, exchange, expected) => {
    expect(answerFacts(exchange)).toEqual(expected);
  });
});
