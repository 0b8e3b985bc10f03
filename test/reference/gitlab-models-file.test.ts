// `duo-doctor gitlab --models FILE`: the file's forms, its errors, and the reference GitLab listing exactly those models.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseModels } from '../../src/reference/gitlab/models-file.js';
import { serveGitLab } from '../../src/reference/serve-cli.js';
import { readModelsFile } from '../../src/reference/gitlab/models-file.js';

const one = {
  name: 'vLLM',
  model: 'codestral',
  endpoint: 'http://vllm:8000/v1',
  identifier: 'custom_openai/codestral-22b',
  hasApiToken: true,
  releaseState: 'GA',
};

describe('parseModels', () => {
  it.each<[string, unknown, number]>([
    ['a bare list', [one], 1],
    ['an empty list', [], 0],
    ['{ nodes }', { nodes: [one, { name: 'Bedrock', model: 'claude_3', identifier: 'bedrock/us.anthropic.claude' }] }, 2],
    ['{ aiSelfHostedModels: { nodes } }', { aiSelfHostedModels: { nodes: [one] } }, 1],
    ['a GraphQL answer', { data: { aiSelfHostedModels: { nodes: [one] } } }, 1],
  ])('reads %s', (_name, value, count) => expect(parseModels(JSON.stringify(value), 'm.json')).toHaveLength(count));

  it('keeps the fields GitLab lists; a missing endpoint is empty (a cloud provider)', () => {
    expect(parseModels(JSON.stringify([one, { name: 'B', model: 'claude_3' }]), 'm.json')).toEqual([
      one,
      { name: 'B', model: 'claude_3', endpoint: '' },
    ]);
  });

  it.each([
    ['not JSON', '{', /not JSON/],
    ['not a list', '{"x":1}', /expected a list of models/],
    ['a model without a name', '[{"model":"codestral"}]', /model 1 has no "name"/],
    ['a model without its family', '[{"name":"a"}]', /model 1 has no "model"/],
    ['a numeric endpoint', '[{"name":"a","model":"m","endpoint":5}]', /"endpoint" is not a string/],
    ['an unknown release state', '[{"name":"a","model":"m","releaseState":"ALPHA"}]', /releaseState "ALPHA" is not one of GA, BETA, EXPERIMENTAL/],
  ])('refuses %s', (_name, text, message) => expect(() => parseModels(text, 'm.json')).toThrow(message));
});

describe('serveGitLab with --models', () => {
  it("lists exactly the file's models and assigns code features to the first", async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'duo-doctor-models-')), 'models.json');
    writeFileSync(file, JSON.stringify({ nodes: [one] }));
    const out: string[] = [];
    const stop = new AbortController();
    const done = serveGitLab({
      port: 0,
      env: { GITLAB_TOKEN: 'glpat-models' },
      selfHostedModels: readModelsFile(file),
      log: () => {},
      out: (l) => out.push(l),
      stop: stop.signal,
    });
    try {
      await expect.poll(() => out.length).toBe(1);
      const url = out[0]!.split(' on ')[1]!;
      const query =
        '{ aiSelfHostedModels { nodes { name model endpoint hasApiToken identifier releaseState } } aiFeatureSettings { nodes { feature provider selfHostedModel { name } } } }';
      const res = await fetch(`${url}/api/graphql`, {
        method: 'POST',
        headers: { 'PRIVATE-TOKEN': 'glpat-models', 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      });
      const body = (await res.json()) as {
        data: { aiSelfHostedModels: { nodes: unknown[] }; aiFeatureSettings: { nodes: { feature: string; selfHostedModel?: { name: string } }[] } };
      };
      expect(body.data.aiSelfHostedModels.nodes).toEqual([expect.objectContaining(one)]);
      expect(body.data.aiFeatureSettings.nodes.filter((n) => n.selfHostedModel?.name === 'vLLM').map((n) => n.feature)).toEqual([
        'code_completions',
        'code_generations',
      ]);
    } finally {
      stop.abort();
      await done;
    }
  });
});
