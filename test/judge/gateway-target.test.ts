// Which gateway URL a check exercised: said only when it is not the one GitLab uses.
import { describe, expect, it } from 'vitest';
import { exercisedLines, namingTarget } from '../../src/judge/gateway-target.js';
import type { GatewayTarget } from '../../src/probes/gitlab-api.js';

const GITLAB_USES = 'https://gw.example.com';
const set = { state: 'set', url: GITLAB_USES } as const;

describe('exercisedLines', () => {
  it.each<[string, GatewayTarget | undefined, RegExp[]]>([
    ['no target recorded', undefined, []],
    ['no URL', { source: 'none', gitlabSetting: { state: 'blank' } }, []],
    ["GitLab's own setting", { url: GITLAB_USES, source: 'gitlab-setting', gitlabSetting: set }, []],
    ['--gateway-url equal to the setting', { url: GITLAB_USES, source: 'flag', gitlabSetting: set }, []],
    ['equal but for a trailing slash', { url: `${GITLAB_USES}/`, source: 'flag', gitlabSetting: set }, []],
    ['setting unknown (no token)', { url: 'http://127.0.0.1:5052', source: 'flag', gitlabSetting: { state: 'unknown', reason: 'no token' } }, []],
    [
      '--gateway-url elsewhere',
      { url: 'http://127.0.0.1:5052', source: 'flag', gitlabSetting: set },
      [/^Exercised http:\/\/127\.0\.0\.1:5052 \(from --gateway-url\), not https:\/\/gw\.example\.com/],
    ],
    ['AI_GATEWAY_URL elsewhere', { url: 'http://127.0.0.1:5052', source: 'env', gitlabSetting: set }, [/from duo-doctor's AI_GATEWAY_URL/]],
    [
      'setting blank',
      { url: 'http://127.0.0.1:5052', source: 'config', gitlabSetting: { state: 'blank' } },
      [/config file\); GitLab's own AI gateway URL setting is blank/],
    ],
  ])('%s', (_, target, expected) => {
    const lines = exercisedLines(target);
    expect(lines).toHaveLength(expected.length);
    expected.forEach((re, i) => expect(lines[i]).toMatch(re));
  });
});

describe('namingTarget', () => {
  const judge = namingTarget((_: { target?: GatewayTarget }) => ({ findings: [], details: ['own line'] }));
  it('opens the details with the exercised line when the URLs differ', () => {
    expect(judge({ target: { url: 'http://127.0.0.1:5052', source: 'flag', gitlabSetting: set } }).details).toEqual([
      expect.stringMatching(/^Exercised /),
      'own line',
    ]);
  });
  it('leaves the judgement alone when they agree', () => {
    expect(judge({ target: { url: GITLAB_USES, source: 'gitlab-setting', gitlabSetting: set } }).details).toEqual(['own line']);
  });
});

describe('exercisedLines, word for word', () => {
  it.each<[string, GatewayTarget, string[]]>([
    [
      'elsewhere, credentials hidden in both URLs',
      { url: 'http://u:pw@127.0.0.1:5052', source: 'flag', gitlabSetting: { state: 'set', url: 'https://k:pw@gw.example.com' } },
      [
        'Exercised http://REDACTED:REDACTED@127.0.0.1:5052/ (from --gateway-url), not https://REDACTED:REDACTED@gw.example.com/, the URL GitLab itself uses (see gateway-url)',
      ],
    ],
    [
      'the setting blank',
      { url: 'http://127.0.0.1:5052', source: 'flag', gitlabSetting: { state: 'blank' } },
      [
        "Exercised http://127.0.0.1:5052 (from --gateway-url); GitLab's own AI gateway URL setting is blank, so GitLab sends nothing there (see gateway-url)",
      ],
    ],
    [
      'equal but for several trailing slashes on either side',
      { url: `${GITLAB_USES}//`, source: 'flag', gitlabSetting: { state: 'set', url: `${GITLAB_USES}/` } },
      [],
    ],
    [
      'a longer path is another URL',
      { url: `${GITLAB_USES}/v2`, source: 'flag', gitlabSetting: set },
      [expect.stringMatching(/^Exercised https:\/\/gw\.example\.com\/v2 /) as unknown as string],
    ],
  ])('%s', (_name, target, want) => {
    expect(exercisedLines(target)).toEqual(want);
  });

  it('a judgement without details gets the line alone', () => {
    const judge = namingTarget((_: { target?: GatewayTarget }) => ({ findings: [] }));
    expect(judge({ target: { url: 'http://127.0.0.1:5052', source: 'flag', gitlabSetting: { state: 'blank' } } }).details).toEqual([
      expect.stringMatching(/^Exercised http:\/\/127\.0\.0\.1:5052 /),
    ]);
    expect(judge({}).details).toBeUndefined();
  });
});
