// feature-settings: the rake task's feature-settings step (settings with a self-hosted model, counted across models),
// models no feature uses, GitLab versions without the field — a table over the judge, then against the reference GitLab.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { judge, type Facts } from '../../checks/feature-settings.js';
import type { FeatureSettingFact, SelfHostedModelFact } from '../../src/probes/gitlab-api.js';
import { startGitLab, type RunningGitLab } from '../../src/reference/gitlab/server.js';
import { makeContext } from '../helpers/context.js';
import { renderFacts } from '../helpers/render-facts.js';
import { expectRenderings, type RenderCase } from '../helpers/renderings.js';

const model = (n: number, name = `Model ${n}`): SelfHostedModelFact => ({ id: `gid://gitlab/Ai::SelfHostedModel/${n}`, name, model: 'codestral' });
const on = (feature: string, m?: SelfHostedModelFact): FeatureSettingFact => ({
  feature,
  provider: m ? 'self_hosted' : 'unassigned',
  ...(m ? { model: m } : {}),
});
const facts = (settings: FeatureSettingFact[], models: SelfHostedModelFact[]): Facts => ({ settings: { available: true, settings, models } });
const [A, B] = [model(1, 'Codestral'), model(2, 'Llama')];

describe('feature-settings judge', () => {
  it.each<[string, Facts, string[]]>([
    ['no settings, no models', facts([], []), ['none']],
    ['a model, no setting', facts([], [A]), ['none']],
    ['a model, only unassigned settings', facts([on('code_completions')], [A]), ['none']],
    ['one setting on the one model', facts([on('code_completions', A)], [A]), ['configured']],
    ['every model used', facts([on('code_completions', A), on('duo_chat', B)], [A, B]), ['configured']],
    ['one model of two unused', facts([on('code_completions', A), on('code_generations', A)], [A, B]), ['configured', 'modelsUnused']],
    ['a vendored feature beside', facts([on('code_completions', A), { feature: 'duo_chat', provider: 'vendored' }], [A]), ['configured']],
    ['GitLab before 17.4', { settings: { available: false, reason: "Field 'aiFeatureSettings' doesn't exist on type 'Query'" } }, ['unavailable']],
  ])('%s → %j', (_name, f, ids) => {
    expect(judge(f).findings.map((x) => x.id)).toEqual(ids);
  });

  it("prints the rake task's lines", () => {
    const out = renderFacts(check, facts([on('code_completions', A), on('code_generations', A), on('duo_chat', B)], [A, B, model(3)]));
    expect(out.summary).toBe('1 self-hosted model is assigned to no feature: Model 3 (codestral)');
    expect(out.details).toEqual([
      'Codestral: 2 feature(s) assigned (code_completions, code_generations)',
      'Llama: 1 feature(s) assigned (duo_chat)',
      '✔ 3 feature settings configured across 2 models',
    ]);
  });

  it('warns as the rake task does when nothing is assigned, and carries its diagnostics', () => {
    const out = renderFacts(check, facts([], [A]));
    expect(out).toMatchObject({ status: 'warn', summary: 'No feature settings configured' });
    expect(out.details).toContain('Models may not be available for any GitLab Duo features');
    expect(out.evidence).toMatchObject({
      rakeDiagnostics: {
        feature_settings: { status: 'WARNING', total_features: 0, warning: 'No feature settings configured for any models' },
        self_hosted_models: { status: 'OK', count: 1 },
      },
    });
  });
});

describe('feature-settings against the reference GitLab', () => {
  let gitlab: RunningGitLab;
  beforeAll(async () => {
    gitlab = await startGitLab({
      log: () => {},
      selfHostedModels: [
        { name: 'Codestral', model: 'codestral', endpoint: 'http://127.0.0.1:1' },
        { name: 'Spare', model: 'mistral', endpoint: 'http://127.0.0.1:1' },
      ],
      featureSettings: [{ feature: 'code_completions', provider: 'self_hosted', model: 'Codestral' }],
    });
  });
  afterAll(() => gitlab.close());

  it('reads aiFeatureSettings and aiSelfHostedModels as an admin', async () => {
    const ctx = makeContext({ gitlabUrl: gitlab.url, gitlabToken: gitlab.adminToken });
    const f = (await check.gather(ctx)) as Facts;
    expect(JSON.parse(JSON.stringify(f))).toEqual(f);
    const out = await check.run(ctx);
    expect(out).toMatchObject({ status: 'warn', summary: '1 self-hosted model is assigned to no feature: Spare (mistral)' });
    expect(out.details).toContain('✔ 1 feature settings configured across 1 models');
    expect(out.findings?.map((x) => x.id)).toEqual(['configured', 'modelsUnused']);
  });

  it('skips without permission (a token GitLab does not know)', async () => {
    const out = await check.run(makeContext({ gitlabUrl: gitlab.url, gitlabToken: 'glpat-not-the-admin' }));
    expect(out.status).toBe('skip');
  });
});

describe('feature-settings renderings (every message, pinned in __renderings__/feature-settings.txt)', () => {
  const at = (settings: FeatureSettingFact[], models: SelfHostedModelFact[]): Facts => ({ settings: { available: true, settings, models } });
  const vendored: FeatureSettingFact = { feature: 'duo_chat', provider: 'vendored' };
  const cases: RenderCase<Facts>[] = [
    { name: 'one feature on one model', facts: at([on('code_completions', model(1))], [model(1)]) },
    {
      name: 'three features on two models, one unused, one vendored',
      facts: at(
        [on('code_completions', model(1)), on('code_generations', model(1)), on('duo_chat', model(2)), vendored],
        [model(1), model(2), model(3)],
      ),
    },
    { name: 'two models unused', facts: at([on('code_completions', model(1))], [model(1), model(2), model(3, 'Llama')]) },
    { name: 'no feature assigned, no model', facts: at([], []) },
    { name: 'no feature assigned, two models', facts: at([on('code_completions')], [model(1), model(2)]) },
    { name: 'only vendored features', facts: at([vendored, { feature: 'code_completions', provider: 'vendored' }], [model(1)]) },
    { name: 'GitLab before 17.4', facts: { settings: { available: false, reason: "Field 'aiFeatureSettings' doesn't exist on type 'Query'" } } },
    { name: 'unreadable', facts: { settings: { available: false, reason: 'HTTP 403 from GitLab' } } },
  ];
  it('renders every case as pinned, reaching every message', () => expectRenderings(check, cases));
});
