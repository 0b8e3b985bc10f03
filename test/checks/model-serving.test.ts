// model-serving: its judge over tables of model facts (finding ids), and its gather against a scripted GitLab and the
// vLLM-like reference model server (served name, chat template, tool calling, max_model_len).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { judge, type Facts, type ServingFacts } from '../../checks/model-serving.js';
import { requestedModel } from '../../src/judge/self-hosted-model.js';
import { startModelServer, type ModelServerOptions, type RunningModelServer } from '../../src/reference/model-server.js';
import { makeContext } from '../helpers/context.js';
import { expectRenderings } from '../helpers/renderings.js';
import { gqlData, startFakeGitLab, type FakeGitLab } from '../helpers/fake-gitlab.js';

const ok = { ok: true as const, status: 200 };
const err = (status: number, error?: string) => ({ ok: true as const, status, ...(error ? { error } : {}) });
const model = (extra: Partial<ServingFacts> = {}): ServingFacts => ({
  name: 'Code model',
  model: 'codestral',
  endpoint: 'http://vllm:8000/v1',
  requested: 'codestral-22b',
  served: ['codestral-22b'],
  maxModelLen: 128_000,
  chat: ok,
  tools: ok,
  ...extra,
});
const ids = (f: Facts) => judge(f).findings.map((x) => x.id);

const CASES: [string, Facts, string[]][] = [
  ['no list', { unlisted: 'cannot be listed' }, ['unlisted']],
  ['no model', { models: [] }, ['noneJudged']],
  ['none judged', { models: [model({ notJudged: 'a cloud provider' })] }, ['noneJudged']],
  ['one serving', { models: [model()] }, ['allServe']],
  ['many serving, one not judged', { models: [model(), model({ name: 'b' }), model({ notJudged: 'x' })] }, ['allServe']],
  ['name not served', { models: [model({ requested: 'codestral', chat: undefined, tools: undefined })] }, ['nameNotServed']],
  ['name not served among many', { models: [model({ requested: 'x', served: ['a', 'b'] })] }, ['nameNotServed']],
  ['server lists nothing (not judged as missing)', { models: [model({ served: [] })] }, ['allServe']],
  [
    'no chat template',
    { models: [model({ chat: err(400, 'As of transformers v4.44, default chat template is no longer allowed'), tools: err(400) })] },
    ['noChatTemplate'],
  ],
  ['chat fails otherwise (500)', { models: [model({ chat: err(500, 'engine dead') })] }, ['chatFails']],
  ['chat unreachable', { models: [model({ chat: { ok: false, kind: 'timeout', message: 'timed out' } })] }, ['chatFails']],
  ['chat wants the key (401): not judged', { models: [model({ chat: err(401), tools: err(401) })] }, ['allServe']],
  ['chat 403: not judged', { models: [model({ chat: err(403), tools: err(403) })] }, ['allServe']],
  [
    'tools off',
    { models: [model({ tools: err(400, '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set') })] },
    ['toolsOff'],
  ],
  ['tools 399', { models: [model({ tools: err(399) })] }, ['allServe']],
  ['context one under the budget', { models: [model({ maxModelLen: 127_999 })] }, ['contextShort']],
  ['context at the budget', { models: [model({ maxModelLen: 128_000 })] }, ['allServe']],
  ['context unknown', { models: [model({ maxModelLen: undefined })] }, ['allServe']],
  ['family without a budget', { models: [model({ model: 'something-new', maxModelLen: 10 })] }, ['allServe']],
  ['tools off and context short', { models: [model({ tools: err(400), maxModelLen: 8192 })] }, ['toolsOff', 'contextShort']],
  ['two serving', { models: [model(), model({ name: 'b' })] }, ['allServe']],
  ['two not judged', { models: [model({ notJudged: 'a' }), model({ name: 'b', notJudged: 'b' })] }, ['noneJudged']],
  ['no list, no reason', {}, ['unlisted']],
  ['chat error without message (404)', { models: [model({ chat: err(404) })] }, ['chatFails']],
  ['tools unreachable', { models: [model({ tools: { ok: false, kind: 'reset', message: 'socket hang up' } })] }, ['toolsOff']],
  ['chat wants the key, window known', { models: [model({ chat: err(401), tools: err(401), maxModelLen: 200_000 })] }, ['allServe']],
  ['window of a family without a budget', { models: [model({ model: 'new', maxModelLen: 4096 })] }, ['allServe']],
  ['no identifier (name not asked)', { models: [model({ requested: undefined, served: ['x'] })] }, ['allServe']],
  ['name not served, served unknown', { models: [model({ requested: 'x', served: undefined })] }, ['allServe']],
];

