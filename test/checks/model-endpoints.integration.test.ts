// model-endpoints under --exec: the endpoints are asked where the gateway runs (python3 behind the prefix), so a model
// server on "localhost" answers only if it is there. The prefix `env` runs the other side on this machine, so loopback
// is shared here; `unshare -n` (a network namespace of its own, as a container has) shows the localhost failure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check from '../../checks/model-endpoints.js';
import { makeContext } from '../helpers/context.js';
import { prefixSupport } from '../helpers/exec-prefixes.js';
import { gqlData, startFakeGitLab, type FakeGitLab } from '../helpers/fake-gitlab.js';
import { startLoopback, type LoopbackServer } from '../helpers/loopback.js';

const TOKEN = 'glpat-models-exec-token';
const { python: pythonHere, unshare: unshareOk } = prefixSupport();
let gitlab: FakeGitLab;
let vllm: LoopbackServer;

beforeAll(async () => {
  gitlab = await startFakeGitLab({});
  vllm = await startLoopback((req, res) => {
    res.writeHead(req.url === '/v1/models' ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ object: 'list', data: [{ id: 'codestral-22b', object: 'model' }] }));
  });
});
afterAll(async () => {
  await Promise.all([gitlab.close(), vllm.close()]);
});

const listed = (endpoint: string) =>
  gqlData({
    aiSelfHostedModels: { nodes: [{ name: 'Local', model: 'codestral', endpoint, hasApiToken: false, identifier: null, releaseState: 'GA' }] },
  });

describe.skipIf(!pythonHere)('model-endpoints under --exec', () => {
  it("asks the models route behind the prefix and reads AIGW_CUSTOM_MODELS__ENABLED from that side's environment", async () => {
    gitlab.routes = { 'POST /api/graphql': listed(`${vllm.url}/v1`) };
    const outcome = await check.run(makeContext({ gitlabUrl: gitlab.url, gitlabToken: TOKEN, exec: 'env AIGW_CUSTOM_MODELS__ENABLED=false' }));
    expect(outcome.findings?.map((f) => f.id)).toEqual(['customModelsOff']);
    expect((outcome.details ?? []).join('\n')).toContain('asked from inside its container (env AIGW_CUSTOM_MODELS__ENABLED=false)');
    expect((outcome.details ?? []).join('\n')).toMatch(/answered HTTP 200 .*serves codestral-22b/);
  });

  it.skipIf(!unshareOk)('fails a localhost endpoint the container cannot reach, naming the fix', async () => {
    gitlab.routes = { 'POST /api/graphql': listed(`${vllm.url.replace('127.0.0.1', 'localhost')}/v1`) };
    const outcome = await check.run(makeContext({ gitlabUrl: gitlab.url, gitlabToken: TOKEN, exec: 'unshare -rn' }));
    expect(outcome.findings?.map((f) => f.id)).toEqual(['loopbackInContainer']);
    expect(outcome.remediation).toContain('host.docker.internal');
  });
});
