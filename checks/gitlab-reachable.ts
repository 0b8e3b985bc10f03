// gitlab-reachable: GitLab answers /api/v4/metadata with its version and edition, and the token is valid and an administrator's.
import { defineCheck } from '../src/check.js';
import type { CheckContext } from '../src/check.js';
import type { CheckOutcome } from '../src/model.js';
import { combineFindings, type Finding } from '../src/findings.js';
import { apiMessage, describeExchange, gitlabGet } from '../src/probes/gitlab-api.js';
import { parseJson, type FailureKind, type HttpExchange } from '../src/probes/http.js';
import { redactUrl } from '../src/redact.js';

const NEW_TOKEN =
  'Create a personal access token with the `api` scope as an administrator (User settings > Access tokens, ' +
  'or `gitlab-rails runner` for root) on this GitLab instance, and pass it in GITLAB_TOKEN or --gitlab-token-file.';

/** What to do when GitLab cannot be reached at all, by the kind of failure. */
const CONNECTION_FIX: Record<FailureKind, string> = {
  dns: 'The host name in --gitlab-url does not resolve from here: check its spelling and this machine\'s DNS.',
  refused: 'Nothing listens on that port: check the scheme and port in --gitlab-url, and that GitLab (NGINX, Puma, Workhorse) is running.',
  timeout: 'No answer in time: a firewall may be dropping the traffic, or GitLab is overloaded. Raise --timeout if GitLab is just slow.',
  tls: 'TLS failed: if GitLab uses a private CA, pass it with --ca-file (the gitlab-tls check shows the chain GitLab serves).',
  reset: 'The connection was reset: a proxy or load balancer in front of GitLab may be refusing this client, or the scheme (http/https) is wrong.',
  'too-large': 'GitLab sent an unexpectedly large answer: --gitlab-url may point at something other than GitLab.',
  protocol: 'The answer was not valid HTTP: check the scheme (http/https) and port in --gitlab-url.',
  proxy: 'The proxy in HTTP(S)_PROXY failed: check it, or add GitLab\'s host to NO_PROXY.',
  aborted: 'The check was cancelled before GitLab answered: raise --timeout.',
  other: 'Check --gitlab-url.',
};

interface Metadata {
  version: string;
  revision?: string;
  enterprise?: boolean;
}

/** A fail outcome for a token GitLab did not accept (401) or accepted without the scope or rights (403). */
function tokenRefused(ctx: CheckContext, ex: HttpExchange & { ok: true }, path: string): CheckOutcome {
  const { status } = ex.response;
  const said = apiMessage(ex.response);
  if (status === 401) {
    return {
      status: 'fail',
      summary: 'GitLab rejected the token (HTTP 401): token rejected',
      details: [`${path}: ${describeExchange(ctx, ex)}`, 'The token is expired, revoked, mistyped, or belongs to another GitLab instance.'],
      remediation: NEW_TOKEN,
      evidence: { httpStatus: status },
    };
  }
  const scope = said !== undefined && /scope/i.test(said);
  return {
    status: 'fail',
    summary: scope
      ? `The token lacks the scope GitLab requires for ${path} (HTTP 403)`
      : `The token is not an administrator's: GitLab refused ${path} (HTTP 403)`,
    details: [`${path}: ${describeExchange(ctx, ex)}`],
    remediation: NEW_TOKEN,
    evidence: { httpStatus: status },
  };
}

/** A fail outcome for any other answer than the expected 200 JSON. */
function unexpected(ctx: CheckContext, ex: HttpExchange, path: string): CheckOutcome {
  const gitlab = redactUrl(ctx.settings.gitlabUrl ?? '');
  if (!ex.ok) {
    return {
      status: 'fail',
      summary: `GitLab at ${gitlab} is unreachable (${ex.failure.kind}): ${ex.failure.message}`,
      remediation: CONNECTION_FIX[ex.failure.kind],
      evidence: { failure: ex.failure.kind, code: ex.failure.code, elapsedMs: ex.elapsedMs },
    };
  }
  const { status } = ex.response;
  const redirect = status >= 300 && status < 400;
  return {
    status: 'fail',
    summary: redirect ? describeExchange(ctx, ex) : `No GitLab API at ${gitlab}: ${path} gave HTTP ${status}`,
    details: [`${path}: ${describeExchange(ctx, ex)}`],
    remediation: redirect
      ? 'Use the URL GitLab redirects to as --gitlab-url (its external_url, including any relative URL root).'
      : 'Check --gitlab-url: it must be GitLab\'s external_url, including any relative URL root (e.g. https://host/gitlab).',
    evidence: { httpStatus: status, ...(ex.response.redirectTo ? { redirectTo: redactUrl(ex.response.redirectTo) } : {}) },
  };
}

