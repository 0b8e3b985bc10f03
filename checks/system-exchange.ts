// system-exchange: a code completion goes GitLab → AI gateway → back, and when it does not, the failing hop is named.
import { defineCheck, type FindingOf, type Judgement, type Messages } from '../src/check.js';
import { ADMIN_AI_GATEWAY_URL, ADMIN_FEATURES } from '../src/data/admin-paths.js';
import { COMPLETION_REQUEST, COMPLETIONS_PATH as PATH } from '../src/completion-request.js';
import { completionText, jsonObject } from '../src/judge/completion.js';
import { redactSecrets } from '../src/redact.js';
import { describeExchange, gitlabAiGatewayUrl, gitlabPost } from '../src/probes/gitlab-api.js';
import { parseJson } from '../src/probes/http.js';
import { redactUrl } from '../src/redact.js';

export { COMPLETION_REQUEST };

/** GitLab's answer, as plain facts (the body redacted of the token, at most 2000 characters). */
export interface Answer {
  status: number;
  contentType?: string;
  body: string;
  /** X-GitLab-Error-Origin: monolith — GitLab refused the request itself. */
  monolith: boolean;
  elapsedMs: number;
}

export interface Facts {
  /** Why the request never reached GitLab; undefined when it did. */
  unreached?: { message: string; kind: string };
  answer?: Answer;
  /** GitLab's ai_gateway_url setting, read when GitLab could not reach the gateway. */
  setting?: { ok: true; url?: string } | { ok: false; reason: string };
}

const SEAT_FIX =
  "Assign a GitLab Duo seat to the token's user at /admin/code_suggestions (Admin > GitLab Duo > Seat utilization), " +
  'and check the license provides Code Suggestions (see the license check).';
const KEYS_FIX =
  "See the jwks-reachable, jwks-valid and token-verifies checks. Usually: AIGW_GITLAB_URL must be GitLab's URL as the gateway reaches it, " +
  "the gateway must trust GitLab's certificate (REQUESTS_CA_BUNDLE: Python requests fetches the keys), and the gateway must be restarted after " +
  'GitLab became reachable or rotated its Cloud Connector key (it caches the key set, even an empty one, for 24 h).';
const PROXY_HEADERS_FIX =
  'A proxy between GitLab and the gateway rewrites or drops headers: pass Authorization and every X-Gitlab-* header through unchanged.';

/** The gateway's 401 messages (auth.py), what each means here, and its fix. */
const GATEWAY_AUTH: { match: RegExp; meaning: string; fix: string }[] = [
  {
    match: /^Forbidden by auth provider/,
    meaning:
      "the gateway could not verify the token GitLab signed with the key set it holds: none of GitLab's keys (unfetchable, untrusted TLS, a stale or empty cached set), " +
      'a signature from a key it lacks (a Cloud Connector key rotated after it cached the set), the wrong audience — it must be gitlab-ai-gateway —, or clock skew (nbf/exp)',
    fix: KEYS_FIX,
  },
  {
    match: /^Header mismatch/,
    meaning:
      'the token verified, but a header disagrees with its claims: X-Gitlab-Instance-Id must equal the claim sub (the instance id), X-Gitlab-Realm the claim gitlab_realm',
    fix: `${PROXY_HEADERS_FIX} If GitLab was restored or cloned, its instance id changed: tokens and headers must come from the same instance.`,
  },
  {
    match: /^No authorization header presented/,
    meaning: "the request reached the gateway without GitLab's Authorization header",
    fix: PROXY_HEADERS_FIX,
  },
  {
    match: /^Invalid authorization header/,
    meaning: 'the Authorization header that reached the gateway is not `Bearer <token>`',
    fix: PROXY_HEADERS_FIX,
  },
  {
    match: /^Invalid authentication token type/,
    meaning: 'X-Gitlab-Authentication-Type did not reach the gateway as `oidc`',
    fix: PROXY_HEADERS_FIX,
  },
];

type Said = { status: number; said: string };
type Blank = Said & { blank?: boolean };
/** A 403 of the gateway's code endpoints: its detail, the unit primitive it checked and the feature that carries it. */
type Scope = Said & { detail: string; primitive: string; feature: string };

