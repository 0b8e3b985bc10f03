// The rake task's variants: which GitLab version speaks which, at the edges, and the texts each variant prints.
import { describe, expect, it } from 'vitest';
import { featureSettingsConfigured, modelFeaturesLine, rakeEra, rakeWording } from '../../src/judge/rake.js';

describe('rakeEra', () => {
  it.each<[string | undefined, string]>([
    ['17.5.9-ee', 'env-var'],
    ['17.6.0-ee', 'setting'],
    ['18.6.0-ee', 'setting'],
    ['18.9.0-pre', 'setting'],
    ['18.10.0-ee', 'transport'],
    ['19.0.0-ee', 'transport'],
    [undefined, 'setting'],
    ['main', 'setting'],
  ])('%s → %s', (version, era) => expect(rakeEra(version)).toBe(era));
});

describe('rakeWording', () => {
  it('lists the steps of each variant, in order', () => {
    expect(rakeWording('env-var').steps.map((s) => s.heading)).toEqual([
      'Verifying environmental variables...',
      'Verifying license access to code suggestions...',
      'Checking if AI Gateway is accessible...',
    ]);
    expect(rakeWording('setting').steps.map((s) => s.key)).toEqual([
      'system',
      'ai_gateway_url',
      'license',
      'ai_gateway_health',
      'self_hosted_models',
      'feature_settings',
      'request_flow',
    ]);
    expect(rakeWording('transport').steps.map((s) => s.key)).toEqual([
      'system',
      'ai_gateway_url',
      'transport_connectivity',
      'license',
      'ai_gateway_health',
      'self_hosted_models',
      'feature_settings',
      'request_flow',
      'duo_workflow_service',
      'agent_platform_websocket',
    ]);
  });

  it.each([
    ['env-var', "Set 'AI_GATEWAY_URL' to point to your AI Gateway Instance", "'AI_GATEWAY_URL' set to http://a:5052", false],
    ['setting', "Set 'Ai::Setting.instance.ai_gateway_url' to point to your AI Gateway instance", 'AI Gateway URL configured: http://a:5052', true],
    [
      'transport',
      "Set the 'ai_gateway_url' application setting to point to your AI Gateway instance",
      'AI Gateway URL configured: http://a:5052',
      true,
    ],
  ] as const)('%s: blank URL, success line, summary', (era, blank, configured, summary) => {
    const w = rakeWording(era);
    expect([w.blankUrl, w.urlConfigured('http://a:5052'), w.diagnosticSummary]).toEqual([blank, configured, summary]);
  });

  it('prints the feature-settings lines as the task does', () => {
    expect(featureSettingsConfigured(1, 1)).toBe('1 feature settings configured across 1 models');
    expect(modelFeaturesLine('Codestral', ['code_completions', 'code_generations'])).toBe(
      'Codestral: 2 feature(s) assigned (code_completions, code_generations)',
    );
  });

  it('says "Unknown" for a health answer without a status', () => {
    expect(rakeWording('setting').healthStatus(undefined)).toBe('Health status: Unknown');
  });
});
