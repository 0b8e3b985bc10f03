// GET <endpoint>/v1/models on a self-hosted model server, as gitlab:duo:verify_self_hosted_setup tests it: once per URL
// per run, with the gateway's CA bundle and proxy variables (the gateway calls the models, not GitLab), no credentials.
import type { CheckContext } from '../check.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { httpRequest, parseJson, type FailureKind } from './http.js';
import { gatewayTrust } from './trust.js';

/** The rake task's timeout for a model endpoint. */
const MODEL_TIMEOUT_MS = 10_000;

/** What a model server answered, reduced to facts: its status and the model ids it serves, or why it did not answer. */
export type ModelAnswer = { ok: true; status: number; elapsedMs: number; served: string[] } | { ok: false; kind: FailureKind; message: string };

/** The models URL for an endpoint: `<endpoint>/v1/models`, or `<endpoint>/models` when the endpoint already ends in /v1. */
export function modelsUrl(endpoint: string): string {
  const base = endpoint.replace(/\/+$/, '');
  return /\/v1$/.test(base) ? `${base}/models` : `${base}/v1/models`;
}

/** Asks `<endpoint>/v1/models` (memoised per URL); never throws. */
export function probeModelEndpoint(ctx: CheckContext, endpoint: string): Promise<ModelAnswer> {
  const url = modelsUrl(endpoint);
  return ctx.memo(`model-endpoint ${url}`, async () => {
    const { ca } = await gatewayTrust(ctx);
    const ex = await httpRequest({
      url,
      headers: { accept: 'application/json', 'user-agent': `${TOOL_NAME}/${TOOL_VERSION}` },
      ca,
      timeoutMs: Math.min(MODEL_TIMEOUT_MS, ctx.settings.timeoutMs),
      proxyEnv: ctx.settings.env,
      signal: ctx.signal,
    });
    if (!ex.ok) return { ok: false, kind: ex.failure.kind, message: ex.failure.message };
    // OpenAI's `{ data: [{ id }] }`.
    const parsed = parseJson(ex.response);
    const data = parsed.ok ? (parsed.value as { data?: unknown } | null)?.data : undefined;
    const served = Array.isArray(data) ? data.map((d: { id?: unknown }) => d?.id).filter((id): id is string => typeof id === 'string') : [];
    return { ok: true, status: ex.response.status, elapsedMs: ex.response.elapsedMs, served };
  });
}
