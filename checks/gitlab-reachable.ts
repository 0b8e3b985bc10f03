// gitlab-reachable: GitLab answers /api/v4/metadata with its version and edition, and the token is valid and an administrator's.
import { defineCheck, type CheckContext, type FindingOf, type Judgement, type Messages } from '../src/check.js';
import { classifyTlsFailure } from '../src/judge/tls-failure.js';
import { apiMessage, describeExchange, gitlabGet } from '../src/probes/gitlab-api.js';
import { parseJson, type FailureKind, type HttpExchange } from '../src/probes/http.js';
import { redactSecrets, redactUrl } from '../src/redact.js';

const NEW_TOKEN =
  'Create a personal access token with the `api` scope as an administrator (User settings > Access tokens, ' +
  'or `gitlab-rails runner` for root) on this GitLab instance, and pass it in GITLAB_TOKEN or --gitlab-token-file.';

/** One API answer as facts: what GitLab said (secret-free), its status or failure, and the JSON object of a 200. */
export interface ApiAnswer {
  /** One line describing the answer (redirects and error messages included, the token redacted). */
  said: string;
  elapsedMs: number;
  status?: number;
  failure?: { kind: FailureKind; code?: string; message: string };
  /** The Grape error message of an error answer (`insufficient_scope`, `403 Forbidden`). */
  apiMessage?: string;
  /** Absolute Location of a 3xx, credentials redacted (never followed). */
  redirectTo?: string;
  /** A 200's body as a JSON object, or why it is not one. */
  json?: { ok: true; value: Record<string, unknown> } | { ok: false; reason: string };
}

export interface Facts {
  /** --gitlab-url, credentials redacted. */
  gitlabUrl: string;
  /** The user's --timeout (ms), which a timeout message names. */
  timeoutMs: number;
  metadata: ApiAnswer;
  /** GET /api/v4/user; asked only when the metadata answered like GitLab. */
  user?: ApiAnswer;
}

type Unreachable = { url: string; kind: FailureKind; message: string; timeoutMs: number; code?: string };

