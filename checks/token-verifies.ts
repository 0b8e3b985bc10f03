// token-verifies: GitLab's Duo token is accepted by the gateway — observed through the token exchange GitLab's
// direct_access performs (POST <ai_gateway_url>/v1/code/user_access_token with GitLab's own token), and diagnosed when refused.
import { plural } from '../src/plural.js';
import { defineCheck, type FindingOf, type Judgement, type Messages } from '../src/check.js';
import { gatewayHasOwnKeys } from '../src/judge/gateway-keys.js';
import { envLookup } from '../src/judge/pydantic-bool.js';
import { DIRECT_ACCESS_PATH, DIRECT_ACCESS_SETTING } from '../src/probes/direct-access.js';
import { gatewayHealthz } from '../src/probes/gateway.js';
import { gitlabPost } from '../src/probes/gitlab-api.js';
import { parseJson, type HttpExchange } from '../src/probes/http.js';
import { fetchJwks } from '../src/probes/jwks.js';
import { redactUrl } from '../src/redact.js';

/** The audience and issuer of the gateway (CloudConnectorConfig().service_name). */
export const GATEWAY_SERVICE_NAME = 'gitlab-ai-gateway';
/**
 * How far GitLab's clock may run ahead of the gateway's before its fresh tokens are "not yet valid": the reference's
 * nbf = iat - 5 s (python-jose checks nbf with no leeway).
 */
export const NBF_SLACK_S = 5;
/** GitLab's tokens live one hour: a GitLab clock this far behind hands the gateway expired tokens. */
export const TOKEN_LIFETIME_S = 3600;
/** Clock offsets worth a warning even when the exchange works. */
export const OFFSET_WARN_S = 30;

/** GitLab's answer to direct_access, as plain facts (the token itself is never kept: only its printable claims). */
export interface ExchangeFacts {
  status: number;
  /** The JSON members GitLab answers with, token removed; undefined when the body is not JSON. */
  body?: Record<string, unknown>;
  /** X-GitLab-Error-Origin: monolith — GitLab refused the user itself. */
  monolith: boolean;
  /** GitLab's Date header. */
  date?: string;
  /** The claims of the token GitLab handed out (iss, aud, sub, scopes, iat, nbf, exp), when there is one. */
  claims?: Record<string, unknown>;
}

export interface Facts {
  /** Undefined with `unreached` when GitLab gave no HTTP answer. */
  exchange?: ExchangeFacts;
  unreached?: string;
  /** The gateway's Date header, from a request made at the same time, and the URL asked. */
  gateway?: { url?: string; date?: string; failure?: string };
  /** GitLab's key set as duo-doctor fetched it the gateway's way: its kids, or why it could not. */
  keySet?: { kids: string[] } | { failed: true };
  /** From the gateway's environment, when it is known: whether it has its own keys and a signing key. */
  gatewayEnv?: { ownKeys: boolean; signingKey: boolean };
}

type Offset = { seconds: number };
type Refusal = { status: number; error: string };

const NTP = 'Synchronise the clocks of GitLab and the gateway with NTP (timedatectl / chronyc tracking show the offset).';
const RESTART = 'then restart the gateway: it keeps the key set it fetched for 24 h.';
const SEAT = "The token's user needs Code Suggestions: a GitLab Duo seat (Admin > GitLab Duo > Seat utilization) and a license with Duo.";