describe('model-serving judge', () => {
  it.each(CASES)('%s', (_name, f, expected) => expect(ids(f)).toEqual(expected));

  it('renders every case as pinned, reaching every message', () =>
    expectRenderings(
      check,
      CASES.map(([name, facts]) => ({ name, facts })),
    ));
});

describe('model-serving judge: where the servers were asked', () => {
  it('says inside the container under --exec, from here otherwise', () => {
    expect(judge({ models: [], inside: 'docker exec gw' }).details?.[0]).toMatch(/asked from inside the gateway's container \(docker exec gw\)\.$/);
    expect(judge({ models: [] }).details?.[0]).toMatch(/probed from here with the gateway's proxy variables and CA bundle\.$/);
  });
});

describe('requestedModel (what the gateway sends for an identifier)', () => {
  it.each([
    ['custom_openai/codestral-22b', 'codestral-22b'],
    ['codestral-22b', 'codestral-22b'],
    ['custom_openai/mistralai/Mixtral-8x22B', 'mistralai/Mixtral-8x22B'],
    ['trailing/', 'trailing/'],
    [undefined, undefined],
    ['', undefined],
  ])('%s → %s', (identifier, requested) => expect(requestedModel(identifier)).toBe(requested));
});

describe('model-serving gather against the reference model server', () => {
  const TOKEN = 'glpat-serving-test';
  let gitlab: FakeGitLab;
  const servers: RunningModelServer[] = [];
  beforeAll(async () => {
    gitlab = await startFakeGitLab({});
  });
  afterAll(async () => {
    await Promise.all([gitlab.close(), ...servers.map((s) => s.close())]);
  });
  const serve = async (opts: ModelServerOptions, identifier?: (s: RunningModelServer) => string) => {
    const server = await startModelServer(opts);
    servers.push(server);
    const node = {
      name: 'Code',
      model: 'codestral',
      endpoint: server.endpoint,
      hasApiToken: false,
      identifier: identifier ? identifier(server) : `custom_openai/${server.model}`,
    };
    gitlab.routes = { 'POST /api/graphql': gqlData({ aiSelfHostedModels: { nodes: [node] } }) };
    return check.run(makeContext({ gitlabUrl: gitlab.url, gitlabToken: TOKEN }));
  };

  it.each<[string, ModelServerOptions, ((s: RunningModelServer) => string) | undefined, string[]]>([
    ['a healthy vLLM', {}, undefined, ['allServe']],
    ['a served name GitLab does not send', {}, () => 'custom_openai/codestral', ['nameNotServed']],
    ['no chat template', { chatTemplate: false }, undefined, ['noChatTemplate']],
    ['no auto tool choice', { autoToolChoice: false }, undefined, ['toolsOff']],
    ['a short window', { maxModelLen: 8192 }, undefined, ['contextShort']],
    ['an API key GitLab does not expose', { apiKey: 'sk-x' }, undefined, ['noneJudged']],
  ])('%s → %j', async (_name, opts, identifier, expected) => {
    const outcome = await serve(opts, identifier);
    expect(outcome.findings?.map((f) => f.id)).toEqual(expected);
  });
});
