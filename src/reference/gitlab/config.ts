// The reference GitLab's options (a scenario's knobs) and the instance state its routes share.
import { randomBytes, randomUUID } from 'node:crypto';
import type { TlsOptions } from '../http.js';
import type { CloudConnectorKeys, SigningKey } from './signing.js';
import type { OutboundPolicy } from './url-blocker.js';

/** How GitLab publishes its signing keys: normally, as an empty set, or advertised at an address nothing answers. */
export type JwksMode = 'normal' | 'empty' | 'unreachable';

/** The instance's license. Dates are `YYYY-MM-DD`, as GitLab's API writes them. */
export interface LicenseOptions {
  plan: string;
  startsAt?: string;
  expiresAt: string;
  /** Whether the license (with its Duo add-on) gives access to Code Suggestions. */
  codeSuggestions: boolean;
  userLimit?: number;
  activeUsers?: number;
  licensee?: string;
  /**
   * Its kind for Cloud Connector (License#online_cloud_license?): an air-gapped self-hosted installation has an
   * offline one (the default), so the cloud probes cannot synchronise.
   */
  cloud?: 'online' | 'offline';
}

/** A self-hosted model as GitLab lists it in `aiSelfHostedModels`. */
export interface SelfHostedModel {
  name: string;
  model: string;
  endpoint: string;
  identifier?: string;
  hasApiToken?: boolean;
  releaseState?: 'GA' | 'BETA' | 'EXPERIMENTAL';
}

/** One AI feature setting (Ai::FeatureSetting): the feature, its provider, and the self-hosted model (by name) it uses. */
export interface FeatureSettingOption {
  feature: string;
  provider: 'self_hosted' | 'vendored' | 'disabled' | 'unassigned';
  /** The `name` of a self-hosted model (provider `self_hosted`). */
  model?: string;
}

/**
 * A self-hosted installation's configuration around its one model (the demo's and `duo-doctor gitlab`'s): the model,
 * code completions and generation assigned to it, and — every server here being on loopback, which GitLab's URL
 * blocker refuses — 127.0.0.1 on the outbound allowlist, as an administrator would add it. Scenario options override it.
 */
export function selfHostedDefaults(
  model: SelfHostedModel,
): Pick<GitLabOptions, 'selfHostedModels' | 'featureSettings' | 'outboundLocalRequestsAllowlist'> {
  return {
    selfHostedModels: [model],
    featureSettings: [
      { feature: 'code_completions', provider: 'self_hosted', model: model.name },
      { feature: 'code_generations', provider: 'self_hosted', model: model.name },
    ],
    outboundLocalRequestsAllowlist: ['127.0.0.1'],
  };
}

/** A group: its full path, its parent's full path, and its own GitLab Duo availability (absent: it follows its parent). */
export interface GroupOption {
  path: string;
  parent?: string;
  duoFeaturesEnabled?: boolean;
  lockDuoFeaturesEnabled?: boolean;
}

