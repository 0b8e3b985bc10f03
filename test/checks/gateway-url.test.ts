// gateway-url: GitLab's own setting against the URL checked, blank / non-http / trailing slash / loopback, in the rake
// task's wording of GitLab's version — a table over the judge, then gather against a scripted GitLab.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { judge, type Facts } from '../../checks/gateway-url.js';
import type { GatewayTarget, GitlabGatewaySetting } from '../../src/probes/gitlab-api.js';
import { makeContext } from '../helpers/context.js';
import { renderFacts } from '../helpers/render-facts.js';
import { expectRenderings, type RenderCase } from '../helpers/renderings.js';
import { gqlData, startFakeGitLab, type FakeGitLab } from '../helpers/fake-gitlab.js';

const AIGW = 'http://aigw.example.com:5052';
const set = (url: string): GitlabGatewaySetting => ({ state: 'set', url });
const BLANK: GitlabGatewaySetting = { state: 'blank' };
const NO_TOKEN: GitlabGatewaySetting = { state: 'unknown', reason: 'no GitLab URL and administrator token to read it with' };
const GRAPHQL_403: GitlabGatewaySetting = { state: 'unknown', reason: 'duoSettings.aiGatewayUrl could not be read: GitLab answered HTTP 403' };
const fromGitlab = (url: string): GatewayTarget => ({ url, source: 'gitlab-setting', gitlabSetting: set(url) });
const fromFlag = (url: string, gitlabSetting: GitlabGatewaySetting): GatewayTarget => ({ url, source: 'flag', gitlabSetting });