/**
 * The gateway's 403 details on its code routes and the unit primitive each checks (ai-gateway 95a8d76dd:
 * ai_gateway/api/v2/code/completions.py, "code completions" and "code generations"; ai_gateway/code_suggestions/handler.py,
 * "code suggestions" for a completion).
 */
const SCOPES: Record<string, { primitive: string; feature: string }> = {
  'Unauthorized to access code completions': { primitive: 'complete_code', feature: 'Code Completion' },
  'Unauthorized to access code suggestions': { primitive: 'complete_code', feature: 'Code Completion' },
  'Unauthorized to access code generations': { primitive: 'generate_code', feature: 'Code Generation' },
};

export const messages = {
  noToken: { status: 'skip', text: () => 'no GitLab token given' },
  completed: {
    status: 'pass',
    text: (d: { ms: number; model?: string; text: string }) => `A code completion came back through GitLab and the AI gateway in ${d.ms} ms`,
  },
  notReached: {
    status: 'fail',
    text: (d: { why: string }) => `The completion request did not reach GitLab: ${d.why}`,
    fix: 'See the gitlab-reachable check.',
  },
  noCompletion: {
    status: 'fail',
    text: (_: Said) => "The AI gateway answered, but the response doesn't contain a completion",
    fix: `The gateway reached no usable model answer: check the model-endpoints check, the model assigned to Code Completion (${ADMIN_FEATURES}), and the gateway's logs.`,
  },
  switchedOff: {
    status: 'fail',
    text: (_: Said) => 'GitLab refused the completion itself (HTTP 404): Code Suggestions are switched off on this instance',
    fix: 'Enable the ops feature flag ai_duo_code_suggestions_switch (Feature.enable(:ai_duo_code_suggestions_switch)).',
  },
  rateLimited: {
    status: 'fail',
    text: (_: Said) => 'GitLab refused the completion itself (HTTP 429): the user hit the Code Suggestions rate limit',
    fix: 'Wait a minute and run again.',
  },
  userNoAccess: {
    status: 'fail',
    text: (d: Said) => `GitLab refused the completion itself (HTTP ${d.status}): the token's user has no access to Code Suggestions`,
    fix: SEAT_FIX,
  },
  tokenScope: {
    status: 'fail',
    text: (d: Said) => `GitLab refused the completion (HTTP ${d.status}): the token lacks the \`api\` (or \`ai_features\`) scope`,
    fix: 'Use a personal access token with the `api` scope.',
  },
  gatewayAuth: {
    status: 'fail',
    text: (d: Said & { error: string }) => `The AI gateway rejected GitLab's token: "${d.error}"`,
    fix: (d: Said & { error: string }) => GATEWAY_AUTH.find((g) => g.match.test(d.error))?.fix ?? KEYS_FIX,
  },
  gatewayScope: {
    status: 'fail',
    text: (d: Scope) => `The AI gateway refused the request (HTTP 403 "${d.detail}"): GitLab's token lacks the ${d.primitive} unit primitive`,
    fix: (d: Scope) =>
      'The token GitLab signs carries the unit primitives its license and add-ons allow: check the license check (Duo add-on), `gitlab-rake gitlab:cloud_connector:sync`, ' +
      `and that ${d.feature} is assigned to a self-hosted model (${ADMIN_FEATURES}).`,
  },
  gatewayNoKeys: {
    status: 'fail',
    text: (_: Said) =>
      'The AI gateway failed inside its authentication (HTTP 500, Starlette\'s plain "Internal Server Error"): it holds no key at all — CriticalAuthError "No keys founds in JWKS"',
    fix: KEYS_FIX,
  },
  gitlabToGateway: {
    status: 'fail',
    text: (d: Blank) =>
      `GitLab could not reach the AI gateway (HTTP ${d.status} from GitLab)${d.blank ? ": GitLab's AI gateway URL setting is blank" : ''}`,
    fix: (d: Blank) =>
      d.blank
        ? `Set the 'ai_gateway_url' application setting to point to your AI Gateway instance: ${ADMIN_AI_GATEWAY_URL}, or ` +
          '`Ai::Setting.instance.update!(ai_gateway_url: "http://<gateway-host>:5052")` in the Rails console.'
        : 'GitLab (its Workhorse) connects to the AI gateway URL itself: check that URL from the GitLab host (gateway-reachable, gateway-health), ' +
          'firewalls, and HTTP(S)_PROXY/NO_PROXY in GitLab\'s environment. Workhorse logs "SendURL: Do request" with the cause.',
  },
  gatewayError: {
    status: 'fail',
    text: (d: Said) => `The AI gateway answered the completion with HTTP ${d.status}`,
    fix: "Check the gateway's logs for this request and the model-endpoints check (a model server error is relayed as an HTTP error).",
  },
} satisfies Messages;

