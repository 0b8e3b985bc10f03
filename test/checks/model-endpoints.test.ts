// model-endpoints: its judge over tables of model facts (finding ids), and its gather against a scripted GitLab and loopback
// model servers: none, reachable, token-guarded, unreachable, not probed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { judge, type Facts, type ModelFacts } from '../../checks/model-endpoints.js';
import { clientUrl, withV1 } from '../../src/probes/model-endpoint.js';
import { makeContext } from '../helpers/context.js';
import { expectRenderings } from '../helpers/renderings.js';
import { gqlData, gqlErrors, missingField, startFakeGitLab, type FakeGitLab } from '../helpers/fake-gitlab.js';
import { freePort, startLoopback, type LoopbackServer } from '../helpers/loopback.js';

const TOKEN = 'glpat-models-test-token';
let gitlab: FakeGitLab;
let open: LoopbackServer;
let guarded: LoopbackServer;
let deadPort: number;
const modelPaths: string[] = [];

beforeAll(async () => {
  gitlab = await startFakeGitLab({});
  open = await startLoopback((req, res) => {
    modelPaths.push(req.url ?? '');
    res.writeHead(req.url === '/v1/models' ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ object: 'list', data: [{ id: 'codestral-22b', object: 'model' }] }));
  });
  guarded = await startLoopback((_req, res) => {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end('{"error":{"message":"Invalid API key"}}');
  });
  deadPort = await freePort();
});
afterAll(async () => {
  await Promise.all([gitlab.close(), open.close(), guarded.close()]);
});

const node = (name: string, endpoint: string, extra: Record<string, unknown> = {}) => ({
  name,
  model: 'codestral',
  endpoint,
  hasApiToken: false,
  identifier: null,
  releaseState: 'GA',
  ...extra,
});
const modelsData = (...nodes: ReturnType<typeof node>[]) => gqlData({ aiSelfHostedModels: { nodes } });

const run = (env: Record<string, string> = {}) => check.run(makeContext({ gitlabUrl: gitlab.url, gitlabToken: TOKEN, env }));

const model = (extra: Partial<ModelFacts> = {}): ModelFacts => ({
  name: 'Code model',
  model: 'codestral',
  endpoint: 'http://vllm:8000',
  hasApiToken: false,
  url: 'http://vllm:8000/v1/models',
  answer: { ok: true, status: 200, elapsedMs: 4, served: ['codestral-22b'] },
  ...extra,
});
const ids = (f: Facts) => judge(f).findings.map((x) => x.id);
const http = (status: number) => ({ ok: true as const, status, elapsedMs: 1, served: [] });
const v1 = (answer: ModelFacts['answer'] & object) => ({ endpoint: 'http://vllm:8000/v1', url: 'http://vllm:8000/v1/models', answer });

const refused = { ok: false as const, kind: 'refused' as const, message: 'ConnectionRefusedError' };
/** An endpoint on the gateway's host named as localhost, asked inside its container (--exec) or from here. */
function loopbackCases(): [string, Facts, string[]][] {
  const at = (endpoint: string, answer: ModelFacts['answer'], inside?: string): Facts => ({
    models: [model({ endpoint, answer })],
    ...(inside !== undefined ? { inside } : {}),
  });
  return [
    ['localhost refused inside the container', at('http://localhost:8000/v1', refused, 'docker exec gw'), ['loopbackInContainer']],
    ['127.0.0.1 refused inside the container', at('http://127.0.0.1:8000/v1', refused, 'docker exec gw'), ['loopbackInContainer']],
    ['[::1] refused inside the container', at('http://[::1]:8000/v1', refused, 'kubectl exec gw --'), ['loopbackInContainer']],
    ['localhost answering inside the container (--network host)', at('http://localhost:8000/v1', http(200), 'docker exec gw'), ['allAnswer']],
    ['a host name refused inside the container', at('http://vllm:8000/v1', refused, 'docker exec gw'), ['unreachable']],
    ['localhost refused on the gateway host (no container)', at('http://localhost:8000/v1', refused), ['unreachable']],
    ['not a URL, refused inside', at('vllm:8000', refused, 'docker exec gw'), ['unreachable']],
  ];
}

