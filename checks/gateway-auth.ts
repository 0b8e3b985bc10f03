// gateway-auth: the gateway refuses an unauthenticated request with 401 "No authorization header presented" (auth not bypassed).
import { defineCheck, type CheckContext, type Judgement, type Messages } from '../src/check.js';
import { namingTarget, type TargetFacts } from '../src/judge/gateway-target.js';
import { gatewayHealthz, gatewayRequest } from '../src/probes/gateway.js';
import { withGatewayTarget } from '../src/probes/gitlab-api.js';
import { parseJson, type HttpExchange, type HttpResponse } from '../src/probes/http.js';

/** The gateway's answer to a request without an Authorization header. */
const NO_AUTH_MESSAGE = 'No authorization header presented';

/** A protected route, probed with an empty body: a gateway enforcing auth says 401 before it looks at the body. */
const PROTECTED_PATH = '/v2/code/completions';

export interface Facts extends TargetFacts {
  /** Why there is no gateway URL. */
  noUrl?: string;
  /** Unauthenticated GET /. */
  root?: HttpExchange;
  /** GitLab's health request (GET /monitoring/healthz), shared with gateway-health: whether the port serves a gateway at all. */
  health?: HttpExchange;
  /** Unauthenticated POST of `{}` to the protected route; asked only when / did not refuse and the health answer is the gateway's. */
  protectedRoute?: HttpExchange;
}

const BYPASS_FIX =
  "Remove AIGW_AUTH__BYPASS_EXTERNAL from the gateway's environment (or set it to false) and restart it: it lets anyone who " +
  'reaches the port use the models without a GitLab token, and is meant for troubleshooting only.';

export const messages = {
  noUrl: { status: 'skip', text: (d: { why: string }) => `No AI gateway URL: ${d.why}` },
  requiresAuth: {
    status: 'pass',
    text: () => `The AI gateway requires authentication: unauthenticated GET / gives 401 "${NO_AUTH_MESSAGE}"`,
  },
  noAnswer: {
    status: 'fail',
    text: (d: { message: string }) => `No answer to an unauthenticated GET /: ${d.message}`,
    fix: 'See gateway-reachable and gateway-health.',
  },
  authBypassed: {
    status: 'fail',
    text: (d: { how: string }) => `SECURITY: the AI gateway serves requests without authentication (${d.how}): AIGW_AUTH__BYPASS_EXTERNAL is on`,
    fix: BYPASS_FIX,
  },
  notTheGateway: {
    status: 'warn',
    text: (d: { said: string }) => `Something else answers on the gateway's port: unauthenticated GET / gave ${d.said}, not 401 "${NO_AUTH_MESSAGE}"`,
    fix:
      'Check what listens on that host and port (`docker ps`, `ss -ltnp`), and that a reverse proxy in front forwards / and /v2/* to ' +
      'the gateway unchanged. From the gateway host, `curl http://localhost:5052` should return {"error":"No authorization header presented"}.',
  },
} satisfies Messages;

/** The `error` or `detail` of a JSON body, if any. */
function jsonMessage(response: HttpResponse): { error?: string; detail?: unknown } {
  const parsed = parseJson(response);
  // Stryker disable next-line ConditionalExpression,LogicalOperator: a JSON string or number has no error or detail either
  if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null) return {};
  const { error, detail } = parsed.value as { error?: unknown; detail?: unknown };
  // Stryker disable next-line ConditionalExpression: an undefined detail is no detail
  return { ...(typeof error === 'string' ? { error } : {}), ...(detail !== undefined ? { detail } : {}) };
}

function describe(response: HttpResponse): string {
  const { error, detail } = jsonMessage(response);
  const said = error ?? (typeof detail === 'string' ? detail : undefined);
  const server = response.headers.server ? `, Server: ${response.headers.server}` : '';
  const body = said
    ? `, ${JSON.stringify(said)}`
    : response.body.trim()
      ? `, a body of type ${response.headers['content-type'] ?? 'unknown (no Content-Type)'}`
      : ', empty body';
  return `HTTP ${response.status}${body}${server}`;
}

function refusesWithoutToken(ex: HttpExchange | undefined): boolean {
  // Stryker disable next-line ConditionalExpression,LogicalOperator,OptionalChaining: only ever asked of an answer
  return Boolean(ex?.ok && ex.response.status === 401 && jsonMessage(ex.response).error === NO_AUTH_MESSAGE);
}

/**
 * Whether the health answer is the gateway's: 200 with a JSON body, as FastAPI's health route answers. A static web
 * server (`python3 -m http.server`: 404) or `openssl s_server -www` (200 with an HTML page) is not a gateway.
 */
export function isGatewayHealth(ex: HttpExchange | undefined): boolean {
  // Stryker disable next-line StringLiteral: no other string names JSON either
  return Boolean(ex?.ok && ex.response.status === 200 && /json/i.test(ex.response.headers['content-type'] ?? '') && parseJson(ex.response).ok);
}

