// token-verifies: a token GitLab hands out (code_suggestions/direct_access) verifies against the fetched keys as the gateway decodes it.
import type { JWK } from 'jose';
import { defineCheck, type CheckContext } from '../src/check.js';
import { judgeKeySet } from '../src/jwks/keyset.js';
import { GATEWAY_ALGORITHM, GATEWAY_AUDIENCE, SKEW_FAIL_S, SKEW_WARN_S, judgeToken, type TokenJudgement, type TokenProblemId } from '../src/jwks/token.js';
import type { CheckOutcome } from '../src/model.js';
import { redactUrl } from '../src/redact.js';
import { DIRECT_ACCESS_PATH, DIRECT_ACCESS_SETTING } from '../src/probes/direct-access.js';
import { apiMessage, describeExchange, gitlabPost } from '../src/probes/gitlab-api.js';
import { parseJson, type HttpResponse } from '../src/probes/http.js';
import { fetchJwks } from '../src/probes/jwks.js';

// The 403 GitLab answers when direct connections are off: where it is set (and how to turn it back on), and the other reasons it gives.
const DISABLED_SETTING =
  'Direct connections are turned off (Connection method "Indirect connections through the GitLab self-managed instance"). ' +
  `To turn them on: ${DIRECT_ACCESS_SETTING}. GitLab also refuses direct access when Amazon Q is connected ` +
  'or a completion model is selected that direct access does not support.';

const CLOCK_FIX = 'Synchronise the clocks of GitLab, the gateway and this host with NTP (timedatectl / chronyc tracking show the offset).';
const KEYS_FIX =
  'GitLab signs with a key that /oauth/discovery/keys does not publish: make every GitLab node share the same /etc/gitlab/gitlab-secrets.json ' +
  '(openid_connect_signing_key) and gitlab-ctl reconfigure, make sure no proxy or CDN serves a cached JWKS, and check that AIGW_GITLAB_URL names ' +
  'this GitLab. Then restart the gateway: it keeps the key set it fetched for 24 h.';

const FIXES: Partial<Record<TokenProblemId, string>> = {
  malformed: `GitLab returned something that is not a JWT: check what answers ${DIRECT_ACCESS_PATH} (a proxy rewriting responses?).`,
  'alg-not-rs256': `GitLab signs with ${GATEWAY_ALGORITHM}; a token with another alg is not from GitLab's signing path. Check for a proxy rewriting the response.`,
  'kid-not-found': KEYS_FIX,
  'bad-signature': KEYS_FIX,
  'other-key': "Serve GitLab's key set unchanged, so each key carries the kid GitLab signs with.",
  audience: `GitLab and the gateway disagree on the audience (older GitLab used gitlab-code-suggestions): run the gateway version that matches GitLab's (self-hosted-vX.Y.Z-ee).`,
  'audience-missing': `Run the gateway version that matches GitLab's; current GitLab sets aud ${GATEWAY_AUDIENCE}.`,
  expired: CLOCK_FIX,
  'not-yet-valid': CLOCK_FIX,
  'clock-skew': CLOCK_FIX,
};

function unixTime(s: number | undefined): string | undefined {
  return s === undefined ? undefined : `${s} (${new Date(s * 1000).toISOString()})`;
}

/** The lines that describe the token without revealing it: header, non-secret claims, signature verdict, clock offsets. */
function tokenLines(j: TokenJudgement, issuerLabel: string): string[] {
  const c = j.claims;
  const lines = [
    `Header: ${JSON.stringify(j.header)}`,
    `Claims: ${JSON.stringify({ iss: c.iss, aud: c.aud, sub: c.sub, gitlab_realm: c.gitlab_realm, scopes: c.scopes })}`,
    ...(['iat', 'nbf', 'exp'] as const).flatMap((k) => (c[k] !== undefined ? [`${k}: ${unixTime(c[k])}`] : [])),
    `kid ${j.header.kid ?? '(none)'}: ${j.kidFound === undefined ? 'the token names no key' : j.kidFound ? 'found in the key set' : 'NOT in the key set'}`,
  ];
  for (const o of j.offsets) {
    const who = o.source === 'iat' ? `the token's iat (${issuerLabel}'s clock)` : "GitLab's Date header";
    lines.push(`Clock offset from ${who}: ${o.seconds >= 0 ? '+' : ''}${o.seconds} s (positive: this host is ahead; warn above ${SKEW_WARN_S} s, fail above ${SKEW_FAIL_S} s)`);
  }
  return lines;
}

