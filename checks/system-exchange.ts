// system-exchange: a code completion goes GitLab → AI gateway → back, and when it does not, the failing hop is named.
import { defineCheck, type CheckContext } from '../src/check.js';
import { COMPLETION_REQUEST } from '../src/completion-request.js';
import type { CheckOutcome } from '../src/model.js';
import { apiMessage, bodyExcerpt, describeExchange, gitlabAiGatewayUrl, gitlabPost } from '../src/probes/gitlab-api.js';
import { parseJson, type HttpResponse } from '../src/probes/http.js';
import { redactUrl } from '../src/redact.js';

export { COMPLETION_REQUEST };

const PATH = '/api/v4/code_suggestions/completions';

const SEAT_FIX =
  'Assign a GitLab Duo seat to the token\'s user at /admin/code_suggestions (Admin > GitLab Duo > Seat utilization), ' +
  'and check the license provides Code Suggestions (see the license check).';
const KEYS_FIX =
  'See the jwks-reachable, jwks-valid and token-verifies checks. Usually: AIGW_GITLAB_URL must be GitLab\'s URL as the gateway reaches it, ' +
  'the gateway must trust GitLab\'s certificate (SSL_CERT_FILE and REQUESTS_CA_BUNDLE), and the gateway must be restarted after ' +
  'GitLab became reachable (it caches the key set, even an empty one, for 24 h).';
const PROXY_HEADERS_FIX =
  'A proxy between GitLab and the gateway rewrites or drops headers: pass Authorization and every X-Gitlab-* header through unchanged.';

