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
    if (new URL(url).origin !== new URL(gitlabUrl).origin) return Promise.resolve(failed(`refusing to send the token outside ${redactUrl(gitlabUrl)}`));
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

/** Maps Settings' source of a configured gateway URL onto the sources a resolution reports. */
function configuredSource(source: string | undefined): GatewayUrlResolution['source'] {
  return source === 'env' || source === 'config' || source === 'gitlab' ? source : 'flag';
}

/** GitLab's own AI gateway URL setting (GraphQL `duoSettings.aiGatewayUrl`, admin token): the URL, undefined when blank, or why it cannot be read. Memoised. */
export async function gitlabAiGatewayUrl(ctx: CheckContext): Promise<{ ok: true; url?: string } | { ok: false; reason: string }> {
  const result = await gitlabGraphql(ctx, '{ duoSettings { aiGatewayUrl } }');
  if (!result.ok) return { ok: false, reason: result.reason };
  const value: unknown = result.data.duoSettings?.aiGatewayUrl;
  return typeof value === 'string' && value.trim() ? { ok: true, url: value.trim() } : { ok: true };
}

/**
 * The AI gateway URL: `--gateway-url`/AI_GATEWAY_URL/config as settled by Settings, else GitLab's own setting
 * (GraphQL `duoSettings.aiGatewayUrl`, admin token). Memoised.
 */
export function resolveGatewayUrl(ctx: CheckContext): Promise<GatewayUrlResolution> {
  return ctx.memo('gateway-url resolution', async (): Promise<GatewayUrlResolution> => {
    const { gatewayUrl, gatewayUrlSource, gitlabUrl, gitlabToken } = ctx.settings;
    if (gatewayUrl !== undefined) return { url: gatewayUrl.trim(), source: configuredSource(gatewayUrlSource) };
    if (!gitlabUrl || !gitlabToken) {
      return { source: 'none', detail: 'no --gateway-url or AI_GATEWAY_URL, and no GitLab URL and token to read GitLab\'s own setting' };
    }
    const setting = await gitlabAiGatewayUrl(ctx);
    if (!setting.ok) return { source: 'none', detail: `could not read GitLab's AI gateway URL setting (duoSettings.aiGatewayUrl): ${setting.reason}` };
    if (!setting.url) return { source: 'gitlab', detail: "GitLab's AI gateway URL setting (duoSettings.aiGatewayUrl) is blank" };
    return { url: setting.url, source: 'gitlab' };
  });
}