const CASES: [string, Facts, string[]][] = [
  ['no list', { unlisted: 'cannot be listed' }, ['unlisted']],
  ['no model', { models: [] }, ['noModels']],
  ['one answering', { models: [model()] }, ['allAnswer']],
  ['many answering', { models: [model(), model({ name: 'b' }), model({ name: 'c' })] }, ['allAnswer']],
  ['none probeable', { models: [model({ answer: undefined, notProbed: 'a cloud provider' })] }, ['noneProbeable']],
  ['one unreachable among two', { models: [model(), model({ answer: { ok: false, kind: 'refused', message: 'refused' } })] }, ['unreachable']],
  [
    "a TLS failure with the gateway's trust known",
    { models: [model({ answer: { ok: false, kind: 'tls', message: 'self-signed' } })] },
    ['unreachable'],
  ],
  // Off the gateway with no --ca-file: certifi's roots stood in, so a private CA says nothing about the gateway.
  [
    "a TLS failure with the gateway's trust unknown here",
    { models: [model({ answer: { ok: false, kind: 'tls', message: 'self-signed', trustUnknown: true } })] },
    ['trustUnknown'],
  ],
  [
    "a refusal with the gateway's trust unknown here",
    { models: [model({ answer: { ok: false, kind: 'refused', message: 'refused', trustUnknown: true } })] },
    ['unreachable'],
  ],
  [
    '401 with a token configured',
    { models: [model({ hasApiToken: true, answer: { ok: true, status: 401, elapsedMs: 1, served: [] } })] },
    ['allAnswer'],
  ],
  ['401 without a token', { models: [model({ answer: { ok: true, status: 401, elapsedMs: 1, served: [] } })] }, ['tokenMissing']],
  ['403 without a token', { models: [model({ answer: { ok: true, status: 403, elapsedMs: 1, served: [] } })] }, ['tokenMissing']],
  ['399', { models: [model({ answer: { ok: true, status: 399, elapsedMs: 1, served: [] } })] }, ['allAnswer']],
  ['400', { models: [model({ answer: { ok: true, status: 400, elapsedMs: 1, served: [] } })] }, ['httpError']],
  ['404, the /v1 form answers 200', { models: [model({ answer: http(404), v1: v1(http(200)) })] }, ['missingV1']],
  ['404, the /v1 form wants its token (401)', { models: [model({ answer: http(404), v1: v1(http(401)) })] }, ['missingV1']],
  ['404, the /v1 form answers 404 too', { models: [model({ answer: http(404), v1: v1(http(404)) })] }, ['httpError']],
  ['404, the /v1 form answers 500', { models: [model({ answer: http(404), v1: v1(http(500)) })] }, ['httpError']],
  [
    '404, the /v1 form unreachable',
    { models: [model({ answer: http(404), v1: v1({ ok: false, kind: 'refused', message: 'refused' }) })] },
    ['httpError'],
  ],
  ['404 on an endpoint ending in /v1 (no /v1 form asked)', { models: [model({ answer: http(404) })] }, ['httpError']],
  ['200 with a /v1 form present (not judged)', { models: [model({ v1: v1(http(404)) })] }, ['allAnswer']],
  ['custom models off', { models: [model()], customModelsEnabled: 'false' }, ['customModelsOff']],
  ['custom models unreadable to the gateway', { models: [model()], customModelsEnabled: 'enabled' }, ['customModelsOff']],
  ['custom models on (t)', { models: [model()], customModelsEnabled: 't' }, ['allAnswer']],
  ['custom models unset here', { models: [model()] }, ['allAnswer']],
  ['custom models off, no model', { models: [], customModelsEnabled: 'false' }, ['noModels']],
  ...loopbackCases(),
  [
    'many served, a release state, a token',
    {
      models: [
        model({ releaseState: 'BETA', hasApiToken: true, answer: { ok: true, status: 200, elapsedMs: 2, served: ['a', 'b', 'c', 'd', 'e', 'f'] } }),
      ],
    },
    ['allAnswer'],
  ],
  ['five served', { models: [model({ answer: { ok: true, status: 200, elapsedMs: 2, served: ['a', 'b', 'c', 'd', 'e'] } })] }, ['allAnswer']],
  [
    'one of two probed',
    { models: [model(), model({ name: 'cloud', endpoint: '', answer: undefined, notProbed: 'a cloud provider' })] },
    ['allAnswer'],
  ],
  [
    'two not probed, one without endpoint or reason',
    { models: [model({ endpoint: '', answer: undefined }), model({ answer: undefined, notProbed: 'x' })] },
    ['noneProbeable'],
  ],
  ['one not probed, alone', { models: [model({ answer: undefined, notProbed: 'x' })], customModelsEnabled: 'true' }, ['noneProbeable']],
  ['unreachable, no URL recorded', { models: [model({ url: undefined, answer: refused })] }, ['unreachable']],
  [
    '401 with a token configured, no release state',
    { models: [model({ hasApiToken: true, releaseState: undefined, answer: http(401) })] },
    ['allAnswer'],
  ],
  ['400 from a /v1 form 400 (the /v1 form not counted)', { models: [model({ answer: http(404), v1: v1(http(400)) })] }, ['httpError']],
  ['404, the /v1 form answers 403', { models: [model({ answer: http(404), v1: v1(http(403)) })] }, ['missingV1']],
  ['500, the /v1 form answers 200 (only a 404 asks it)', { models: [model({ answer: http(500), v1: v1(http(200)) })] }, ['httpError']],
];