/** The gateway's 401 messages (ai-assist auth middleware), what each means here, and its fix. */
const GATEWAY_AUTH: { match: RegExp; meaning: string; fix: string }[] = [
  {
    match: /^Forbidden by auth provider/,
    meaning:
      'the gateway could not verify the token GitLab signed: it could not fetch GitLab\'s keys (OIDC discovery / JWKS unreachable, ' +
      'TLS not trusted, an empty key set cached), or the token does not verify (signature, wrong audience — it must be gitlab-ai-gateway — or issuer, clock skew)',
    fix: KEYS_FIX,
  },
  {
    match: /^Header mismatch/,
    meaning:
      'the token verified, but a header disagrees with its claims: X-Gitlab-Instance-Id must equal the claim sub (the instance id), ' +
      'X-Gitlab-Realm the claim gitlab_realm (self-managed)',
    fix: `${PROXY_HEADERS_FIX} If GitLab was restored or cloned, its instance id changed: tokens and headers must come from the same instance.`,
  },
  {
    match: /^No authorization header presented/,
    meaning: 'the request reached the gateway without GitLab\'s Authorization header',
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

/** The JSON object of a response, if it is one. */
function json(response: HttpResponse): Record<string, unknown> | undefined {
  const parsed = parseJson(response);
  return parsed.ok && typeof parsed.value === 'object' && parsed.value !== null ? (parsed.value as Record<string, unknown>) : undefined;
}

/** The completion text of a gateway answer (`choices[0].text`), if any. */
function completionText(body: Record<string, unknown> | undefined): string | undefined {
  const choices = body?.choices;
  const first: unknown = Array.isArray(choices) ? choices[0] : undefined;
  const text = (first as { text?: unknown } | undefined)?.text;
  return typeof text === 'string' && text.trim() ? text : undefined;
}

function fail(hop: string, summary: string, remediation: string, response: HttpResponse, details: string[] = []): CheckOutcome {
  return {
    status: 'fail',
    summary,
    details,
    remediation,
    evidence: { hop, httpStatus: response.status, errorOrigin: response.headers['x-gitlab-error-origin'], responseMs: response.elapsedMs },
  };
}

/** Judges GitLab's answer to the completion request. */
export function judgeCompletion(ctx: CheckContext, response: HttpResponse): CheckOutcome {
  const { status } = response;
  const body = json(response);
  const said = `HTTP ${status}: ${bodyExcerpt(ctx, response) || '(empty body)'}`;
  const monolith = response.headers['x-gitlab-error-origin'] === 'monolith';
  // Grape's OAuth error for a token without the scope also has an `error`; the gateway's have only that one field.
  const insufficientScope = body?.error === 'insufficient_scope';
  const gatewayError = typeof body?.error === 'string' && !insufficientScope ? body.error : undefined;

  if (status === 200) {
    const text = completionText(body);
    if (text) {
      const model = (body?.model as { name?: unknown } | undefined)?.name;
      return {
        status: 'pass',
        summary: `A code completion came back through GitLab and the AI gateway in ${response.elapsedMs} ms`,
        details: [`Model: ${typeof model === 'string' ? model : 'not named'}`, `Completion: ${JSON.stringify(text.slice(0, 80))}`],
        evidence: { hop: 'none', httpStatus: status, responseMs: response.elapsedMs, model: typeof model === 'string' ? model : undefined },
      };
    }
    return fail(
      'model',
      "The AI gateway answered, but the response doesn't contain a completion",
      'The gateway reached no usable model answer: check the model-endpoints check, the model assigned to Code Completion ' +
        '(Admin > GitLab Duo Self-Hosted), and the gateway\'s logs.',
      response,
      [said, "GitLab's own probe says: \"Response doesn't contain a completion\"."],
    );
  }
  // 401 from GitLab itself: the user may not use Code Suggestions (no license feature or no Duo seat).
  if (monolith || (status === 401 && apiMessage(response) === '401 Unauthorized' && !gatewayError)) {
    const hop = 'gitlab';
    if (status === 404) {
      return fail(hop, 'GitLab refused the completion itself (HTTP 404): Code Suggestions are switched off on this instance', 'Enable the ops feature flag ai_duo_code_suggestions_switch (Feature.enable(:ai_duo_code_suggestions_switch)).', response, [said]);
    }
    if (status === 429) {
      return fail(hop, 'GitLab refused the completion itself (HTTP 429): the user hit the Code Suggestions rate limit', 'Wait a minute and run again.', response, [said]);
    }
    return fail(hop, `GitLab refused the completion itself (HTTP ${status}): the token's user has no access to Code Suggestions`, SEAT_FIX, response, [said]);
  }
  if (insufficientScope) {
    return fail('gitlab', `GitLab refused the completion (HTTP ${status}): the token lacks the \`api\` (or \`ai_features\`) scope`, 'Use a personal access token with the `api` scope.', response, [said]);
  }
  if (status === 401 && gatewayError) {
    const known = GATEWAY_AUTH.find((g) => g.match.test(gatewayError));
    return fail(
      'gateway-auth',
      `The AI gateway rejected GitLab's token: "${gatewayError}"`,
      known?.fix ?? KEYS_FIX,
      response,
      [said, known ? `This means ${known.meaning}.` : 'The gateway\'s authentication refused the request GitLab relayed.'],
    );
  }
  if (status === 403 && body?.detail === 'Forbidden') {
    return fail(
      'gateway-auth',
      'The AI gateway refused the request (HTTP 403 Forbidden): GitLab\'s token lacks the code completion scope',
      'The token GitLab signs carries the scopes its license and seats allow: check the license check, and that Code Completion is ' +
        'assigned to a self-hosted model (Admin > GitLab Duo Self-Hosted).',
      response,
      [said],
    );
  }
  // The gateway's own errors are FastAPI's {"detail": ...}; Workhorse's failure to connect is plain text.
  if (status >= 500 && body?.detail === undefined) {
    return fail(
      'gitlab-to-gateway',
      `GitLab could not reach the AI gateway (HTTP ${status} from GitLab)`,
      'GitLab (its Workhorse) connects to the AI gateway URL itself: check that URL from the GitLab host (gateway-reachable, gateway-health), ' +
        'firewalls, and HTTP(S)_PROXY/NO_PROXY in GitLab\'s environment. Workhorse logs "SendURL: Do request" with the cause.',
      response,
      [said],
    );
  }
  return fail(
    'gateway',
    `The AI gateway answered the completion with HTTP ${status}`,
    'Check the gateway\'s logs for this request and the model-endpoints check (a model server error is relayed as an HTTP error).',
    response,
    [said],
  );
}

/** Narrows "GitLab could not reach the gateway" with where GitLab sends completions (its ai_gateway_url setting). */
async function withGitLabSetting(ctx: CheckContext, outcome: CheckOutcome): Promise<CheckOutcome> {
  const setting = await gitlabAiGatewayUrl(ctx);
  if (!setting.ok) return { ...outcome, details: [...(outcome.details ?? []), `GitLab's AI gateway URL setting could not be read: ${setting.reason}`] };
  if (!setting.url) {
    return {
      ...outcome,
      summary: `${outcome.summary}: GitLab's AI gateway URL setting is blank`,
      details: [...(outcome.details ?? []), "GitLab's duoSettings.aiGatewayUrl is blank, so GitLab has no self-hosted AI gateway to send the completion to."],
      remediation:
        "Set the 'ai_gateway_url' application setting to point to your AI Gateway instance: Admin > GitLab Duo > Configuration, or " +
        '`Ai::Setting.instance.update!(ai_gateway_url: "http://<gateway-host>:5052")` in the Rails console.',
    };
  }
  return { ...outcome, details: [...(outcome.details ?? []), `GitLab sends completions to ${redactUrl(setting.url)} (its ai_gateway_url setting).`] };
}

export default defineCheck({
  id: 'system-exchange',
  title: 'A code completion goes GitLab → AI gateway → back',
  category: 'system-exchange',
  tags: ['ci', 'oncall', 'pre-upgrade'],
  // Not gateway-url: GitLab relays to its own setting, whatever URL this run was given; a blank one is named below.
  dependsOn: ['gitlab-reachable'],
  needs: ['gitlab', 'token'],
  explain: {
    checks:
      `POST ${PATH} with the completion GitLab's own end-to-end probe asks for (file test.rb, content "def hello_world"). ` +
      'GitLab signs a token and relays the request to the AI gateway; the answer must contain a completion.',
    failsWhen:
      'GitLab refuses the user (401/403 marked X-GitLab-Error-Origin: monolith: no license feature or no Duo seat); GitLab cannot reach ' +
      'the gateway (5xx from Workhorse); the gateway rejects GitLab\'s token (its 401 message relayed: "Forbidden by auth provider" = ' +
      'keys/audience, "Header mismatch" = instance id or realm, missing/invalid header = a proxy); or no completion comes back.',
    fix: 'The failing hop is named with its fix: Duo seat, network path from GitLab to the gateway, the gateway\'s JWKS access, or the model.',
  },
  async run(ctx) {
    const ex = await gitlabPost(ctx, PATH, COMPLETION_REQUEST);
    if (!ex.ok || (ex.response.status >= 300 && ex.response.status < 400)) {
      return {
        status: 'fail',
        summary: `The completion request did not reach GitLab: ${describeExchange(ctx, ex)}`,
        remediation: 'See the gitlab-reachable check.',
        evidence: { hop: 'client-to-gitlab', ...(ex.ok ? { httpStatus: ex.response.status } : { failure: ex.failure.kind }) },
      };
    }
    const outcome = judgeCompletion(ctx, ex.response);
    return outcome.evidence?.hop === 'gitlab-to-gateway' ? withGitLabSetting(ctx, outcome) : outcome;
  },
});
