// The reference model server answers as vLLM does: its routes, its --api-key guard, and the 4xx each flag off causes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startModelServer, type RunningModelServer } from '../../src/reference/model-server.js';

let plain: RunningModelServer;
let bare: RunningModelServer;
let guarded: RunningModelServer;
beforeAll(async () => {
  [plain, bare, guarded] = await Promise.all([
    startModelServer({ maxModelLen: 100 }),
    startModelServer({ chatTemplate: false, autoToolChoice: false }),
    startModelServer({ apiKey: 'sk-test' }),
  ]);
});
afterAll(async () => {
  await Promise.all([plain.close(), bare.close(), guarded.close()]);
});

const post = (server: RunningModelServer, path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
const chat = (model: string, extra: Record<string, unknown> = {}) => ({
  model,
  messages: [{ role: 'user', content: 'ping' }],
  max_tokens: 1,
  ...extra,
});
const tool = { type: 'function', function: { name: 'noop', parameters: { type: 'object', properties: {} } } };

describe('reference model server (vLLM)', () => {
  it('lists its served name and max_model_len at /v1/models; its endpoint ends in /v1', async () => {
    const body = (await (await fetch(`${plain.url}/v1/models`)).json()) as { data: { id: string; max_model_len: number; owned_by: string }[] };
    expect(body.data).toEqual([expect.objectContaining({ id: plain.model, max_model_len: 100, owned_by: 'vllm' })]);
    expect(plain.endpoint).toBe(`${plain.url}/v1`);
  });

  it.each([
    ['GET', '/models'],
    ['POST', '/chat/completions'],
    ['GET', '/v2/models'],
  ])("answers FastAPI's 404 for %s %s", async (method, path) => {
    const res = await fetch(`${plain.url}${path}`, { method });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ detail: 'Not Found' });
  });

  it.each<[string, () => RunningModelServer, unknown, number, RegExp | undefined]>([
    ['a one-token chat', () => plain, chat('codestral-22b'), 200, undefined],
    ['an unknown model', () => plain, chat('codestral'), 404, /The model `codestral` does not exist\./],
    ['tool_choice auto with auto tool choice on', () => plain, chat('codestral-22b', { tools: [tool], tool_choice: 'auto' }), 200, undefined],
    [
      'tool_choice auto without it (checked before the template)',
      () => bare,
      chat('codestral-22b', { tools: [tool], tool_choice: 'auto' }),
      400,
      /"auto" tool choice requires --enable-auto-tool-choice/,
    ],
    ['no chat template', () => bare, chat('codestral-22b'), 400, /must provide a chat template/],
    [
      'a prompt at max_model_len (100 tokens)',
      () => plain,
      chat('codestral-22b', { messages: [{ role: 'user', content: 'x'.repeat(400) }] }),
      400,
      /maximum context length is 100 tokens\. However, your request has 100 input tokens/,
    ],
    [
      'a prompt one token under, plus one to generate',
      () => plain,
      chat('codestral-22b', { messages: [{ role: 'user', content: 'x'.repeat(396) }] }),
      200,
      undefined,
    ],
    [
      'a prompt one token under, plus two to generate',
      () => plain,
      chat('codestral-22b', { messages: [{ role: 'user', content: 'x'.repeat(396) }], max_tokens: 2 }),
      400,
      /you requested 101 tokens \(99 in the messages, 2 in the completion\)/,
    ],
  ])('%s → %s', async (_name, server, body, status, message) => {
    const res = await post(server(), '/v1/chat/completions', body);
    expect(res.status).toBe(status);
    const json = (await res.json()) as { error?: { message: string; code: number } };
    if (message) expect(json.error).toMatchObject({ message: expect.stringMatching(message), code: status });
  });

  it('guards /v1 with --api-key (401 {"error":"Unauthorized"}) but not /health', async () => {
    const denied = await fetch(`${guarded.url}/v1/models`);
    expect([denied.status, await denied.json()]).toEqual([401, { error: 'Unauthorized' }]);
    expect((await fetch(`${guarded.url}/v1/models`, { headers: { authorization: 'Bearer sk-test' } })).status).toBe(200);
    expect((await fetch(`${guarded.url}/health`)).status).toBe(200);
  });
});