export const messages = {
  noAnswer: { status: 'skip', text: (d: { why: string }) => `could not ask GitLab for a token: ${d.why} (see gitlab-reachable)` },
  directDisabled: {
    status: 'skip',
    text: () => `GitLab does not hand out direct-access tokens: direct connections are disabled (${DIRECT_ACCESS_SETTING})`,
  },
  userNoAccess: {
    status: 'skip',
    text: (d: { status: number }) =>
      `GitLab itself refused this token's user (HTTP ${d.status}, X-GitLab-Error-Origin: monolith) before asking the gateway: ${SEAT}`,
  },
  exchanged: {
    status: 'pass',
    text: (d: { iss: string; scopes: string }) =>
      `the gateway accepted GitLab's token and minted a user token (iss ${d.iss}, scopes ${d.scopes}): it verifies GitLab's tokens with the keys it holds`,
  },
  notGatewayMinted: {
    status: 'warn',
    text: (d: { iss: string }) =>
      `GitLab handed out a token issued by ${d.iss}, not by the gateway: this GitLab does not exchange its token at /v1/code/user_access_token, so nothing here shows the gateway accepts GitLab's tokens`,
    fix: "Run a GitLab version whose direct_access asks the gateway (current GitLab does); system-exchange still shows whether the gateway accepts GitLab's tokens.",
  },
  clockOffset: {
    status: 'warn',
    // Stryker disable next-line EqualityOperator: a zero offset never reaches this message (it needs more than OFFSET_WARN_S)
    text: (d: Offset) => `GitLab's clock is ${Math.abs(d.seconds)} s ${d.seconds > 0 ? 'ahead of' : 'behind'} the gateway's (their Date headers)`,
    fix: NTP,
  },
  gatewayRefused: {
    status: 'fail',
    text: (d: Refusal) =>
      `the gateway refused GitLab's own token: GitLab answered HTTP ${d.status} "Token creation failed" with the gateway's error "${d.error}"`,
    fix: (d: Refusal) =>
      d.error.startsWith('Header mismatch')
        ? 'A proxy between GitLab and the gateway rewrites X-Gitlab-* headers, or GitLab was cloned/restored (its instance id changed): pass every X-Gitlab-* header through unchanged.'
        : /authorization header|token type/i.test(d.error)
          ? 'A proxy between GitLab and the gateway drops or rewrites Authorization / X-Gitlab-Authentication-Type: pass them through unchanged.'
          : `The gateway does not verify GitLab's token with the key set it holds; the findings below say which cause the measurements point to.`,
  },
  gitlabClockAhead: {
    status: 'fail',
    text: (d: Offset) =>
      `GitLab's clock is ${d.seconds} s ahead of the gateway's: its tokens are not valid yet (nbf) when the gateway checks them, which it does with no leeway`,
    fix: NTP,
  },
  gitlabClockBehind: {
    status: 'fail',
    text: (d: Offset) => `GitLab's clock is ${-d.seconds} s behind the gateway's: its one-hour tokens have expired by the gateway's clock`,
    fix: NTP,
  },
  keysUnfetchable: {
    status: 'fail',
    text: () => "the gateway cannot fetch GitLab's key set (jwks-reachable says why), so it has none of GitLab's keys to verify with",
    fix: `Fix what jwks-reachable reports, ${RESTART}`,
  },
  gitlabPublishesNoKeys: {
    status: 'fail',
    text: () =>
      'GitLab publishes an empty key set: the gateway has no GitLab key to verify GitLab\'s token with, so it refuses it ("Forbidden by auth provider")',
    fix: "Create GitLab's Cloud Connector signing key (`gitlab-rake cloud_connector:keys:create`; `gitlab-rake cloud_connector:keys:list` shows it), then restart the gateway so it refetches the set (see jwks-valid).",
  },
  staleOrForeignKeys: {
    status: 'fail',
    text: (d: { kids: string[] }) =>
      `the clocks agree and GitLab publishes ${plural(d.kids.length, 'key')} (kids ${d.kids.join(', ')}), yet the gateway rejects GitLab's token: ` +
      "it holds an older key set (cached before GitLab's Cloud Connector key changed) or another GitLab's keys, or GitLab's token names another audience than gitlab-ai-gateway",
    fix:
      "Restart the gateway so it refetches GitLab's keys (it caches them 24 h, also across `gitlab-rake cloud_connector:keys:rotate`); check that AIGW_GITLAB_URL is this GitLab; " +
      "`gitlab-rake cloud_connector:keys:list` shows the keys GitLab signs with (the oldest signs). If it persists, run the gateway version that matches GitLab's (the audience).",
  },
  scopeRefused: {
    status: 'fail',
    text: () =>
      'the gateway refused to mint a token (HTTP 403 "Token creation failed"): GitLab\'s token carries neither complete_code nor ai_gateway_model_provider_proxy',
    fix: 'GitLab puts in its token the unit primitives its license and add-ons allow: check the license check (Duo add-on), then `gitlab-rake gitlab:cloud_connector:sync` or wait for the daily sync.',
  },
  gatewayFailed: {
    status: 'fail',
    text: (d: { status: number }) =>
      `the gateway failed the token exchange (HTTP ${d.status} "Token creation failed"; GitLab does not pass on the gateway's detail)`,
    fix: 'The gateway log names the cause; the findings below say which one the measurements point to.',
  },
  signingKeyUnset: {
    status: 'fail',
    text: () => 'the gateway has no AIGW_SELF_SIGNED_JWT__SIGNING_KEY: it cannot sign user tokens ("Failed to generate JWT")',
    fix: 'Give the gateway its own RSA key pair: AIGW_SELF_SIGNED_JWT__SIGNING_KEY and AIGW_SELF_SIGNED_JWT__VALIDATION_KEY, each a PEM private key (`openssl genrsa 2048`), then restart it.',
  },
  noKeysAtAll: {
    status: 'fail',
    text: () =>
      "the gateway holds no key at all (GitLab's set empty or unfetched, none of its own): every authenticated request ends in CriticalAuthError, HTTP 500",
    fix: `Fix jwks-reachable and jwks-valid, ${RESTART}`,
  },
  signingKeyOrNoKeys: {
    status: 'fail',
    text: () =>
      'GitLab publishes keys, so the gateway either cannot sign ("Failed to generate JWT": AIGW_SELF_SIGNED_JWT__SIGNING_KEY unset or not an RSA PEM) or cached an empty set earlier (CriticalAuthError)',
    fix: `Check AIGW_SELF_SIGNED_JWT__SIGNING_KEY and __VALIDATION_KEY in the gateway's environment (PEM RSA private keys), ${RESTART}`,
  },
  gatewayUnreachable: {
    status: 'fail',
    text: () =>
      'GitLab could not reach the gateway to exchange its token (HTTP 500 "500 Internal Server Error": the request to <ai_gateway_url>/v1/code/user_access_token raised)',
    fix: "GitLab calls its ai_gateway_url setting from the GitLab host: see gateway-url and gateway-reachable, and GitLab's proxy variables and outbound-request allowlist.",
  },
  tokenMissing: {
    status: 'fail',
    text: (d: { status: number }) => `the gateway answered HTTP ${d.status} without a token ("Token is missing in response")`,
    fix: "Something other than the gateway answers <ai_gateway_url>/v1/code/user_access_token: check that GitLab's ai_gateway_url names the gateway itself.",
  },
  unexpected: {
    status: 'fail',
    text: (d: { status: number; message: string }) => `GitLab answered direct_access with HTTP ${d.status}: ${d.message}`,
    fix: "See GitLab's log/api_json.log and exceptions_json.log for the request.",
  },
} satisfies Messages;