function evidenceOf(j: TokenJudgement, status: number): Record<string, unknown> {
  const sig = j.signature;
  const verifiedKid = sig.kind === 'verified' || sig.kind === 'verified-other-key' ? sig.kid : undefined;
  return {
    directAccessStatus: status,
    // Header and printable claims carry only the members the token has.
    ...j.header,
    ...(j.kidFound !== undefined ? { kidFound: j.kidFound } : {}),
    signature: j.signature.kind,
    ...(verifiedKid ? { verifiedKid } : {}),
    ...j.claims,
    ...(j.skewSeconds !== undefined ? { skewSeconds: j.skewSeconds } : {}),
    offsets: j.offsets,
    problems: j.problems.map((p) => p.id),
  };
}

/** Names GitLab's URL mismatch with iss, which the gateway does not check but which tells which GitLab signed. */
function issuerNote(ctx: CheckContext, iss: string | undefined): string[] {
  const gitlab = ctx.settings.gitlabUrl?.replace(/\/+$/, '');
  if (!iss || !gitlab || iss.replace(/\/+$/, '') === gitlab) return [];
  return [`iss ${iss} is not --gitlab-url (${redactUrl(gitlab)}); the gateway does not check iss, but it says which instance signed.`];
}

/** Judges a 201 from direct_access. */
async function judgeIssued(ctx: CheckContext, response: HttpResponse, keys: readonly JWK[]): Promise<CheckOutcome> {
  const parsed = parseJson(response);
  const token = parsed.ok ? (parsed.value as { token?: unknown } | null)?.token : undefined;
  if (typeof token !== 'string' || !token) {
    return {
      status: 'fail',
      summary: `GitLab answered ${DIRECT_ACCESS_PATH} with HTTP ${response.status} but no token`,
      remediation: 'Check what answers that path (a proxy rewriting responses?) and GitLab\'s log/production_json.log for the request.',
      evidence: { directAccessStatus: response.status },
    };
  }
  const serverDate = response.headers.date ? new Date(response.headers.date) : undefined;
  const j = await judgeToken(token, keys, { now: new Date(), ...(serverDate ? { serverDate } : {}) });
  const minted = j.signature.kind === 'minted-by-gateway';
  const details = [...tokenLines(j, minted ? 'the gateway' : 'GitLab'), ...issuerNote(ctx, j.claims.iss)];
  if (minted) {
    details.push(
      'Current GitLab gets direct-access tokens from the gateway (POST /v1/code/user_access_token, authenticated with GitLab\'s own instance token, ' +
        "which the gateway verifies against GitLab's keys): this token is signed with the gateway's own key, so GitLab's key set is not meant to verify it. " +
        'That the gateway issued it shows it accepted GitLab\'s token.',
    );
  }
  details.push(...j.problems.map((p) => `${p.severity}: ${p.message}`));
  const evidence = evidenceOf(j, response.status);
  if (j.status === 'pass') {
    // A passing token is either minted by the gateway or verified by a key carrying its kid (or it has none).
    const how = minted
      ? `the gateway issued it (iss ${j.claims.iss}), so it verified GitLab's token with these keys`
      : `verifies with key ${j.header.kid ?? '(no kid)'} (${GATEWAY_ALGORITHM}, aud ${GATEWAY_AUDIENCE})`;
    return { status: 'pass', summary: `a fresh token from GitLab ${how}; clock offset ${j.skewSeconds ?? 0} s`, details, evidence };
  }
  const worst = j.problems.find((p) => p.severity === j.status) ?? j.problems[0];
  const fixes = [...new Set(j.problems.flatMap((p) => (FIXES[p.id] ? [FIXES[p.id] as string] : [])))];
  return { status: j.status, summary: worst?.message ?? 'the token does not verify', details, remediation: fixes.join(' '), evidence };
}

