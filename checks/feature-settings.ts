// feature-settings: which GitLab Duo features use which self-hosted model — the rake task's "feature settings" step
// (verify_feature_settings!), read from GraphQL as the admin's Self-hosted models page reads it — and models no feature uses.
import { defineCheck, type FindingOf, type Judgement, type Messages } from '../src/check.js';
import { ADMIN_FEATURES } from '../src/data/admin-paths.js';
import { featureSettingsConfigured, modelFeaturesLine, NO_FEATURE_SETTINGS, NO_FEATURE_SETTINGS_CONSEQUENCE } from '../src/judge/rake.js';
import { featureSettings, type FeatureSettingsFacts, type SelfHostedModelFact } from '../src/probes/gitlab-api.js';

/** What feature-settings judges. */
export interface Facts {
  settings: FeatureSettingsFacts;
}

const ASSIGN =
  `Assign the features to your self-hosted models at ${ADMIN_FEATURES} ` +
  '(GraphQL mutation aiFeatureSettingUpdate), e.g. Code Completion and Code Generation to your code model.';

export const messages = {
  configured: { status: 'pass', text: (d: { total: number; models: number }) => featureSettingsConfigured(d.total, d.models) },
  none: { status: 'warn', text: () => NO_FEATURE_SETTINGS, fix: ASSIGN },
  modelsUnused: {
    status: 'warn',
    text: (d: { names: string[] }) =>
      `${d.names.length} self-hosted model${d.names.length === 1 ? ' is' : 's are'} assigned to no feature: ${d.names.join(', ')}`,
    fix: `${ASSIGN} A model no feature uses is never called: assign it, or delete it.`,
  },
  unavailable: { status: 'skip', text: (d: { reason: string }) => `GitLab's feature settings cannot be read: ${d.reason}` },
} satisfies Messages;

type Finding = FindingOf<typeof messages>;

const modelLabel = (m: SelfHostedModelFact) => `${m.name} (${m.model})`;

/** Judges the feature settings as the rake task does (a setting counts when it has a self-hosted model), plus unused models. Pure. */
export function judge(f: Facts): Judgement<typeof messages> {
  if (!f.settings.available) {
    const reason = /Field 'aiFeatureSettings' doesn't exist/.test(f.settings.reason)
      ? `${f.settings.reason} (GitLab before 17.4 has no feature settings)`
      : f.settings.reason;
    return { findings: [{ id: 'unavailable', data: { reason } }] };
  }
  const { settings, models } = f.settings;
  const assigned = settings.filter((s) => s.model);
  const byModel = new Map<string, { model: SelfHostedModelFact; features: string[] }>();
  for (const s of assigned) {
    const model = s.model as SelfHostedModelFact;
    const entry = byModel.get(model.id) ?? { model, features: [] };
    entry.features.push(s.feature);
    byModel.set(model.id, entry);
  }
  const unused = models.filter((m) => !byModel.has(m.id));
  const vendored = settings.filter((s) => s.provider === 'vendored').map((s) => s.feature);
  const details = [...byModel.values()].map((e) => modelFeaturesLine(e.model.name, e.features));
  if (vendored.length)
    details.push(`On GitLab-managed (vendored) models: ${vendored.join(', ')} — GitLab then runs its cloud-connected health probes too`);
  const findings: Finding[] = [];
  if (assigned.length === 0) {
    findings.push({ id: 'none' });
    details.push(NO_FEATURE_SETTINGS_CONSEQUENCE, ...(models.length ? [`Self-hosted models: ${models.map(modelLabel).join(', ')}`] : []));
  } else {
    findings.push({ id: 'configured', data: { total: assigned.length, models: byModel.size } });
    if (unused.length) findings.push({ id: 'modelsUnused', data: { names: unused.map(modelLabel) } });
  }
  const features = assigned.map((s) => ({
    model_id: s.model?.id,
    model_name: s.model?.name,
    model_type: s.model?.model,
    feature_type: s.feature,
    provider: s.provider,
  }));
  return {
    findings,
    details,
    evidence: {
      totalFeatures: assigned.length,
      modelsWithFeatures: byModel.size,
      unusedModels: unused.map((m) => m.name),
      vendored,
      // The rake task's `feature_settings` and `self_hosted_models` diagnostics.
      rakeDiagnostics: {
        feature_settings: assigned.length
          ? { status: 'OK', total_features: assigned.length, features, models_with_features: byModel.size }
          : { status: 'WARNING', total_features: 0, features: [], models_with_features: 0, warning: 'No feature settings configured for any models' },
        self_hosted_models: models.length
          ? { status: 'OK', count: models.length, models: models.map((m) => ({ id: m.id, name: m.name, model_type: m.model })) }
          : { status: 'WARNING', count: 0, models: [], error: 'No self-hosted models configured' },
      },
    },
  };
}

export default defineCheck({
  id: 'feature-settings',
  title: 'GitLab Duo features are assigned to the self-hosted models',
  category: 'system-exchange',
  tags: ['ci', 'oncall', 'pre-upgrade'],
  dependsOn: ['gitlab-reachable'],
  needs: ['gitlab', 'token'],
  explain: {
    checks:
      "GitLab's AI feature settings and self-hosted models (GraphQL aiFeatureSettings { feature provider selfHostedModel } and " +
      'aiSelfHostedModels, as the admin page reads them): "N feature settings configured across M models", each model with its features, ' +
      "as the rake task's feature-settings step prints it, plus the models no feature uses and the features on GitLab-managed models.",
    failsWhen:
      'Warns when no feature uses a self-hosted model ("No feature settings configured": models may not be available for any GitLab Duo ' +
      'features), or when a self-hosted model is assigned to no feature. Skipped before GitLab 17.4 (no aiFeatureSettings) or without an ' +
      "administrator's token.",
    fix: ASSIGN,
  },
  messages,
  // Stryker disable all: gather does I/O (probes); the integration tier tests it, mutating it here only measures the unit tier's blind spot
  async gather(ctx): Promise<Facts> {
    return { settings: await featureSettings(ctx) };
  },
  // Stryker restore all
  judge,
});