describe('model-endpoints judge', () => {
  it.each(CASES)('%s', (_name, f, expected) => expect(ids(f)).toEqual(expected));

  it('renders every case as pinned, reaching every message', () =>
    expectRenderings(
      check,
      CASES.map(([name, facts]) => ({ name, facts })),
    ));
});

describe('model-endpoints judge: where the endpoints were asked', () => {
  it('says inside the container under --exec, from here otherwise', () => {
    expect(judge({ models: [model()], inside: 'docker exec gw' }).details?.[0]).toContain('asked from inside its container (docker exec gw)');
    expect(judge({ models: [model()] }).details?.[0]).toContain('probed from here');
  });

  it('names the loopback host, the prefix and the failure', () => {
    const f = judge({ models: [model({ endpoint: 'http://localhost:8000/v1', answer: refused })], inside: 'docker exec gw' }).findings[0];
    expect(f).toMatchObject({ id: 'loopbackInContainer', data: { host: 'localhost', prefix: 'docker exec gw', message: 'ConnectionRefusedError' } });
  });
});

describe('model-endpoints gather', () => {
  it('fails an endpoint without /v1 when only the /v1 form answers (the gateway appends the route to the endpoint as given)', async () => {
    modelPaths.length = 0;
    gitlab.routes = { 'POST /api/graphql': modelsData(node('Code model', open.url)) };
    const outcome = await run();
    expect(outcome.findings?.map((f) => f.id)).toEqual(['missingV1']);
    expect(outcome.status).toBe('fail');
    expect(outcome.remediation).toContain(`${open.url}/v1`);
    expect(modelPaths).toEqual(['/models', '/v1/models']);
  });

  it('warns when no model is configured', async () => {
    gitlab.routes = { 'POST /api/graphql': modelsData() };
    expect((await run()).findings?.map((f) => f.id)).toEqual(['noModels']);
  });

  it('passes a reachable OpenAI-compatible endpoint, listing what it serves', async () => {
    gitlab.routes = { 'POST /api/graphql': modelsData(node('Code model', `${open.url}/v1`)) };
    const outcome = await run({ AIGW_CUSTOM_MODELS__ENABLED: 'true' });
    expect(outcome.status).toBe('pass');
    expect(outcome.summary).toBe('1 of 1 self-hosted model endpoint probed; all answer');
    expect(outcome.details?.join('\n')).toMatch(
      /✔ Code model \(codestral\): .*answered HTTP 200 .*serves codestral-22b \(release state GA, API token: Missing\)/,
    );
    expect(outcome.details?.join('\n')).toMatch(/The AI gateway calls these endpoints, not GitLab/);
  });

  it('asks <endpoint>/models, one trailing slash removed, when the endpoint ends in /v1', async () => {
    modelPaths.length = 0;
    gitlab.routes = { 'POST /api/graphql': modelsData(node('Ollama', `${open.url}/v1/`)) };
    expect((await run()).status).toBe('pass');
    expect(modelPaths).toEqual(['/v1/models']);
  });

  it('fails naming an unreachable model', async () => {
    gitlab.routes = { 'POST /api/graphql': modelsData(node('Code model', `${open.url}/v1`), node('Chat model', `http://127.0.0.1:${deadPort}`)) };
    const outcome = await run();
    expect(outcome.status).toBe('fail');
    expect(outcome.summary).toMatch(/^Model Chat model \(codestral\) is unreachable at http:\/\/127\.0\.0\.1:\d+\/models: Connection to .* refused/);
    expect(outcome.remediation).toMatch(/reachable from the AI gateway/);
    expect(outcome.evidence).toMatchObject({ models: 2, probed: 2 });
  });

  it.each([
    [true, 'pass', /reachable; it needs its API token \(GitLab has one configured\)/],
    [false, 'warn', /requires an API token, but GitLab has none configured/],
  ] as const)('a 401 with hasApiToken %s → %s', async (hasApiToken, status, text) => {
    gitlab.routes = { 'POST /api/graphql': modelsData(node('Guarded', guarded.url, { hasApiToken })) };
    const outcome = await run();
    expect(outcome.status).toBe(status);
    expect(`${outcome.summary}\n${outcome.details?.join('\n')}`).toMatch(text);
  });

  it('does not probe cloud providers or non-OpenAI identifiers', async () => {
    gitlab.routes = {
      'POST /api/graphql': modelsData(
        node('Bedrock', '', { identifier: 'bedrock/anthropic.claude-3' }),
        node('Azure', 'https://x.openai.azure.com', { identifier: 'azure/gpt-4o' }),
      ),
    };
    const outcome = await run();
    expect(outcome.status).toBe('pass');
    expect(outcome.summary).toBe('2 self-hosted models configured; none serves /v1/models to probe');
    expect(outcome.details?.join('\n')).toMatch(/Azure .* not probed: identifier azure\/gpt-4o names provider azure/);
  });

  it.each(['custom_openai/codestral', 'codestral-22b'])('probes the identifier %s', async (identifier) => {
    gitlab.routes = { 'POST /api/graphql': modelsData(node('vLLM', `${open.url}/v1`, { identifier })) };
    expect(await run()).toMatchObject({ status: 'pass', evidence: { probed: 1 } });
  });

  it.each([
    ['false', 'fail'],
    ['0', 'fail'],
    ['True', 'pass'],
    ['1', 'pass'],
  ])('AIGW_CUSTOM_MODELS__ENABLED=%s with models → %s', async (value, status) => {
    gitlab.routes = { 'POST /api/graphql': modelsData(node('Code model', `${open.url}/v1`)) };
    const outcome = await run({ AIGW_CUSTOM_MODELS__ENABLED: value });
    expect(outcome.status).toBe(status);
    if (status === 'fail') expect(outcome.remediation).toMatch(/AIGW_CUSTOM_MODELS__ENABLED=true/);
  });

  it('falls back to the older field set', async () => {
    gitlab.routes = {
      'POST /api/graphql': (r) =>
        r.query?.includes('identifier') ? missingField('identifier', 'AiSelfHostedModel') : modelsData(node('Code model', `${open.url}/v1`)),
    };
    expect((await run()).status).toBe('pass');
  });

  it.each([
    ['a GitLab without self-hosted models', missingField('aiSelfHostedModels', 'Query'), /cannot be listed: Field 'aiSelfHostedModels'/],
    ['a non-admin token (null)', gqlData({ aiSelfHostedModels: null }), /no self-hosted model list/],
    ['a permission error', gqlErrors("You don't have permission"), /cannot be listed/],
  ])('skips for %s', async (_name, answer, summary) => {
    gitlab.routes = { 'POST /api/graphql': answer };
    const outcome = await run();
    expect(outcome.status).toBe('skip');
    expect(outcome.summary).toMatch(summary);
  });
});

