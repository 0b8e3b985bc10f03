// Memoised calls to GitLab's REST and GraphQL APIs with the administrator's token: the token only in PRIVATE-TOKEN, only to GitLab's origin, no redirect followed.
import type { CheckContext } from '../check.js';
import { redactSecrets, redactUrl } from '../redact.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { httpRequest, parseJson, type HttpExchange, type HttpResponse } from './http.js';
import { clientTrust } from './trust.js';

/** GitLab's GraphQL endpoint (GitLab serves it at `/api/graphql`, not under `/api/v4`). */
export const GRAPHQL_PATH = '/api/graphql';

/** The outcome of a GraphQL query: its `data`, or why there is none (GraphQL errors, HTTP status, transport failure). */
export type GraphqlResult = { ok: true; data: any } | { ok: false; reason: string; exchange?: HttpExchange }; // eslint-disable-line @typescript-eslint/no-explicit-any -- GraphQL data is shaped by the query

/** Where the AI gateway URL came from, as the gateway-url check reports it. */
export interface GatewayUrlResolution {
  url?: string;
  source: 'flag' | 'env' | 'config' | 'gitlab' | 'none';
  /** Why there is no URL, or a note on how it was read. */
  detail?: string;
}

/** `<gitlabUrl><path>`, keeping a relative URL root (`https://host/gitlab`). */
export function gitlabEndpoint(gitlabUrl: string, path: string): string {
  return `${gitlabUrl.replace(/\/+$/, '')}${path.startsWith('/') ? path : `/${path}`}`;
}

function failed(message: string): HttpExchange {
  return { ok: false, elapsedMs: 0, failure: { kind: 'other', message } };
}

/** One memoised exchange with GitLab. The key names method, URL and body — never the token. */
function exchange(ctx: CheckContext, method: 'GET' | 'POST', path: string, body?: string): Promise<HttpExchange> {
  const { gitlabUrl, gitlabToken, timeoutMs, env } = ctx.settings;
  if (!gitlabUrl) return Promise.resolve(failed('no GitLab URL given'));
  const url = gitlabEndpoint(gitlabUrl, path);
  // The path is ours, but check anyway: the token must never leave GitLab's origin.
  try {
    if (new URL(url).origin !== new URL(gitlabUrl).origin)
      return Promise.resolve(failed(`refusing to send the token outside ${redactUrl(gitlabUrl)}`));
  } catch {
    return Promise.resolve(failed(`not a URL: ${redactUrl(gitlabUrl)}`));
  }
  return ctx.memo(`gitlab-api ${method} ${url}${body === undefined ? '' : ` ${body}`}`, async () => {
    const trust = await clientTrust(ctx);
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': `${TOOL_NAME}/${TOOL_VERSION}` };
    if (gitlabToken) headers['private-token'] = gitlabToken;
    if (body !== undefined) headers['content-type'] = 'application/json';
    return httpRequest({ url, method, headers, body, ca: trust.ca, timeoutMs, proxyEnv: env, signal: ctx.signal });
  });
}

/** GET `<gitlabUrl><path>` with the token in PRIVATE-TOKEN. Memoised for the run; never throws. */
export function gitlabGet(ctx: CheckContext, path: string): Promise<HttpExchange> {
  return exchange(ctx, 'GET', path);
}

/** POST `body` as JSON to `<gitlabUrl><path>` with the token in PRIVATE-TOKEN. Memoised for the run; never throws. */
export function gitlabPost(ctx: CheckContext, path: string, body: unknown): Promise<HttpExchange> {
  return exchange(ctx, 'POST', path, JSON.stringify(body));
}

