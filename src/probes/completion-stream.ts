// A streamed code completion sent to the gateway URL as an IDE sends it (direct-access token, GitLab's headers), timed chunk by chunk.
import type { CheckContext } from '../check.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { directAccessHeaders } from './direct-access.js';
import { gatewayEndpoint } from './gateway.js';
import { resolveGatewayUrl } from './gitlab-api.js';
import { streamRequest, type StreamExchange } from './stream.js';
import { clientTrust } from './trust.js';

/** The gateway's code completion route, which streams with `"stream": true`. */
export const COMPLETIONS_PATH = '/v2/code/completions';

/** A streamed completion to time, or why it could not be asked for (a reason for a skip). */
export type CompletionStream = { ok: true; url: string; exchange: StreamExchange } | { ok: false; reason: string };

/**
 * POSTs `body` (a completion request with `"stream": true`) to `<gateway>/v2/code/completions` with a direct-access
 * token and times the answer; `holdMs` keeps reading until then at most. Asks for gzip as real clients do, so a
 * proxy that compresses (and so buffers) the stream shows it. Never throws.
 */
export async function streamCompletion(ctx: CheckContext, body: unknown, opts: { holdMs?: number } = {}): Promise<CompletionStream> {
  const resolved = await resolveGatewayUrl(ctx);
  if (!resolved.url) return { ok: false, reason: resolved.detail ?? 'no AI gateway URL' };
  const access = await directAccessHeaders(ctx);
  if (!access.ok) return { ok: false, reason: access.reason };
  const url = gatewayEndpoint(resolved.url, COMPLETIONS_PATH);
  const { ca } = await clientTrust(ctx);
  const exchange = await streamRequest({
    url,
    method: 'POST',
    headers: {
      ...access.headers,
      'content-type': 'application/json',
      'accept-encoding': 'gzip, deflate, br',
      'user-agent': `${TOOL_NAME}/${TOOL_VERSION}`,
    },
    body: JSON.stringify(body),
    ca,
    timeoutMs: ctx.settings.timeoutMs,
    ...(opts.holdMs !== undefined ? { holdMs: opts.holdMs } : {}),
    proxyEnv: ctx.settings.env,
    signal: ctx.signal,
  });
  return { ok: true, url, exchange };
}