export const messages = {
  answers: {
    status: 'pass',
    text: (d: { version: string; username: string }) => `GitLab ${d.version} Enterprise Edition answers; the token is administrator ${d.username}'s`,
  },
  communityEdition: {
    status: 'fail',
    text: (d: { label: string }) => `${d.label} is the Community Edition: GitLab Duo Self-Hosted needs the Enterprise Edition`,
    fix: 'Install or upgrade to the Enterprise Edition package (gitlab-ee, or the gitlab/gitlab-ee image) of the same version; the license check follows.',
  },
  notAdmin: {
    status: 'fail',
    text: (d: { username: string; isAdmin: string }) => `The token is not an administrator's (user ${d.username}, is_admin ${d.isAdmin})`,
    fix: NEW_TOKEN,
  },
  tokenRejected: {
    status: 'fail',
    text: () => 'GitLab rejected the token (HTTP 401): token rejected',
    fix: NEW_TOKEN,
  },
  tokenLacksScope: {
    status: 'fail',
    text: (d: { path: string }) => `The token lacks the scope GitLab requires for ${d.path} (HTTP 403)`,
    fix: NEW_TOKEN,
  },
  tokenForbidden: {
    status: 'fail',
    text: (d: { path: string }) => `The token is not an administrator's: GitLab refused ${d.path} (HTTP 403)`,
    fix: NEW_TOKEN,
  },
  redirected: {
    status: 'fail',
    text: (d: { said: string }) => d.said,
    fix: 'Use the URL GitLab redirects to as --gitlab-url (its external_url, including any relative URL root).',
  },
  apiPathInUrl: {
    status: 'fail',
    text: (d: { url: string; path: string; status: string }) =>
      `No GitLab API at ${d.url}: ${d.path} gave ${d.status}, and the URL already ends in /api/v4`,
    fix: "Drop /api/v4 from --gitlab-url: give GitLab's external_url (e.g. https://gitlab.example.com, or https://host/gitlab with a relative URL root); duo-doctor adds the API paths.",
  },
  noApi: {
    status: 'fail',
    text: (d: { url: string; path: string; status: number }) => `No GitLab API at ${d.url}: ${d.path} gave HTTP ${d.status}`,
    fix: "Check --gitlab-url: it must be GitLab's external_url, including any relative URL root (e.g. https://host/gitlab).",
  },
  notGitlab: {
    status: 'fail',
    text: (d: { url: string; reason: string }) => `${d.url} does not answer like GitLab: /api/v4/metadata gave ${d.reason}`,
    fix: 'Check --gitlab-url: a proxy or another service may answer there instead of GitLab.',
  },
  dnsFailed: {
    status: 'fail',
    text: unreachableText,
    fix: "The host name in --gitlab-url does not resolve from here: check its spelling and this machine's DNS.",
  },
  refused: {
    status: 'fail',
    text: unreachableText,
    fix: 'Nothing listens on that port: check the scheme and port in --gitlab-url, and that GitLab (NGINX, Puma, Workhorse) is running.',
  },
  timedOut: {
    status: 'fail',
    text: unreachableText,
    fix: (d: Unreachable) =>
      `No answer within --timeout ${d.timeoutMs} ms: a firewall may be dropping the traffic, or GitLab is overloaded (or, stuck in the TLS handshake, ` +
      'something that accepts connections but is not GitLab). Raise --timeout if GitLab is just slow.',
  },
  tlsUntrusted: {
    status: 'fail',
    text: unreachableText,
    fix: "GitLab's certificate is issued by a CA this machine does not trust: pass that CA with --ca-file (the gitlab-tls check shows the chain GitLab serves).",
  },
  tlsExpired: {
    status: 'fail',
    text: unreachableText,
    fix: "GitLab's certificate is expired or not yet valid: renew it (and check the clock of this machine); the gitlab-tls check shows its dates.",
  },
  tlsWrongHost: {
    status: 'fail',
    text: unreachableText,
    fix: "GitLab's certificate is not issued for the host in --gitlab-url: use the name it is issued for (GitLab's external_url), or reissue it with that name.",
  },
  notTls: {
    status: 'fail',
    text: unreachableText,
    fix: 'The port does not speak TLS: use http:// in --gitlab-url, or the HTTPS port.',
  },
  tlsFailed: {
    status: 'fail',
    text: unreachableText,
    fix: 'The TLS handshake failed: check the TLS configuration in front of GitLab (the gitlab-tls check shows what it serves).',
  },
  reset: {
    status: 'fail',
    text: unreachableText,
    fix: 'The connection was reset: a proxy or load balancer in front of GitLab may be refusing this client, or the scheme (http/https) is wrong.',
  },
  tooLarge: {
    status: 'fail',
    text: unreachableText,
    fix: 'GitLab sent an unexpectedly large answer: --gitlab-url may point at something other than GitLab.',
  },
  notHttp: {
    status: 'fail',
    text: unreachableText,
    fix: 'The answer was not valid HTTP: check the scheme (http/https) and port in --gitlab-url.',
  },
  proxyFailed: {
    status: 'fail',
    text: unreachableText,
    fix: "The proxy in HTTP(S)_PROXY failed: check it, or add GitLab's host to NO_PROXY.",
  },
  cancelled: {
    status: 'fail',
    text: unreachableText,
    fix: 'The check was cancelled before GitLab answered: raise --timeout.',
  },
  requestFailed: {
    status: 'fail',
    text: unreachableText,
    fix: 'Check --gitlab-url.',
  },
} satisfies Messages;

function unreachableText(d: Unreachable): string {
  return `GitLab at ${d.url} is unreachable (${d.kind}): ${d.message}`;
}

type Finding = FindingOf<typeof messages>;
type ConnectionId = 'dnsFailed' | 'refused' | 'timedOut' | 'reset' | 'tooLarge' | 'notHttp' | 'proxyFailed' | 'cancelled' | 'requestFailed';

