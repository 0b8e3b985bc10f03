// The reference AI gateway: the real gateway's HTTP surface (monitoring, auth, code completions).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listen, parseJson, pathOf, readBody, sendJson } from '../http.js';
import { authenticate, can, type AuthResult } from './auth.js';
import { answerCompletion, validateCompletion } from './completions.js';
import { resolveGatewayConfig, type GatewayOptions } from './config.js';
import { KeySetCache, loadKeySet, localKeys } from './jwks.js';
import { AUTH_SKIP_PATHS, predatesHostHeaderFix, starletteUrlPath } from './releases.js';
import { userAccessToken } from './user-access-token.js';

export type { GatewayOptions } from './config.js';

/** Routes needing a unit-primitive scope, and the scope. */
const COMPLETION_ROUTES = new Set(['/v2/code/completions', '/v2/completions']);
const COMPLETION_SCOPE = 'complete_code';
/** Where GitLab's direct_access asks for a user token (ee/lib/gitlab/ai_gateway.rb ACCESS_TOKEN_PATH). */
export const USER_ACCESS_TOKEN_ROUTE = '/v1/code/user_access_token';

/** A running reference gateway. */
export interface RunningGateway {
  url: string;
  port: number;
  close(): Promise<void>;
}

// The real gateway's middleware adds only these two; it exposes its version nowhere over HTTP (no version header,
// OpenAPI off by default: ai_gateway/config.py ConfigFastApi, flyisland/ai-gateway 95a8d76dd).
function responseHeaders(started: number): Record<string, string> {
  return {
    'x-process-time': String((performance.now() - started) / 1000),
    'x-request-id': randomUUID().replace(/-/g, ''),
  };
}

/** Starts the reference AI gateway; resolves once it listens. */
export async function startGateway(options: GatewayOptions = {}): Promise<RunningGateway> {
  const config = resolveGatewayConfig(options);
  const ownKeys = localKeys(config.selfSignedJwt);
  const keys = new KeySetCache(async () => {
    const set = await loadKeySet(ownKeys, config.gitlabUrl, config.ca);
    if (set.error) config.log(`WARNING: could not load GitLab's signing keys: ${set.error}`);
    return set;
  }, config.jwksCacheSeconds);
  const auth = async (req: IncomingMessage): Promise<AuthResult> => {
    const result = await authenticate(req.headers, { auth: config.auth, keySet: () => keys.get() });
    // The middleware logs these at CRITICAL on every request they admit (authentication.py).
    if (result.ok && result.bypassed === 'external') config.log('CRITICAL: Auth is disabled, all users allowed');
    if (result.ok && result.bypassed === 'header') config.log('CRITICAL: Auth is disabled, all requests with `Bypass-Auth` header set allowed');
    if (!result.ok && 'critical' in result) config.log(`CRITICAL: CriticalAuthError: ${result.critical}`);
    return result;
  };
  const hostHeaderBypass = predatesHostHeaderFix(config.version);
  // FastAPI serves its docs at AIGW_FASTAPI__DOCS_URL / __OPENAPI_URL when set (ai_gateway/config.py: default None; the
  // self-hosted Dockerfile sets /docs and /openapi.json); they sit behind the auth middleware like every other route.
  const env = options.env ?? process.env;
  const openapiUrl = env['AIGW_FASTAPI__OPENAPI_URL'] || undefined;
  const docsUrl = openapiUrl ? env['AIGW_FASTAPI__DOCS_URL'] || undefined : undefined;
  if (hostHeaderBypass) config.log(`WARNING: ${config.version} predates the Host-header fix (X41-2026-002): emulating its auth bypass`);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const headers = responseHeaders(started);
    const path = pathOf(req.url);
    // fastapi_health's health([]) with no conditions answers 200 {} (ai_gateway/api/monitoring.py, 95a8d76dd).
    if (path === '/monitoring/healthz') return sendJson(res, 200, {}, headers);
    if (path === '/monitoring/ready') {
      const set = config.auth.bypassExternal ? { keys: [{}] } : await keys.get();
      return set.keys.length
        ? sendJson(res, 200, { status: 'ok' }, headers)
        : sendJson(res, 503, { status: 'unavailable', detail: "GitLab's signing keys could not be fetched" }, headers);
    }
    // A release before ai-gateway 219d702b3 skips authentication when the Host-rebuilt path is a skipped one, then routes
    // on the real path: an unauthenticated user reaches the route (authentication.py at 219d702b3^, `conn.url.path`).
    if (hostHeaderBypass && AUTH_SKIP_PATHS.has(starletteUrlPath(req.headers.host, req.url ?? '/'))) {
      if (!COMPLETION_ROUTES.has(path)) return sendJson(res, 404, { detail: 'Not Found' }, headers);
      if (req.method !== 'POST') return sendJson(res, 405, { detail: 'Method Not Allowed' }, { ...headers, allow: 'POST' });
      return sendJson(res, 403, { detail: 'Forbidden' }, headers);
    }
    const result = await auth(req);
    if (!result.ok && 'critical' in result) {
      // An uncaught exception in the middleware: Starlette's ServerErrorMiddleware answers a plain-text 500.
      res.writeHead(500, { ...headers, 'content-type': 'text/plain; charset=utf-8' });
      return void res.end('Internal Server Error');
    }
    if (!result.ok) return sendJson(res, 401, { error: result.message }, headers);
    if (path === USER_ACCESS_TOKEN_ROUTE) {
      if (req.method !== 'POST') return sendJson(res, 405, { detail: 'Method Not Allowed' }, { ...headers, allow: 'POST' });
      const answer = await userAccessToken(result, req.headers, config.selfSignedJwt.signingKey);
      return sendJson(res, answer.status, answer.body, headers);
    }
    if (path === openapiUrl)
      return sendJson(res, 200, { openapi: '3.1.0', info: { title: 'GitLab AI Gateway', version: '0.1.0' }, paths: {} }, headers);
    if (path === docsUrl) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...headers });
      return void res.end(`<!DOCTYPE html><title>GitLab AI Gateway - Swagger UI</title><div id="swagger-ui" data-url="${openapiUrl}"></div>`);
    }
    if (!COMPLETION_ROUTES.has(path)) return sendJson(res, 404, { detail: 'Not Found' }, headers);
    if (req.method !== 'POST') return sendJson(res, 405, { detail: 'Method Not Allowed' }, { ...headers, allow: 'POST' });
    // ai_gateway/api/v2/code/completions.py: `if not current_user.can(unit_primitive)` → 403 with this detail.
    if (!can(result, COMPLETION_SCOPE)) return sendJson(res, 403, { detail: 'Unauthorized to access code completions' }, headers);
    const body = validateCompletion(parseJson(await readBody(req)));
    if (!body.ok) return sendJson(res, 422, { detail: body.detail }, headers);
    await answerCompletion(req, res, body.value, {
      headers,
      streamChunks: config.streamChunks,
      streamIntervalMs: config.streamIntervalMs,
    });
  }

  const running = await listen({
    handler: handle,
    ...(options.host ? { host: options.host } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.tls ? { tls: options.tls } : {}),
    latencyMs: config.latencyMs,
    log: config.log,
  });
  return { url: running.url, port: running.port, close: running.close };
}
