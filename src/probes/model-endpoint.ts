// A self-hosted model server's `models` route, asked at the URL the AI gateway's model client joins: once per URL per run,
// with the gateway's CA bundle and proxy variables (the gateway calls the models, not GitLab), no credentials. Under
// --exec the request is sent from inside the gateway's container, whose localhost, DNS and proxy are the gateway's.
import type { CheckContext } from '../check.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { requestWhereTheGatewayRuns } from '../runtime/model-probe.js';
import { httpRequest, parseJson, type FailureKind, type HttpExchange } from './http.js';
import { gatewayModelTrust } from './trust.js';

/** The rake task's timeout for a model endpoint. */
const MODEL_TIMEOUT_MS = 10_000;

/** What a model server answered, reduced to facts: its status and the model ids it serves, or why it did not answer. */
export type ModelAnswer =
  | { ok: true; status: number; elapsedMs: number; served: string[]; maxModelLen?: Record<string, number> }
  | {
      ok: false;
      kind: FailureKind;
      message: string;
      /** Asked with certifi's roots standing in for the gateway's unknown bundle. */ trustUnknown?: true;
    };

/**
 * The URL the gateway's model client asks for `route` (`models`, `chat/completions`, `completions`) on an endpoint.
 * The gateway passes the endpoint as LiteLLM's api_base with one trailing slash removed (ai-gateway
 * ai_gateway/model_metadata.py `removesuffix("/")`, 95a8d76dd); LiteLLM's OpenAI-compatible providers hand it to the
 * openai client as base_url, which ensures one trailing slash and appends the route (openai-python
 * src/openai/_base_client.py `_enforce_trailing_slash`, `_prepare_url`): nothing adds `/v1`.
 */
export function clientUrl(endpoint: string, route: string): string {
  const apiBase = endpoint.endsWith('/') ? endpoint.slice(0, -1) : endpoint;
  return `${apiBase.endsWith('/') ? apiBase : `${apiBase}/`}${route}`;
}

/** The endpoint with `/v1` appended, as GitLab's docs require for OpenAI-compatible servers; undefined when it already ends in /v1. */
export function withV1(endpoint: string): string | undefined {
  const base = endpoint.replace(/\/+$/, '');
  return /\/v1$/.test(base) ? undefined : `${base}/v1`;
}

/**
 * One request to a model server as the gateway would send it: from inside its container under --exec (that side's
 * trust and proxy variables), else from here with LiteLLM's CA rules over the gateway's environment. `unknown`: the
 * gateway's CA bundle is not known here, certifi's roots stood in.
 */
async function modelExchange(
  ctx: CheckContext,
  request: { method: 'GET' | 'POST'; url: string; body?: string },
): Promise<{ ex: HttpExchange; unknown?: true }> {
  const timeoutMs = Math.min(MODEL_TIMEOUT_MS, ctx.settings.timeoutMs);
  if (ctx.settings.exec) return { ex: await requestWhereTheGatewayRuns(ctx, { ...request, timeoutMs }) };
  // Model calls go through LiteLLM, which has its own CA rules (SSL_VERIFY, SSL_CERT_FILE), not requests'.
  const { ca, unknown } = await gatewayModelTrust(ctx);
  const ex = await httpRequest({
    url: request.url,
    method: request.method,
    headers: {
      accept: 'application/json',
      ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}),
      'user-agent': `${TOOL_NAME}/${TOOL_VERSION}`,
    },
    ...(request.body !== undefined ? { body: request.body } : {}),
    ca,
    timeoutMs,
    proxyEnv: ctx.settings.env,
    signal: ctx.signal,
  });
  return { ex, ...(unknown ? { unknown } : {}) };
}

/** Asks `url` (a model server's models route; memoised per URL); never throws. */
export function probeModelsRoute(ctx: CheckContext, url: string): Promise<ModelAnswer> {
  return ctx.memo(`model-endpoint ${url}`, async () => {
    const { ex, unknown } = await modelExchange(ctx, { method: 'GET', url });
    if (!ex.ok) return { ok: false, kind: ex.failure.kind, message: ex.failure.message, ...(unknown ? { trustUnknown: unknown } : {}) };
    // OpenAI's `{ data: [{ id }] }`.
    const parsed = parseJson(ex.response);
    const data = parsed.ok ? (parsed.value as { data?: unknown } | null)?.data : undefined;
    const cards = Array.isArray(data)
      ? (data.filter((d: { id?: unknown }) => typeof d?.id === 'string') as { id: string; max_model_len?: unknown }[])
      : [];
    // vLLM adds max_model_len to each card (protocol.py ModelCard); other servers do not.
    const lengths = cards.filter((c) => typeof c.max_model_len === 'number').map((c) => [c.id, c.max_model_len as number] as const);
    const served = cards.map((c) => c.id);
    return {
      ok: true,
      status: ex.response.status,
      elapsedMs: ex.response.elapsedMs,
      served,
      ...(lengths.length ? { maxModelLen: Object.fromEntries(lengths) } : {}),
    };
  });
}

/** What a model server answered a POST: its status and, for an error, the message of its `{ error: { message } }` body. */
export type RouteAnswer = { ok: true; status: number; error?: string } | { ok: false; kind: FailureKind; message: string };

/** The message of an OpenAI-style error body (`{ error: { message } }`, `{ error: "..." }`, FastAPI's `{ detail }`). */
function errorMessage(value: unknown): string | undefined {
  const v = value as { error?: unknown; detail?: unknown; message?: unknown } | null;
  const e = v?.error as { message?: unknown } | string | undefined;
  const text = typeof e === 'string' ? e : typeof e?.message === 'string' ? e.message : typeof v?.detail === 'string' ? v.detail : undefined;
  return text?.slice(0, 300);
}

/** POSTs a JSON body to a model server's route (memoised per URL and body), as the gateway would, without the model's key; never throws. */
export function postModelRoute(ctx: CheckContext, url: string, body: unknown): Promise<RouteAnswer> {
  const text = JSON.stringify(body);
  return ctx.memo(`model-route ${url} ${text}`, async () => {
    const { ex } = await modelExchange(ctx, { method: 'POST', url, body: text });
    if (!ex.ok) return { ok: false, kind: ex.failure.kind, message: ex.failure.message };
    if (ex.response.status < 400) return { ok: true, status: ex.response.status };
    const parsed = parseJson(ex.response);
    const error = parsed.ok ? errorMessage(parsed.value) : undefined;
    return { ok: true, status: ex.response.status, ...(error ? { error } : {}) };
  });
}