describe('clientUrl (the gateway joins the route to the endpoint as given)', () => {
  it.each([
    ['http://vllm:8000', 'http://vllm:8000/models'],
    ['http://vllm:8000/', 'http://vllm:8000/models'],
    ['http://ollama:11434/v1', 'http://ollama:11434/v1/models'],
    ['http://gw/prefix/v1/', 'http://gw/prefix/v1/models'],
    ['http://gw/prefix/v1//', 'http://gw/prefix/v1/models'],
    ['http://gw/prefix/v1///', 'http://gw/prefix/v1//models'],
  ])('%s → %s', (endpoint, url) => expect(clientUrl(endpoint, 'models')).toBe(url));
  it('joins chat/completions the same way', () =>
    expect(clientUrl('http://vllm:8000/v1/', 'chat/completions')).toBe('http://vllm:8000/v1/chat/completions'));
});

describe('withV1', () => {
  it.each([
    ['http://vllm:8000', 'http://vllm:8000/v1'],
    ['http://vllm:8000/', 'http://vllm:8000/v1'],
    ['http://gw/prefix', 'http://gw/prefix/v1'],
    ['http://ollama:11434/v1', undefined],
    ['http://gw/prefix/v1//', undefined],
    ['http://gw/v10', 'http://gw/v10/v1'],
  ])('%s → %s', (endpoint, v1) => expect(withV1(endpoint)).toBe(v1));
});