type Finding = FindingOf<typeof messages>;

/** GitLab's clock minus the gateway's, from their Date headers (whole seconds), when both are known. */
export function clockOffset(facts: Facts): number | undefined {
  // Stryker disable next-line StringLiteral: any fallback that is not a date parses to NaN, as '' does
  const gitlab = Date.parse(facts.exchange?.date ?? '');
  // Stryker disable next-line StringLiteral: any fallback that is not a date parses to NaN, as '' does
  const gateway = Date.parse(facts.gateway?.date ?? '');
  return Number.isNaN(gitlab) || Number.isNaN(gateway) ? undefined : Math.round((gitlab - gateway) / 1000);
}

/** What the measurements say about a "Forbidden by auth provider". */
function forbiddenCauses(facts: Facts, offset: number | undefined): Finding[] {
  const causes: Finding[] = [];
  // Stryker disable next-line ConditionalExpression: undefined > NBF_SLACK_S is false, as the guard makes it
  if (offset !== undefined && offset > NBF_SLACK_S) causes.push({ id: 'gitlabClockAhead', data: { seconds: offset } });
  // Stryker disable next-line ConditionalExpression: undefined < -TOKEN_LIFETIME_S is false, as the guard makes it
  if (offset !== undefined && offset < -TOKEN_LIFETIME_S) causes.push({ id: 'gitlabClockBehind', data: { seconds: offset } });
  if (facts.keySet && 'failed' in facts.keySet) causes.push({ id: 'keysUnfetchable' });
  if (!causes.length && facts.keySet && 'kids' in facts.keySet)
    causes.push(facts.keySet.kids.length ? { id: 'staleOrForeignKeys', data: { kids: facts.keySet.kids } } : { id: 'gitlabPublishesNoKeys' });
  return causes;
}

