// GitLab's self-hosted models as its GraphQL API lists them (aiSelfHostedModels), read once per run (the exchange is memoised).
import type { CheckContext } from '../check.js';
import { gitlabGraphqlFirst } from './gitlab-api.js';

/** `aiSelfHostedModels` as GitLab serves it (identifier and releaseState are newer fields; the API never exposes the API key). */
const MODEL_QUERIES = [
  '{ aiSelfHostedModels { nodes { name model endpoint hasApiToken identifier releaseState } } }',
  '{ aiSelfHostedModels { nodes { name model endpoint hasApiToken } } }',
];

/** One self-hosted model as GitLab lists it (the endpoint as stored: credentials NOT redacted). */
export interface ListedModel {
  name: string;
  /** The model family (GitLab's `model` enum: codestral, mistral, llama3, ...). */
  model: string;
  endpoint: string;
  hasApiToken: boolean;
  identifier?: string;
  releaseState?: string;
}

export type ModelList = { ok: true; models: ListedModel[] } | { ok: false; why: string };

/** The model list, or why it cannot be read. */
export async function selfHostedModels(ctx: CheckContext): Promise<ModelList> {
  const result = await gitlabGraphqlFirst(ctx, MODEL_QUERIES);
  if (!result.ok) return { ok: false, why: `GitLab's self-hosted models cannot be listed: ${result.reason}` };
  const nodes = (result.data as { aiSelfHostedModels?: { nodes?: unknown } | null }).aiSelfHostedModels?.nodes;
  if (!Array.isArray(nodes)) {
    return { ok: false, why: "GitLab returned no self-hosted model list (the token is not an administrator's, or the feature is not available)" };
  }
  return {
    ok: true,
    models: nodes.map((n: Record<string, unknown>) => ({
      name: String(n.name ?? 'unnamed'),
      model: String(n.model ?? '?'),
      endpoint: typeof n.endpoint === 'string' ? n.endpoint.trim() : '',
      hasApiToken: n.hasApiToken === true,
      ...(typeof n.identifier === 'string' && n.identifier ? { identifier: n.identifier } : {}),
      ...(typeof n.releaseState === 'string' ? { releaseState: n.releaseState } : {}),
    })),
  };
}
