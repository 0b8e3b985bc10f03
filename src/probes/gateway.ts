// Memoised requests to the AI gateway as GitLab makes them: no credentials, this tool's trusted CAs, the proxy env in effect.
import type { CheckContext } from '../check.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { resolveGatewayUrl } from './gitlab-api.js';
import { httpRequest, type HttpExchange } from './http.js';
import { clientTrust } from './trust.js';

/** GitLab's health request: `GET /monitoring/healthz`, `accept: application/json`, no auth. */
export const HEALTHZ_PATH = '/monitoring/healthz';

/** `<base><path>`, keeping a path prefix of the base (a gateway behind `https://host/aigw`). */
export function gatewayEndpoint(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path.startsWith('/') ? path : `/${path}`}`;
}

/** One unauthenticated request to the gateway. */
export interface GatewayCall {
  path: string;
  /** Join as GitLab does (`"#{ai_gateway_url}/monitoring/healthz"`), keeping a trailing slash of the URL (`…//monitoring/healthz`). */
  joinAsGitLab?: boolean;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

/**
 * Sends `call` to the resolved gateway URL, once per run per method+path+headers+body; never throws. With no gateway
 * URL the exchange is a failure of kind `other` saying so. `url` is the full URL requested (credentials are never
 * part of a gateway URL GitLab stores, but callers still redact it when printing).
 */
export async function gatewayRequest(ctx: CheckContext, call: GatewayCall): Promise<{ url?: string; exchange: HttpExchange }> {
  const resolved = await resolveGatewayUrl(ctx);
  if (!resolved.url) {
    return { exchange: { ok: false, elapsedMs: 0, failure: { kind: 'other', message: resolved.detail ?? 'no AI gateway URL' } } };
  }
  const url = call.joinAsGitLab ? `${resolved.url}${call.path}` : gatewayEndpoint(resolved.url, call.path);
  const method = call.method ?? 'GET';
  const headers = { 'user-agent': `${TOOL_NAME}/${TOOL_VERSION}`, ...call.headers };
  const key = `gateway ${method} ${url} ${JSON.stringify(call.headers ?? {})} ${call.body ?? ''}`;
  const exchange = await ctx.memo(key, async () => {
    const { ca } = await clientTrust(ctx);
    return httpRequest({
      url,
      method,
      headers,
      body: call.body,
      ca,
      timeoutMs: ctx.settings.timeoutMs,
      proxyEnv: ctx.settings.env,
      signal: ctx.signal,
    });
  });
  return { url, exchange };
}

/** GitLab's exact health request (verify_self_hosted_setup.rb: Gitlab::HTTP.get("#{ai_gateway_url}/monitoring/healthz", accept json)). */
export function gatewayHealthz(ctx: CheckContext): Promise<{ url?: string; exchange: HttpExchange }> {
  return gatewayRequest(ctx, { path: HEALTHZ_PATH, joinAsGitLab: true, headers: { accept: 'application/json' } });
}

/** The gateway's image tag or version as the operator gave it (--gateway-image-tag / --gateway-version): the gateway tells it nowhere over HTTP. */
export function operatorGatewayVersion(ctx: CheckContext): { value: string; from: string } | undefined {
  const value = ctx.settings.gatewayVersion;
  return value ? { value, from: '--gateway-image-tag / --gateway-version' } : undefined;
}