/** A short, single-line, secret-free excerpt of a response body for a report. */
export function bodyExcerpt(ctx: CheckContext, response: HttpResponse, max = 200): string {
  const flat = redactSecrets(response.body.replace(/\s+/g, ' ').trim(), [ctx.settings.gitlabToken]);
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** What a 3xx from GitLab means; a redirect to another origin is named, and the token was not sent there. */
export function describeRedirect(ctx: CheckContext, response: HttpResponse): string {
  const target = response.redirectTo;
  if (!target) return `GitLab answered HTTP ${response.status} without a Location`;
  let origin: string | undefined;
  try {
    origin = new URL(target).origin;
  } catch {
    return `GitLab redirected to ${redactUrl(target)} (HTTP ${response.status})`;
  }
  const own = ctx.settings.gitlabUrl ? new URL(ctx.settings.gitlabUrl).origin : undefined;
  if (origin !== own) return `GitLab redirected to ${redactUrl(origin)}; the token was not sent there (HTTP ${response.status})`;
  return `GitLab redirected to ${redactUrl(target)} instead of answering (HTTP ${response.status}): a sign-in page or a proxy rule`;
}

/** The `message`/`error` a GitLab (Grape) error body carries, e.g. `401 Unauthorized`, `insufficient_scope`. */
export function apiMessage(response: HttpResponse): string | undefined {
  const parsed = parseJson(response);
  if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null) return undefined;
  const { message, error, error_description: description } = parsed.value as Record<string, unknown>;
  const text = [error, description, message].find((v) => typeof v === 'string' && v.trim());
  return typeof text === 'string' ? text : undefined;
}

/** One line saying why an exchange with GitLab did not give the expected answer. */
export function describeExchange(ctx: CheckContext, ex: HttpExchange): string {
  if (!ex.ok) return `could not reach GitLab: ${ex.failure.message}`;
  const { response } = ex;
  if (response.status >= 300 && response.status < 400) return describeRedirect(ctx, response);
  const message = apiMessage(response);
  return `GitLab answered HTTP ${response.status}${message ? ` (${redactSecrets(message, [ctx.settings.gitlabToken])})` : ''}`;
}