/** What the measurements say about a gateway 500 during the exchange. */
function failureCauses(facts: Facts): Finding[] {
  const noGitLabKeys = !facts.keySet || 'failed' in facts.keySet || facts.keySet.kids.length === 0;
  if (facts.gatewayEnv && !facts.gatewayEnv.signingKey) return [{ id: 'signingKeyUnset' }];
  if (noGitLabKeys && facts.gatewayEnv && !facts.gatewayEnv.ownKeys) return [{ id: 'noKeysAtAll' }];
  return [{ id: 'signingKeyOrNoKeys' }];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Pure: the exchange judged, and a refusal diagnosed from the clocks, the key set and the gateway's environment. */
export function judge(facts: Facts): Judgement<typeof messages> {
  const offset = clockOffset(facts);
  const details = [
    `GitLab's Date ${facts.exchange?.date ?? '(none)'}, the gateway's ${facts.gateway?.date ?? `(none${facts.gateway?.failure ? `: ${facts.gateway.failure}` : ''})`}` +
      (offset !== undefined ? `: GitLab − gateway = ${offset} s (±1 s)` : ''),
    ...(facts.gateway?.url ? [`Gateway asked for its Date: ${redactUrl(facts.gateway.url)}`] : []),
    ...(facts.keySet
      ? [
          'kids' in facts.keySet
            ? `GitLab's key set as the gateway would fetch it now: ${facts.keySet.kids.length ? `kids ${facts.keySet.kids.join(', ')}` : 'empty (no keys)'}`
            : "GitLab's key set: not fetchable (see jwks-reachable)",
        ]
      : []),
  ];
  const evidence = {
    ...(facts.exchange ? { directAccessStatus: facts.exchange.status } : {}),
    ...(offset !== undefined ? { clockOffsetSeconds: offset } : {}),
  };
  const done = (findings: Finding[]): Judgement<typeof messages> => ({ findings, details, evidence });
  const ex = facts.exchange;
  if (!ex) return done([{ id: 'noAnswer', data: { why: facts.unreached ?? 'no answer' } }]);
  const message = str(ex.body?.message) ?? '';
  // Stryker disable next-line ConditionalExpression: Math.abs(undefined) is NaN, never above OFFSET_WARN_S
  const offsetWarning: Finding[] = offset !== undefined && Math.abs(offset) > OFFSET_WARN_S ? [{ id: 'clockOffset', data: { seconds: offset } }] : [];
  if (ex.status === 201 || ex.status === 200) {
    if (message === 'Token is missing in response') return done([{ id: 'tokenMissing', data: { status: ex.status } }]);
    const iss = str(ex.claims?.iss) ?? '(none)';
    const scopes = Array.isArray(ex.claims?.scopes) ? (ex.claims.scopes as unknown[]).join(', ') : '(none)';
    if (iss !== GATEWAY_SERVICE_NAME) return done([{ id: 'notGatewayMinted', data: { iss } }, ...offsetWarning]);
    return done([{ id: 'exchanged', data: { iss, scopes } }, ...offsetWarning]);
  }
  if (ex.status === 403 && /direct connections are disabled/i.test(message)) return done([{ id: 'directDisabled' }]);
  if (ex.monolith) return done([{ id: 'userNoAccess', data: { status: ex.status } }]);
  if (message === 'Token creation failed') {
    // Stryker disable next-line OptionalChaining: a body is present whenever its message matched
    const error = str(ex.body?.error);
    if (ex.status === 401 && error) {
      const refusal: Finding = { id: 'gatewayRefused', data: { status: ex.status, error } };
      return done(error === 'Forbidden by auth provider' ? [refusal, ...forbiddenCauses(facts, offset)] : [refusal]);
    }
    if (ex.status === 403) return done([{ id: 'scopeRefused' }]);
    if (ex.status >= 500) return done([{ id: 'gatewayFailed', data: { status: ex.status } }, ...failureCauses(facts)]);
    return done([{ id: 'unexpected', data: { status: ex.status, message: `${message}${error ? `: ${error}` : ''}` } }]);
  }
  if (ex.status === 500 && message === '500 Internal Server Error') return done([{ id: 'gatewayUnreachable' }]);
  return done([{ id: 'unexpected', data: { status: ex.status, message: message || '(no message)' } }]);
}

/** The printable claims of a JWT (the signature and the token itself are not kept); undefined when it is not a JWT. */
export function printableClaims(token: string): Record<string, unknown> | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    const keep = ['iss', 'aud', 'sub', 'scopes', 'gitlab_realm', 'iat', 'nbf', 'exp'];
    return Object.fromEntries(Object.entries(payload).filter(([k]) => keep.includes(k)));
    // Stryker disable next-line BlockStatement: an empty catch returns undefined too
  } catch {
    return undefined;
  }
}

