// The wording of `gitlab-rake gitlab:duo:verify_self_hosted_setup`, version by version: its steps, their order, the
// lines it prints, and the keys of its DIAGNOSTIC SUMMARY. Source: gitlab-org/gitlab
// ee/lib/gitlab/duo/administration/verify_self_hosted_setup.rb — three variants (see FIDELITY.md):
//  - 'env-var': the task before the `ai_settings` table (db/docs/ai_settings.yml: milestone 17.6), reading AI_GATEWAY_URL.
//  - 'setting': flyisland/gitlab-ee 6714c9136 (18.9.0-pre, master of 2026-02-13): Ai::Setting, diagnostics, feature settings.
//  - 'transport': the variant after that master (code index, flyisland/gitlab-ee): transport, Duo Workflow Service and
//    WebSocket steps, "application setting" wording. The first release that can carry it is 18.10.
import { compareVersions, parseVersion, type Version } from './versions.js';

const atLeast = (v: Version, major: number, minor: number): boolean => compareVersions(v, { major, minor, patch: 0 }) >= 0;

/** Which variant of the rake task a GitLab version runs. */
export type RakeEra = 'env-var' | 'setting' | 'transport';

/** The era of a GitLab version; an unknown version speaks the wording of the GitLab source duo-doctor follows ('setting'). */
export function rakeEra(version: string | undefined): RakeEra {
  const v = version === undefined ? undefined : parseVersion(version);
  if (!v) return 'setting';
  if (!atLeast(v, 17, 6)) return 'env-var';
  return atLeast(v, 18, 10) ? 'transport' : 'setting';
}

/** Keys of the rake task's DIAGNOSTIC SUMMARY (`@diagnostics[...]`), each a step of the task. */
export type RakeKey =
  | 'system'
  | 'ai_gateway_url'
  | 'transport_connectivity'
  | 'license'
  | 'ai_gateway_health'
  | 'self_hosted_models'
  | 'feature_settings'
  | 'request_flow'
  | 'duo_workflow_service'
  | 'agent_platform_websocket';

/** What the task prints as it starts each step. */
const HEADINGS: Record<RakeKey, string> = {
  system: 'Collecting system information...',
  ai_gateway_url: 'Verifying AI Gateway URL configuration...',
  transport_connectivity: 'Checking transport-level connectivity (TCP, TLS, proxy)...',
  license: 'Verifying license access to code suggestions...',
  ai_gateway_health: 'Checking AI Gateway accessibility...',
  self_hosted_models: 'Checking self-hosted model configuration...',
  feature_settings: 'Checking feature settings and model assignments...',
  request_flow: 'Testing request flow to configured models...',
  duo_workflow_service: 'Checking Duo Workflow Service connectivity...',
  agent_platform_websocket: 'Checking GitLab Duo Agent Platform WebSocket connectivity...',
};

/** The steps of each variant, in the order `execute` runs them. */
const STEPS: Record<RakeEra, readonly RakeKey[]> = {
  'env-var': ['ai_gateway_url', 'license', 'ai_gateway_health'],
  setting: ['system', 'ai_gateway_url', 'license', 'ai_gateway_health', 'self_hosted_models', 'feature_settings', 'request_flow'],
  transport: [
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
  ],
};

/** The setting as each variant names it in its messages. */
const SETTING_NAME: Record<RakeEra, string> = {
  'env-var': "'AI_GATEWAY_URL'",
  setting: "'Ai::Setting.instance.ai_gateway_url'",
  transport: "the 'ai_gateway_url' application setting",
};

/** The wording of one variant. */
export interface RakeWording {
  era: RakeEra;
  /** Its steps, in order, with the line each starts with. */
  steps: readonly { key: RakeKey; heading: string }[];
  /** Whether it ends with the DIAGNOSTIC SUMMARY (the 'env-var' variant has none). */
  diagnosticSummary: boolean;
  /** The error it raises when GitLab has no AI gateway URL. */
  blankUrl: string;
  /** Its success line for the URL (without the ✔). */
  urlConfigured(url: string): string;
  /** Its error for a URL that is not http(s). */
  invalidUrl: string;
  /** Its line when GET /monitoring/healthz answers 200, and the status line under it. */
  healthOk: string;
  healthStatus(status: string | undefined): string;
  /** Its line for another HTTP status. */
  healthHttp(code: number): string;
  /** "Cannot access AI Gateway. Possible causes:" and its list. */
  healthCauses: readonly string[];
  /** Its error when the license has Code Suggestions but the user may not use them. */
  seatMissing: string;
}

export const HEALTH_CAUSES_HEADING = 'Cannot access AI Gateway. Possible causes:';
export const LICENSE_MISSING = 'License does not provide access to code suggestions, verify your license';
export const NO_FEATURE_SETTINGS = 'No feature settings configured';
export const NO_FEATURE_SETTINGS_CONSEQUENCE = 'Models may not be available for any GitLab Duo features';
export const SUMMARY_HEADING = 'DIAGNOSTIC SUMMARY (sanitize before sharing with support)';
export const SUMMARY_NOTE = ['NOTE: Review the above output and remove any sensitive information', 'before sharing with GitLab support.'];

/** "N feature settings configured across M models" (the task does not singularise). */
export const featureSettingsConfigured = (total: number, models: number): string => `${total} feature settings configured across ${models} models`;
/** One model's line under it. */
export const modelFeaturesLine = (model: string, features: readonly string[]): string =>
  `${model}: ${features.length} feature(s) assigned (${features.join(', ')})`;

/** The wording of the variant a GitLab version runs. */
export function rakeWording(era: RakeEra): RakeWording {
  const setting = SETTING_NAME[era];
  const env = era === 'env-var';
  return {
    era,
    steps: STEPS[era].map((key) => ({
      key,
      heading:
        env && key === 'ai_gateway_url'
          ? 'Verifying environmental variables...'
          : env && key === 'ai_gateway_health'
            ? 'Checking if AI Gateway is accessible...'
            : HEADINGS[key],
    })),
    diagnosticSummary: !env,
    blankUrl: env ? "Set 'AI_GATEWAY_URL' to point to your AI Gateway Instance" : `Set ${setting} to point to your AI Gateway instance`,
    urlConfigured: (url) => (env ? `'AI_GATEWAY_URL' set to ${url}` : `AI Gateway URL configured: ${url}`),
    invalidUrl: 'Invalid AI Gateway URL format: URL must be HTTP or HTTPS',
    healthOk: 'AI Gateway server is accessible',
    healthStatus: (status) => `Health status: ${status || 'Unknown'}`,
    healthHttp: (code) => `AI Gateway returned HTTP ${code}`,
    healthCauses: env
      ? [
          'AI Gateway is not running',
          `${setting} has an incorrect value`,
          "the network configuration doesn't allow communication between GitLab and AI Gateway.",
        ]
      : [
          'AI Gateway is not running',
          `${setting} has an incorrect value`,
          "Network configuration doesn't allow communication between GitLab and AI Gateway",
          'Firewall blocking the connection',
          'SSL/TLS certificate issues (if using HTTPS)',
        ],
    seatMissing: env
      ? 'License is correct, but user does not have access to code suggestions. Please submit an issue to GitLab.'
      : 'License is correct, but user does not have access to code suggestions. Please check user permissions and submit an issue to GitLab if needed.',
  };
}