type Finding = FindingOf<typeof messages>;

/** Workhorse's own failure body (fail.Request → http.Error(w, StatusText(500))): the text and a newline. */
const WORKHORSE_500 = 'Internal Server Error\n';
/** Starlette's ServerErrorMiddleware body for an uncaught exception (no newline), relayed by Workhorse as it came. */
const STARLETTE_500 = 'Internal Server Error';

/** The finding for GitLab's answer. */
function answerFinding(a: Answer, setting: Facts['setting']): Finding {
  const body = jsonObject(a.body);
  const said: Said = { status: a.status, said: `HTTP ${a.status}: ${a.body.replace(/\s+/g, ' ').trim().slice(0, 200) || '(empty body)'}` };
  const message = typeof body?.message === 'string' ? body.message : undefined;
  // Grape's OAuth error for a token without the scope has an `error` too; the gateway's 401s have only that one field.
  const insufficientScope = body?.error === 'insufficient_scope';
  const gatewayError = typeof body?.error === 'string' && !insufficientScope ? body.error : undefined;
  if (a.status === 200) {
    const text = completionText(body);
    if (!text) return { id: 'noCompletion', data: said, details: [said.said, 'GitLab\'s own probe says: "Response doesn\'t contain a completion".'] };
    const model = (body?.model as { name?: unknown } | undefined)?.name;
    return {
      id: 'completed',
      data: { ms: a.elapsedMs, text, ...(typeof model === 'string' ? { model } : {}) },
      details: [`Model: ${typeof model === 'string' ? model : 'not named'}`, `Completion: ${JSON.stringify(text.slice(0, 80))}`],
    };
  }
  if (a.monolith || (a.status === 401 && message === '401 Unauthorized' && !gatewayError)) {
    if (a.status === 404) return { id: 'switchedOff', data: said, details: [said.said] };
    if (a.status === 429) return { id: 'rateLimited', data: said, details: [said.said] };
    return { id: 'userNoAccess', data: said, details: [said.said] };
  }
  if (insufficientScope) return { id: 'tokenScope', data: said, details: [said.said] };
  if (a.status === 401 && gatewayError) {
    const known = GATEWAY_AUTH.find((g) => g.match.test(gatewayError));
    return {
      id: 'gatewayAuth',
      data: { ...said, error: gatewayError },
      details: [said.said, known ? `This means ${known.meaning}.` : "The gateway's authentication refused the request GitLab relayed."],
    };
  }
  const detail = a.status === 403 && typeof body?.detail === 'string' ? body.detail : undefined;
  const scope = detail === undefined ? undefined : SCOPES[detail];
  if (detail !== undefined && scope) return { id: 'gatewayScope', data: { ...said, detail, ...scope }, details: [said.said] };
  if (a.status === 500 && a.body === STARLETTE_500) return { id: 'gatewayNoKeys', data: said, details: [said.said] };
  // Workhorse's own failure is plain text; the gateway's errors are FastAPI's {"detail": ...}.
  if (a.status >= 500 && body?.detail === undefined) {
    const blank = setting?.ok === true && !setting.url;
    const details = [
      said.said,
      ...(a.body === WORKHORSE_500
        ? ['The body is Workhorse\'s own "Internal Server Error" (sendurl.go: it could not connect, and answers 500).']
        : []),
      setting === undefined
        ? []
        : !setting.ok
          ? [`GitLab's AI gateway URL setting could not be read: ${setting.reason}`]
          : setting.url
            ? [`GitLab sends completions to ${redactUrl(setting.url)} (its ai_gateway_url setting).`]
            : ["GitLab's duoSettings.aiGatewayUrl is blank, so GitLab has no self-hosted AI gateway to send the completion to."],
    ].flat();
    return { id: 'gitlabToGateway', data: { ...said, blank }, details };
  }
  return { id: 'gatewayError', data: said, details: [said.said] };
}

