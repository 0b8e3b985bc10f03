// The reference GitLab: the API subset duo-doctor reads, OIDC discovery and keys, GraphQL, and code suggestions.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { closedPort, listen, parseJson, pathOf, readBody, sendJson } from '../http.js';
import { CABLE_PATH, handleCableUpgrade, refuseCablePlainRequest } from './action-cable.js';
import { handleCodeSuggestions } from './code-suggestions.js';
import {
  licenseExpired,
  resolveGitLabState,
  type FeatureSettingOption,
  type GitLabOptions,
  type GitLabState,
  type SelfHostedModel,
} from './config.js';
import { handleAgentUpgrade, handleDuoWorkflows } from './duo-workflows.js';
import { execute, NO_PERMISSION, type Resolver } from './graphql.js';
import { serveJwks } from './jwks.js';
import { CloudConnectorKeys, createSigningKey, openIdConnectKey } from './signing.js';
import { listGroups } from './groups.js';
import { runStatusProbes } from './status-probes.js';

export type { GitLabOptions } from './config.js';

/** A running reference GitLab. */
export interface RunningGitLab {
  url: string;
  port: number;
  /** The token it accepts as the administrator's (generated when not given). */
  adminToken: string;
  instanceId: string;
  /** Changes the `ai_gateway_url` setting, as an administrator would in Admin > GitLab Duo. */
  setAiGatewayUrl(url: string | undefined): void;
  /** `gitlab-rake cloud_connector:keys:create` then `:rotate`: a new Cloud Connector key signs Duo tokens from now on. */
  rotateCloudConnectorKey(): void;
  /** Changes the `duo_agent_platform_service_url` setting (host:port) and whether GitLab uses TLS to it (`duo_workflow.secure`). */
  setDuoAgentPlatform(url: string | undefined, secure: boolean): void;
  close(): Promise<void>;
}

const UNAUTHORIZED = { message: '401 Unauthorized' };

/** The token a request presents: PRIVATE-TOKEN, or an `Authorization: Bearer` header. */
function presentedToken(req: IncomingMessage): string | undefined {
  const pat = req.headers['private-token'];
  if (typeof pat === 'string') return pat;
  const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
  return bearer?.[1];
}

function metadata(state: GitLabState) {
  return {
    version: state.version,
    revision: state.revision,
    kas: { enabled: false, externalUrl: null, version: null },
    enterprise: state.version.endsWith('-ee'),
  };
}

function license(state: GitLabState) {
  const l = state.license;
  if (!l) return null;
  const users = l.userLimit ?? 100;
  return {
    id: 1,
    plan: l.plan,
    created_at: `${l.startsAt ?? l.expiresAt}T00:00:00.000Z`,
    starts_at: l.startsAt ?? null,
    expires_at: l.expiresAt,
    historical_max: l.activeUsers ?? 12,
    maximum_user_count: l.activeUsers ?? 12,
    expired: licenseExpired(l),
    overage: 0,
    user_limit: users,
    active_users: l.activeUsers ?? 12,
    licensee: { Name: l.licensee ?? 'duo-doctor reference', Email: 'admin@example.com', Company: 'duo-doctor' },
    add_ons: {},
  };
}

function openidConfiguration(state: GitLabState) {
  const u = state.url;
  return {
    issuer: u,
    authorization_endpoint: `${u}/oauth/authorize`,
    token_endpoint: `${u}/oauth/token`,
    revocation_endpoint: `${u}/oauth/revoke`,
    introspection_endpoint: `${u}/oauth/introspect`,
    userinfo_endpoint: `${u}/oauth/userinfo`,
    jwks_uri: state.jwksUri,
    scopes_supported: ['api', 'read_api', 'read_user', 'openid', 'profile', 'email', 'ai_features'],
    response_types_supported: ['code'],
    response_modes_supported: ['query', 'fragment', 'form_post'],
    grant_types_supported: ['authorization_code', 'password', 'client_credentials', 'device_code', 'refresh_token'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    claim_types_supported: ['normal'],
    claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'sub_legacy', 'name', 'nickname', 'email', 'email_verified'],
  };
}

