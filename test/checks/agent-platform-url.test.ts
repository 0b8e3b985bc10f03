// agent-platform-url: the judge over the setting's shapes and GitLab versions (table); gather against the reference GitLab is in the .integration test.
import { describe, expect, it } from 'vitest';
import check, { judge, RAKE_NOT_CONFIGURED, RAKE_SET_SETTING, type Facts } from '../../checks/agent-platform-url.js';
import { renderJudgement } from '../../src/check.js';
import { expectRenderings, type RenderCase } from '../helpers/renderings.js';

const set = (value: string | null, more: Partial<Facts> = {}): Facts => ({ gitlabVersion: '18.10.0-ee', setting: { ok: true, value }, ...more });

describe('agent-platform-url judge', () => {
  it.each([
    ['host:port', set('dws.example.com:50052'), 'configured'],
    ['IPv4:port', set('10.0.0.5:50052'), 'configured'],
    ['[IPv6]:port', set('[::1]:50052'), 'configured'],
    ['port 65535 (the highest)', set('dws:65535'), 'configured'],
    ['port 65536 (one past it)', set('dws:65536'), 'malformed'],
    ['port 0', set('dws:0'), 'malformed'],
    ['http:// in front', set('http://dws.example.com:50052'), 'scheme'],
    ['https:// in front, trailing slash', set('https://dws.example.com:50052/'), 'scheme'],
    ['grpc:// in front', set('grpc://dws:50052'), 'scheme'],
    ['no port', set('dws.example.com'), 'noPort'],
    ['a path', set('dws.example.com:50052/path'), 'malformed'],
    ['blank on 18.10 (the rake task has the step)', set(null), 'notConfigured'],
    ['blank on 18.9 (no step)', set(null, { gitlabVersion: '18.9.2-ee' }), 'notConfigured'],
    [
      'a GitLab without the field',
      {
        gitlabVersion: '18.3.0-ee',
        setting: { ok: false, reason: "Field 'duoAgentPlatformServiceUrl' doesn't exist on type 'DuoSettings'", missingField: true },
      },
      'predatesSetting',
    ],
    ['no permission', { gitlabVersion: '18.6.0-ee', setting: { ok: false, reason: 'no permission', missingField: false } }, 'unreadable'],
  ] as const)('%s → %s', (_name, facts, id) => {
    expect(judge(facts as Facts).findings.map((f) => f.id)).toEqual([id]);
  });

  it("speaks the rake task's warning word for word from 18.10, and names the version before it", () => {
    const newer = renderJudgement(check.messages, judge(set(null)));
    expect(newer.summary).toBe(`${RAKE_NOT_CONFIGURED} — ${RAKE_SET_SETTING}`);
    expect(RAKE_SET_SETTING).toBe("Set the 'duo_agent_platform_service_url' application setting to enable the Agent Platform");
    const older = renderJudgement(check.messages, judge(set(null, { gitlabVersion: '18.9.0-ee' })));
    expect(older.summary).toMatch(/GitLab 18\.9\.0-ee's rake task has no Duo Workflow Service step/);
    expect(older.status).toBe('skip');
  });

  it('fixes a scheme by naming the host:port to enter', () => {
    const out = renderJudgement(check.messages, judge(set('https://dws.example.com:50052')));
    expect(out.status).toBe('fail');
    expect(out.remediation).toMatch(/to dws\.example\.com:50052 \(no scheme\)/);
  });

  it('says whether GitLab uses TLS', () => {
    expect(renderJudgement(check.messages, judge(set('dws:50052', { secure: false }))).summary).toMatch(/without TLS/);
    expect(renderJudgement(check.messages, judge(set('dws:50052', { secure: true }))).summary).toMatch(/with TLS/);
    expect(renderJudgement(check.messages, judge(set('dws:50052'))).summary).toMatch(/was not reported/);
  });
});

describe('agent-platform-url renderings', () => {
  const unread = (reason: string, missingField: boolean, gitlabVersion?: string): Facts => ({
    ...(gitlabVersion ? { gitlabVersion } : {}),
    setting: { ok: false, reason, missingField },
  });
  const cases: RenderCase<Facts>[] = [
    { name: 'host:port, TLS', facts: set('dws.example.com:50052', { secure: true }) },
    { name: 'host:port, plaintext', facts: set('10.0.0.9:50052', { secure: false }) },
    { name: 'IPv6 host:port, TLS not reported', facts: set('[fd00::9]:50052') },
    { name: 'blank (18.10)', facts: set(null) },
    { name: 'blank (18.6)', facts: set(null, { gitlabVersion: '18.6.2-ee' }) },
    { name: 'blank, version unknown', facts: { setting: { ok: true, value: null } } },
    {
      name: 'a GitLab before the setting (field missing)',
      facts: unread("Field 'duoAgentPlatformServiceUrl' doesn't exist on type 'DuoSettings'", true, '18.3.0'),
    },
    { name: 'a GitLab before the setting (18.3, read failed)', facts: unread('GitLab answered HTTP 500', false, '18.3.9') },
    { name: 'field missing, version unknown', facts: unread("Field 'duoAgentPlatformServiceUrl' doesn't exist on type 'DuoSettings'", true) },
    { name: 'unreadable (18.4)', facts: unread('GitLab answered HTTP 403: an administrator token is needed', false, '18.4.0') },
    { name: 'unreadable, version unknown', facts: unread('GitLab answered HTTP 403', false) },
    { name: 'https:// prefix, TLS', facts: set('https://dws.example.com:50052/', { secure: true }) },
    { name: 'grpc:// prefix', facts: set('GRPC://dws.example.com:50052') },
    { name: 'no port', facts: set('dws.example.com') },
    { name: 'port out of range', facts: set('dws.example.com:70000') },
    { name: 'a path', facts: set('dws.example.com:50052/api') },
  ];
  it('renders every case as pinned, reaching every message', () => expectRenderings(check, cases));
});

describe('agent-platform-url: secure only when GitLab reported it', () => {
  it.each<[string, boolean | undefined, Record<string, unknown>]>([
    ['reported', true, { serviceUrl: 'dws:50052', secure: true }],
    ['not reported', undefined, { serviceUrl: 'dws:50052' }],
  ])('%s', (_name, secure, evidence) => {
    const j = judge(set('dws:50052', secure === undefined ? {} : { secure }));
    expect(j.evidence).toStrictEqual(evidence);
    expect(j.findings[0]).toStrictEqual({ id: 'configured', data: { value: 'dws:50052', ...(secure === undefined ? {} : { secure }) } });
  });
});
