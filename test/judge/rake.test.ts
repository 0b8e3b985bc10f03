// The rake task's variants: which GitLab version speaks which, at the edges, and the texts each variant prints.
import { describe, expect, it } from 'vitest';
import {
  featureSettingsConfigured,
  HEALTH_CAUSES_HEADING,
  LICENSE_MISSING,
  modelFeaturesLine,
  NO_FEATURE_SETTINGS,
  NO_FEATURE_SETTINGS_CONSEQUENCE,
  rakeEra,
  rakeWording,
  SUMMARY_HEADING,
  SUMMARY_NOTE,
  type RakeEra,
} from '../../src/judge/rake.js';

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

describe('each variant, every line it prints', () => {
  const printed = (era: RakeEra) => {
    const w = rakeWording(era);
    return {
      steps: w.steps.map((s) => `${s.key}: ${s.heading}`),
      invalidUrl: w.invalidUrl,
      healthOk: w.healthOk,
      healthStatus: [w.healthStatus('ok'), w.healthStatus(''), w.healthStatus(undefined)],
      healthHttp: w.healthHttp(502),
      healthCauses: w.healthCauses,
      seatMissing: w.seatMissing,
    };
  };
  const shared = {
    invalidUrl: 'Invalid AI Gateway URL format: URL must be HTTP or HTTPS',
    healthOk: 'AI Gateway server is accessible',
    healthStatus: ['Health status: ok', 'Health status: Unknown', 'Health status: Unknown'],
    healthHttp: 'AI Gateway returned HTTP 502',
  };
  const newer = (setting: string) => [
    'AI Gateway is not running',
    `${setting} has an incorrect value`,
    "Network configuration doesn't allow communication between GitLab and AI Gateway",
    'Firewall blocking the connection',
    'SSL/TLS certificate issues (if using HTTPS)',
  ];
  const seat =
    'License is correct, but user does not have access to code suggestions. Please check user permissions and submit an issue to GitLab if needed.';

  it.each<[RakeEra, ReturnType<typeof printed>]>([
    [
      'env-var',
      {
        ...shared,
        steps: [
          'ai_gateway_url: Verifying environmental variables...',
          'license: Verifying license access to code suggestions...',
          'ai_gateway_health: Checking if AI Gateway is accessible...',
        ],
        healthCauses: [
          'AI Gateway is not running',
          "'AI_GATEWAY_URL' has an incorrect value",
          "the network configuration doesn't allow communication between GitLab and AI Gateway.",
        ],
        seatMissing: 'License is correct, but user does not have access to code suggestions. Please submit an issue to GitLab.',
      },
    ],
    [
      'setting',
      {
        ...shared,
        steps: [
          'system: Collecting system information...',
          'ai_gateway_url: Verifying AI Gateway URL configuration...',
          'license: Verifying license access to code suggestions...',
          'ai_gateway_health: Checking AI Gateway accessibility...',
          'self_hosted_models: Checking self-hosted model configuration...',
          'feature_settings: Checking feature settings and model assignments...',
          'request_flow: Testing request flow to configured models...',
        ],
        healthCauses: newer("'Ai::Setting.instance.ai_gateway_url'"),
        seatMissing: seat,
      },
    ],
    [
      'transport',
      {
        ...shared,
        steps: [
          'system: Collecting system information...',
          'ai_gateway_url: Verifying AI Gateway URL configuration...',
          'transport_connectivity: Checking transport-level connectivity (TCP, TLS, proxy)...',
          'license: Verifying license access to code suggestions...',
          'ai_gateway_health: Checking AI Gateway accessibility...',
          'self_hosted_models: Checking self-hosted model configuration...',
          'feature_settings: Checking feature settings and model assignments...',
          'request_flow: Testing request flow to configured models...',
          'duo_workflow_service: Checking Duo Workflow Service connectivity...',
          'agent_platform_websocket: Checking GitLab Duo Agent Platform WebSocket connectivity...',
        ],
        healthCauses: newer("the 'ai_gateway_url' application setting"),
        seatMissing: seat,
      },
    ],
  ])('%s', (era, want) => {
    expect(printed(era)).toEqual(want);
    expect(rakeWording(era).era).toBe(era);
  });

  it.each<[string, RakeEra]>([
    ['17.5.99', 'env-var'],
    ['16.0.0', 'env-var'],
    ['17.6.0', 'setting'],
    ['18.9.99', 'setting'],
    ['18.10.0', 'transport'],
  ])('rakeEra %s → %s', (version, era) => expect(rakeEra(version)).toBe(era));

  it('the fixed lines of the summary', () => {
    expect([HEALTH_CAUSES_HEADING, LICENSE_MISSING, NO_FEATURE_SETTINGS, NO_FEATURE_SETTINGS_CONSEQUENCE, SUMMARY_HEADING, ...SUMMARY_NOTE]).toEqual([
      'Cannot access AI Gateway. Possible causes:',
      'License does not provide access to code suggestions, verify your license',
      'No feature settings configured',
      'Models may not be available for any GitLab Duo features',
      'DIAGNOSTIC SUMMARY (sanitize before sharing with support)',
      'NOTE: Review the above output and remove any sensitive information',
      'before sharing with GitLab support.',
    ]);
    expect(featureSettingsConfigured(0, 0)).toBe('0 feature settings configured across 0 models');
    expect(modelFeaturesLine('m', [])).toBe('m: 0 feature(s) assigned ()');
  });
});