/** Options of `startGitLab`. */
export interface GitLabOptions {
  port?: number;
  host?: string;
  /** The administrator's personal access token; generated (and returned) when absent. */
  adminToken?: string;
  /**
   * Other administrators' tokens it accepts too (a fleet benchmark gives each target its own): each personal access
   * token authenticates its own user (GitLab, lib/gitlab/auth/auth_finders.rb find_user_from_access_token, 6714c9136).
   */
  otherAdminTokens?: readonly string[];
  /** The `ai_gateway_url` application setting. */
  aiGatewayUrl?: string;
  /** GitLab version, e.g. `18.6.0-ee`. */
  version?: string;
  revision?: string;
  /** Serve https with this chain and key (else http). */
  tls?: TlsOptions;
  /** PEM CAs GitLab trusts when calling an https gateway. */
  ca?: string;
  /** Added to every response (a benchmark knob). */
  latencyMs?: number;
  /** The instance uuid (`sub` of its tokens, `X-Gitlab-Instance-Id`). */
  instanceId?: string;
  /** Seconds GitLab's clock is off when it signs tokens (positive = ahead). */
  clockSkewSeconds?: number;
  /** `aud` of the tokens it signs (default `gitlab-ai-gateway`). */
  audience?: string;
  jwks?: JwksMode;
  /** `null` = no license installed. */
  license?: LicenseOptions | null;
  /** The `disabled_direct_code_suggestions` setting. */
  directAccessDisabled?: boolean;
  /**
   * The instance URL GitLab believes it has (`external_url`), reported as its host name (connection_details,
   * `X-Gitlab-Host-Name`). Default: the URL it listens on. Lets a loopback server model a GitLab on another host.
   */
  externalUrl?: string;
  selfHostedModels?: SelfHostedModel[];
  /** Its AI feature settings (default: none configured). */
  featureSettings?: FeatureSettingOption[];
  /** The `duo_agent_platform_service_url` setting (18.4+). */
  duoAgentPlatformServiceUrl?: string;
  /** allow_local_requests_from_web_hooks_and_services (GitLab's default: off). */
  allowLocalRequests?: boolean;
  /** outbound_local_requests_whitelist (GitLab's default: empty). */
  outboundLocalRequestsAllowlist?: string[];
  /** Application settings `duo_features_enabled` (default true), `lock_duo_features_enabled` and `silent_mode_enabled` (default false). */
  applicationSettings?: { duoFeaturesEnabled?: boolean; lockDuoFeaturesEnabled?: boolean; silentModeEnabled?: boolean };
  /** Ai::Setting's ai_gateway_timeout_seconds (18.7+, 60 to 600; default 60). */
  aiGatewayTimeoutSeconds?: number;
  /** Its groups (default: one top-level group, `duo-users`, following the instance). */
  groups?: GroupOption[];
  /** Whether GitLab talks TLS to the Duo Workflow Service (config/initializers/1_settings.rb: DUO_AGENT_PLATFORM_SERVICE_SECURE, default true). */
  duoWorkflowSecure?: boolean;
  /**
   * The health check's end-to-end probe gets a 401 from the gateway while Duo works (gitlab-org/gitlab#517097, #509801):
   * the reference signs that probe's token for another audience, so the real gateway refuses it ("Forbidden by auth
   * provider"). It reproduces the symptom the issues report, not GitLab's cause, which the issues do not pin down.
   */
  endToEndProbeRefused?: boolean;
  /** Where log lines go (default: stderr). */
  log?: (line: string) => void;
}

/** Everything the routes read: resolved options plus what exists only once the server runs. */
export interface GitLabState {
  url: string;
  externalUrl: string;
  adminToken: string;
  /** Every token that authenticates an administrator: `adminToken` and `otherAdminTokens`. */
  adminTokens: ReadonlySet<string>;
  aiGatewayUrl: string | undefined;
  version: string;
  revision: string;
  instanceId: string;
  /** Rails' openid_connect_signing_key. */
  oidcKey: SigningKey;
  /** The table cloud_connector_keys: its current key signs Duo tokens. */
  cloudConnectorKeys: CloudConnectorKeys;
  jwks: JwksMode;
  /** Where discovery says the keys are (a dead address in `unreachable` mode). */
  jwksUri: string;
  license: LicenseOptions | null;
  directAccessDisabled: boolean;
  clockSkewSeconds: number;
  audience: string | undefined;
  ca: string | undefined;
  selfHostedModels: SelfHostedModel[];
  featureSettings: FeatureSettingOption[];
  duoAgentPlatformServiceUrl: string | undefined;
  /** Application settings read by GET /api/v4/application/settings. */
  applicationSettings: { duoFeaturesEnabled: boolean; lockDuoFeaturesEnabled: boolean; silentModeEnabled: boolean };
  groups: GroupOption[];
  aiGatewayTimeoutSeconds: number;
  outbound: OutboundPolicy;
  /**
   * Stand-ins for GitLab's cloud endpoints (CustomersDot, Cloud Connector, the Duo Workflow Service): the reference is an
   * air-gapped installation, so each is a loopback port nothing listens on — it never sends traffic off this host.
   */
  cloud: { customersDotUrl: string; cloudConnectorUrl: string; duoWorkflowServiceUrl: string };
  /** `Gitlab.config.duo_workflow.secure` (DUO_AGENT_PLATFORM_SERVICE_SECURE, default true). */
  duoWorkflowSecure: boolean;
  endToEndProbeRefused: boolean;
  log: (line: string) => void;
}