/** The messages of a GraphQL `errors` array, if the value has one. */
function graphqlErrors(value: unknown): string[] {
  const errors = (value as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors.map((e) => (typeof (e as { message?: unknown })?.message === 'string' ? (e as { message: string }).message : JSON.stringify(e)));
}

/** POSTs `query` to GitLab's GraphQL endpoint. GraphQL errors, HTTP errors and transport failures come back as `reason`. Memoised. */
export async function gitlabGraphql(ctx: CheckContext, query: string): Promise<GraphqlResult> {
  const ex = await gitlabPost(ctx, GRAPHQL_PATH, { query });
  if (!ex.ok) return { ok: false, reason: describeExchange(ctx, ex), exchange: ex };
  const parsed = parseJson(ex.response);
  const errors = parsed.ok ? graphqlErrors(parsed.value) : [];
  if (errors.length) return { ok: false, reason: redactSecrets(errors.join('; '), [ctx.settings.gitlabToken]), exchange: ex };
  if (ex.response.status !== 200) return { ok: false, reason: describeExchange(ctx, ex), exchange: ex };
  if (!parsed.ok) return { ok: false, reason: `GitLab's GraphQL answer is not JSON: ${parsed.reason}`, exchange: ex };
  const data = (parsed.value as { data?: unknown } | null)?.data;
  if (typeof data !== 'object' || data === null) return { ok: false, reason: "GitLab's GraphQL answer has no data", exchange: ex };
  return { ok: true, data };
}

/** A GraphQL error saying a field is missing on a type: GitLab is older than the query. */
const MISSING_FIELD = /Field '(\w+)' doesn't exist on type '(\w+)'/;

/**
 * Runs the first of `queries` GitLab understands: when one fails only because a nested field does not exist on this
 * GitLab version, the next (smaller) one is tried. A missing top-level field (type `Query`) ends the search.
 */
export async function gitlabGraphqlFirst(ctx: CheckContext, queries: readonly string[]): Promise<GraphqlResult> {
  let result: GraphqlResult = { ok: false, reason: 'no query' };
  for (const query of queries) {
    result = await gitlabGraphql(ctx, query);
    const missing = result.ok ? undefined : MISSING_FIELD.exec(result.reason);
    if (!missing || missing[2] === 'Query') return result;
  }
  return result;
}

/** One of GitLab's own health-check probes (Admin > GitLab Duo > Run health check). */
export interface ConnectorProbe {
  name: string;
  success: boolean;
  message: string;
  errors: string[];
}

/** GitLab's `cloudConnectorStatus`, or why it cannot be read (older GitLab, not an administrator, feature flag off). */
export type ConnectorStatus = { available: true; success: boolean; probes: ConnectorProbe[] } | { available: false; reason: string };

const STATUS_QUERIES = [
  '{ cloudConnectorStatus { success probeResults { name success message errors details } } }',
  // GitLab before 17.x's errors/details fields.
  '{ cloudConnectorStatus { success probeResults { name success message } } }',
];

/** What a probe said: its message, then any error that does not repeat it. */
export function probeText(p: ConnectorProbe): string {
  return [p.message, ...p.errors.filter((e) => e !== p.message)].filter(Boolean).join(' — ');
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Runs GitLab's own health-check probes through GraphQL (shared by every check that asks). Never throws. */
export async function cloudConnectorStatus(ctx: CheckContext): Promise<ConnectorStatus> {
  const result = await gitlabGraphqlFirst(ctx, STATUS_QUERIES);
  if (!result.ok) return { available: false, reason: result.reason };
  const status = result.data.cloudConnectorStatus as { success?: unknown; probeResults?: unknown } | null | undefined;
  if (!status || !Array.isArray(status.probeResults)) {
    return { available: false, reason: 'GitLab returned no status (the cloud_connector_status feature is off for this user, or this is GitLab.com)' };
  }
  const probes = status.probeResults.map((p: Record<string, unknown>) => ({
    name: typeof p.name === 'string' ? p.name : 'unnamed probe',
    success: p.success === true,
    message: typeof p.message === 'string' ? p.message : '',
    errors: strings(p.errors),
  }));
  return { available: true, success: status.success === true && probes.every((p) => p.success), probes };
}

/** GitLab's own `ai_gateway_url` setting, as read with the admin token: set, blank, or unknown (with why). */
export type GitlabGatewaySetting = { state: 'set'; url: string } | { state: 'blank' } | { state: 'unknown'; reason: string };

/**
 * The AI gateway URL every gateway check exercises, where it came from, and what GitLab itself is configured with.
 * GitLab uses its `ai_gateway_url` setting only (ee/lib/gitlab/ai_gateway.rb `self_hosted_url`); a URL named by
 * --gateway-url, AI_GATEWAY_URL or the config file may be another one, and every check can say which it exercised.
 */
export interface GatewayTarget {
  /** The URL checked; undefined when none is known. */
  url?: string;
  source: 'gitlab-setting' | 'flag' | 'env' | 'config' | 'none';
  gitlabSetting: GitlabGatewaySetting;
}

/** GitLab's own AI gateway URL setting (GraphQL `duoSettings.aiGatewayUrl`, admin token). Memoised through the GraphQL exchange. */
export async function gitlabAiGatewaySetting(ctx: CheckContext): Promise<GitlabGatewaySetting> {
  const { gitlabUrl, gitlabToken } = ctx.settings;
  if (!gitlabUrl || !gitlabToken) return { state: 'unknown', reason: 'no GitLab URL and administrator token to read it with' };
  const result = await gitlabGraphql(ctx, '{ duoSettings { aiGatewayUrl } }');
  if (!result.ok) return { state: 'unknown', reason: `duoSettings.aiGatewayUrl could not be read: ${result.reason}` };
  const value: unknown = result.data.duoSettings?.aiGatewayUrl;
  return typeof value === 'string' && value.trim() ? { state: 'set', url: value.trim() } : { state: 'blank' };
}

/** `gitlabAiGatewaySetting` in the shape system-exchange reads. */
export async function gitlabAiGatewayUrl(ctx: CheckContext): Promise<{ ok: true; url?: string } | { ok: false; reason: string }> {
  const setting = await gitlabAiGatewaySetting(ctx);
  if (setting.state === 'unknown') return { ok: false, reason: setting.reason };
  return setting.state === 'set' ? { ok: true, url: setting.url } : { ok: true };
}

/** The gateway URL named to duo-doctor (flag, environment or config file), if any. */
function namedGateway(settings: CheckContext['settings']): { url: string; source: 'flag' | 'env' | 'config' } | undefined {
  const url = settings.gatewayUrl?.trim();
  if (!url) return undefined;
  const source = settings.gatewayUrlSource;
  return { url, source: source === 'env' || source === 'config' ? source : 'flag' };
}

/** Which URL the gateway checks exercise: the one named to duo-doctor, else GitLab's setting. Memoised. */
export function gatewayTarget(ctx: CheckContext): Promise<GatewayTarget> {
  return ctx.memo('gateway-target', async (): Promise<GatewayTarget> => {
    const gitlabSetting = await gitlabAiGatewaySetting(ctx);
    const named = namedGateway(ctx.settings);
    if (named) return { ...named, gitlabSetting };
    return gitlabSetting.state === 'set' ? { url: gitlabSetting.url, source: 'gitlab-setting', gitlabSetting } : { source: 'none', gitlabSetting };
  });
}

/** A check's facts with the gateway target beside them, so its judge can name the URL it exercised (src/judge/gateway-target.ts). */
export async function withGatewayTarget<F extends object>(ctx: CheckContext, facts: Promise<F>): Promise<F & { target: GatewayTarget }> {
  const [gathered, target] = await Promise.all([facts, gatewayTarget(ctx)]);
  return { ...gathered, target };
}

/** Where a gateway target's URL came from, in words. */
export function targetSourceName(target: Pick<GatewayTarget, 'source'>): string {
  const names: Record<GatewayTarget['source'], string> = {
    'gitlab-setting': "GitLab's ai_gateway_url setting",
    flag: '--gateway-url',
    env: "duo-doctor's AI_GATEWAY_URL",
    config: "duo-doctor's config file",
    none: 'nowhere',
  };
  return names[target.source];
}

/** The AI gateway URL in the shape the transport checks read (see `gatewayTarget` for where it came from). Memoised. */
export async function resolveGatewayUrl(ctx: CheckContext): Promise<GatewayUrlResolution> {
  // A named URL needs no answer from GitLab: a probe of the gateway starts at once, not one GitLab exchange later.
  const named = namedGateway(ctx.settings);
  if (named) return named;
  const target = await gatewayTarget(ctx);
  if (target.url) return { url: target.url, source: target.source === 'gitlab-setting' ? 'gitlab' : target.source };
  const setting = target.gitlabSetting;
  if (setting.state === 'blank') return { source: 'gitlab', detail: "GitLab's AI gateway URL setting (duoSettings.aiGatewayUrl) is blank" };
  return {
    source: 'none',
    detail: `no --gateway-url or AI_GATEWAY_URL, and GitLab's setting is unknown: ${setting.state === 'unknown' ? setting.reason : ''}`,
  };
}

/** GitLab's version and revision (GET /api/v4/metadata), or why they are unknown. Memoised through the exchange. */
export async function gitlabMetadata(ctx: CheckContext): Promise<{ version?: string; revision?: string; reason?: string }> {
  const ex = await gitlabGet(ctx, '/api/v4/metadata');
  if (!ex.ok || ex.response.status !== 200) return { reason: describeExchange(ctx, ex) };
  const parsed = parseJson(ex.response);
  const value = parsed.ok && typeof parsed.value === 'object' && parsed.value !== null ? (parsed.value as Record<string, unknown>) : {};
  const text = (x: unknown) => (typeof x === 'string' && x ? x : undefined);
  const version = text(value.version);
  return version ? { version, ...(text(value.revision) ? { revision: text(value.revision) } : {}) } : { reason: "GitLab's metadata has no version" };
}

/** GitLab's version (GET /api/v4/metadata), undefined when unknown. */
export async function gitlabVersion(ctx: CheckContext): Promise<string | undefined> {
  return (await gitlabMetadata(ctx)).version;
}

/** The token's user name (GET /api/v4/user), undefined when it cannot be read. */
export async function gitlabUsername(ctx: CheckContext): Promise<string | undefined> {
  const ex = await gitlabGet(ctx, '/api/v4/user');
  if (!ex.ok || ex.response.status !== 200) return undefined;
  const parsed = parseJson(ex.response);
  const name = parsed.ok ? (parsed.value as { username?: unknown } | null)?.username : undefined;
  return typeof name === 'string' && name ? name : undefined;
}

/** A self-hosted model as GraphQL `aiSelfHostedModels` lists it. */
export interface SelfHostedModelFact {
  id: string;
  name: string;
  model: string;
}

/** One AI feature setting (GraphQL `aiFeatureSettings`): the feature, its provider, and the self-hosted model it uses. */
export interface FeatureSettingFact {
  feature: string;
  title?: string;
  /** `self_hosted`, `vendored`, `disabled` or `unassigned` (Ai::FeatureSetting's provider enum). */
  provider: string;
  model?: SelfHostedModelFact;
}

/** GitLab's feature settings and self-hosted models, or why they cannot be read. */
export type FeatureSettingsFacts =
  { available: true; settings: FeatureSettingFact[]; models: SelfHostedModelFact[] } | { available: false; reason: string };

const FEATURE_SETTINGS_QUERY =
  '{ aiFeatureSettings { nodes { feature title provider selfHostedModel { id name model } } } aiSelfHostedModels { nodes { id name model } } }';

function modelFact(value: unknown): SelfHostedModelFact | undefined {
  const m = value as { id?: unknown; name?: unknown; model?: unknown } | null | undefined;
  if (!m || typeof m.id !== 'string') return undefined;
  return { id: m.id, name: typeof m.name === 'string' ? m.name : m.id, model: typeof m.model === 'string' ? m.model : '' };
}

function nodes(connection: unknown): unknown[] {
  const list = (connection as { nodes?: unknown } | null | undefined)?.nodes;
  return Array.isArray(list) ? list : [];
}

/** GitLab's AI feature settings and self-hosted models, read as the admin's Self-hosted models page reads them. */
export async function featureSettings(ctx: CheckContext): Promise<FeatureSettingsFacts> {
  const result = await gitlabGraphql(ctx, FEATURE_SETTINGS_QUERY);
  if (!result.ok) return { available: false, reason: result.reason };
  const settings = nodes(result.data.aiFeatureSettings).map((n): FeatureSettingFact => {
    const s = n as { feature?: unknown; title?: unknown; provider?: unknown; selfHostedModel?: unknown };
    const model = modelFact(s.selfHostedModel);
    return {
      feature: typeof s.feature === 'string' ? s.feature : 'unknown',
      ...(typeof s.title === 'string' && s.title ? { title: s.title } : {}),
      provider: typeof s.provider === 'string' ? s.provider : 'unassigned',
      ...(model ? { model } : {}),
    };
  });
  const models = nodes(result.data.aiSelfHostedModels).flatMap((n) => modelFact(n) ?? []);
  return { available: true, settings, models };
}

/** GitLab's own host name (`host_name` of code_suggestions/connection_details: its external URL's host), when the token may read it. */
export async function gitlabHostName(ctx: CheckContext): Promise<string | undefined> {
  const ex = await gitlabPost(ctx, '/api/v4/code_suggestions/connection_details', {});
  const parsed = ex.ok && ex.response.status < 300 ? parseJson(ex.response) : undefined;
  const hostName = parsed?.ok ? (parsed.value as { host_name?: unknown } | null)?.host_name : undefined;
  return typeof hostName === 'string' && hostName ? hostName : undefined;
}

/** One group as GET /api/v4/groups lists it to an administrator; the Duo fields are absent without AI features licensed. */
export interface GroupFact {
  id: number;
  fullPath: string;
  parentId?: number;
  /** The cascaded `duo_features_enabled` (its own, else its parent's, else the instance's). */
  duoFeaturesEnabled?: boolean;
  lockDuoFeaturesEnabled?: boolean;
}

/** Every group an administrator sees (up to `maxPages` pages of 100), or why they cannot be read. */
export type GroupsFacts = { ok: true; groups: GroupFact[]; truncated: boolean } | { ok: false; reason: string };

/** Pages of 100 groups read at most: 1000 groups. */
const GROUP_PAGES = 10;

function groupFact(value: unknown): GroupFact | undefined {
  const g = value as Record<string, unknown> | null;
  if (!g || typeof g.id !== 'number') return undefined;
  const flag = (x: unknown) => (typeof x === 'boolean' ? x : undefined);
  const [on, lock] = [flag(g.duo_features_enabled), flag(g.lock_duo_features_enabled)];
  return {
    id: g.id,
    fullPath: typeof g.full_path === 'string' ? g.full_path : String(g.id),
    ...(typeof g.parent_id === 'number' ? { parentId: g.parent_id } : {}),
    ...(on === undefined ? {} : { duoFeaturesEnabled: on }),
    ...(lock === undefined ? {} : { lockDuoFeaturesEnabled: lock }),
  };
}

/**
 * The groups an administrator sees (GET /api/v4/groups: all of them, since an administrator reads all resources),
 * following X-Next-Page (lib/gitlab/pagination/offset_header_builder.rb, gitlab-ee 6714c9136). Memoised per page.
 */
export async function gitlabGroups(ctx: CheckContext): Promise<GroupsFacts> {
  const groups: GroupFact[] = [];
  let page = '1';
  for (let read = 0; read < GROUP_PAGES; read++) {
    const ex = await gitlabGet(ctx, `/api/v4/groups?per_page=100&page=${page}`);
    if (!ex.ok || ex.response.status !== 200) return { ok: false, reason: describeExchange(ctx, ex) };
    const parsed = parseJson(ex.response);
    if (!parsed.ok || !Array.isArray(parsed.value)) return { ok: false, reason: 'the answer is not a JSON list' };
    groups.push(...parsed.value.flatMap((g) => groupFact(g) ?? []));
    const next = ex.response.headers['x-next-page'];
    if (!next) return { ok: true, groups, truncated: false };
    page = next;
  }
  return { ok: true, groups, truncated: true };
}

/** GitLab's timeout for its requests to the AI gateway, and whether it is the setting or the fixed default. */
export interface GatewayTimeoutFact {
  seconds: number;
  /** `setting`: duoSettings.aiGatewayTimeoutSeconds; `default`: unset, or a GitLab before the setting (18.7), 60 s. */
  source: 'setting' | 'default';
}

/** Gitlab::AiGateway.timeout's fallback (ee/lib/gitlab/ai_gateway.rb, gitlab-ee 6714c9136). */
export const DEFAULT_GATEWAY_TIMEOUT_SECONDS = 60;

/**
 * GitLab's AI gateway request timeout (GraphQL duoSettings.aiGatewayTimeoutSeconds, admin token), undefined when it cannot
 * be read. A GitLab without the field (before 18.7) or with it unset uses 60 s. Memoised through the GraphQL exchange.
 */
export async function gitlabGatewayTimeout(ctx: CheckContext): Promise<GatewayTimeoutFact | undefined> {
  if (!ctx.settings.gitlabUrl || !ctx.settings.gitlabToken) return undefined;
  const result = await gitlabGraphql(ctx, '{ duoSettings { aiGatewayTimeoutSeconds } }');
  const fallback = { seconds: DEFAULT_GATEWAY_TIMEOUT_SECONDS, source: 'default' } as const;
  if (!result.ok) return MISSING_FIELD.exec(result.reason)?.[1] === 'aiGatewayTimeoutSeconds' ? fallback : undefined;
  const seconds = (result.data.duoSettings as { aiGatewayTimeoutSeconds?: unknown } | null)?.aiGatewayTimeoutSeconds;
  return typeof seconds === 'number' && seconds > 0 ? { seconds, source: 'setting' } : fallback;
}