/** Whether the protected route must be asked: / did not refuse, and the port does serve a gateway. */
export function needsConfirmation(f: Pick<Facts, 'root' | 'health'>): boolean {
  return Boolean(f.root?.ok) && !refusesWithoutToken(f.root) && isGatewayHealth(f.health);
}

/**
 * Pure. 401 "No authorization header presented" on / passes. A bypass is claimed only for a gateway (its health answer
 * is the gateway's) whose protected route, asked without a token and with an empty body, answers as FastAPI does once
 * past auth (422 validation, or 200) rather than 401. Anything else is another service on that port.
 */
function judgeFacts(f: Facts): Judgement<typeof messages> {
  if (!f.root) return { findings: [{ id: 'noUrl', data: { why: f.noUrl ?? 'none given' } }] };
  if (!f.root.ok) return { findings: [{ id: 'noAnswer', data: { message: f.root.failure.message } }], evidence: { failure: f.root.failure.kind } };
  const { response } = f.root;
  if (refusesWithoutToken(f.root)) return { findings: [{ id: 'requiresAuth' }], evidence: { httpStatus: 401 } };
  const confirmed = f.protectedRoute?.ok ? f.protectedRoute.response : undefined;
  if (isGatewayHealth(f.health) && confirmed && confirmed.status < 500 && ![401, 403, 404].includes(confirmed.status) && parseJson(confirmed).ok) {
    return {
      findings: [{ id: 'authBypassed', data: { how: `HTTP ${confirmed.status} for an unauthenticated POST ${PROTECTED_PATH}` } }],
      details: ['Security finding: anyone who can reach the gateway port can use it without a GitLab-issued token.'],
      evidence: { httpStatus: confirmed.status, securityFinding: true, authBypassed: true },
    };
  }
  const health = f.health?.ok ? `HTTP ${f.health.response.status}` : f.health ? f.health.failure.message : 'not asked';
  return {
    findings: [{ id: 'notTheGateway', data: { said: describe(response) } }],
    details: [
      'The AI gateway answers every unauthenticated request with 401 {"error":"No authorization header presented"}.',
      'A reverse proxy, a load balancer or another service may be answering instead (or in front) of it.',
      `GET /monitoring/healthz: ${health}${isGatewayHealth(f.health) ? ' (JSON, as the gateway answers)' : " (not the gateway's JSON answer)"}`,
      ...(confirmed ? [`Unauthenticated POST ${PROTECTED_PATH}: ${describe(confirmed)}`] : []),
    ],
    evidence: { httpStatus: response.status, server: response.headers.server },
  };
}

/** Pure: the judgement, its details opening with the URL exercised when GitLab uses another. */
export const judge = namingTarget(judgeFacts);

// Stryker disable all: gather does I/O (probes); the integration tier tests it, mutating it here only measures the unit tier's blind spot
/** Gathers: GET / and the health answer (both memoised), then the protected route only when it decides. No credentials. */
export function gather(ctx: CheckContext): Promise<Facts> {
  return withGatewayTarget(ctx, gatherFacts(ctx));
}

async function gatherFacts(ctx: CheckContext): Promise<Facts> {
  const [root, health] = await Promise.all([gatewayRequest(ctx, { path: '/' }), gatewayHealthz(ctx)]);
  if (!root.url) return { noUrl: root.exchange.ok ? 'none given' : root.exchange.failure.message };
  const facts: Facts = { root: root.exchange, health: health.exchange };
  if (!needsConfirmation(facts)) return facts;
  const confirm = await gatewayRequest(ctx, { path: PROTECTED_PATH, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  return { ...facts, protectedRoute: confirm.exchange };
}

// Stryker restore all
export default defineCheck({
  id: 'gateway-auth',
  title: 'The AI gateway requires authentication',
  category: 'network',
  tags: ['ci', 'oncall', 'pre-upgrade', 'security'],
  dependsOn: ['gateway-reachable'],
  needs: ['gateway'],
  explain: {
    checks:
      'The install guide\'s check: an unauthenticated GET / must give 401 {"error":"No authorization header presented"}. Otherwise, when ' +
      `the port serves a gateway (GET /monitoring/healthz gives its JSON 200), an unauthenticated POST ${PROTECTED_PATH} with an ` +
      'empty body tells: a gateway enforcing auth refuses it with 401 before reading the body; one with auth bypassed validates it (422).',
    failsWhen:
      'The gateway serves unauthenticated requests (its protected route answers without 401): AIGW_AUTH__BYPASS_EXTERNAL is on — a ' +
      'security finding. Any other answer is a warning: something else (a proxy, another service) answers on that port.',
    fix: BYPASS_FIX,
  },
  messages,
  gather,
  judge,
});