/** The default GitLab version; the default gateway image tag matches it. */
export const DEFAULT_GITLAB_VERSION = '19.4.1-ee';

const DAY_MS = 86_400_000;
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** A valid Ultimate license with Code Suggestions, started a year ago and ending in a year. */
export function defaultLicense(): LicenseOptions {
  const now = Date.now();
  return { plan: 'ultimate', startsAt: isoDate(now - 365 * DAY_MS), expiresAt: isoDate(now + 365 * DAY_MS), codeSuggestions: true };
}

/** Whether a license has passed its expiry date (GitLab: expired the day after `expires_at`). */
export function licenseExpired(license: LicenseOptions): boolean {
  return Date.parse(`${license.expiresAt}T23:59:59Z`) < Date.now();
}

/** Whether the instance gives its users Code Suggestions: a current license that includes it. */
export function codeSuggestionsAvailable(license: LicenseOptions | null): boolean {
  return !!license && license.codeSuggestions && !licenseExpired(license);
}

/** A fresh admin token in GitLab's personal access token format. */
export function generateToken(): string {
  return `glpat-${randomBytes(15).toString('base64url')}`;
}

/** Resolves options into the state, given what the server learned at start. */
export function resolveGitLabState(
  opts: GitLabOptions,
  started: { url: string; oidcKey: SigningKey; cloudConnectorKeys: CloudConnectorKeys; deadJwksUri: string; deadOrigin: string },
): GitLabState {
  const adminToken = opts.adminToken ?? generateToken();
  return {
    url: started.url,
    externalUrl: opts.externalUrl ?? started.url,
    adminToken,
    adminTokens: new Set([adminToken, ...(opts.otherAdminTokens ?? [])]),
    aiGatewayUrl: opts.aiGatewayUrl,
    version: opts.version ?? DEFAULT_GITLAB_VERSION,
    revision: opts.revision ?? 'd0c70d0c70d',
    instanceId: opts.instanceId ?? randomUUID(),
    oidcKey: started.oidcKey,
    cloudConnectorKeys: started.cloudConnectorKeys,
    jwks: opts.jwks ?? 'normal',
    jwksUri: opts.jwks === 'unreachable' ? started.deadJwksUri : `${started.url}/oauth/discovery/keys`,
    license: opts.license === undefined ? defaultLicense() : opts.license,
    directAccessDisabled: opts.directAccessDisabled ?? false,
    clockSkewSeconds: opts.clockSkewSeconds ?? 0,
    audience: opts.audience,
    ca: opts.ca,
    selfHostedModels: opts.selfHostedModels ?? [],
    featureSettings: opts.featureSettings ?? [],
    duoAgentPlatformServiceUrl: opts.duoAgentPlatformServiceUrl,
    outbound: { allowLocalRequests: opts.allowLocalRequests ?? false, allowlist: opts.outboundLocalRequestsAllowlist ?? [] },
    applicationSettings: {
      duoFeaturesEnabled: opts.applicationSettings?.duoFeaturesEnabled ?? true,
      lockDuoFeaturesEnabled: opts.applicationSettings?.lockDuoFeaturesEnabled ?? false,
      silentModeEnabled: opts.applicationSettings?.silentModeEnabled ?? false,
    },
    groups: opts.groups ?? [{ path: 'duo-users' }],
    aiGatewayTimeoutSeconds: opts.aiGatewayTimeoutSeconds ?? 60,
    cloud: {
      customersDotUrl: started.deadOrigin,
      cloudConnectorUrl: started.deadOrigin,
      duoWorkflowServiceUrl: new URL(started.deadOrigin).host,
    },
    duoWorkflowSecure: opts.duoWorkflowSecure ?? true,
    endToEndProbeRefused: opts.endToEndProbeRefused ?? false,
    log: opts.log ?? ((line) => process.stderr.write(`${line}\n`)),
  };
}