/** The JSON object of a 200 answer, or a reason why it is not one. */
function jsonObject(ex: HttpExchange & { ok: true }): { ok: true; value: Record<string, unknown> } | { ok: false; reason: string } {
  const parsed = parseJson(ex.response);
  if (!parsed.ok) return parsed;
  if (typeof parsed.value !== 'object' || parsed.value === null) return { ok: false, reason: 'not a JSON object' };
  return { ok: true, value: parsed.value as Record<string, unknown> };
}

export default defineCheck({
  id: 'gitlab-reachable',
  title: 'GitLab answers its API with an administrator token',
  category: 'network',
  tags: ['ci', 'oncall', 'pre-upgrade'],
  needs: ['gitlab', 'token'],
  explain: {
    checks:
      'GET /api/v4/metadata (version, revision, edition) and GET /api/v4/user (is_admin) with the token in PRIVATE-TOKEN. ' +
      'Redirects are not followed: a redirect to another origin is reported, and the token is never sent there.',
    failsWhen:
      'GitLab is unreachable (DNS, refused, timeout, TLS, proxy — told apart); the token is rejected (401: expired, revoked, ' +
      'another instance); the token is not an administrator\'s (403, or is_admin false); GitLab is the Community Edition ' +
      '(GitLab Duo Self-Hosted needs the Enterprise Edition); or the URL answers with something other than GitLab\'s API.',
    fix:
      'Fix --gitlab-url (GitLab\'s external_url) or the network path to it; create an administrator\'s personal access token ' +
      'with the `api` scope and pass it in GITLAB_TOKEN or --gitlab-token-file; run the Enterprise Edition (gitlab-ee).',
  },
  async run(ctx) {
    const metaEx = await gitlabGet(ctx, '/api/v4/metadata');
    if (!metaEx.ok || metaEx.response.status !== 200) {
      return metaEx.ok && (metaEx.response.status === 401 || metaEx.response.status === 403)
        ? tokenRefused(ctx, metaEx, '/api/v4/metadata')
        : unexpected(ctx, metaEx, '/api/v4/metadata');
    }
    const meta = jsonObject(metaEx);
    if (!meta.ok || typeof meta.value.version !== 'string') {
      return {
        status: 'fail',
        summary: `${redactUrl(ctx.settings.gitlabUrl ?? '')} does not answer like GitLab: /api/v4/metadata gave ${meta.ok ? 'no version' : meta.reason}`,
        remediation: 'Check --gitlab-url: a proxy or another service may answer there instead of GitLab.',
        evidence: { httpStatus: 200 },
      };
    }
    const metadata: Metadata = {
      version: meta.value.version,
      revision: typeof meta.value.revision === 'string' ? meta.value.revision : undefined,
      enterprise: typeof meta.value.enterprise === 'boolean' ? meta.value.enterprise : undefined,
    };
    // Older GitLab has no `enterprise` field; its version then ends in -ee.
    const enterprise = metadata.enterprise ?? /-ee$/.test(metadata.version);

    const userEx = await gitlabGet(ctx, '/api/v4/user');
    if (!userEx.ok || userEx.response.status !== 200) {
      return userEx.ok && (userEx.response.status === 401 || userEx.response.status === 403)
        ? tokenRefused(ctx, userEx, '/api/v4/user')
        : unexpected(ctx, userEx, '/api/v4/user');
    }
    const user = jsonObject(userEx);
    const username = user.ok && typeof user.value.username === 'string' ? user.value.username : 'unknown';
    const isAdmin = user.ok && user.value.is_admin === true;

    const label = `GitLab ${metadata.version}${metadata.revision ? ` (revision ${metadata.revision})` : ''}`;
    const details = [`${label}, ${enterprise ? 'Enterprise' : 'Community'} Edition`, `Token belongs to ${username}${isAdmin ? ', an administrator' : ''}`];
    const evidence = { version: metadata.version, revision: metadata.revision, enterprise, username, isAdmin, responseMs: metaEx.response.elapsedMs };
    const findings: Finding[] = [];
    if (!enterprise) {
      findings.push({
        status: 'fail',
        summary: `${label} is the Community Edition: GitLab Duo Self-Hosted needs the Enterprise Edition`,
        fix: 'Install or upgrade to the Enterprise Edition package (gitlab-ee, or the gitlab/gitlab-ee image) of the same version; the license check follows.',
      });
    }
    if (!isAdmin) {
      findings.push({
        status: 'fail',
        summary: `The token is not an administrator's (user ${username}, is_admin ${user.ok ? String(user.value.is_admin ?? false) : 'unknown'})`,
        fix: NEW_TOKEN,
      });
    }
    return combineFindings(findings, `GitLab ${metadata.version} Enterprise Edition answers; the token is administrator ${username}'s`, details, evidence);
  },
});