/** The administrator, the only user the reference knows (the owner of the admin token). */
function adminUser(state: GitLabState) {
  return {
    id: 1,
    username: 'root',
    name: 'Administrator',
    state: 'active',
    locked: false,
    avatar_url: null,
    web_url: `${state.externalUrl}/root`,
    is_admin: true,
    bot: false,
    two_factor_enabled: false,
    external: false,
  };
}

/** A self-hosted model's identity as GraphQL `AiSelfHostedModel` gives it (ids are its position, from 1). */
function selfHostedModelNode(state: GitLabState, model: SelfHostedModel) {
  return { id: `gid://gitlab/Ai::SelfHostedModel/${state.selfHostedModels.indexOf(model) + 1}`, name: model.name, model: model.model };
}

/** An `AiFeatureSetting` node (ee/app/graphql/types/ai/feature_settings/feature_setting_type.rb): feature, provider, its model. */
function featureSettingNode(state: GitLabState, setting: FeatureSettingOption) {
  const model = setting.provider === 'self_hosted' ? state.selfHostedModels.find((m) => m.name === setting.model) : undefined;
  return {
    feature: setting.feature,
    title: setting.feature.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase()),
    provider: setting.provider,
    selfHostedModel: model ? selfHostedModelNode(state, model) : null,
  };
}

/** The GraphQL root fields it answers; each needs the admin (no token: GitLab's permission error). */
function graphqlResolvers(state: GitLabState, admin: boolean): Record<string, Resolver> {
  const guard =
    (resolve: () => unknown): Resolver =>
    async () =>
      admin ? { value: await resolve() } : { error: NO_PERMISSION };
  return {
    duoSettings: guard(() => ({
      aiGatewayUrl: state.aiGatewayUrl ?? null,
      aiGatewayTimeoutSeconds: state.aiGatewayTimeoutSeconds,
      duoAgentPlatformServiceUrl: state.duoAgentPlatformServiceUrl ?? null,
      updatedAt: new Date().toISOString(),
    })),
    aiSelfHostedModels: guard(() => ({
      nodes: state.selfHostedModels.map((m) => ({
        ...selfHostedModelNode(state, m),
        endpoint: m.endpoint,
        identifier: m.identifier ?? null,
        hasApiToken: m.hasApiToken ?? false,
        releaseState: m.releaseState ?? 'GA',
        featureSettings: { nodes: state.featureSettings.filter((f) => f.model === m.name).map((f) => featureSettingNode(state, f)) },
      })),
    })),
    aiFeatureSettings: guard(() => ({ nodes: state.featureSettings.map((f) => featureSettingNode(state, f)) })),
    cloudConnectorStatus: guard(() => runStatusProbes(state)),
  };
}

async function graphql(state: GitLabState, req: IncomingMessage, res: ServerResponse, token: string | undefined): Promise<void> {
  if (token !== undefined && !state.adminTokens.has(token)) return sendJson(res, 401, { errors: [{ message: 'Invalid token' }] });
  const body = parseJson(await readBody(req)) as { query?: unknown } | undefined;
  if (typeof body?.query !== 'string') return sendJson(res, 200, { errors: [{ message: 'No query string was present' }] });
  sendJson(res, 200, await execute(body.query, graphqlResolvers(state, token !== undefined)));
}

