// system-exchange against a scripted GitLab: a completion, and each failing hop named from what GitLab relays.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { COMPLETION_REQUEST, type Answer as Reply, type Facts } from '../../checks/system-exchange.js';
import { expectRenderings, type RenderCase } from '../helpers/renderings.js';
import { makeContext } from '../helpers/context.js';
import { gqlData, startFakeGitLab, type Answer, type FakeGitLab } from '../helpers/fake-gitlab.js';
import { COMPLETION, UNAUTHORIZED, INSUFFICIENT_SCOPE } from '../helpers/gitlab-bodies.js';
import { freePort } from '../helpers/loopback.js';

const TOKEN = 'glpat-exchange-test-token';
const PATH = 'POST /api/v4/code_suggestions/completions';
const MONOLITH = { 'x-gitlab-error-origin': 'monolith' };

let gitlab: FakeGitLab;

interface Case {
  name: string;
  answer: Answer;
  status: string;
  hop: string;
  summary: RegExp;
  detail?: RegExp;
  remediation?: RegExp;
}

const cases: Case[] = [
  {
    name: 'a completion',
    answer: { body: COMPLETION },
    status: 'pass',
    hop: 'none',
    summary: /^A code completion came back through GitLab and the AI gateway in \d+ ms$/,
    detail: /Model: codestral/,
  },
  {
    name: 'no completion in the answer',
    answer: { body: { ...COMPLETION, choices: [] } },
    status: 'fail',
    hop: 'model',
    summary: /doesn't contain a completion/,
    remediation: /model-endpoints/,
  },
  {
    name: 'GitLab refusing the user (401 from the monolith)',
    answer: { status: 401, headers: MONOLITH, body: UNAUTHORIZED },
    status: 'fail',
    hop: 'gitlab',
    summary: /^GitLab refused the completion itself \(HTTP 401\): the token's user has no access to Code Suggestions$/,
    remediation: /\/admin\/code_suggestions/,
  },
  {
    name: 'an older GitLab refusing the user without the origin header',
    answer: { status: 401, body: UNAUTHORIZED },
    status: 'fail',
    hop: 'gitlab',
    summary: /GitLab refused the completion itself/,
  },
  {
    name: 'Code Suggestions switched off (404 from the monolith)',
    answer: { status: 404, headers: MONOLITH, body: { message: '404 Not Found' } },
    status: 'fail',
    hop: 'gitlab',
    summary: /switched off/,
    remediation: /ai_duo_code_suggestions_switch/,
  },
  {
    name: 'the rate limit (429 from the monolith)',
    answer: { status: 429, headers: MONOLITH, body: { message: 'This endpoint has been requested too many times. Try again later.' } },
    status: 'fail',
    hop: 'gitlab',
    summary: /rate limit/,
  },
  {
    name: 'a token without the api scope',
    answer: { status: 403, body: INSUFFICIENT_SCOPE },
    status: 'fail',
    hop: 'gitlab',
    summary: /lacks the `api`/,
  },
  {
    name: 'the gateway unable to verify the token',
    answer: { status: 401, body: { error: 'Forbidden by auth provider' } },
    status: 'fail',
    hop: 'gateway-auth',
    summary: /^The AI gateway rejected GitLab's token: "Forbidden by auth provider"$/,
    detail: /none of GitLab's keys.*rotated after it cached the set.*wrong audience/,
    remediation: /jwks-reachable, jwks-valid and token-verifies/,
  },
  {
    name: 'a header mismatch',
    answer: { status: 401, body: { error: "Header mismatch 'X-Gitlab-Instance-Id'" } },
    status: 'fail',
    hop: 'gateway-auth',
    summary: /Header mismatch 'X-Gitlab-Instance-Id'/,
    detail: /X-Gitlab-Instance-Id must equal the claim sub/,
    remediation: /instance id/,
  },
  {
    name: 'a proxy dropping Authorization',
    answer: { status: 401, body: { error: 'No authorization header presented' } },
    status: 'fail',
    hop: 'gateway-auth',
    summary: /No authorization header presented/,
    remediation: /proxy between GitLab and the gateway/,
  },
  {
    name: 'the gateway refusing the scope (403)',
    answer: { status: 403, body: { detail: 'Unauthorized to access code completions' } },
    status: 'fail',
    hop: 'gateway-auth',
    summary: /"Unauthorized to access code completions".*lacks the complete_code unit primitive/,
  },
  {
    name: 'the gateway holding no key at all (its plain 500, relayed)',
    answer: { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Internal Server Error' },
    status: 'fail',
    hop: 'gateway-auth',
    summary: /No keys founds in JWKS/,
    remediation: /restarted/,
  },
  {
    name: 'Workhorse unable to reach the gateway (500, plain text)',
    answer: { status: 500, body: 'Internal Server Error\n' },
    status: 'fail',
    hop: 'gitlab-to-gateway',
    summary: /^GitLab could not reach the AI gateway \(HTTP 500 from GitLab\)$/,
    detail: /Workhorse's own "Internal Server Error"/,
    remediation: /SendURL: Do request/,
  },
  {
    name: 'a gateway timeout (504)',
    answer: { status: 504, body: 'Gateway Timeout' },
    status: 'fail',
    hop: 'gitlab-to-gateway',
    summary: /could not reach the AI gateway/,
  },
  {
    name: 'a model error relayed by the gateway',
    answer: { status: 500, body: { detail: 'Model server returned 503' } },
    status: 'fail',
    hop: 'gateway',
    summary: /^The AI gateway answered the completion with HTTP 500$/,
    detail: /Model server returned 503/,
  },
];

describe('system-exchange', () => {
  beforeAll(async () => {
    gitlab = await startFakeGitLab({});
  });
  afterAll(() => gitlab.close());

  it.each(cases)('$name → $status ($hop)', async (c) => {
    gitlab.routes = { [PATH]: c.answer };
    gitlab.requests.length = 0;
    const outcome = await check.run(makeContext({ gitlabUrl: gitlab.url, gitlabToken: TOKEN }));
    expect(outcome.status).toBe(c.status);
    expect(outcome.evidence).toMatchObject({ hop: c.hop });
    expect(outcome.summary).toMatch(c.summary);
    if (c.detail) expect(outcome.details?.join('\n')).toMatch(c.detail);
    if (c.remediation) expect(outcome.remediation).toMatch(c.remediation);
    expect(JSON.stringify(outcome)).not.toContain(TOKEN);
  });

  it("sends GitLab's own test completion", async () => {
    gitlab.routes = { [PATH]: { body: COMPLETION } };
    gitlab.requests.length = 0;
    await check.run(makeContext({ gitlabUrl: gitlab.url, gitlabToken: TOKEN }));
    expect(JSON.parse(gitlab.requests[0]!.body)).toEqual({
      current_file: { file_name: 'test.rb', content_above_cursor: 'def hello_world', content_below_cursor: '' },
      intent: 'completion',
    });
    expect(COMPLETION_REQUEST.current_file.file_name).toBe('test.rb');
  });

  describe("narrows Workhorse's failure with GitLab's own gateway URL setting", () => {
    const run = async (aiGatewayUrl: string) => {
      gitlab.routes = { [PATH]: { status: 502, body: 'Bad Gateway\n' }, 'POST /api/graphql': gqlData({ duoSettings: { aiGatewayUrl } }) };
      return check.run(makeContext({ gitlabUrl: gitlab.url, gitlabToken: TOKEN }));
    };
    it('a blank setting', async () => {
      const outcome = await run('');
      expect(outcome.summary).toBe("GitLab could not reach the AI gateway (HTTP 502 from GitLab): GitLab's AI gateway URL setting is blank");
      expect(outcome.remediation).toMatch(/Set the 'ai_gateway_url' application setting/);
    });
    it('a set URL', async () => {
      const outcome = await run('http://localhost:5052');
      expect(outcome.summary).toBe('GitLab could not reach the AI gateway (HTTP 502 from GitLab)');
      expect(outcome.details?.join('\n')).toMatch(/GitLab sends completions to http:\/\/localhost:5052/);
    });
  });

  it('says when the request never reached GitLab', async () => {
    const port = await freePort();
    const outcome = await check.run(makeContext({ gitlabUrl: `http://127.0.0.1:${port}`, gitlabToken: TOKEN }));
    expect(outcome).toMatchObject({ status: 'fail', evidence: { hop: 'client-to-gitlab', failure: 'refused' } });
  });
});

// Judged without a server: each answer GitLab can relay, as gather records it.
describe('system-exchange renderings (every message, pinned in __renderings__/system-exchange.txt)', () => {
  const reply = (status: number, body: unknown, over: Partial<Reply> = {}): Facts => ({
    answer: {
      status,
      contentType: 'application/json',
      body: typeof body === 'string' ? body : JSON.stringify(body),
      monolith: false,
      elapsedMs: 840,
      ...over,
    },
  });
  const auth = (error: string) => reply(401, { error });
  const cases: RenderCase<Facts>[] = [
    { name: 'no token', facts: {} },
    { name: 'not reached', facts: { unreached: { message: 'connection to gitlab.example.com:443 refused', kind: 'refused' } } },
    { name: 'a completion, model named', facts: reply(200, COMPLETION) },
    { name: 'a completion, model unnamed', facts: reply(200, { choices: [{ text: 'x = 1' }], model: { engine: 'vllm' } }) },
    { name: 'a completion, no model member', facts: reply(200, { choices: [{ text: 'y'.repeat(100) }] }) },
    { name: 'no choices', facts: reply(200, { ...COMPLETION, choices: [] }) },
    { name: 'a blank completion', facts: reply(200, { choices: [{ text: '  \n ' }] }) },
    { name: 'a completion text that is not a string', facts: reply(200, { choices: [{ text: 7 }] }) },
    { name: 'choices not a list', facts: reply(200, { choices: { text: 'x' } }) },
    { name: 'an empty 200', facts: reply(200, '', { contentType: undefined }) },
    { name: 'switched off (404, monolith)', facts: reply(404, { message: '404 Not Found' }, { monolith: true }) },
    { name: 'rate limited (429, monolith)', facts: reply(429, { message: 'This endpoint has been requested too many times.' }, { monolith: true }) },
    { name: 'no seat (403, monolith)', facts: reply(403, { message: '403 Forbidden' }, { monolith: true }) },
    { name: 'no seat (401 Unauthorized without origin)', facts: reply(401, { message: '401 Unauthorized' }) },
    {
      name: 'token scope',
      facts: reply(403, { error: 'insufficient_scope', error_description: 'The request requires higher privileges.', scope: 'api' }),
    },
    { name: 'forbidden by auth provider', facts: auth('Forbidden by auth provider') },
    { name: 'header mismatch', facts: auth("Header mismatch 'X-Gitlab-Instance-Id'") },
    { name: 'no authorization header', facts: auth('No authorization header presented') },
    { name: 'invalid authorization header', facts: auth('Invalid authorization header') },
    { name: 'invalid token type', facts: auth('Invalid authentication token type') },
    { name: 'an unknown gateway 401', facts: auth('Something new') },
    { name: 'gateway 401 with a message too', facts: reply(401, { message: '401 Unauthorized', error: 'Forbidden by auth provider' }) },
    { name: 'gateway scope (completions)', facts: reply(403, { detail: 'Unauthorized to access code completions' }) },
    { name: 'gateway scope (generations)', facts: reply(403, { detail: 'Unauthorized to access code generations' }) },
    { name: 'gateway scope (suggestions)', facts: reply(403, { detail: 'Unauthorized to access code suggestions' }) },
    { name: "a scope's words on another status (not the scope check)", facts: reply(400, { detail: 'Unauthorized to access code completions' }) },
    { name: 'another 403 detail', facts: reply(403, { detail: 'Unauthorized to access code completions, really' }) },
    { name: 'gateway holds no key', facts: reply(500, 'Internal Server Error', { contentType: 'text/plain' }) },
    { name: "Workhorse's 500, setting unread", facts: reply(500, 'Internal Server Error\n', { contentType: 'text/plain' }) },
    {
      name: "Workhorse's 500, setting blank",
      facts: { ...reply(500, 'Internal Server Error\n', { contentType: 'text/plain' }), setting: { ok: true } },
    },
    {
      name: '502, setting names a URL',
      facts: { ...reply(502, 'Bad Gateway\n', { contentType: 'text/plain' }), setting: { ok: true, url: 'http://user:pw@aigw.internal:5052' } },
    },
    {
      name: '503, setting unreadable',
      facts: { ...reply(503, '   ', { contentType: 'text/plain' }), setting: { ok: false, reason: 'GraphQL: duoSettings needs admin' } },
    },
    { name: '500 with a JSON message', facts: reply(500, { message: '500 Internal Server Error' }) },
    { name: 'a model error relayed', facts: reply(500, { detail: 'Model server returned 503' }) },
    { name: 'a 499 from the gateway', facts: reply(499, { detail: 'client closed' }) },
    { name: 'a long body cut at 200 characters', facts: reply(422, 'a'.repeat(150) + '\n\n' + 'b'.repeat(150)) },
  ];
  it('renders every case as pinned, reaching every message', () => expectRenderings(check, cases));
});