describe('gateway-url judge', () => {
  it.each<[string, Facts, string[]]>([
    ["GitLab's setting", { target: fromGitlab(AIGW) }, ['configured']],
    ['the flag, equal to the setting', { target: fromFlag(AIGW, set(AIGW)) }, ['configured']],
    [
      'the flag, equal but for a trailing slash and case',
      { target: fromFlag('HTTP://AIGW.example.com:5052', set(`${AIGW}/`)) },
      ['configured', 'trailingSlash'],
    ],
    ['the flag, another URL', { target: fromFlag('http://other:5052', set(AIGW)) }, ['differs']],
    ["the flag, GitLab's setting blank", { target: fromFlag(AIGW, BLANK) }, ['gitlabBlank']],
    ['the flag, no token to read the setting', { target: fromFlag(AIGW, NO_TOKEN) }, ['configuredUnverified']],
    ['the flag, the setting unreadable', { target: fromFlag(AIGW, GRAPHQL_403) }, ['settingUnread']],
    ['no URL, setting blank', { target: { source: 'none', gitlabSetting: BLANK } }, ['blank']],
    ['no URL, setting unknown', { target: { source: 'none', gitlabSetting: GRAPHQL_403 } }, ['unknown']],
    ['an ftp URL', { target: fromGitlab('ftp://aigw.example.com') }, ['invalidFormat']],
    ['a scheme-less host:port', { target: fromFlag('aigw.example.com:5052', NO_TOKEN) }, ['invalidFormat']],
    ['a trailing slash on the setting', { target: fromGitlab(`${AIGW}/`) }, ['configured', 'trailingSlash']],
    [
      'localhost, GitLab elsewhere',
      { target: fromGitlab('http://localhost:5052'), gitlabHost: { host: 'gitlab.example.com', from: 'connection_details' } },
      ['configured', 'loopbackElsewhere'],
    ],
    [
      '0.0.0.0, GitLab elsewhere',
      { target: fromGitlab('http://0.0.0.0:5052'), gitlabHost: { host: '10.0.0.4', from: '--gitlab-url' } },
      ['configured', 'loopbackElsewhere'],
    ],
    [
      'loopback, GitLab on this host',
      { target: fromGitlab('http://127.0.0.1:5052'), gitlabHost: { host: '127.0.0.1', from: '--gitlab-url' } },
      ['configured'],
    ],
    ['loopback, GitLab unknown', { target: fromGitlab('http://[::1]:5052') }, ['configured']],
  ])('%s → %j', (_name, facts, ids) => {
    expect(judge(facts).findings.map((f) => f.id)).toEqual(ids);
  });

  it.each<[string, string, RegExp]>([
    ['17.5.2-ee', 'env-var', /^Set 'AI_GATEWAY_URL' to point to your AI Gateway Instance$/],
    ['17.6.0-ee', 'setting', /^Set 'Ai::Setting\.instance\.ai_gateway_url' to point to your AI Gateway instance$/],
    ['18.9.0-pre', 'setting', /^Set 'Ai::Setting\.instance\.ai_gateway_url'/],
    ['18.10.0-ee', 'transport', /^Set the 'ai_gateway_url' application setting to point to your AI Gateway instance$/],
  ])("GitLab %s speaks the %s variant's blank-URL text", (version, era, text) => {
    const out = renderFacts(check, { gitlabVersion: version, target: { source: 'none', gitlabSetting: BLANK } });
    expect(out.summary).toMatch(text);
    expect(out.evidence).toMatchObject({ rakeEra: era });
  });

  it("never prints the rake task's success line for a URL GitLab does not use, and names both", () => {
    const out = renderFacts(check, { target: fromFlag('http://other:5052', set(AIGW)) });
    expect(out.summary).toBe(`GitLab is configured with ${AIGW}; you are checking http://other:5052 (from --gateway-url)`);
    expect(out.summary).not.toMatch(/AI Gateway URL configured/);
    expect(out.remediation).toMatch(/run duo-doctor without --gateway-url/);
  });

  it('speaks the env-var variant for its success line', () => {
    expect(renderFacts(check, { gitlabVersion: '17.3.0-ee', target: fromGitlab(AIGW) }).summary).toBe(`'AI_GATEWAY_URL' set to ${AIGW}`);
  });

  it("carries the rake task's diagnostics of GitLab's own URL, and the URL checked beside them", () => {
    expect(judge({ target: fromGitlab(AIGW) }).evidence).toMatchObject({
      rakeDiagnostics: { ai_gateway_url: { status: 'OK', url: AIGW, scheme: 'http', host: 'aigw.example.com', port: 5052, checked_url: AIGW } },
    });
    expect(judge({ target: fromFlag('https://other', set(AIGW)) }).evidence).toMatchObject({
      rakeDiagnostics: { ai_gateway_url: { status: 'WARNING', url: AIGW, port: 5052, checked_url: 'https://other', checked_from: '--gateway-url' } },
    });
    expect(judge({ target: fromFlag('https://other', BLANK) }).evidence).toMatchObject({
      rakeDiagnostics: { ai_gateway_url: { status: 'ERROR', url: null, error: 'AI Gateway URL not configured', checked_url: 'https://other' } },
    });
  });
});

describe('gateway-url gather', () => {
  let gitlab: FakeGitLab;
  beforeAll(async () => {
    gitlab = await startFakeGitLab({
      'POST /api/graphql': gqlData({ duoSettings: { aiGatewayUrl: AIGW } }),
      'GET /api/v4/metadata': { body: { version: '18.6.0-ee' } },
      'POST /api/v4/code_suggestions/connection_details': { status: 201, body: { host_name: 'gitlab.example.com' } },
    });
  });
  afterAll(() => gitlab.close());

  it("reads GitLab's setting even when a flag names the URL, and GitLab's own host for a loopback URL", async () => {
    const ctx = makeContext({ gitlabUrl: gitlab.url, gitlabToken: 'glpat-x', gatewayUrl: 'http://127.0.0.1:5052', gatewayUrlSource: 'flag' });
    const facts = (await check.gather(ctx)) as Facts;
    expect(facts).toEqual({
      gitlabVersion: '18.6.0-ee',
      target: { url: 'http://127.0.0.1:5052', source: 'flag', gitlabSetting: { state: 'set', url: AIGW } },
      gitlabHost: { host: 'gitlab.example.com', from: 'connection_details' },
    });
    expect(JSON.parse(JSON.stringify(facts))).toEqual(facts);
    expect(check.judge(facts).findings.map((f) => f.id)).toEqual(['differs', 'loopbackElsewhere']);
  });

  it('takes the environment as the source when AI_GATEWAY_URL named the URL', async () => {
    const ctx = makeContext({ gitlabUrl: gitlab.url, gitlabToken: 'glpat-x', gatewayUrl: AIGW, gatewayUrlSource: 'env' });
    expect(((await check.gather(ctx)) as Facts).target).toMatchObject({ source: 'env' });
  });
});