/** The /api/v4 routes, for the authenticated administrator. */
async function api(state: GitLabState, path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const get = req.method === 'GET' || req.method === 'HEAD';
  if (get && (path === '/api/v4/metadata' || path === '/api/v4/version')) return sendJson(res, 200, metadata(state));
  if (get && path === '/api/v4/license') return sendJson(res, 200, license(state));
  if (get && path === '/api/v4/user') return sendJson(res, 200, adminUser(state));
  // A subset of GET /application/settings: silent_mode_enabled (lib/api/entities/application_setting.rb exposes the
  // visible attributes) and, with AI features licensed, duo_features_enabled / lock_duo_features_enabled
  // (ee/lib/ee/api/entities/application_setting.rb, 6714c9136).
  if (get && path === '/api/v4/application/settings') {
    const { duoFeaturesEnabled, lockDuoFeaturesEnabled, silentModeEnabled } = state.applicationSettings;
    return sendJson(res, 200, {
      silent_mode_enabled: silentModeEnabled,
      duo_features_enabled: duoFeaturesEnabled,
      lock_duo_features_enabled: lockDuoFeaturesEnabled,
    });
  }
  if (get && path === '/api/v4/groups') return listGroups(state, new URL(req.url ?? '/', 'http://gitlab').searchParams, res);
  const suggestion = /^\/api\/v4\/code_suggestions\/([a-z_]+)$/.exec(path)?.[1];
  if (req.method === 'POST' && suggestion && (await handleCodeSuggestions(state, suggestion, req, res))) return;
  if (path.startsWith('/api/v4/ai/duo_workflows/') && (await handleDuoWorkflows(state, path, req, res))) return;
  sendJson(res, 404, { error: '404 Not Found' });
}

/** Starts the reference GitLab; resolves once it listens. */
export async function startGitLab(options: GitLabOptions = {}): Promise<RunningGitLab> {
  const [oidcKey, cloudConnectorKeys, deadPort] = [openIdConnectKey(), new CloudConnectorKeys(createSigningKey()), await closedPort()];
  // The state needs the URL, known only once listening; until then (the same tick) requests are refused.
  const ref: { state?: GitLabState } = {};

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const s = ref.state;
    if (!s) return sendJson(res, 503, { message: '503 Service Unavailable' });
    const path = pathOf(req.url);
    if (path === '/-/health') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      return void res.end('GitLab OK');
    }
    if (path === '/-/readiness') return sendJson(res, 200, { status: 'ok', master_check: [{ status: 'ok' }] });
    if (path === '/-/liveness') return sendJson(res, 200, { status: 'ok' });
    if (path === '/.well-known/openid-configuration') return sendJson(res, 200, openidConfiguration(s));
    if (path === CABLE_PATH) return refuseCablePlainRequest(res);
    if (path === '/oauth/discovery/keys') return serveJwks(s, res);
    const token = presentedToken(req);
    if (path === '/api/graphql' || path === '/api/v4/graphql') {
      if (req.method !== 'POST') return sendJson(res, 404, { error: '404 Not Found' });
      return graphql(s, req, res, token);
    }
    if (!path.startsWith('/api/v4/')) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return void res.end('Not Found');
    }
    if (token === undefined || !s.adminTokens.has(token)) return sendJson(res, 401, UNAUTHORIZED);
    await api(s, path, req, res);
  }

  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const running = await listen({
    handler: handle,
    ...(options.host ? { host: options.host } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.tls ? { tls: options.tls } : {}),
    latencyMs: options.latencyMs ?? 0,
    log,
    setup: (server) =>
      server.on('upgrade', (req: IncomingMessage, socket: Duplex) =>
        ref.state && pathOf(req.url) === CABLE_PATH
          ? handleCableUpgrade(ref.state, req, socket)
          : handleAgentUpgrade(ref.state, presentedToken(req), pathOf(req.url), req, socket),
      ),
  });
  const ready = resolveGitLabState(options, {
    url: running.url,
    oidcKey,
    cloudConnectorKeys,
    deadJwksUri: `http://127.0.0.1:${deadPort}/oauth/discovery/keys`,
    deadOrigin: `http://127.0.0.1:${deadPort}`,
  });
  ref.state = ready;
  return {
    url: running.url,
    port: running.port,
    adminToken: ready.adminToken,
    instanceId: ready.instanceId,
    setAiGatewayUrl: (url) => {
      ready.aiGatewayUrl = url;
    },
    rotateCloudConnectorKey: () => {
      ready.cloudConnectorKeys.create();
      ready.cloudConnectorKeys.rotate();
    },
    setDuoAgentPlatform: (url, secure) => {
      ready.duoAgentPlatformServiceUrl = url;
      ready.duoWorkflowSecure = secure;
    },
    close: running.close,
  };
}
