// What GitLab says about its Duo Agent Platform, read with the administrator's token: the service URL setting (GraphQL
// duoSettings.duoAgentPlatformServiceUrl), GitLab's version, a workflow token from POST /api/v4/ai/duo_workflows/direct_access
// (GitLab asks the service's GenerateToken for it) and GitLab's own ListTools call (GET /api/v4/ai/duo_workflows/list_tools).
import type { CheckContext } from '../../check.js';
import { redactSecrets } from '../../redact.js';
import { apiMessage, describeExchange, gitlabGet, gitlabGraphql, gitlabPost } from '../gitlab-api.js';
import { parseJson } from '../http.js';

export const WORKFLOW_DIRECT_ACCESS_PATH = '/api/v4/ai/duo_workflows/direct_access';
export const WORKFLOW_LIST_TOOLS_PATH = '/api/v4/ai/duo_workflows/list_tools';

/** The setting as GitLab exposes it to an administrator. */
export type ServiceUrlSetting =
  | { ok: true; value: string | null }
  /** `missingField`: this GitLab predates the setting (GraphQL "Field ... doesn't exist"). */
  | { ok: false; reason: string; missingField: boolean };

/** A GitLab answer reduced to facts: the status and Grape's message (secret-free). */
export interface ApiAnswer {
  /** 0 when GitLab could not be reached. */
  status: number;
  message?: string;
}

/** The workflow token as facts (the token itself never leaves the probe's memo). */
export type WorkflowAccess = { ok: true; status: number; baseUrl?: string; secure?: boolean; headerNames: string[] } | ({ ok: false } & ApiAnswer);

/** What direct_access gave: the facts, plus the token and headers a direct call uses (never facts: the token is a secret). */
export interface WorkflowAccessGrant {
  facts: WorkflowAccess;
  token?: string;
  headers?: Record<string, string>;
}

/** GitLab's own ListTools call. */
export type GitLabListTools = { ok: true; tools: number } | ({ ok: false } & ApiAnswer);

/** Reads duoSettings.duoAgentPlatformServiceUrl (admin token). Memoised through the GraphQL exchange. */
export async function serviceUrlSetting(ctx: CheckContext): Promise<ServiceUrlSetting> {
  const result = await gitlabGraphql(ctx, '{ duoSettings { duoAgentPlatformServiceUrl } }');
  if (!result.ok) return { ok: false, reason: result.reason, missingField: /Field 'duoAgentPlatformServiceUrl' doesn't exist/.test(result.reason) };
  const value: unknown = result.data.duoSettings?.duoAgentPlatformServiceUrl;
  return { ok: true, value: typeof value === 'string' && value.trim() ? value.trim() : null };
}

/** GitLab's version from /api/v4/metadata (e.g. `18.6.0-ee`), if readable. */
export async function gitlabVersion(ctx: CheckContext): Promise<string | undefined> {
  const ex = await gitlabGet(ctx, '/api/v4/metadata');
  if (!ex.ok || ex.response.status !== 200) return undefined;
  const parsed = parseJson(ex.response);
  const version = parsed.ok ? (parsed.value as { version?: unknown } | null)?.version : undefined;
  return typeof version === 'string' ? version : undefined;
}

function answerOf(ctx: CheckContext, ex: Awaited<ReturnType<typeof gitlabGet>>): ApiAnswer {
  if (!ex.ok) return { status: 0, message: describeExchange(ctx, ex) };
  const message = apiMessage(ex.response);
  return { status: ex.response.status, ...(message ? { message: redactSecrets(message, [ctx.settings.gitlabToken]) } : {}) };
}

/** Asks GitLab for a workflow token (direct_access). Memoised: one token per run. */
export function workflowAccess(ctx: CheckContext): Promise<WorkflowAccessGrant> {
  return ctx.memo('duo-workflow direct_access', async () => {
    const ex = await gitlabPost(ctx, WORKFLOW_DIRECT_ACCESS_PATH, {});
    if (!ex.ok || (ex.response.status !== 201 && ex.response.status !== 200)) return { facts: { ok: false, ...answerOf(ctx, ex) } };
    const parsed = parseJson(ex.response);
    const service = ((parsed.ok ? parsed.value : undefined) as { duo_workflow_service?: Record<string, unknown> } | undefined)?.duo_workflow_service;
    const headers = Object.fromEntries(
      Object.entries((service?.headers ?? {}) as Record<string, unknown>)
        .filter((e): e is [string, string] => typeof e[1] === 'string')
        .map(([k, v]) => [k.toLowerCase(), v]),
    );
    const token = typeof service?.token === 'string' && service.token ? service.token : undefined;
    if (!token)
      return {
        facts: {
          ok: false,
          status: ex.response.status,
          message: `GitLab answered ${WORKFLOW_DIRECT_ACCESS_PATH} without duo_workflow_service.token`,
        },
      };
    return {
      facts: {
        ok: true,
        status: ex.response.status,
        ...(typeof service?.base_url === 'string' ? { baseUrl: service.base_url } : {}),
        ...(typeof service?.secure === 'boolean' ? { secure: service.secure } : {}),
        headerNames: Object.keys(headers).sort(),
      },
      token,
      headers,
    };
  });
}

/** GitLab's own ListTools call to the service (GET list_tools). */
export async function gitlabListTools(ctx: CheckContext): Promise<GitLabListTools> {
  const ex = await gitlabGet(ctx, WORKFLOW_LIST_TOOLS_PATH);
  if (!ex.ok || ex.response.status !== 200) return { ok: false, ...answerOf(ctx, ex) };
  const parsed = parseJson(ex.response);
  const tools = ((parsed.ok ? parsed.value : undefined) as { tools?: unknown } | undefined)?.tools;
  return { ok: true, tools: Array.isArray(tools) ? tools.length : 0 };
}
