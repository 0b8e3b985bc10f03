// gateway-auth: the gateway refuses an unauthenticated request with 401 "No authorization header presented" (auth not bypassed).
import { defineCheck } from '../src/check.js';
import type { CheckOutcome } from '../src/model.js';
import { gatewayRequest } from '../src/probes/gateway.js';
import { parseJson, type HttpExchange, type HttpResponse } from '../src/probes/http.js';

/** The gateway's answer to a request without an Authorization header. */
export const NO_AUTH_MESSAGE = 'No authorization header presented';

/** A protected route, probed with an empty body: a gateway enforcing auth says 401 before it looks at the body. */
export const PROTECTED_PATH = '/v2/code/completions';

const BYPASS_FIX =
  'Remove AIGW_AUTH__BYPASS_EXTERNAL from the gateway\'s environment (or set it to false) and restart it: it lets anyone who ' +
  'reaches the port use the models without a GitLab token, and is meant for troubleshooting only.';

/** The `error` or `detail` string of a JSON body, if any. */
function jsonMessage(response: HttpResponse): { error?: string; detail?: string } {
  const parsed = parseJson(response);
  if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null) return {};
  const { error, detail } = parsed.value as { error?: unknown; detail?: unknown };
  return { ...(typeof error === 'string' ? { error } : {}), ...(typeof detail === 'string' ? { detail } : {}) };
}

function describe(response: HttpResponse): string {
  const { error, detail } = jsonMessage(response);
  const said = error ?? detail;
  const server = response.headers.server ? `, Server: ${response.headers.server}` : '';
  const body = said ? `, ${JSON.stringify(said)}` : response.body.trim() ? `, a ${response.headers['content-type'] ?? 'non-JSON'} body` : ', empty body';
  return `HTTP ${response.status}${body}${server}`;
}

function refusesWithoutToken(response: HttpResponse): boolean {
  return response.status === 401 && jsonMessage(response).error === NO_AUTH_MESSAGE;
}

function bypassed(evidenceStatus: number, how: string): CheckOutcome {
  return {
    status: 'fail',
    summary: `SECURITY: the AI gateway serves requests without authentication (${how}): AIGW_AUTH__BYPASS_EXTERNAL is on`,
    details: ['Security finding: anyone who can reach the gateway port can use it without a GitLab-issued token.'],
    remediation: BYPASS_FIX,
    evidence: { httpStatus: evidenceStatus, securityFinding: true, authBypassed: true },
  };
}

/**
 * Judges the unauthenticated `GET /` (and, when that was a bare 404, the unauthenticated POST to a protected route):
 * 401 "No authorization header presented" passes; a 200, or a protected route answering without 401, is auth bypassed;
 * anything else means something other than the gateway answers on that port.
 */
export function judgeAuth(root: HttpExchange, protectedRoute?: HttpExchange): CheckOutcome {
  if (!root.ok) {
    return {
      status: 'fail',
      summary: `No answer to an unauthenticated GET /: ${root.failure.message}`,
      remediation: 'See gateway-reachable and gateway-health.',
      evidence: { failure: root.failure.kind },
    };
  }
  const { response } = root;
  if (refusesWithoutToken(response)) {
    return {
      status: 'pass',
      summary: `The AI gateway requires authentication: unauthenticated GET / gives 401 "${NO_AUTH_MESSAGE}"`,
      evidence: { httpStatus: 401 },
    };
  }
  if (response.status === 200) return bypassed(200, 'HTTP 200 for an unauthenticated GET /');
  // A bypassed gateway validates the empty body (422) or serves it (200); 401 means auth is on, 403/404/5xx say nothing.
  const confirmed = protectedRoute?.ok ? protectedRoute.response.status : undefined;
  if (confirmed !== undefined && confirmed < 500 && ![401, 403, 404].includes(confirmed)) {
    return bypassed(confirmed, `HTTP ${confirmed} for an unauthenticated POST ${PROTECTED_PATH}`);
  }
  return {
    status: 'warn',
    summary: `Something else answers on the gateway's port: unauthenticated GET / gave ${describe(response)}, not 401 "${NO_AUTH_MESSAGE}"`,
    details: [
      'The AI gateway answers every unauthenticated request with 401 {"error":"No authorization header presented"}.',
      'A reverse proxy, a load balancer or another service may be answering instead (or in front) of it.',
      ...(protectedRoute?.ok ? [`Unauthenticated POST ${PROTECTED_PATH}: ${describe(protectedRoute.response)}`] : []),
    ],
    remediation:
      'Check what listens on that host and port (`docker ps`, `ss -ltnp`), and that a reverse proxy in front forwards / and /v2/* to ' +
      'the gateway unchanged. From the gateway host, `curl http://localhost:5052` should return {"error":"No authorization header presented"}.',
    evidence: { httpStatus: response.status, server: response.headers.server },
  };
}

/** FastAPI's own 404 body: what a bypassed gateway says for `/`, since `/` is no route. */
function isFastApiNotFound(ex: HttpExchange): boolean {
  return ex.ok && ex.response.status === 404 && jsonMessage(ex.response).detail === 'Not Found';
}

export default defineCheck({
  id: 'gateway-auth',
  title: 'The AI gateway requires authentication',
  category: 'network',
  tags: ['ci', 'oncall', 'pre-upgrade', 'security'],
  dependsOn: ['gateway-reachable'],
  needs: ['gateway'],
  explain: {
    checks:
      'The install guide\'s check: an unauthenticated GET / must give 401 {"error":"No authorization header presented"}. When / gives ' +
      `FastAPI's 404 {"detail":"Not Found"} (what a gateway with auth bypassed says), an unauthenticated POST ${PROTECTED_PATH} with an ` +
      'empty body confirms it: a gateway enforcing auth refuses it with 401 before reading the body.',
    failsWhen:
      'The gateway serves unauthenticated requests (HTTP 200, or a protected route answering without 401): AIGW_AUTH__BYPASS_EXTERNAL ' +
      'is on — a security finding. Any other answer is a warning: something else (a proxy, another service) answers on that port.',
    fix: BYPASS_FIX,
  },
  async run(ctx) {
    const root = await gatewayRequest(ctx, { path: '/' });
    if (!root.url) return { status: 'skip', summary: 'No AI gateway URL (see gateway-url)' };
    const confirm = isFastApiNotFound(root.exchange)
      ? (await gatewayRequest(ctx, { path: PROTECTED_PATH, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).exchange
      : undefined;
    return judgeAuth(root.exchange, confirm);
  },
});