describe('gateway-url renderings', () => {
  const ENV = (url: string, gitlabSetting: GitlabGatewaySetting): GatewayTarget => ({ url, source: 'env', gitlabSetting });
  const cases: RenderCase<Facts>[] = [
    { name: "GitLab's setting (18.10 wording)", facts: { gitlabVersion: '18.10.1-ee', target: fromGitlab(AIGW) } },
    { name: "GitLab's setting (17.5, env-var wording)", facts: { gitlabVersion: '17.5.0', target: fromGitlab('https://aigw.example.com') } },
    { name: "GitLab's setting, version unknown", facts: { target: fromGitlab('https://aigw.example.com:8443/') } },
    { name: 'the flag, equal to the setting', facts: { gitlabVersion: '18.2.0', target: fromFlag(AIGW, set(AIGW)) } },
    { name: 'AI_GATEWAY_URL, another URL with credentials', facts: { target: ENV('http://u:p@other.example.com:5052', set(AIGW)) } },
    { name: 'config file, GitLab blank', facts: { target: { url: AIGW, source: 'config', gitlabSetting: BLANK } } },
    { name: 'no URL, GitLab blank (18.10)', facts: { gitlabVersion: '18.10.0', target: { source: 'none', gitlabSetting: BLANK } } },
    { name: 'no URL, GitLab blank (17.5)', facts: { gitlabVersion: '17.5.0', target: { source: 'none', gitlabSetting: BLANK } } },
    { name: 'no URL, setting unreadable', facts: { target: { source: 'none', gitlabSetting: GRAPHQL_403 } } },
    { name: 'not http(s), from GitLab', facts: { gitlabVersion: '18.10.0', target: fromGitlab('ftp://aigw.example.com') } },
    { name: 'not a URL, from the flag', facts: { target: fromFlag('aigw.example.com:5052', BLANK) } },
    { name: 'the flag, no token', facts: { target: fromFlag(AIGW, NO_TOKEN) } },
    { name: 'the flag, no token, http on port 80', facts: { target: fromFlag('http://aigw.example.com', NO_TOKEN) } },
    { name: 'not a URL at all, from the flag', facts: { target: fromFlag('ai gateway', NO_TOKEN) } },
    {
      name: 'the flag, equal but for trailing slashes on a path',
      facts: { target: fromFlag('http://aigw.example.com/gw//', set('http://aigw.example.com/gw')) },
    },
    { name: 'the flag, another query', facts: { target: fromFlag(`${AIGW}/?x=1`, set(AIGW)) } },
    { name: 'the flag, setting unreadable', facts: { target: fromFlag(AIGW, GRAPHQL_403) } },
    { name: 'the flag, GitLab set to a non-URL', facts: { target: fromFlag(AIGW, set('aigw:5052')) } },
    { name: "GitLab's setting with a trailing slash", facts: { target: fromGitlab(`${AIGW}//`) } },
    {
      name: 'localhost, GitLab elsewhere (connection_details)',
      facts: { target: fromGitlab('http://localhost:5052'), gitlabHost: { host: 'gitlab.example.com', from: 'connection_details' } },
    },
    {
      name: 'localhost, GitLab on this host',
      facts: { target: fromFlag('http://127.0.0.1:5052', set('http://127.0.0.1:5052')), gitlabHost: { host: 'localhost', from: '--gitlab-url' } },
    },
    { name: "localhost, GitLab's host unknown", facts: { target: fromGitlab('http://[::1]:5052') } },
  ];
  it('renders every case as pinned, reaching every message', () => expectRenderings(check, cases));
});