/** GitLab's answer as facts, the token replaced by its claims. */
export function exchangeFacts(ex: HttpExchange & { ok: true }): ExchangeFacts {
  const { response } = ex;
  const parsed = parseJson(response);
  const raw =
    parsed.ok && typeof parsed.value === 'object' && parsed.value !== null && !Array.isArray(parsed.value)
      ? (parsed.value as Record<string, unknown>)
      : undefined;
  const { token, headers: _headers, ...body } = raw ?? {};
  const claims = typeof token === 'string' ? printableClaims(token) : undefined;
  return {
    status: response.status,
    ...(raw ? { body } : {}),
    monolith: response.headers['x-gitlab-error-origin'] === 'monolith',
    ...(response.headers.date ? { date: response.headers.date } : {}),
    ...(claims ? { claims } : {}),
  };
}

export default defineCheck({
  id: 'token-verifies',
  title: "The gateway accepts GitLab's Duo token (the direct-access token exchange)",
  category: 'jwks',
  tags: ['ci', 'oncall', 'pre-upgrade'],
  dependsOn: ['jwks-valid'],
  needs: ['gitlab', 'token'],
  explain: {
    checks:
      `Asks GitLab for a direct-access token (POST ${DIRECT_ACCESS_PATH}). Current GitLab gets it from the gateway: it POSTs its own Duo token to ` +
      '<ai_gateway_url>/v1/code/user_access_token, and the gateway verifies it (RS256 against its cached key set, audience gitlab-ai-gateway, nbf/exp with no leeway) ' +
      "before minting a user token with AIGW_SELF_SIGNED_JWT__SIGNING_KEY. A token coming back proves the gateway accepted GitLab's. A refusal is diagnosed " +
      "from what can be measured: the gateway's error GitLab relays, the clock offset between GitLab and the gateway (their Date headers), and GitLab's key set as the gateway fetches it.",
    failsWhen:
      'GitLab answers "Token creation failed": 401 with the gateway\'s error (clock ahead/behind, a stale or foreign key set, the audience, a proxy rewriting headers), ' +
      "403 (GitLab's token lacks the unit primitive), 500 (the gateway has no signing key, or no key at all); or GitLab cannot reach the gateway (500). " +
      'Skips when direct connections are disabled or GitLab refuses the user itself (no Duo seat: X-GitLab-Error-Origin monolith).',
    fix: "NTP on GitLab and the gateway, restart the gateway after key changes, AIGW_GITLAB_URL naming this GitLab, and the gateway's AIGW_SELF_SIGNED_JWT__* keys.",
  },
  messages,
  // Stryker disable all: gather does I/O (probes); the integration tier tests it, mutating it here only measures the unit tier's blind spot
  async gather(ctx): Promise<Facts> {
    const [ex, healthz, fetched] = await Promise.all([gitlabPost(ctx, DIRECT_ACCESS_PATH, {}), gatewayHealthz(ctx), fetchJwks(ctx)]);
    const env = ctx.settings.env;
    const own = gatewayHasOwnKeys(env);
    const keys = fetched?.jwks?.outcome.kind === 'json' ? (fetched.jwks.outcome.value as { keys?: unknown }).keys : undefined;
    return {
      ...(ex.ok ? { exchange: exchangeFacts(ex) } : { unreached: ex.failure.message }),
      gateway: {
        ...(healthz.url ? { url: healthz.url } : {}),
        ...(healthz.exchange.ok
          ? healthz.exchange.response.headers.date
            ? { date: healthz.exchange.response.headers.date }
            : {}
          : { failure: healthz.exchange.failure.message }),
      },
      ...(fetched
        ? {
            keySet: Array.isArray(keys)
              ? { kids: keys.flatMap((k) => (typeof (k as { kid?: unknown })?.kid === 'string' ? [(k as { kid: string }).kid] : [])) }
              : { failed: true as const },
          }
        : {}),
      ...(own !== undefined ? { gatewayEnv: { ownKeys: own, signingKey: Boolean(envLookup(env, 'AIGW_SELF_SIGNED_JWT__SIGNING_KEY')?.value) } } : {}),
    };
  },
  // Stryker restore all
  judge,
});