/** Pure: the hop that failed, from what GitLab relayed. */
export function judge(facts: Facts): Judgement<typeof messages> {
  if (facts.unreached)
    return {
      findings: [{ id: 'notReached', data: { why: facts.unreached.message } }],
      evidence: { hop: 'client-to-gitlab', failure: facts.unreached.kind },
    };
  const a = facts.answer;
  if (!a) return { findings: [{ id: 'noToken' }] };
  const finding = answerFinding(a, facts.setting);
  const hop: Record<Finding['id'], string> = {
    noToken: 'none',
    completed: 'none',
    notReached: 'client-to-gitlab',
    noCompletion: 'model',
    switchedOff: 'gitlab',
    rateLimited: 'gitlab',
    userNoAccess: 'gitlab',
    tokenScope: 'gitlab',
    gatewayAuth: 'gateway-auth',
    gatewayScope: 'gateway-auth',
    gatewayNoKeys: 'gateway-auth',
    gitlabToGateway: 'gitlab-to-gateway',
    gatewayError: 'gateway',
  };
  const model = finding.id === 'completed' ? finding.data.model : undefined;
  return { findings: [finding], evidence: { hop: hop[finding.id], httpStatus: a.status, responseMs: a.elapsedMs, ...(model ? { model } : {}) } };
}

export default defineCheck({
  id: 'system-exchange',
  title: 'A code completion goes GitLab → AI gateway → back',
  category: 'system-exchange',
  tags: ['ci', 'oncall', 'pre-upgrade'],
  // Not gateway-url: GitLab relays to its own setting, whatever URL this run was given; a blank one is named.
  dependsOn: ['gitlab-reachable'],
  needs: ['gitlab', 'token'],
  explain: {
    checks:
      `POST ${PATH} with the completion GitLab's own end-to-end probe asks for (file test.rb, content "def hello_world"). ` +
      'GitLab signs a token and relays the request to the AI gateway; the answer must contain a completion.',
    failsWhen:
      'GitLab refuses the user (401/403 marked X-GitLab-Error-Origin: monolith: no license feature or no Duo seat); GitLab cannot reach ' +
      'the gateway (Workhorse\'s plain 500 "Internal Server Error"); the gateway rejects GitLab\'s token (its 401 message relayed: "Forbidden by auth provider" = ' +
      'keys/audience/clock, "Header mismatch" = instance id or realm, missing/invalid header = a proxy), lacks every key (its own plain 500), or refuses the scope ' +
      '(403 "Unauthorized to access code completions"); or no completion comes back.',
    fix: "The failing hop is named with its fix: Duo seat, network path from GitLab to the gateway, the gateway's keys, or the model.",
  },
  messages,
  // Stryker disable all: gather does I/O (probes); the integration tier tests it, mutating it here only measures the unit tier's blind spot
  async gather(ctx): Promise<Facts> {
    const ex = await gitlabPost(ctx, PATH, COMPLETION_REQUEST);
    if (!ex.ok || (ex.response.status >= 300 && ex.response.status < 400)) {
      return { unreached: { message: describeExchange(ctx, ex), kind: ex.ok ? `HTTP ${ex.response.status}` : ex.failure.kind } };
    }
    const r = ex.response;
    const answer: Answer = {
      status: r.status,
      ...(r.headers['content-type'] ? { contentType: r.headers['content-type'] } : {}),
      body: redactSecrets(r.body.slice(0, 2000), [ctx.settings.gitlabToken]),
      monolith: r.headers['x-gitlab-error-origin'] === 'monolith',
      elapsedMs: r.elapsedMs,
    };
    const relayFailed = r.status >= 500 && !parseJson(r).ok;
    return { answer, ...(relayFailed ? { setting: await gitlabAiGatewayUrl(ctx) } : {}) };
  },
  // Stryker restore all
  judge,
});