const BY_KIND: Record<Exclude<FailureKind, 'tls'>, ConnectionId> = {
  dns: 'dnsFailed',
  refused: 'refused',
  timeout: 'timedOut',
  reset: 'reset',
  'too-large': 'tooLarge',
  protocol: 'notHttp',
  proxy: 'proxyFailed',
  aborted: 'cancelled',
  other: 'requestFailed',
};

const BY_TLS_CLASS = {
  untrusted: 'tlsUntrusted',
  expired: 'tlsExpired',
  'not-yet-valid': 'tlsExpired',
  'wrong-host': 'tlsWrongHost',
  'not-tls': 'notTls',
  other: 'tlsFailed',
} as const;

/** The finding for an answer that is not the expected 200 (a failure, a refusal, a redirect, another service). */
function notAnswered(f: Facts, a: ApiAnswer, path: string): Finding {
  if (a.failure) {
    const data = {
      url: f.gitlabUrl,
      kind: a.failure.kind,
      message: a.failure.message,
      timeoutMs: f.timeoutMs,
      ...(a.failure.code ? { code: a.failure.code } : {}),
    };
    const id = a.failure.kind === 'tls' ? BY_TLS_CLASS[classifyTlsFailure(a.failure.code)] : BY_KIND[a.failure.kind];
    return { id, data };
  }
  const status = a.status ?? 0;
  if (status === 401)
    return {
      id: 'tokenRejected',
      details: [`${path}: ${a.said}`, 'The token is expired, revoked, mistyped, or belongs to another GitLab instance.'],
    };
  if (status === 403) {
    return /scope/i.test(a.apiMessage ?? '')
      ? { id: 'tokenLacksScope', data: { path }, details: [`${path}: ${a.said}`] }
      : { id: 'tokenForbidden', data: { path }, details: [`${path}: ${a.said}`] };
  }
  if (/\/api\/v4\/?$/.test(f.gitlabUrl.replace(/[?#].*$/, '')))
    return { id: 'apiPathInUrl', data: { url: f.gitlabUrl, path, status: `HTTP ${status}` } };
  if (status >= 300 && status < 400) return { id: 'redirected', data: { said: a.said }, details: [`${path}: ${a.said}`] };
  return { id: 'noApi', data: { url: f.gitlabUrl, path, status }, details: [`${path}: ${a.said}`] };
}

/** Evidence for an answer that was not the expected one (its status or failure). */
function answerEvidence(a: ApiAnswer): Record<string, unknown> {
  if (a.failure) return { failure: a.failure.kind, code: a.failure.code, elapsedMs: a.elapsedMs };
  return { httpStatus: a.status, ...(a.redirectTo ? { redirectTo: a.redirectTo } : {}) };
}

/** Pure: the metadata and user answers judged into findings. */
export function judge(f: Facts): Judgement<typeof messages> {
  const meta = f.metadata;
  if (meta.status !== 200) return { findings: [notAnswered(f, meta, '/api/v4/metadata')], evidence: answerEvidence(meta) };
  const json = meta.json ?? { ok: false, reason: 'no body' };
  const version = json.ok && typeof json.value.version === 'string' ? json.value.version : undefined;
  if (version === undefined) {
    return {
      findings: [{ id: 'notGitlab', data: { url: f.gitlabUrl, reason: json.ok ? 'no version' : json.reason } } as Finding],
      evidence: { httpStatus: 200 },
    };
  }
  const revision = json.ok && typeof json.value.revision === 'string' ? json.value.revision : undefined;
  // Older GitLab has no `enterprise` field; its version then ends in -ee.
  const enterprise = json.ok && typeof json.value.enterprise === 'boolean' ? json.value.enterprise : /-ee$/.test(version);

  const user = f.user;
  if (!user || user.status !== 200) {
    return { findings: [notAnswered(f, user ?? { said: 'not asked', elapsedMs: 0 }, '/api/v4/user')], evidence: user ? answerEvidence(user) : {} };
  }
  const value = user.json?.ok ? user.json.value : undefined;
  const username = typeof value?.username === 'string' ? value.username : 'unknown';
  const isAdmin = value?.is_admin === true;

  const label = `GitLab ${version}${revision ? ` (revision ${revision})` : ''}`;
  const findings: Finding[] = [];
  if (!enterprise) findings.push({ id: 'communityEdition', data: { label } });
  // JSON: a string "true" (not an administrator) must not read as true.
  if (!isAdmin) findings.push({ id: 'notAdmin', data: { username, isAdmin: value ? JSON.stringify(value.is_admin ?? false) : 'unknown' } });
  if (findings.length === 0) findings.push({ id: 'answers', data: { version, username } });
  return {
    findings,
    details: [`${label}, ${enterprise ? 'Enterprise' : 'Community'} Edition`, `Token belongs to ${username}${isAdmin ? ', an administrator' : ''}`],
    // For JSON consumers; other checks read GitLab's metadata from the memoised probe, not from here.
    evidence: { version, revision, enterprise, username, isAdmin, responseMs: meta.elapsedMs },
  };
}

// Stryker disable all: gather does I/O (probes); the integration tier tests it, mutating it here only measures the unit tier's blind spot
/** Gathers: GET /api/v4/metadata, then (only when it answered like GitLab) GET /api/v4/user; both memoised for the run. */
export async function gather(ctx: CheckContext): Promise<Facts> {
  const answer = (ex: HttpExchange): ApiAnswer => {
    const said = describeExchange(ctx, ex);
    if (!ex.ok) return { said, elapsedMs: ex.elapsedMs, failure: ex.failure };
    const { response } = ex;
    const message = apiMessage(response);
    const parsed = response.status === 200 ? parseJson(response) : undefined;
    const json: ApiAnswer['json'] =
      parsed === undefined
        ? undefined
        : !parsed.ok
          ? parsed
          : typeof parsed.value === 'object' && parsed.value !== null && !Array.isArray(parsed.value)
            ? { ok: true, value: parsed.value as Record<string, unknown> }
            : { ok: false, reason: 'not a JSON object' };
    return {
      said,
      elapsedMs: response.elapsedMs,
      status: response.status,
      ...(message ? { apiMessage: redactSecrets(message, [ctx.settings.gitlabToken]) } : {}),
      ...(response.redirectTo ? { redirectTo: redactUrl(response.redirectTo) } : {}),
      ...(json ? { json } : {}),
    };
  };
  const facts: Facts = {
    gitlabUrl: redactUrl(ctx.settings.gitlabUrl ?? ''),
    timeoutMs: ctx.settings.timeoutMs,
    metadata: answer(await gitlabGet(ctx, '/api/v4/metadata')),
  };
  const meta = facts.metadata;
  const answersLikeGitlab = meta.status === 200 && meta.json?.ok === true && typeof meta.json.value.version === 'string';
  return answersLikeGitlab ? { ...facts, user: answer(await gitlabGet(ctx, '/api/v4/user')) } : facts;
}

// Stryker restore all
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
      'GitLab is unreachable (DNS, refused, timeout, TLS — untrusted issuer, expired, wrong host name, not TLS —, proxy: told apart); ' +
      "the token is rejected (401: expired, revoked, another instance); the token is not an administrator's (403, or is_admin false); " +
      'GitLab is the Community Edition (GitLab Duo Self-Hosted needs the Enterprise Edition); or the URL answers with something other ' +
      "than GitLab's API (a --gitlab-url ending in /api/v4 is named).",
    fix:
      "Fix --gitlab-url (GitLab's external_url) or the network path to it; create an administrator's personal access token " +
      'with the `api` scope and pass it in GITLAB_TOKEN or --gitlab-token-file; run the Enterprise Edition (gitlab-ee).',
  },
  messages,
  gather,
  judge,
});