export default defineCheck({
  id: 'token-verifies',
  title: "A token GitLab issues verifies against GitLab's keys as the gateway checks it",
  category: 'jwks',
  tags: ['ci', 'oncall', 'pre-upgrade'],
  dependsOn: ['jwks-valid'],
  needs: ['gitlab', 'token'],
  explain: {
    checks:
      `Asks GitLab for a token (POST ${DIRECT_ACCESS_PATH} with the admin token) and verifies it against the key set jwks-reachable fetched, ` +
      `as the gateway decodes it: ${GATEWAY_ALGORITHM} only, audience ${GATEWAY_AUDIENCE}, no leeway on nbf/exp. Reports the kid and whether the set ` +
      "has it, iss/aud/iat/nbf/exp, and the clock offset between this host and GitLab (Date header) and the token's issuer (iat). " +
      'The token itself is never printed. A token minted by the gateway itself (iss gitlab-ai-gateway, current GitLab) is signed with the ' +
      "gateway's own key: its existence shows the gateway accepted GitLab's token.",
    failsWhen:
      'The signing kid is not in the key set (rotation, nodes with different secrets, a stale cached JWKS) or the signature does not verify, ' +
      `the audience is not ${GATEWAY_AUDIENCE}, the alg is not ${GATEWAY_ALGORITHM}, the token is expired or not yet valid on this clock, the clock offset ` +
      `exceeds ${SKEW_FAIL_S} s (warns above ${SKEW_WARN_S} s), or GitLab cannot obtain a token (503: the gateway refused GitLab's own token). ` +
      'Skips when direct connections are disabled (setting disabled_direct_code_suggestions) or the admin has no Code Suggestions access.',
    fix: 'Share gitlab-secrets.json across GitLab nodes, serve GitLab\'s JWKS uncached, match gateway and GitLab versions, run NTP everywhere, and restart the gateway to refetch keys.',
  },
  async run(ctx) {
    const fetched = await fetchJwks(ctx);
    const doc = fetched?.jwks?.outcome.kind === 'json' ? fetched.jwks.outcome.value : undefined;
    if (doc === undefined) return { status: 'skip', summary: 'no key set was fetched (see jwks-reachable)' };
    const { usable } = await judgeKeySet(doc);

    const ex = await gitlabPost(ctx, DIRECT_ACCESS_PATH, {});
    if (!ex.ok) return { status: 'skip', summary: `could not ask GitLab for a token: ${describeExchange(ctx, ex)} (see gitlab-reachable)` };
    const { response } = ex;
    const message = apiMessage(response) ?? '';
    const why = describeExchange(ctx, ex);
    const evidence = { directAccessStatus: response.status };
    if (response.status === 201 || response.status === 200) return judgeIssued(ctx, response, usable);
    if (response.status === 403 && /direct connections are disabled/i.test(message)) {
      return { status: 'skip', summary: `GitLab does not hand out direct-access tokens: ${why}`, details: [DISABLED_SETTING], evidence };
    }
    if (response.status === 401 || response.status === 403) {
      return {
        status: 'skip',
        summary: `GitLab refused to issue a token to this token's user: ${why}`,
        details: ['The user needs Code Suggestions access (a GitLab Duo seat) and the token the api or ai_features scope.'],
        evidence,
      };
    }
    if (response.status === 503 || response.status === 502) {
      return {
        status: 'fail',
        summary: `GitLab could not obtain a token: ${why}`,
        details: [
          "Current GitLab gets this token from the gateway (/v1/code/user_access_token) with its own instance token, which the gateway verifies against the keys it cached. " +
            'With jwks-reachable and jwks-valid passing now, a gateway that still refuses usually holds an old or empty key set from an earlier failed fetch.',
        ],
        remediation: 'Restart the gateway so it refetches GitLab\'s keys (it caches them for 24 h), and check its log for "Forbidden by auth provider" or "No keys founds in JWKS".',
        evidence,
      };
    }
    if (response.status >= 500) {
      return { status: 'fail', summary: `GitLab failed to issue a token: ${why}`, remediation: "See GitLab's log/production_json.log (and exceptions_json.log) for the request.", evidence };
    }
    return { status: 'skip', summary: `no token to verify: ${why}`, evidence };
  },
});
